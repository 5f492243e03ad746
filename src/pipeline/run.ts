/**
 * The conformance pipeline behind `kaic run` and the action: RunConfig → plan (every input
 * checked, nothing created) → provider up → addons → the suites → reports → addons down →
 * provider down. Whatever the run started is stopped, and a cluster it created deleted, also when
 * a step throws or the process is told to stop.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import * as k8s from '@kubernetes/client-node';

import { detectAccelerator } from '../accelerators/profiles.js';
import { resolveAddonPlan } from '../addons/plan.js';
import { KIND_INSTALLABLE, notInstalledOnKind, startKindAddons } from './kind-addons.js';
import { collectComponentLogs, logTail, type LogSource } from './component-logs.js';
import { startKwokAddons } from './kwok-addons.js';
import { ExistingProvider } from '../providers/existing.js';
import { KindProvider } from '../providers/kind.js';
import { KwokProvider, type KwokClusterHandle } from '../providers/kwok.js';
import { nodeRolesLine } from '../k8s/kwok-nodes.js';
import { checkHost } from '../providers/real-node/host.js';
import { assertRealNodeFree } from '../providers/real-node/real-node.js';
import type { OnCreated, Provider } from '../providers/types.js';
import { bundledSuiteFiles } from '../runner/bundled-suites.js';
import { kubernetesRelease } from '../versions/kubernetes.js';
import { writeReports, type ReportPaths } from '../report/index.js';
import {
  CONFORMANCE_VERSIONS,
  isConformanceVersion,
  parseConformanceVersion,
  requirementsFor,
  type Requirement,
} from '../requirements/catalog.js';
import { loadOfficialChecklist, type OfficialChecklist } from '../requirements/checklist.js';
import { buildRunResult } from '../results/build.js';
import { gateFailures } from '../results/gate.js';
import { loadJustifications } from '../results/justifications.js';
import type { RunResult, TestResult } from '../results/model.js';
import {
  runSuites,
  selectRequirements,
  SelectionError,
  type PlannedTest,
  type Selection,
} from '../runner/run-suites.js';
import { onTerminationSignal } from '../util/processes.js';
import {
  fallbackDirectory,
  probeOutputDirectory,
  removeEmptyDirectories,
} from '../util/safe-write.js';
import { KAIC_VERSION } from '../version.js';
import type { KubernetesMinor } from '../versions/kubernetes.js';
import { loadMetadata } from '../requirements/checklist.js';
import { validateRunConfig, type RawRunInputs, type RunConfig } from '../config/run-config.js';
import { UsageError } from '../errors.js';
import { Progress, type ProgressStream } from './progress.js';

function log(line: string): void {
  process.stdout.write(`[kaic ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export interface RunPlan {
  config: RunConfig;
  minor: KubernetesMinor;
  nodes: number;
  selection: Selection;
  specFiles: string[];
  timeoutMs: number;
  outDir: string;
  metadataPath: string | undefined;
  /** Listed as evidence in the filled checklist. */
  resultsUrl: string | undefined;
  /** What planRun made of --output, removed again when the run stops with nothing in it. */
  madeOutputDirs?: string[];
}

/** The requirements a run checks: of the conformance version asked for, or of the cluster's minor. */
interface VersionPlan {
  conformanceVersion: string;
  requirementSource: string;
  requirements: Requirement[];
  checklist: OfficialChecklist | undefined;
  justifications: Map<string, string>;
}

