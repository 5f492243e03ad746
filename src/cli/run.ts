/**
 * `kaic run`: validate every input, bring up the cluster, run the suites, write the reports,
 * tear the cluster down. Nothing is created before all inputs have been checked.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { KwokProvider } from '../providers/kwok.js';
import { writeReports } from '../report/index.js';
import {
  CONFORMANCE_VERSIONS,
  LEVELS,
  isConformanceVersion,
  parseConformanceVersion,
  requirementsFor,
  type Level,
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
import {
  DEFAULT_TEST_MINOR,
  parseKubernetesMinor,
  type KubernetesMinor,
} from '../versions/kubernetes.js';
import { loadMetadata } from './checklist.js';
import { UsageError } from './errors.js';

export const RUN_USAGE = `run options:
  --provider <kwok>              where the cluster comes from (default kwok; kind and existing come later)
  --kubernetes-version <minor>   1.33 … 1.37 (default ${DEFAULT_TEST_MINOR})
  --nodes <n>                    simulated nodes (default 2)
  --conformance-version <v>      ${CONFORMANCE_VERSIONS.join(', ')} (default: the cluster's minor, else the newest known)
  --checklist <path|url>         official checklist: its requirements, and a filled copy in the output
  --requirements <id,…>          only these requirement ids
  --levels <MUST,SHOULD>         only these levels
  --categories <name,…>          only these checklist categories (accelerators, networking, …)
  --grep <regexp>                only tests whose full title matches
  --spec <file>                  your own Mocha spec file (repeatable)
  --na-justifications <file>     YAML: requirement_id: reason (the only source of N/A)
  --metadata <file>              checklist metadata (platformName, vendorName, …)
  --timeout <seconds>            per test (default 300)
  --output <dir>                 where the reports go (default kaic-results)
`;

function log(line: string): void {
  process.stdout.write(`[kaic ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const list = (value: string | undefined) =>
  value
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : undefined;

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
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        provider: { type: 'string', default: 'kwok' },
        'kubernetes-version': { type: 'string', default: DEFAULT_TEST_MINOR },
        nodes: { type: 'string', default: '2' },
        'conformance-version': { type: 'string' },
        checklist: { type: 'string' },
        requirements: { type: 'string' },
        levels: { type: 'string' },
        categories: { type: 'string' },
        grep: { type: 'string' },
        spec: { type: 'string', multiple: true },
        'na-justifications': { type: 'string' },
        metadata: { type: 'string' },
        timeout: { type: 'string', default: '300' },
        output: { type: 'string', default: 'kaic-results' },
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
  const asUsage = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const minor = asUsage(() =>
    parseKubernetesMinor(values['kubernetes-version'], '--kubernetes-version'),
  );
  const nodes = Number(values.nodes);
  if (!/^\d+$/.test(values.nodes) || nodes < 1 || nodes > 1000) {
    throw new UsageError(`--nodes must be a whole number from 1 to 1000, got "${values.nodes}"`);
  }
  const timeoutSeconds = Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw new UsageError(`--timeout must be a number of seconds above 0, got "${values.timeout}"`);
  }
  const levels = list(values.levels);
  const badLevel = levels?.find((l) => !(LEVELS as readonly string[]).includes(l));
  if (badLevel)
    throw new UsageError(`--levels "${badLevel}" is not accepted; use ${LEVELS.join(', ')}`);

  let checklist: Checklist | undefined;
  let conformanceVersion: string;
  let requirements: Requirement[];
  let requirementSource = 'catalog';
  if (values.checklist) {
    checklist = await loadChecklist(values.checklist);
    conformanceVersion = checklist.version;
    requirements = checklist.items.map(({ id, category, level }) => ({ id, category, level }));
    requirementSource = values.checklist;
    if (
      values['conformance-version'] &&
      values['conformance-version'].replace(/^v/, '') !== conformanceVersion
    ) {
      throw new UsageError(
        `--conformance-version ${values['conformance-version']} disagrees with --checklist, which is v${conformanceVersion}`,
      );
    }
  } else {
    const wanted = values['conformance-version'];
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
    ids: list(values.requirements),
    levels: levels as Level[] | undefined,
    categories: list(values.categories),
    grep: values.grep,
  };
  try {
    selectRequirements(requirements, selection);
  } catch (error) {
    if (error instanceof SelectionError) throw new UsageError(error.message);
    throw error;
  }
  const justifications = values['na-justifications']
    ? await loadJustifications(
        values['na-justifications'],
        requirements.map((r) => r.id),
      )
    : new Map<string, string>();
  const specFiles = (values.spec ?? []).map((f) => resolve(f));
  const missing = specFiles.find((f) => !existsSync(f));
  if (missing) throw new UsageError(`--spec ${missing}: no such file`);
  if (values.metadata && !existsSync(values.metadata)) {
    throw new UsageError(`--metadata ${values.metadata}: no such file`);
  }
  return {
    minor,
    nodes,
    conformanceVersion,
    requirementSource,
    requirements,
    checklist,
    selection,
    justifications,
    specFiles,
    timeoutMs: timeoutSeconds * 1000,
    outDir: resolve(values.output),
    metadataPath: values.metadata,
  };
}

export async function runCommand(args: string[]): Promise<number> {
  const p = await plan(args);
  const metadata = p.metadataPath ? await loadMetadata(p.metadataPath) : undefined;
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
    const handle = await provider.up();
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
      ? await runSuites({
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
        })
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
    const paths = await writeReports(result, p.outDir, { checklist: p.checklist, metadata });
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
    await provider.down();
    removeSignalHandlers();
  }
}
