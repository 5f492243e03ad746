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
 * - the real node's kubelet, containerd and crictl, the kind node's kubeadm, kube-proxy and
 *   CoreDNS, and the Prometheus and Traefik addons: the sums their releases publish (a `.sha256`
 *   or `.sha256sum` beside the file, or one list of sums for the release).
 * Every URL may be served by a mirror instead (KAIC_RELEASE_MIRROR, see mirroredUrl).
 */
import { arch, platform } from 'node:os';

export const DOWNLOADABLE_TOOLS = ['kind', 'helm'] as const;
export type DownloadableTool = (typeof DOWNLOADABLE_TOOLS)[number];

/** `<os>-<arch>` as the releases name them (linux-amd64, linux-arm64, …). */
export type ReleasePlatform = `${string}-${string}`;

/** A binary a release file gives: its name where it lands, its path inside an archive. */
export interface ReleaseBinary {
  name: string;
  /** The path inside the archive when the file is a .tar.gz; none: the file is the binary. */
  member?: string;
}

/** One file of a release to download, the sha256 it must have, and the binaries it gives. */
export interface ReleaseFile {
  /** What it is, for log lines and errors: `kind v0.33.0`, `kube-apiserver v1.35.4`. */
  label: string;
  url: string;
  /** The sum kaic pins, or where the release publishes it. */
  sha256: string | { publishedAt: string };
  binaries: readonly ReleaseBinary[];
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
    return {
      label: `${name} ${version}`,
      url,
      sha256: { publishedAt: `${url}.sha256` },
      binaries: [{ name }],
    };
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
    binaries: [{ name: 'etcd', member: `${archive}/etcd` }],
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
    binaries: [{ name }],
  }));
}

const releaseNumber = (version: string) => version.replace(/^v/, '');
const underscored = (p: ReleasePlatform) => p.replace('-', '_');

/** containerd's release archive (bin/containerd, the runc shim, ctr), `.sha256sum` beside it. */
export function containerdReleaseFile(
  version: string,
  forPlatform: ReleasePlatform = hostPlatform(),
): ReleaseFile {
  const url = `https://github.com/containerd/containerd/releases/download/${version}/containerd-${releaseNumber(version)}-${forPlatform}.tar.gz`;
  return {
    label: `containerd ${version}`,
    url,
    sha256: { publishedAt: `${url}.sha256sum` },
    binaries: ['containerd', 'containerd-shim-runc-v2', 'ctr'].map((name) => ({
      name,
      member: `bin/${name}`,
    })),
  };
}

/** crictl's release archive (cri-tools), `.sha256` beside it. */
export function crictlReleaseFile(
  version: string,
  forPlatform: ReleasePlatform = hostPlatform(),
): ReleaseFile {
  const url = `https://github.com/kubernetes-sigs/cri-tools/releases/download/${version}/crictl-${version}-${forPlatform}.tar.gz`;
  return {
    label: `crictl ${version}`,
    url,
    sha256: { publishedAt: `${url}.sha256` },
    binaries: [{ name: 'crictl', member: 'crictl' }],
  };
}

/** CoreDNS's release archive, `.sha256` beside it. */
export function corednsReleaseFile(
  version: string,
  forPlatform: ReleasePlatform = hostPlatform(),
): ReleaseFile {
  const url = `https://github.com/coredns/coredns/releases/download/${version}/coredns_${releaseNumber(version)}_${underscored(forPlatform)}.tgz`;
  return {
    label: `coredns ${version}`,
    url,
    sha256: { publishedAt: `${url}.sha256` },
    binaries: [{ name: 'coredns', member: 'coredns' }],
  };
}

/** Prometheus's release archive (prometheus, promtool), checked against `sha256sums.txt`. */
export function prometheusReleaseFile(
  release: string,
  forPlatform: ReleasePlatform = hostPlatform(),
): ReleaseFile {
  const base = `https://github.com/prometheus/prometheus/releases/download/v${release}`;
  const dir = `prometheus-${release}.${forPlatform}`;
  return {
    label: `prometheus ${release}`,
    url: `${base}/${dir}.tar.gz`,
    sha256: { publishedAt: `${base}/sha256sums.txt` },
    binaries: ['prometheus', 'promtool'].map((name) => ({ name, member: `${dir}/${name}` })),
  };
}

/** Traefik's release archive, checked against the release's `checksums.txt`. */
export function traefikReleaseFile(
  version: string,
  forPlatform: ReleasePlatform = hostPlatform(),
): ReleaseFile {
  const base = `https://github.com/traefik/traefik/releases/download/${version}`;
  return {
    label: `traefik ${version}`,
    url: `${base}/traefik_${version}_${underscored(forPlatform)}.tar.gz`,
    sha256: { publishedAt: `${base}/traefik_${version}_checksums.txt` },
    binaries: [{ name: 'traefik', member: 'traefik' }],
  };
}

/**
 * `url` as a release mirror serves it: `<mirror>/<host>/<path>` (an artifact repository that
 * proxies or copies the release hosts, for machines that reach none of them). The sums kaic pins
 * still bind; a sum the release publishes is read from the mirror too, so the mirror is trusted
 * for those files as the release host would be.
 */
export function mirroredUrl(url: string, mirror: string | undefined): string {
  if (!mirror) return url;
  const u = new URL(url);
  return `${mirror.replace(/\/+$/, '')}/${u.host}${u.pathname}${u.search}`;
}
