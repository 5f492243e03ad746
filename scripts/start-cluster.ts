/**
 * Starts a kwok test cluster and keeps it up until Ctrl-C (then deletes it).
 *
 *   npm run cluster -- [minor] [--nodes N]       e.g. npm run cluster -- 1.36 --nodes 4
 *   npm run cluster -- 1.35 --exit               start, print, delete (a smoke check)
 */
import { nodeRolesLine } from '../src/k8s/kwok-nodes.js';
import { KwokProvider } from '../src/providers/kwok.js';
import { onTerminationSignal } from '../src/util/processes.js';
import { DEFAULT_TEST_MINOR, parseKubernetesMinor } from '../src/versions/kubernetes.js';

function log(line: string): void {
  process.stdout.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(argv: string[]): Promise<void> {
  const minorArg = argv.find((a) => !a.startsWith('--') && argv[argv.indexOf(a) - 1] !== '--nodes');
  const minor = parseKubernetesMinor(minorArg ?? DEFAULT_TEST_MINOR, 'minor');
  const nodesIndex = argv.indexOf('--nodes');
  const count = nodesIndex >= 0 ? Number(argv[nodesIndex + 1]) : 2;
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`--nodes must be a whole number ≥ 0, got "${argv[nodesIndex + 1]}"`);
  }
  const provider = new KwokProvider({
    minor,
    nodeGroups: [{ namePrefix: 'kwok-node', count }],
    log,
  });
  onTerminationSignal(() => provider.down());
  const t0 = Date.now();
  const handle = await provider.up();
  log(`up in ${((Date.now() - t0) / 1000).toFixed(1)}s: ${handle.serverVersion}`);
  log(`nodes: ${nodeRolesLine(handle.nodes, handle.capabilities.realContainerNodes, true)}`);
  log(`export KUBECONFIG=${handle.kubeconfigPath}`);
  if (argv.includes('--exit')) {
    const t1 = Date.now();
    await provider.down();
    log(`down in ${((Date.now() - t1) / 1000).toFixed(1)}s`);
    return;
  }
  log('Ctrl-C deletes the cluster');
  // A pending promise alone does not keep Node alive; a timer does, until the signal handler exits.
  setInterval(() => undefined, 60_000);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(
    `start-cluster: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
