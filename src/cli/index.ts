/**
 * The `kaic` command line. `kaic run` is the main job: with no kubeconfig it brings up the
 * embedded default cluster (kwok, simulated nodes) and runs the conformance suites against it.
 * The suites and the full RunConfig come with later work; today `run` proves the cluster part and
 * says plainly that nothing was verified.
 */
import { parseArgs } from 'node:util';

import { KwokProvider } from '../providers/kwok.js';
import { ChecklistError } from '../requirements/checklist.js';
import { JustificationError } from '../results/justifications.js';
import { ResultsFileError } from '../results/load.js';
import { checklistCommand } from './checklist.js';
import { CheckFailed, UsageError } from './errors.js';
import { requirementsCommand } from './requirements.js';
import { onTerminationSignal } from '../util/processes.js';
import { KAIC_VERSION } from '../version.js';
import {
  DEFAULT_TEST_MINOR,
  KUBERNETES_MINORS,
  parseKubernetesMinor,
} from '../versions/kubernetes.js';

const USAGE = `usage: kaic <command> [options]

commands:
  run                  bring up a cluster and run the conformance suites against it
  requirements         list a conformance version's requirements
                         --version <1.33|1.34|1.35|1.36> | --checklist <path|url>  [--format table|json]
  checklist fill       fill the official checklist from a run's results.json
                         --results <results.json> --checklist <official.yaml> --out <file>
                         [--metadata <meta.yaml>] [--results-url <where results.json is published>]
  checklist validate   check a filled checklist: <file> [--checklist <official.yaml>]
  version              print kaic's version

run options:
  --provider <kwok>              where the cluster comes from (default kwok; kind and existing come later)
  --kubernetes-version <minor>   ${KUBERNETES_MINORS.join(', ')} (default ${DEFAULT_TEST_MINOR})
  --nodes <n>                    simulated nodes (default 2)
`;

function log(line: string): void {
  process.stdout.write(`[kaic ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function runCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        provider: { type: 'string', default: 'kwok' },
        'kubernetes-version': { type: 'string', default: DEFAULT_TEST_MINOR },
        nodes: { type: 'string', default: '2' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.provider !== 'kwok') {
    throw new UsageError(
      `--provider "${values.provider}" is not available yet; accepted today: kwok (kind and existing are planned)`,
    );
  }
  let minor;
  try {
    minor = parseKubernetesMinor(values['kubernetes-version'], '--kubernetes-version');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const nodes = Number(values.nodes);
  if (!/^\d+$/.test(values.nodes) || nodes < 1 || nodes > 1000) {
    throw new UsageError(`--nodes must be a whole number from 1 to 1000, got "${values.nodes}"`);
  }
  log(`kaic ${KAIC_VERSION}: provider kwok, Kubernetes ${minor}, ${nodes} simulated nodes`);
  const provider = new KwokProvider({
    minor,
    nodeGroups: [{ namePrefix: 'kaic-worker', count: nodes }],
    log,
  });
  const removeSignalHandlers = onTerminationSignal(() => provider.down());
  try {
    const handle = await provider.up();
    log(
      `cluster ${handle.name}: kube-apiserver ${handle.serverVersion}, nodes ${handle.nodes.join(', ')}`,
    );
    log(
      'conformance suites: not implemented yet; nothing was verified (every requirement: Unknown)',
    );
    return 0;
  } finally {
    await provider.down();
    removeSignalHandlers();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'requirements':
      return requirementsCommand(rest);
    case 'checklist':
      return checklistCommand(rest);
    case 'version':
    case '--version':
      process.stdout.write(`${KAIC_VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(
        `unknown command "${command}"; commands: run, requirements, checklist, version, help`,
      );
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`kaic: ${message}\n`);
  // Bad flags, unreadable or malformed input files: 2. A check that found problems: 1.
  const inputError =
    error instanceof UsageError ||
    error instanceof ChecklistError ||
    error instanceof ResultsFileError ||
    error instanceof JustificationError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  if (error instanceof UsageError && /flag|--|command/.test(message))
    process.stderr.write(`\n${USAGE}`);
  process.exitCode = error instanceof CheckFailed ? 1 : inputError ? 2 : 1;
}