async function versionFor(p: RunPlan, minor: KubernetesMinor): Promise<VersionPlan> {
  const { config } = p;
  const asUsage = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  let checklist: OfficialChecklist | undefined;
  let conformanceVersion: string;
  let requirements: Requirement[];
  let requirementSource = 'catalog';
  if (config.checklist) {
    checklist = await loadOfficialChecklist(config.checklist);
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
  try {
    selectRequirements(requirements, p.selection);
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
  return { conformanceVersion, requirementSource, requirements, checklist, justifications };
}

/**
 * Checks every input (and the requirement selection, where the minor is known). Creates nothing
 * but the output directory, proven writable by writing a probe file there.
 */
export async function planRun(raw: RawRunInputs): Promise<RunPlan> {
  const config = validateRunConfig(raw);
  const p: RunPlan = {
    config,
    minor: config.kubernetesVersion,
    nodes: config.nodes,
    selection: {
      ids: config.requirements,
      levels: config.levels,
      categories: config.categories,
      grep: config.grep,
    },
    specFiles: config.specs,
    timeoutMs: config.timeoutMs,
    outDir: config.output,
    metadataPath: config.metadata,
    resultsUrl: config.resultsUrl,
  };
  // A cluster kaic creates has a known minor: check the selection now, before creating it. An
  // existing cluster's minor is known once it answers (nothing is created before that).
  if (config.provider !== 'existing') await versionFor(p, p.minor);
  // Last, so that a refused input creates nothing; before anything starts, so that a run never
  // measures for an hour to find it cannot keep the results.
  p.madeOutputDirs = await probeOutputDirectory(p.outDir, '--output');
  return p;
}

/** Whether the kwok cluster gets the real node: asked for, refused, or when this machine can. */
async function wantRealNode(
  setting: RunConfig['realNode'],
  simulatedNodes: number,
  log: (line: string) => void,
) {
  if (setting === 'no') return false;
  // A real node held by another run refuses this one before anything is created.
  if (setting === 'yes') {
    await assertRealNodeFree();
    return true;
  }
  try {
    await checkHost();
  } catch (error) {
    if (simulatedNodes === 0) {
      throw new UsageError(
        `--nodes 0 asks for the real node alone, and this machine cannot run it: ${(error as Error).message}`,
      );
    }
    log(`no real node (${(error as Error).message}); tests that need running pods report Unknown`);
    return false;
  }
  await assertRealNodeFree();
  return true;
}

/** `kaic run`'s exit codes (README "Exit codes"). */
export const EXIT = {
  /** Every MUST requirement met; reports where asked. */
  ok: 0,
  /** A MUST requirement Not or Partially Implemented. */
  mustFailed: 1,
  /** Bad input: refused before anything started. */
  usage: 2,
  /** The run could not finish as asked: a phase failed, or the reports are in the fallback directory. */
  incomplete: 3,
} as const;

export interface PipelineOutcome {
  exitCode: 0 | 1 | 3;
  result: RunResult;
  reportPaths: Awaited<ReturnType<typeof writeReports>>;
}

export interface PipelineHooks {
  /** Told about each thing the run creates as it is created (the action's post step uses it). */
  onCreated?: OnCreated;
}

/** Runs a planned conformance run, writing progress to `out`. */
export async function runPipeline(
  p: RunPlan,
  out: ProgressStream = process.stdout,
  hooks: PipelineHooks = {},
): Promise<PipelineOutcome> {
  const { config } = p;
  const metadata = p.metadataPath ? await loadMetadata(p.metadataPath) : undefined;
  const progress = new Progress(out);
  const log = (line: string) => progress.line(line);
  const runId = `kaic-${randomBytes(4).toString('hex')}`;
  log(
    `kaic ${KAIC_VERSION} run ${runId}: provider ${config.provider}` +
      (config.provider === 'existing'
        ? ''
        : `, Kubernetes ${p.minor}, ${p.nodes} ${config.provider === 'kind' ? 'GPU workers' : 'simulated nodes'}`),
  );
  const workDir = await mkdtemp(join(tmpdir(), `${runId}-`));
  hooks.onCreated?.({ type: 'directory', path: workDir });
  // Everything this run starts registers its stop here; teardown runs them newest first.
  const teardown: Array<{ what: string; stop: () => Promise<void> }> = [];
  let tornDown: Promise<void> | null = null;
  const tearDown = () =>
    (tornDown ??= (async () => {
      for (const step of teardown.reverse()) {
        await step.stop().catch((error: Error) => log(`${step.what}: ${error.message}`));
      }
      await rm(workDir, { recursive: true, force: true });
    })());
  // Reports being written when a signal comes are finished first; during the suites, the
  // results of the tests that finished are written: what was measured is kept.
  let reportsWritten: Promise<ReportPaths> | null = null;
  let writeFinishedTests: (() => Promise<ReportPaths>) | null = null;
  const removeSignalHandlers = onTerminationSignal(async (signal) => {
    if (!reportsWritten && writeFinishedTests) {
      log(`${signal}: writing the reports of the tests that finished`);
      reportsWritten = writeFinishedTests();
    }
    await reportsWritten?.catch((error: Error) => log(`reports: ${error.message}`));
    await tearDown();
  });
  const startedAt = new Date();
  // Where the components write their logs, known once the cluster is up.
  const logSources: LogSource[] = [];
  let failed = true;
  // Where the reports went: --output, or the fallback directory when it could not take them.
  let reportDir = p.outDir;
  try {
    let provider: Provider;
    if (config.provider === 'existing') {
      provider = new ExistingProvider({
        ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
        ...(config.context ? { context: config.context } : {}),
        runId,
        log,
        ...(hooks.onCreated ? { onCreated: hooks.onCreated } : {}),
      });
    } else if (config.provider === 'kind') {
      provider = new KindProvider({
        minor: p.minor,
        workers: p.nodes,
        ...(config.clusterName ? { name: config.clusterName } : {}),
        reuse: config.reuseCluster,
        logsDir: p.outDir,
        log,
        ...(hooks.onCreated ? { onCreated: hooks.onCreated } : {}),
      });
    } else {
      provider = new KwokProvider({
        minor: p.minor,
        nodeGroups: [{ namePrefix: 'kaic-worker', count: p.nodes }],
        realNode: await wantRealNode(config.realNode, p.nodes, log),
        log,
        ...(hooks.onCreated ? { onCreated: hooks.onCreated } : {}),
      });
    }
    teardown.push({
      what: 'cluster down',
      stop: () => progress.phase('cluster down', () => provider.down()),
    });
    const handle = await progress.phase(
      config.provider === 'existing'
        ? 'cluster (existing)'
        : `cluster up (${config.provider}, Kubernetes ${p.minor})`,
      () => provider.up(),
    );
    log(`cluster ${handle.name}: kube-apiserver ${handle.serverVersion}`);
    log(
      `nodes: ${nodeRolesLine(handle.nodes, handle.capabilities.realContainerNodes, handle.provider === 'kwok')}`,
    );
    if (provider instanceof KwokProvider) {
      logSources.push(
        { name: 'cluster', dir: dirname(handle.kubeconfigPath) },
        { name: 'addons', dir: join(workDir, 'addons') },
      );
    }
    const version = await versionFor(p, handle.minor);
    let accelerator: string | null = null;
    const suiteEnv: Record<string, string> = {};
    if (config.addons.length) {
      const realNode =
        provider instanceof KwokProvider ? !!(handle as KwokClusterHandle).realNode : true;
      const addonPlan = resolveAddonPlan(config.addons, { realNode });
      for (const a of addonPlan.added) log(`addon ${a.id}: added, ${a.neededBy} needs it`);
      const left = [
        ...addonPlan.left,
        ...(provider instanceof KindProvider ? notInstalledOnKind(addonPlan) : []),
      ];
      for (const l of left) log(`addon ${l.id}: left out, ${l.reason}`);
      const kubeConfig = new k8s.KubeConfig();
      kubeConfig.loadFromFile(handle.kubeconfigPath);
      const release = kubernetesRelease(handle.minor);
      const register = (stop: () => Promise<void>) =>
        teardown.push({ what: 'addons', stop: () => progress.phase('addons down', stop) });
      if (provider instanceof KindProvider || provider instanceof ExistingProvider) {
        // On kind, what kaic can install there; on an existing cluster, the chart addons the
        // user named (RunConfig refuses others), each removed again at the end.
        const plan = {
          ...addonPlan,
          waves: addonPlan.waves
            .map((w) => w.filter((id) => KIND_INSTALLABLE.includes(id)))
            .filter((w) => w.length),
        };
        const where = provider instanceof KindProvider ? 'kind' : 'the existing cluster';
        log(`addons on ${where}: ${plan.waves.flat().join(', ') || 'none'}`);
        const kindAddons = await progress.phase(
          `addons (${plan.waves.flat().length} on ${where})`,
          () =>
            startKindAddons(
              plan,
              {
                kubeConfig,
                kubeconfigPath: handle.kubeconfigPath,
                dir: join(workDir, 'addons'),
                release,
                serverVersion: handle.serverVersion,
                gpuProfile: config.gpuProfile,
                gpusPerNode: config.gpusPerNode,
                log,
                ...(provider instanceof ExistingProvider && hooks.onCreated
                  ? {
                      onChart: (chart: 'kueue' | 'jobset') =>
                        hooks.onCreated!({
                          type: 'chart',
                          kubeconfigPath: handle.kubeconfigPath,
                          chart,
                        }),
                    }
                  : {}),
              },
              register,
            ),
        );
        Object.assign(suiteEnv, kindAddons.env);
        if (plan.waves.flat().includes('fake-gpu')) accelerator = config.gpuProfile;
      } else {
        log(`addons in waves: ${addonPlan.waves.map((w) => w.join(' + ')).join(', then ')}`);
        const addons = await progress.phase(
          `addons (${addonPlan.waves.flat().length} in ${addonPlan.waves.length} waves)`,
          () =>
            startKwokAddons(
              addonPlan,
              {
                handle: handle as KwokClusterHandle,
                kubeConfig,
                release,
                dir: join(workDir, 'addons'),
                gpuProfile: config.gpuProfile,
                gpusPerNode: config.gpusPerNode,
                log,
              },
              register,
            ),
        );
        Object.assign(suiteEnv, addons.env);
        if (addonPlan.waves.flat().includes('fake-gpu')) accelerator = config.gpuProfile;
      }
    }
    if (config.provider === 'existing') {
      // A self-hosted GPU runner's cluster: say which accelerators the suites will test.
      const kubeConfig = new k8s.KubeConfig();
      kubeConfig.loadFromFile(handle.kubeconfigPath);
      try {
        const found = await detectAccelerator(kubeConfig);
        accelerator = `${found.profile.kind} (${found.mode === 'dra' ? `DRA ${found.profile.draDriver}` : `device plugin ${found.profile.extendedResource}`})`;
        log(`accelerators: ${accelerator} on ${found.nodes.length} nodes (${found.reason})`);
      } catch (error) {
        log(
          `accelerators: none found (${(error as Error).message}); suites that need one report it`,
        );
      }
    }
    const selected = selectRequirements(version.requirements, p.selection);
    const selectedIds = new Set(selected.map((r) => r.id));
    const resultOf = (tests: TestResult[]) =>
      buildRunResult({
        kaicVersion: KAIC_VERSION,
        conformanceVersion: version.conformanceVersion,
        requirementSource: version.requirementSource,
        cluster: {
          provider: handle.provider,
          name: handle.name,
          serverVersion: handle.serverVersion,
        },
        acceleratorProfile: accelerator,
        startedAt,
        finishedAt: new Date(),
        requirements: version.requirements.filter((r) => selectedIds.has(r.id)),
        tests,
        justifications: version.justifications,
      });
    const reportOptions = {
      checklist: version.checklist,
      metadata,
      ...(p.resultsUrl ? { resultsUrl: p.resultsUrl } : {}),
    };
    // On a signal mid-suite: the finished tests as they ended, the others skipped as not run,
    // so a requirement whose tests did not all finish is Unknown, never Implemented.
    const finishedTests: TestResult[] = [];
    let plannedTests: PlannedTest[] = [];
    const notRun = (): TestResult[] => {
      const finished = new Set(finishedTests.map((t) => t.fullTitle));
      return plannedTests
        .filter((t) => !finished.has(t.fullTitle))
        .map((t) => ({
          ...t,
          status: 'skipped',
          durationMs: 0,
          failure: null,
          skipReason: 'not run: the run was cancelled',
          evidence: [],
        }));
    };
    writeFinishedTests = () =>
      writeReports(resultOf([...finishedTests, ...notRun()]), p.outDir, reportOptions).then(
        (paths) => {
          log(
            `reports of ${finishedTests.length} finished tests in ${paths.dir}` +
              (paths.fallback ? ` (not ${paths.fallback.wanted}: ${paths.fallback.reason})` : ''),
          );
          return paths;
        },
      );
    let specFiles = [...p.specFiles];
    if (specFiles.length === 0) {
      const bundled = bundledSuiteFiles(
        selected.map((r) => r.id).filter((id) => !version.justifications.has(id)),
      );
      for (const id of bundled.missing)
        log(`requirement ${id}: kaic has no suite for it; it stays Unknown`);
      specFiles = bundled.files;
    }
    const mark = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;
    // Tests of a requirement run together: count them on the live line, a line when it is done.
    let current: { id: string; counts: Record<TestResult['status'], number>; ms: number } | null =
      null;
    const countsText = (c: Record<TestResult['status'], number>) =>
      (['passed', 'failed', 'skipped'] as const)
        .filter((k) => c[k])
        .map((k) => `${c[k]} ${k}`)
        .join(', ');
    const requirementDone = () => {
      if (current) {
        log(
          `requirement ${current.id}: ${countsText(current.counts)} in ${(current.ms / 1000).toFixed(1)} s`,
        );
      }
      current = null;
    };
    const requirementProgress = (t: TestResult) => {
      const id = t.requirementId ?? '(untagged)';
      if (current?.id !== id) {
        requirementDone();
        current = { id, counts: { passed: 0, failed: 0, skipped: 0 }, ms: 0 };
      }
      current.counts[t.status] += 1;
      current.ms += t.durationMs;
      progress.setDetail(`${id}: ${countsText(current.counts)}`);
    };
    // Suites reach the cluster through KUBECONFIG and find the addons through KAIC_<NAME>
    // settings; the user's own settings win.
    const env: Record<string, string> = {
      ...suiteEnv,
      ...Object.fromEntries(
        Object.keys(suiteEnv)
          .filter((k) => process.env[k])
          .map((k) => [k, process.env[k]!]),
      ),
      KUBECONFIG: handle.kubeconfigPath,
      KAIC_RUN_ID: runId,
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    let run;
    try {
      run = specFiles.length
        ? await progress.phase(`conformance suites (${selected.length} requirements)`, () =>
            runSuites({
              specFiles,
              requirements: version.requirements,
              selection: p.selection,
              skipIds: [...version.justifications.keys()],
              timeoutMs: p.timeoutMs,
              onPlanned: (tests) => (plannedTests = tests),
              onTestEnd: (t: TestResult) => {
                finishedTests.push(t);
                requirementProgress(t);
                log(
                  `${mark[t.status]} ${t.fullTitle} (${(t.durationMs / 1000).toFixed(1)} s)` +
                    (t.skipReason ? ` (${t.skipReason})` : '') +
                    (t.failure ? `: ${t.failure.message.split('\n')[0]}` : ''),
                );
              },
            }).finally(() => requirementDone()),
          )
        : { selected, tests: [], ignored: [] };
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    for (const i of run.ignored) log(`ignored ${i.fullTitle}: ${i.reason}`);
    const result = resultOf(run.tests);
    const paths = await progress.phase(
      'reports',
      // After a signal the finished tests' reports are being written already: never twice.
      () => (reportsWritten ??= writeReports(result, p.outDir, reportOptions)),
    );
    const v = result.counts.verdicts;
    log(
      `verdicts: ${v.Implemented} Implemented, ${v['Partially Implemented']} Partially Implemented, ` +
        `${v['Not Implemented']} Not Implemented, ${v['N/A']} N/A, ${v.Unknown} Unknown`,
    );
    const names = [
      paths.resultsJson,
      paths.junitXml,
      paths.e2eLog,
      paths.summaryMd,
      paths.checklist,
    ]
      .filter((f): f is string => Boolean(f))
      .map((f) => f.slice(paths.dir.length + 1));
    reportDir = paths.dir;
    if (paths.fallback) {
      log(
        `reports could not be written to ${paths.fallback.wanted} (${paths.fallback.reason}); ` +
          `they are in ${paths.dir} instead: ${names.join(', ')}`,
      );
    } else {
      log(`reports in ${paths.dir}: ${names.join(', ')}`);
    }
    const mustFailed = gateFailures(result, 'MUST');
    if (mustFailed.length)
      log(`MUST requirements not met: ${mustFailed.map((r) => r.id).join(', ')}`);
    failed = false;
    return {
      exitCode: paths.fallback ? EXIT.incomplete : mustFailed.length ? EXIT.mustFailed : EXIT.ok,
      result,
      reportPaths: paths,
    };
  } finally {
    // Before the teardown removes them: kept when the run failed, or asked for.
    if ((failed || config.verbose) && logSources.length) {
      // Beside the reports; where those could not go, under the system temp dir.
      let dest = join(reportDir, 'logs');
      let copied = await collectComponentLogs(logSources, dest).catch(() => null);
      if (!copied) {
        dest = join(await fallbackDirectory('kaic-logs-'), 'logs');
        copied = await collectComponentLogs(logSources, dest).catch(() => [] as string[]);
      }
      if (config.verbose) {
        for (const file of copied) out.write(await logTail(file, 20, file.slice(dest.length + 1)));
      }
      if (copied.length) log(`component logs (${copied.length} files) in ${dest}`);
    }
    await tearDown();
    // A run refused or failed before writing anything leaves no empty --output behind.
    if (failed) await removeEmptyDirectories(p.madeOutputDirs ?? []);
    removeSignalHandlers();
    out.write(progress.table());
  }
}
