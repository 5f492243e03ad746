/**
 * The `kaic` commands: dispatch and usage, importable without running anything (the entry point
 * is src/cli/index.ts).
 */
import { UsageError } from '../errors.js';
import { KAIC_VERSION } from '../version.js';

const COMMANDS_USAGE = `usage: kaic <command> [options]

commands:
  run                  bring up a cluster and run the conformance suites against it
  up                   bring up the cluster and addons a run would, and keep them until kaic down
                         (run's cluster and addon flags; rerun one requirement against it with
                         kaic run --provider existing --kubeconfig <printed path> --requirements <id>)
  down                 take down what kaic up brought up, also after the up process died
  images               build kind's node image and the addons' images here, from Debian packages
                         and kaic's Go builds, into the local Docker engine (for --provider kind
                         --images local)
                         [--kubernetes-version <minor>] [--debian-mirror <url>]
  requirements         list a conformance version's requirements
                         --version <1.33|1.34|1.35|1.36> | --checklist <path|url>  [--format table|json]
  checklist fill       fill the official checklist from a run's results.json
                         --results <results.json> --checklist <official.yaml> --out <file>
                         [--metadata <meta.yaml>] [--results-url <where results.json is published>]
  checklist validate   check a filled checklist as the CNCF PR check does: <file> [--checklist <official.yaml>]
  aggregate            several runs' results.json (a matrix) as one version × requirement table
                         [--output <file>] [--fail-on MUST|SHOULD|none] [--expected 1.33,…] <results.json or dir>…
  fakegpu publish      publish simulated GPUs (DeviceClasses + ResourceSlices) into a cluster
                         --node-selector <labels> [--profile nvidia-h100-80gb] [--gpus-per-node 8]
                         [--kubeconfig <file>] [--context <name>] [--once] [--cleanup]
                         [--mig off|auto|partitionable|static] [--mig-gpus <n>] [--mig-profile <1g.10gb>]
  fakegpu manifests    print the Kubernetes objects that run publish and exporter inside a cluster (kind)
                         --node-selector <labels> and publish's profile/GPU/MIG flags
                         [--namespace kaic-fakegpu] [--port 9400] [--output <file>]
  fakegpu exporter     serve DCGM-style GPU metrics for the simulated GPUs
                         [--port 9400] [--host 0.0.0.0] [--profile nvidia-h100-80gb] [--kubeconfig <file>]
  fakegpu plugin       the kubelet plugin for one node: registers with the kubelet, prepares claims (CDI)
                         [--node-name <node> | $NODE_NAME] [--profile …] [--registry-dir …] [--plugin-dir …]
                         [--cdi-dir /var/run/cdi] [--state-dir /var/lib/kaic-fakegpu] [--kubeconfig <file>]
  fakegpu profiles     list the GPU profiles
  version              print kaic's version

`;

/**
 * The usage lines of one command (`fakegpu publish`) or a family (`fakegpu`), from COMMANDS_USAGE: a
 * command's line starts with two spaces, its flags follow more deeply indented.
 */
function usageOf(words: string[], runUsage: string): string | null {
  if (words[0] === 'run') return `usage: kaic run [options]\n\n${runUsage}`;
  const lines = COMMANDS_USAGE.split('\n');
  const out: string[] = [];
  let taking = false;
  for (const line of lines) {
    const command = /^ {2}(\S+(?: [a-z]+)?)\s{2,}/.exec(line)?.[1];
    if (command) taking = command === words.join(' ') || command.startsWith(`${words.join(' ')} `);
    else if (!/^ {4,}/.test(line)) taking = false;
    if (taking) out.push(line);
  }
  return out.length ? `usage: kaic ${words.join(' ')} [options]\n${out.join('\n')}\n` : null;
}

/** kaic run's options, loaded only for help: the option table pulls in the addons. */
async function runOptionsUsage(): Promise<string> {
  return (await import('../config/run-config.js')).runUsage();
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `--help` anywhere before `--` prints the command's usage and succeeds.
  const beforeDashes = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined);
  if (command && (beforeDashes.includes('--help') || beforeDashes.includes('-h'))) {
    const sub = rest[0] && !rest[0].startsWith('-') ? [command, rest[0]] : [command];
    // The checklist and aggregate commands have their own, longer help.
    if (command !== 'checklist' && command !== 'aggregate') {
      const runUsage = await runOptionsUsage();
      const usage = usageOf(sub, runUsage) ?? usageOf([command], runUsage);
      if (usage) {
        process.stdout.write(usage);
        return 0;
      }
    }
  }
  // Each command loads only its own code: `kaic fakegpu publish` runs for as long as a cluster
  // does, and the run's pipeline (Mocha, the GitHub client, …) would double its memory.
  switch (command) {
    case 'run':
      return (await import('./run.js')).runCommand(rest);
    case 'up':
      return (await import('./run.js')).upCommand(rest);
    case 'down':
      return (await import('./run.js')).downCommand(rest);
    case 'images':
      return (await import('./images.js')).imagesCommand(rest);
    case 'requirements':
      return (await import('./requirements.js')).requirementsCommand(rest);
    case 'checklist':
      return (await import('./checklist.js')).checklistCommand(rest);
    case 'aggregate':
      return (await import('./aggregate.js')).aggregateCommand(rest);
    case 'fakegpu':
      return (await import('./fakegpu.js')).fakegpuCommand(rest);
    case 'version':
    case '--version':
      process.stdout.write(`${KAIC_VERSION}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${COMMANDS_USAGE}\n${await runOptionsUsage()}`);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(
        `unknown command "${command}"; commands: run, up, down, images, requirements, checklist, aggregate, fakegpu, version, help`,
      );
  }
}
