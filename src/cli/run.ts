/**
 * `kaic run`: validate every input, bring up the cluster, run the suites, write the reports,
 * tear the cluster down. Nothing is created before all inputs have been checked.
 */
import { KwokProvider } from '../providers/kwok.js';
import { writeReports } from '../report/index.js';
import {
  CONFORMANCE_VERSIONS,
  isConformanceVersion,
  parseConformanceVersion,
  requirementsFor,
  type Requirement,
} from '../requirements/catalog.js';
import { loadChecklist, type Checklist } from '../requirements/checklist.js';
import { buildRunResult } from '../results/build.js';
import { loadJustifications } from '../results/justifications.js';
import type { TestResult } from '../results/model.js';
import {
  runSuites,
  selectRequirements,
  SelectionError,
  type Selection,
} from '../runner/run-suites.js';
import { onTerminationSignal } from '../util/processes.js';
import { KAIC_VERSION } from '../version.js';
import type { KubernetesMinor } from '../versions/kubernetes.js';
import { loadMetadata } from './checklist.js';
import { collectRunInputs, runUsage, validateRunConfig } from '../config/run-config.js';
import { UsageError } from './errors.js';
import { Progress } from './progress.js';

export const RUN_USAGE = runUsage();

function log(line: string): void {
  process.stdout.write(`[kaic ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

interface RunPlan {
  minor: KubernetesMinor;
  nodes: number;
  conformanceVersion: string;
  requirementSource: string;
  requirements: Requirement[];
  checklist: Checklist | undefined;
  selection: Selection;
  justifications: Map<string, string>;
  specFiles: string[];
  timeoutMs: number;
  outDir: string;
  metadataPath: string | undefined;
}

async function plan(args: string[]): Promise<RunPlan> {
  const config = validateRunConfig(collectRunInputs({ args, env: process.env }));
  const minor = config.kubernetesVersion;
  const asUsage = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  let checklist: Checklist | undefined;
  let conformanceVersion: string;
  let requirements: Requirement[];
  let requirementSource = 'catalog';
  if (config.checklist) {
    checklist = await loadChecklist(config.checklist);
    conformanceVersion = checklist.version;
    requirements = checklist.items.map(({ id, category, level }) => ({ id, category, level }));
    requirementSource = config.checklist;
    if (
      config.conformanceVersion &&
      config.conformanceVersion.replace(/^v/, '') !== conformanceVersion
    ) {
      throw new UsageError(
        `--conformance-version ${config.conformanceVersion} disagrees with --checklist, which is v${conformanceVersion}`,
      );
    }
  } else {
    const wanted = config.conformanceVersion;
    const version = wanted
      ? asUsage(() => parseConformanceVersion(wanted, '--conformance-version'))
      : isConformanceVersion(minor)
        ? minor
        : CONFORMANCE_VERSIONS[CONFORMANCE_VERSIONS.length - 1];
    if (!wanted && version !== minor) {
      log(
        `no AI conformance ${minor} checklist known; using ${version} (pass --checklist for a newer one)`,
      );
    }
    conformanceVersion = version as string;
    requirements = requirementsFor(version as (typeof CONFORMANCE_VERSIONS)[number]);
  }
  const selection: Selection = {
    ids: config.requirements,
    levels: config.levels,
    categories: config.categories,
    grep: config.grep,
  };
  try {
    selectRequirements(requirements, selection);
  } catch (error) {
    if (error instanceof SelectionError) throw new UsageError(error.message);
    throw error;
  }
  const justifications = config.naJustifications
    ? await loadJustifications(
        config.naJustifications,
        requirements.map((r) => r.id),
      )
    : new Map<string, string>();
  return {
    minor,
    nodes: config.nodes,
    conformanceVersion,
    requirementSource,
    requirements,
    checklist,
    selection,
    justifications,
    specFiles: config.specs,
    timeoutMs: config.timeoutMs,
    outDir: config.output,
    metadataPath: config.metadata,
  };
}

export async function runCommand(args: string[]): Promise<number> {
  const p = await plan(args);
  const metadata = p.metadataPath ? await loadMetadata(p.metadataPath) : undefined;
  const progress = new Progress(process.stdout);
  const log = (line: string) => progress.line(line);
  log(
    `kaic ${KAIC_VERSION}: AI conformance v${p.conformanceVersion} (${p.requirementSource}); ` +
      `provider kwok, Kubernetes ${p.minor}, ${p.nodes} simulated nodes`,
  );
  const provider = new KwokProvider({
    minor: p.minor,
    nodeGroups: [{ namePrefix: 'kaic-worker', count: p.nodes }],
    log,
  });
  const removeSignalHandlers = onTerminationSignal(() => provider.down());
  const startedAt = new Date();
  try {
    const handle = await progress.phase(`cluster up (kwok, Kubernetes ${p.minor})`, () =>
      provider.up(),
    );
    log(
      `cluster ${handle.name}: kube-apiserver ${handle.serverVersion}, nodes ${handle.nodes.join(', ')}`,
    );
    // The bundled conformance suites arrive with later work; until then only --spec files run.
    const specFiles = [...p.specFiles];
    if (specFiles.length === 0)
      log('no conformance suites are bundled yet; nothing will be verified');
    const mark = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;
    // Suites (ours and the user's) reach the cluster through the usual KUBECONFIG.
    const previousKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = handle.kubeconfigPath;
    const run = specFiles.length
      ? await progress.phase('conformance suites', () =>
          runSuites({
            specFiles,
            requirements: p.requirements,
            selection: p.selection,
            skipIds: [...p.justifications.keys()],
            timeoutMs: p.timeoutMs,
            onTestEnd: (t: TestResult) =>
              log(
                `${mark[t.status]} ${t.fullTitle}` +
                  (t.skipReason ? ` (${t.skipReason})` : '') +
                  (t.failure ? `: ${t.failure.message.split('\n')[0]}` : ''),
              ),
          }),
        )
      : { selected: selectRequirements(p.requirements, p.selection), tests: [], ignored: [] };
    if (previousKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previousKubeconfig;
    for (const i of run.ignored) log(`ignored ${i.fullTitle}: ${i.reason}`);
    const selectedIds = new Set(selectRequirements(p.requirements, p.selection).map((r) => r.id));
    const result = buildRunResult({
      kaicVersion: KAIC_VERSION,
      conformanceVersion: p.conformanceVersion,
      requirementSource: p.requirementSource,
      cluster: { provider: 'kwok', name: handle.name, serverVersion: handle.serverVersion },
      acceleratorProfile: null,
      startedAt,
      finishedAt: new Date(),
      requirements: p.requirements.filter((r) => selectedIds.has(r.id)),
      tests: run.tests,
      justifications: p.justifications,
    });
    const paths = await progress.phase('reports', () =>
      writeReports(result, p.outDir, { checklist: p.checklist, metadata }),
    );
    const v = result.counts.verdicts;
    log(
      `verdicts: ${v.Implemented} Implemented, ${v['Partially Implemented']} Partially Implemented, ` +
        `${v['Not Implemented']} Not Implemented, ${v['N/A']} N/A, ${v.Unknown} Unknown`,
    );
    log(
      `reports in ${p.outDir}: ${Object.values(paths)
        .filter(Boolean)
        .map((f) => (f as string).slice(p.outDir.length + 1))
        .join(', ')}`,
    );
    const mustFailed = result.requirements.filter(
      (r) =>
        r.level === 'MUST' &&
        (r.verdict === 'Not Implemented' || r.verdict === 'Partially Implemented'),
    );
    if (mustFailed.length)
      log(`MUST requirements not met: ${mustFailed.map((r) => r.id).join(', ')}`);
    return mustFailed.length ? 1 : 0;
  } finally {
    await progress.phase('cluster down', () => provider.down());
    removeSignalHandlers();
    process.stdout.write(progress.table());
  }
}
