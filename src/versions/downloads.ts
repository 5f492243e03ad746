/**
 * Release binaries kaic may download instead of building them from their Go modules: where each
 * pinned version lives and the sha256 its release publishes, per platform. A version or
 * platform without a sum here is never downloaded (kaic builds it from the module, whose source
 * Go's checksum database verifies).
 *
 * The sums are those of the releases' own `.sha256sum` files. This machine reaches no release
 * host, so they were cross-checked against independent public pins of the same files instead
 * (at least two agreeing sources each); a wrong one fails the download loudly, never silently.
 */
import { arch, platform } from 'node:os';

export const DOWNLOADABLE_TOOLS = ['kind', 'helm'] as const;
export type DownloadableTool = (typeof DOWNLOADABLE_TOOLS)[number];

/** `<os>-<arch>` as the releases name them (linux-amd64, linux-arm64, …). */
export type ReleasePlatform = `${string}-${string}`;

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
