/**
 * Release binaries kaic may download instead of building them from their Go modules, and the
 * sha256 each must have:
 * - kind and helm: pinned here per version and platform. A version or platform without a sum is
 *   never downloaded (kaic builds it from the module, whose source Go's checksum database
 *   verifies). The sums are those of the releases' own `.sha256sum` files; this machine reaches
 *   no release host, so they were cross-checked against independent public pins of the same
 *   files (at least two agreeing sources each). A wrong one fails the download, never silently.
 * - the kwok provider's Kubernetes binaries and etcd: the sum the release publishes beside each
 *   file (`<file>.sha256`, `SHA256SUMS`), read at download time.
 * - kwok and kwokctl: the release publishes no sums, so they are pinned here like kind's (two
 *   independent public pins of the same files agree); other versions and platforms are built.
 */
import { arch, platform } from 'node:os';

export const DOWNLOADABLE_TOOLS = ['kind', 'helm'] as const;
export type DownloadableTool = (typeof DOWNLOADABLE_TOOLS)[number];

/** `<os>-<arch>` as the releases name them (linux-amd64, linux-arm64, …). */
export type ReleasePlatform = `${string}-${string}`;

/** One file of a release to download, and the sha256 it must have. */
export interface ReleaseFile {
  /** What it is, for log lines and errors: `kind v0.33.0`, `kube-apiserver v1.35.4`. */
  label: string;
  url: string;
  /** The sum kaic pins, or where the release publishes it. */
  sha256: string | { publishedAt: string };
  /** The binary's path inside the archive when the file is a .tar.gz. */
  member?: string;
  /** Its name in the directory it lands in. */
  name: string;
}

export interface PinnedDownload {
  tool: DownloadableTool;
  version: string;
  platform: ReleasePlatform;
  url: string;
  sha256: string;
  /** The binary's path inside the archive when the release is a .tar.gz. */
  member?: string;
}

const SHA256: Record<DownloadableTool, Record<string, Partial<Record<ReleasePlatform, string>>>> = {
  kind: {
    'v0.32.0': {
      'linux-amd64': '50030de23cf40a18505f20426f6a8506bedf13c6e509244bd1fa9463721b0f54',
      'linux-arm64': 'b92cd615e97585de8ddade28ed5cd7feb4248d717c233eea5b03c37298900f5d',
    },
    'v0.33.0': {
      'linux-amd64': 'aee6151561422756b764a4ae28e7f44cda5af5a9eead3cc9985112b1de8d8e0d',
      'linux-arm64': '20022bee6cfcd5086cb7234d218e3454e6090022f2a8f55d1fa7fcf42c3867a2',
    },
  },
  helm: {
    'v3.22.0': {
      'linux-amd64': '1e4ab49e429626cf6c6958d914248b78c9730803c2751b87627e171dc800e7bb',
      'linux-arm64': 'f14e804dfee240f55525b667488fe9adca349e63e00c9af634c0beb1421ac310',
    },
  },
};

const LOCATION: Record<
  DownloadableTool,
  (version: string, platform: ReleasePlatform) => { url: string; member?: string }
> = {
  kind: (version, p) => ({
    url: `https://github.com/kubernetes-sigs/kind/releases/download/${version}/kind-${p}`,
  }),
  helm: (version, p) => ({
    url: `https://get.helm.sh/helm-${version}-${p}.tar.gz`,
    member: `${p}/helm`,
  }),
};

/** This machine's platform in the releases' naming. */
export function hostPlatform(): ReleasePlatform {
  const cpu = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[arch()] ?? arch();
  return `${platform()}-${cpu}`;
}

/** The pinned download of `tool` at `version` for `platform`, or null when none is pinned. */
export function pinnedDownload(
  tool: DownloadableTool,
  version: string,
  forPlatform: ReleasePlatform = hostPlatform(),
): PinnedDownload | null {
  const sha256 = SHA256[tool][version]?.[forPlatform];
  if (!sha256) return null;
  return { tool, version, platform: forPlatform, sha256, ...LOCATION[tool](version, forPlatform) };
}

/** Every pinned download (for the version-table tests). */
export function pinnedDownloads(): PinnedDownload[] {
  return DOWNLOADABLE_TOOLS.flatMap((tool) =>
    Object.entries(SHA256[tool]).flatMap(([version, sums]) =>
      Object.keys(sums).map((p) => pinnedDownload(tool, version, p as ReleasePlatform)!),
    ),
  );
}

/** The control-plane binaries of a Kubernetes release, each with the `.sha256` beside it. */
export function kubernetesReleaseFiles(
  version: string,
  binaries: readonly string[],
  forPlatform: ReleasePlatform = hostPlatform(),
): ReleaseFile[] {
  const [os, cpu] = forPlatform.split('-') as [string, string];
  return binaries.map((name) => {
    const url = `https://dl.k8s.io/release/${version}/bin/${os}/${cpu}/${name}`;
    return { label: `${name} ${version}`, url, sha256: { publishedAt: `${url}.sha256` }, name };
  });
}

/** etcd's release archive, checked against the release's SHA256SUMS. */
export function etcdReleaseFile(
  version: string,
  forPlatform: ReleasePlatform = hostPlatform(),
): ReleaseFile {
  const base = `https://github.com/etcd-io/etcd/releases/download/${version}`;
  const archive = `etcd-${version}-${forPlatform}`;
  return {
    label: `etcd ${version}`,
    url: `${base}/${archive}.tar.gz`,
    sha256: { publishedAt: `${base}/SHA256SUMS` },
    member: `${archive}/etcd`,
    name: 'etcd',
  };
}

/** kwok's release binaries by version and platform: the sums of `kwok-<p>` and `kwokctl-<p>`. */
const KWOK_SHA256: Record<
  string,
  Partial<Record<ReleasePlatform, { kwok: string; kwokctl: string }>>
> = {
  'v0.8.0': {
    'linux-amd64': {
      kwok: 'f5a4385a2ae1b9dd7f8acae18e002a75c0ebba124ae9d7259aa8dadb50711f46',
      kwokctl: 'd5743166c657283d6e827c7c4c20cacfd9009fd94830f06718ca7b2c7099461f',
    },
  },
};

/** kwok and kwokctl of a release, with their pinned sums; null when none are pinned. */
export function kwokReleaseFiles(
  version: string,
  forPlatform: ReleasePlatform = hostPlatform(),
): ReleaseFile[] | null {
  const sums = KWOK_SHA256[version]?.[forPlatform];
  if (!sums) return null;
  const base = `https://github.com/kubernetes-sigs/kwok/releases/download/${version}`;
  return (['kwok', 'kwokctl'] as const).map((name) => ({
    label: `${name} ${version}`,
    url: `${base}/${name}-${forPlatform}`,
    sha256: sums[name],
    name,
  }));
}
