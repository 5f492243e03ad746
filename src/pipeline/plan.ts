/**
 * The first step of every run: the inputs checked, the requirements to test known where the minor
 * is, the output directory proven writable. Nothing else is created, so a refused input costs
 * nothing.
 */
import { UsageError } from '../errors.js';
import { validateRunConfig, type RawRunInputs, type RunConfig } from '../config/run-config.js';
import {
  CONFORMANCE_VERSIONS,
  isConformanceVersion,
  parseConformanceVersion,
  requirementsFor,
  type Requirement,
} from '../requirements/catalog.js';
import { loadOfficialChecklist, type OfficialChecklist } from '../requirements/checklist.js';
import { loadJustifications } from '../results/justifications.js';
import { selectRequirements, SelectionError, type Selection } from '../runner/run-suites.js';
import { plannedMinor } from '../providers/index.js';
import { probeOutputDirectory } from '../util/safe-write.js';
import type { KubernetesMinor } from '../versions/kubernetes.js';

export interface RunPlan {
  config: RunConfig;
  minor: KubernetesMinor;
  nodes: number;
  selection: Selection;
  specFiles: string[];
  timeoutMs: number;
  /** Suites at once, at most (--parallel). */
  parallel: number;
  outDir: string;
  metadataPath: string | undefined;
  /** Listed as evidence in the filled checklist. */
  resultsUrl: string | undefined;
  /** What planRun made of --output, removed again when the run stops with nothing in it. */
  madeOutputDirs?: string[];
  /** The requirements to test, when the minor is known before the cluster is (not an existing one). */
  version?: VersionPlan;
}

/** The requirements a run checks: of the conformance version asked for, or of the cluster's minor. */
export interface VersionPlan {
  conformanceVersion: string;
  requirementSource: string;
  requirements: Requirement[];
  checklist: OfficialChecklist | undefined;
  justifications: Map<string, string>;
  /** The minor it was planned for. */
  minor: KubernetesMinor;
  /** What the run says about the choice when it starts. */
  notes: string[];
}

export async function versionFor(p: RunPlan, minor: KubernetesMinor): Promise<VersionPlan> {
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
  const notes: string[] = [];
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
      notes.push(
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
  return {
    conformanceVersion,
    requirementSource,
    requirements,
    checklist,
    justifications,
    minor,
    notes,
  };
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
    parallel: config.parallel,
    outDir: config.output,
    metadataPath: config.metadata,
    resultsUrl: config.resultsUrl,
  };
  // A cluster kaic creates has a known minor: check the selection now, before creating it. An
  // existing cluster's minor is known once it answers (nothing is created before that).
  const minor = plannedMinor(config);
  if (minor) p.version = await versionFor(p, minor);
  // Last, so that a refused input creates nothing; before anything starts, so that a run never
  // measures for an hour to find it cannot keep the results.
  p.madeOutputDirs = await probeOutputDirectory(p.outDir, '--output');
  return p;
}
