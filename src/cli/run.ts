/**
 * `kaic run`: validate every input, bring up the cluster, run the suites, write the reports,
 * tear the cluster down. Nothing is created before all inputs have been checked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';

import { resolveAddonPlan } from '../addons/plan.js';
import { startKwokAddons } from '../pipeline/kwok-addons.js';
import { ExistingProvider } from '../providers/existing.js';
import { KwokProvider, type KwokClusterHandle } from '../providers/kwok.js';
import { checkHost } from '../providers/real-node/host.js';
import type { Provider } from '../providers/types.js';
import { bundledSuiteFiles } from '../runner/bundled-suites.js';
import { kubernetesRelease } from '../versions/kubernetes.js';
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
import {
  collectRunInputs,
  runUsage,
  validateRunConfig,
  type RunConfig,
} from '../config/run-config.js';
import { UsageError } from './errors.js';
import { Progress } from './progress.js';

export const RUN_USAGE = runUsage();

function log(line: string): void {
  process.stdout.write(`[kaic ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

interface RunPlan {
  config: RunConfig;
  minor: KubernetesMinor;
  nodes: number;
  selection: Selection;
  specFiles: string[];
  timeoutMs: number;
  outDir: string;
  metadataPath: string | undefined;
}

/** The requirements a run checks: of the conformance version asked for, or of the cluster's minor. */
interface VersionPlan {
  conformanceVersion: string;
  requirementSource: string;
  requirements: Requirement[];
  checklist: Checklist | undefined;
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

async function plan(args: string[]): Promise<RunPlan> {
  const config = validateRunConfig(collectRunInputs({ args, env: process.env }));
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
  };
  // A cluster kaic creates has a known minor: check the selection now, before creating it. An
  // existing cluster's minor is known once it answers (nothing is created before that).
  if (config.provider !== 'existing') await versionFor(p, p.minor);
  return p;
}

/** Whether the kwok cluster gets the real node: asked for, refused, or when this machine can. */
async function wantRealNode(setting: RunConfig['realNode'], log: (line: string) => void) {
  if (setting !== 'auto') return setting === 'yes';
  try {
    await checkHost();
    return true;
  } catch (error) {
    log(`no real node (${(error as Error).message}); tests that need running pods report Unknown`);
    return false;
  }
}

export async function runCommand(args: string[]): Promise<number> {
  const p = await plan(args);
  const { config } = p;
  const metadata = p.metadataPath ? await loadMetadata(p.metadataPath) : undefined;
  const progress = new Progress(process.stdout);
  const log = (line: string) => progress.line(line);
  const runId = `kaic-${randomBytes(4).toString('hex')}`;
  log(
    `kaic ${KAIC_VERSION} run ${runId}: provider ${config.provider}` +
      (config.provider === 'existing' ? '' : `, Kubernetes ${p.minor}, ${p.nodes} simulated nodes`),
  );
  const workDir = await mkdtemp(join(tmpdir(), `${runId}-`));
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
  const removeSignalHandlers = onTerminationSignal(() => tearDown());
  const startedAt = new Date();
  try {
    let provider: Provider;
    if (config.provider === 'existing') {
      provider = new ExistingProvider({
        ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
        ...(config.context ? { context: config.context } : {}),
        runId,
        log,
      });
    } else {
      provider = new KwokProvider({
        minor: p.minor,
        nodeGroups: [{ namePrefix: 'kaic-worker', count: p.nodes }],
        realNode: await wantRealNode(config.realNode, log),
        log,
      });
    }
    teardown.push({
      what: 'cluster down',
      stop: () => progress.phase('cluster down', () => provider.down()),
    });
    const handle = await progress.phase(
      config.provider === 'existing'
        ? 'cluster (existing)'
        : `cluster up (kwok, Kubernetes ${p.minor})`,
      () => provider.up(),
    );
    log(
      `cluster ${handle.name}: kube-apiserver ${handle.serverVersion}, nodes ${handle.nodes.join(', ')}`,
    );
    const version = await versionFor(p, handle.minor);
    let accelerator: string | null = null;
    const suiteEnv: Record<string, string> = {};
    if (provider instanceof KwokProvider && config.addons.length) {
      const kwokHandle = handle as KwokClusterHandle;
      const addonPlan = resolveAddonPlan(config.addons, { realNode: !!kwokHandle.realNode });
      for (const a of addonPlan.added) log(`addon ${a.id}: added, ${a.neededBy} needs it`);
      for (const l of addonPlan.left) log(`addon ${l.id}: left out, ${l.reason}`);
      log(`addons in waves: ${addonPlan.waves.map((w) => w.join(' + ')).join(', then ')}`);
      const kubeConfig = new k8s.KubeConfig();
      kubeConfig.loadFromFile(handle.kubeconfigPath);
      const addons = await progress.phase(
        `addons (${addonPlan.waves.flat().length} in ${addonPlan.waves.length} waves)`,
        () =>
          startKwokAddons(
            addonPlan,
            {
              handle: kwokHandle,
              kubeConfig,
              release: kubernetesRelease(handle.minor),
              dir: join(workDir, 'addons'),
              gpuProfile: config.gpuProfile,
              gpusPerNode: config.gpusPerNode,
              log,
            },
            (stop) =>
              teardown.push({ what: 'addons', stop: () => progress.phase('addons down', stop) }),
          ),
      );
      Object.assign(suiteEnv, addons.env);
      if (addonPlan.waves.flat().includes('fake-gpu')) accelerator = config.gpuProfile;
    }
    const selected = selectRequirements(version.requirements, p.selection);
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
              onTestEnd: (t: TestResult) =>
                log(
                  `${mark[t.status]} ${t.fullTitle} (${(t.durationMs / 1000).toFixed(1)} s)` +
                    (t.skipReason ? ` (${t.skipReason})` : '') +
                    (t.failure ? `: ${t.failure.message.split('\n')[0]}` : ''),
                ),
            }),
          )
        : { selected, tests: [], ignored: [] };
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    for (const i of run.ignored) log(`ignored ${i.fullTitle}: ${i.reason}`);
    const selectedIds = new Set(selected.map((r) => r.id));
    const result = buildRunResult({
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
      tests: run.tests,
      justifications: version.justifications,
    });
    const paths = await progress.phase('reports', () =>
      writeReports(result, p.outDir, { checklist: version.checklist, metadata }),
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
    await tearDown();
    removeSignalHandlers();
    process.stdout.write(progress.table());
  }
}
