/**
 * The Gateway API and Traefik as kaic pins them: the releases, how Traefik is built from its module
 * (with local modules for what the module proxy lacks), and the files taken from the modules.
 */
import { basename, dirname } from 'node:path';

import type { GoModuleRecipe, LocalModule, ModuleCopyRecipe } from '../../binaries/build.js';
import { chartDir, gatewayApiDir, traefikDir } from '../../cache.js';
import { programImage } from '../../images/addon-images.js';
import { traefikReleaseFile } from '../../versions/downloads.js';

/**
 * The Gateway API's CRDs (standard channel): the ai_inference suite's API. The version Traefik's
 * own module requires, so implementation and CRDs agree.
 */
export const GATEWAY_API = {
  module: 'sigs.k8s.io/gateway-api',
  version: 'v1.6.1',
  crdDir: 'config/crd/standard',
} as const;

/**
 * Traefik: the test cluster's Gateway API implementation (its kubernetesGateway provider),
 * proxying from this machine to backend pods on the real node.
 */
export const TRAEFIK = {
  module: 'github.com/traefik/traefik/v3',
  version: 'v3.7.13',
  /** Its RBAC for the kubernetesGateway provider, as Traefik publishes it in its docs. */
  rbacFile: 'docs/content/reference/dynamic-configuration/kubernetes-gateway-rbac.yml',
  /** The release image of that version, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: 'traefik:v3.7.13',
} as const;

/** Traefik's release, as its own build sets it (goreleaser's version, without the v). */
const TRAEFIK_RELEASE = TRAEFIK.version.replace(/^v/, '');

function goSource(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/**
 * Three of Traefik's dependencies are not served by the module proxy kaic builds from, so the
 * build takes local modules in their place, none of them on the path kaic uses:
 * - github.com/traefik/traefik/dynamic/ext, a nested module (zips leave those out): two empty
 *   extension structs that dynamic.HTTP and dynamic.Router embed;
 * - lego's DNS-01 provider registry, whose providers need cloud SDKs the proxy refuses: lego
 *   without providers/dns/*, the registry answering that no provider is built in (Traefik asks it
 *   only for an ACME resolver with a DNS challenge);
 * - Traefik's fork of go-http-auth: the upstream module, plus the one method the fork adds
 *   (digest auth's stale challenge), for the basic and digest auth middlewares.
 */
const TRAEFIK_LOCAL_MODULES: Record<string, LocalModule> = {
  'github.com/traefik/traefik/dynamic/ext': {
    files: {
      'go.mod': 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24.0\n',
      'ext.go': goSource([
        "// Package ext stands in for Traefik's nested module of the same path.",
        'package ext',
        '',
        "// HTTP extends dynamic.HTTP (empty in Traefik's open-source build).",
        'type HTTP struct{}',
        '',
        "// Router extends dynamic.Router (empty in Traefik's open-source build).",
        'type Router struct{}',
      ]),
    },
  },
  'github.com/go-acme/lego/v5': {
    // The version Traefik's go.mod requires.
    base: { module: 'github.com/go-acme/lego/v5', version: 'v5.4.1' },
    drop: ['providers/dns', 'cmd'],
    files: {
      'providers/dns/kaic.go': goSource([
        "// Package dns stands in for lego's DNS-01 provider registry in kaic's build.",
        'package dns',
        '',
        'import (',
        '\t"fmt"',
        '',
        '\t"github.com/go-acme/lego/v5/challenge"',
        ')',
        '',
        '// NewDNSChallengeProviderByName fails: no DNS provider is built in.',
        'func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {',
        '\treturn nil, fmt.Errorf("DNS challenge provider %q is not built into this Traefik", name)',
        '}',
      ]),
    },
  },
  'github.com/abbot/go-http-auth': {
    // The newest version served (Traefik's go.mod names the fork, which is not).
    base: {
      module: 'github.com/abbot/go-http-auth',
      version: 'v0.4.1-0.20220112235402-e1cee1c72f2f',
    },
    files: {
      'kaic_stale.go': goSource([
        'package auth',
        '',
        'import "net/http"',
        '',
        '// RequireAuthStale is RequireAuth with stale=true in the challenge (RFC 7616):',
        '// the nonce is no longer valid, the credentials may be.',
        'func (da *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {',
        '\tda.RequireAuth(staleChallenge{w, da.Headers.V().Authenticate}, r)',
        '}',
        '',
        'type staleChallenge struct {',
        '\thttp.ResponseWriter',
        '\theader string',
        '}',
        '',
        'func (s staleChallenge) WriteHeader(code int) {',
        '\tif challenge := s.Header().Get(s.header); challenge != "" {',
        '\t\ts.Header().Set(s.header, challenge+", stale=true")',
        '\t}',
        '\ts.ResponseWriter.WriteHeader(code)',
        '}',
      ]),
    },
  },
};

/**
 * Traefik's single binary (its kubernetesGateway provider is the part the test cluster uses),
 * with local modules for the dependencies the module proxy does not serve
 * (TRAEFIK_LOCAL_MODULES).
 */
export const TRAEFIK_RECIPE: GoModuleRecipe = {
  component: 'traefik',
  module: TRAEFIK.module,
  version: TRAEFIK.version,
  outDir: (root) => traefikDir(TRAEFIK.version, root),
  binaries: ['traefik'],
  packages: [`${TRAEFIK.module}/cmd/traefik`],
  ldflags: [`-X ${TRAEFIK.module}/pkg/version.Version=${TRAEFIK_RELEASE}`],
  moduleReplaces: { local: TRAEFIK_LOCAL_MODULES },
  release: () => [traefikReleaseFile(TRAEFIK.version)],
  verify: [
    { versionOutput: { binary: 'traefik', args: ['version'], expect: TRAEFIK_RELEASE } },
    { helpMentions: { binary: 'traefik', flag: '--providers.kubernetesgateway' } },
  ],
};

/** The Gateway API's standard-channel CRDs (the YAMLs at the top of its CRD directory). */
export const GATEWAY_API_CRDS = {
  component: 'gateway-api',
  module: GATEWAY_API.module,
  version: GATEWAY_API.version,
  source: GATEWAY_API.crdDir,
  outDir: (root) => gatewayApiDir(GATEWAY_API.version, root),
  target: 'crds',
  pattern: /^[^/]*\.ya?ml$/,
} as const satisfies ModuleCopyRecipe;

/** Traefik's RBAC for its Gateway API provider, from its module's docs: rbac/<file>. */
export const TRAEFIK_RBAC = {
  component: 'traefik-rbac',
  module: TRAEFIK.module,
  version: TRAEFIK.version,
  source: dirname(TRAEFIK.rbacFile),
  outDir: (root) => chartDir('traefik-rbac', TRAEFIK.version, root),
  target: 'rbac',
  files: [basename(TRAEFIK.rbacFile)],
} as const satisfies ModuleCopyRecipe;

/**
 * Traefik as its release image runs it: the binary on PATH, given the manifests' arguments (the
 * release image's entrypoint script prefixes `traefik` to arguments that start with a dash).
 */
export const TRAEFIK_IMAGE = programImage({
  upstream: TRAEFIK.image,
  recipe: TRAEFIK_RECIPE,
  binary: 'traefik',
  path: '/usr/local/bin/traefik',
  entrypoint: ['/usr/local/bin/traefik'],
});
