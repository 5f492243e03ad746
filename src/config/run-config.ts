/**
 * RunConfig: the inputs of a conformance run, one schema for the CLI flags (`--kubernetes-version`),
 * the action's inputs (`kubernetes-version`) and the environment (`KAIC_KUBERNETES_VERSION`), in
 * that order of precedence. Every value is checked here, before anything is created; a bad one is
 * a UsageError naming where it came from and what is accepted.
 */
import { isHttpUrl } from '../util/url.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import * as k8s from '@kubernetes/client-node';

import { UsageError } from '../errors.js';
import {
  ADDON_IDS,
  AddonPlanError,
  CHART_ADDONS,
  FAKE_GPU_DRIVERS,
  ADDONS_ONLY_FOR_KAIC_DRIVER,
  parseAddonList,
  type AddonId,
  type FakeGpuDriver,
} from '../addons/plan.js';
import { GANG_SCHEDULERS, type GangScheduler } from '../addons/gang-scheduler/pin.js';
import type { AddonChoices } from '../addons/types.js';
import { GPU_PROFILES, MAX_GPUS_PER_NODE } from '../fakegpu/profiles.js';
import { isKubeconfigText } from '../k8s/kubeconfig.js';
import { LEVELS, type Level } from '../requirements/catalog.js';
import {
  DEFAULT_TEST_MINOR,
  KUBERNETES_MINORS,
  parseKubernetesMinor,
  type KubernetesMinor,
} from '../versions/kubernetes.js';

export const PROVIDERS = ['kwok', 'kind', 'existing'] as const;
export type Provider = (typeof PROVIDERS)[number];
/** Providers `kaic run` can use today; the others are refused with that reason. */
export const AVAILABLE_PROVIDERS: readonly Provider[] = PROVIDERS;
export const REUSE_SETTINGS = ['no', 'yes'] as const;
export const IMAGE_SOURCES = ['registry', 'local'] as const;
export type ImageSource = (typeof IMAGE_SOURCES)[number];
export const REAL_NODE_SETTINGS = ['auto', 'yes', 'no'] as const;
export type RealNodeSetting = (typeof REAL_NODE_SETTINGS)[number];

interface OptionSpec {
  /** kebab-case: the flag without `--`, the action input, and (upper snake) KAIC_<NAME>. */
  name: string;
  multiple?: boolean;
  flagOnly?: boolean;
  /** A flag without a value (`--verbose`); as an input or KAIC_<NAME>: true/false (1/0). */
  switch?: boolean;
  default?: string;
  help: string;
}

/** Every run option, in the order `kaic help` lists them. */
export const RUN_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'provider',
    default: 'kwok',
    help: `where the cluster comes from: kwok (local processes), kind (Docker), existing (yours)`,
  },
  {
    name: 'cluster-name',
    help: 'kind: name of the cluster to create (default kaic-<minor>-<random>)',
  },
  {
    name: 'reuse-cluster',
    default: 'no',
    help: 'kind: yes tests a cluster of --cluster-name that already exists (and leaves it standing)',
  },
  {
    name: 'images',
    default: 'registry',
    help: 'kind: where node and addon images come from: registry (the pinned upstream images) or local (built on this machine by `kaic images` and preloaded into the nodes, for machines without a registry)',
  },
  {
    name: 'kubernetes-version',
    default: DEFAULT_TEST_MINOR,
    help: `minor of the cluster to create: ${KUBERNETES_MINORS.join(', ')}`,
  },
  {
    name: 'nodes',
    default: '2',
    help: 'simulated nodes (0–1000; 0 with kwok: the real node alone), tainted so only pods that opt in land there',
  },
  {
    name: 'gpus-per-node',
    default: '4',
    help: `simulated GPUs per node (1–${MAX_GPUS_PER_NODE})`,
  },
  {
    name: 'gpu-partitions',
    default: '0',
    help: "partitions per simulated GPU of dra-example-driver (its GPU_PARTITIONS, 0–8; 0: whole devices only); kaic's driver cuts MIG by the minor",
  },
  {
    name: 'gpu-profile',
    default: 'nvidia-h100-80gb',
    help: `simulated GPU: ${GPU_PROFILES.map((p) => p.name).join(', ')}`,
  },
  {
    name: 'fake-gpu-driver',
    default: 'kaic',
    help: `simulated-GPU driver: ${FAKE_GPU_DRIVERS.join(', ')} (dra-example-driver and fake-gpu-operator: kwok with the real node)`,
  },
  {
    name: 'gang-scheduler',
    default: 'kueue',
    help: `the gang scheduler of the gang-scheduler addon: ${GANG_SCHEDULERS.join(', ')} (beside kwok as processes, elsewhere from its chart)`,
  },
  {
    name: 'addons',
    help: `all, none, or a comma list of ${ADDON_IDS.join(', ')} (default on kwok and kind: those the selected requirements need; none on existing, where only ${CHART_ADDONS.join(', ')} may be named)`,
  },
  {
    name: 'real-node',
    default: 'auto',
    help: 'kwok: a real kubelet + containerd node for pods that run: auto (when the machine running kaic can), yes, no',
  },
  {
    name: 'kubeconfig',
    help: 'kubeconfig of the cluster to test, a path or its text (--provider existing; default: KUBECONFIG, ~/.kube/config, in-cluster)',
  },
  { name: 'context', help: 'context in that kubeconfig (default: its current context)' },
  {
    name: 'conformance-version',
    help: "AI conformance version (default: the cluster's minor, else the newest known)",
  },
  { name: 'checklist', help: 'official checklist (path or URL): its requirements, filled copy' },
  { name: 'requirements', help: 'comma list of requirement ids (default: all)' },
  { name: 'levels', help: `comma list of levels: ${LEVELS.join(', ')} (default: all)` },
  { name: 'categories', help: 'comma list of checklist categories (default: all)' },
  { name: 'grep', help: 'only tests whose full title matches this regular expression' },
  {
    name: 'spec',
    multiple: true,
    flagOnly: true,
    help: "your own Mocha spec file (repeatable); given, it runs instead of kaic's suites",
  },
  { name: 'na-justifications', help: 'YAML requirement_id: reason, the only source of N/A' },
  { name: 'metadata', help: 'checklist metadata for the filled copy (platformName, …)' },
  {
    name: 'results-url',
    help: "where this run's results.json will be published (e.g. the uploaded artifact's URL): listed as evidence in the filled checklist",
  },
  { name: 'timeout', default: '300', help: 'seconds per test' },
  {
    name: 'parallel',
    default: '4',
    help: "requirements whose suites run at once, as each suite's declared budget (devices, node CPU) allows; 1: one after another",
  },
  {
    name: 'verbose',
    switch: true,
    default: 'false',
    help: "print the end of every component's log (control plane, real node, addons) and keep them all in <output>/logs (kept there anyway when the run fails)",
  },
  { name: 'output', default: 'kaic-results', help: 'directory for the reports' },
];

export interface RunConfig {
  provider: Provider;
  kubernetesVersion: KubernetesMinor;
  nodes: number;
  gpusPerNode: number;
  /** Partitions per GPU of dra-example-driver (0: whole devices only). */
  gpuPartitions: number;
  gpuProfile: string;
  fakeGpuDriver: FakeGpuDriver;
  gangScheduler: GangScheduler;
  clusterName: string | undefined;
  reuseCluster: boolean;
  /** kind: the pinned upstream node image, or the one `kaic images` built here. */
  images: ImageSource;
  addons: AddonId[];
  /** Whether --addons (input, KAIC_ADDONS) named them; else the run takes what its selection needs. */
  addonsGiven: boolean;
  realNode: RealNodeSetting;
  /** A kubeconfig file's absolute path, or the kubeconfig text itself. */
  kubeconfig: string | undefined;
  context: string | undefined;
  conformanceVersion: string | undefined;
  checklist: string | undefined;
  requirements: string[] | undefined;
  levels: Level[] | undefined;
  categories: string[] | undefined;
  grep: string | undefined;
  specs: string[];
  naJustifications: string | undefined;
  metadata: string | undefined;
  resultsUrl: string | undefined;
  timeoutMs: number;
  parallel: number;
  output: string;
  verbose: boolean;
}

/** A raw value and how to name its source in a message. */
interface Raw {
  value: string;
  source: string;
}

export type RawRunInputs = Map<string, Raw[]>;

function envName(name: string): string {
  return `KAIC_${name.toUpperCase().replace(/-/g, '_')}`;
}

/**
 * The raw values, by option name: a flag wins over an action input, an input over KAIC_<NAME>,
 * that over the default. `inputs` reads an action input ('' when unset, as @actions/core does).
 */
export function collectRunInputs(options: {
  args?: string[];
  inputs?: (name: string) => string;
  env?: NodeJS.ProcessEnv;
}): RawRunInputs {
  let flags: Record<string, string | boolean | Array<string | boolean> | undefined> = {};
  if (options.args) {
    try {
      flags = parseArgs({
        args: options.args,
        options: Object.fromEntries(
          RUN_OPTIONS.map((o) => [
            o.name,
            o.switch
              ? { type: 'boolean' }
              : o.multiple
                ? { type: 'string', multiple: true }
                : { type: 'string' },
          ]),
        ) as Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>,
        strict: true,
        allowPositionals: false,
      }).values;
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const raw: RawRunInputs = new Map();
  for (const option of RUN_OPTIONS) {
    const flag = flags[option.name];
    if (flag !== undefined) {
      const values = (Array.isArray(flag) ? flag : [flag]).map(String);
      raw.set(
        option.name,
        values.map((value) => ({ value, source: `--${option.name}` })),
      );
      continue;
    }
    if (option.flagOnly) continue;
    const input = options.inputs?.(option.name) ?? '';
    if (input !== '') {
      raw.set(option.name, [{ value: input, source: `input "${option.name}"` }]);
      continue;
    }
    const fromEnv = options.env?.[envName(option.name)];
    if (fromEnv !== undefined && fromEnv !== '') {
      raw.set(option.name, [{ value: fromEnv, source: envName(option.name) }]);
      continue;
    }
    if (option.default !== undefined) {
      raw.set(option.name, [{ value: option.default, source: `--${option.name} (default)` }]);
    }
  }
  return raw;
}

function one(raw: RawRunInputs, name: string): Raw | undefined {
  return raw.get(name)?.[0];
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function wholeNumber(r: Raw, min: number, max: number): number {
  const n = Number(r.value);
  if (!/^\d+$/.test(r.value.trim()) || n < min || n > max) {
    throw new UsageError(
      `${r.source} must be a whole number from ${min} to ${max}, got "${r.value}"`,
    );
  }
  return n;
}

function existingFile(r: Raw | undefined): string | undefined {
  if (!r) return undefined;
  const path = resolve(r.value);
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new UsageError(`${r.source} ${r.value}: no such file`);
  }
  return path;
}

/**
 * The output directory, or the nearest existing parent of it, must be a directory. Whether it
 * can be written is found by writing (planRun's probe): permission bits do not tell root.
 */
function outputDirectory(r: Raw): string {
  const path = resolve(r.value);
  let probe = path;
  while (!existsSync(probe)) probe = dirname(probe);
  if (!statSync(probe).isDirectory()) {
    throw new UsageError(`${r.source} ${r.value}: ${probe} is a file, not a directory`);
  }
  return path;
}

/** A kubeconfig that parses and has the context asked for (default: its current one). */
function checkKubeconfig(file: Raw, context: Raw | undefined): void {
  const kc = new k8s.KubeConfig();
  const text = isKubeconfigText(file.value);
  const named = text ? '(text)' : file.value;
  try {
    kc.loadFromString(text ? file.value : readFileSync(resolve(file.value), 'utf8'));
  } catch (error) {
    throw new UsageError(
      `${file.source} ${named} is not a kubeconfig: ${(error as Error).message}`,
    );
  }
  const contexts = kc.getContexts().map((c) => c.name);
  const wanted = context?.value ?? kc.getCurrentContext();
  if (!wanted) {
    throw new UsageError(
      `${file.source} ${named} has no current context; name one with --context (${contexts.join(', ') || 'none defined'})`,
    );
  }
  if (!contexts.includes(wanted)) {
    throw new UsageError(
      `${context?.source ?? 'current-context'} "${wanted}" is not in ${named}; contexts: ${contexts.join(', ') || 'none'}`,
    );
  }
}

/** Checks every value; nothing is created. */
export function validateRunConfig(raw: RawRunInputs): RunConfig {
  const provider = one(raw, 'provider')!;
  if (!(PROVIDERS as readonly string[]).includes(provider.value)) {
    throw new UsageError(
      `${provider.source} "${provider.value}" is not a provider; accepted: ${PROVIDERS.join(', ')}`,
    );
  }
  const version = one(raw, 'kubernetes-version')!;
  let kubernetesVersion: KubernetesMinor;
  try {
    kubernetesVersion = parseKubernetesMinor(version.value, version.source);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const nodesRaw = one(raw, 'nodes')!;
  const nodes = wholeNumber(nodesRaw, 0, 1000);
  const gpusPerNode = wholeNumber(one(raw, 'gpus-per-node')!, 1, MAX_GPUS_PER_NODE);
  const partitionsRaw = one(raw, 'gpu-partitions')!;
  const gpuPartitions = wholeNumber(partitionsRaw, 0, 8);
  const profile = one(raw, 'gpu-profile')!;
  if (!GPU_PROFILES.some((p) => p.name === profile.value)) {
    throw new UsageError(
      `${profile.source} "${profile.value}" is not a GPU profile; accepted: ${GPU_PROFILES.map((p) => p.name).join(', ')}`,
    );
  }
  const kubeconfig = one(raw, 'kubeconfig');
  const context = one(raw, 'context');
  if (context && !kubeconfig) {
    throw new UsageError(`${context.source} needs --kubeconfig (the file the context is in)`);
  }
  if (kubeconfig) {
    if (!isKubeconfigText(kubeconfig.value)) existingFile(kubeconfig);
    checkKubeconfig(kubeconfig, context);
  }
  const driver = one(raw, 'fake-gpu-driver')!;
  if (!(FAKE_GPU_DRIVERS as readonly string[]).includes(driver.value)) {
    throw new UsageError(
      `${driver.source} "${driver.value}" is not a simulated-GPU driver; accepted: ${FAKE_GPU_DRIVERS.join(', ')}`,
    );
  }
  const realNode = one(raw, 'real-node')!;
  if (!(REAL_NODE_SETTINGS as readonly string[]).includes(realNode.value)) {
    throw new UsageError(
      `${realNode.source} "${realNode.value}" is not accepted; use ${REAL_NODE_SETTINGS.join(', ')}`,
    );
  }
  if (provider.value === 'kwok' && nodes === 0 && realNode.value === 'no') {
    throw new UsageError(
      `${nodesRaw.source} 0 with ${realNode.source} no leaves the cluster without a node; ask for simulated nodes or the real node`,
    );
  }
  const addonsRaw = one(raw, 'addons');
  let addons: AddonId[];
  try {
    addons = addonsRaw
      ? parseAddonList(addonsRaw.value, addonsRaw.source)
      : provider.value === 'existing'
        ? []
        : [...ADDON_IDS];
  } catch (error) {
    if (error instanceof AddonPlanError) throw new UsageError(error.message);
    throw error;
  }
  const levelsRaw = one(raw, 'levels');
  const levels = levelsRaw ? list(levelsRaw.value) : undefined;
  const badLevel = levels?.find((l) => !(LEVELS as readonly string[]).includes(l));
  if (badLevel) {
    throw new UsageError(
      `${levelsRaw!.source} "${badLevel}" is not accepted; use ${LEVELS.join(', ')}`,
    );
  }
  const grep = one(raw, 'grep');
  if (grep) {
    try {
      new RegExp(grep.value);
    } catch (error) {
      throw new UsageError(
        `${grep.source} is not a regular expression: ${(error as Error).message}`,
      );
    }
  }
  const timeout = one(raw, 'timeout')!;
  const seconds = Number(timeout.value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `${timeout.source} must be a number of seconds above 0, got "${timeout.value}"`,
    );
  }
  const parallel = one(raw, 'parallel')!;
  if (!/^[1-9][0-9]?$/.test(parallel.value)) {
    throw new UsageError(
      `${parallel.source} must be a whole number from 1 to 99, got "${parallel.value}"`,
    );
  }
  const checklist = one(raw, 'checklist');
  const output = outputDirectory(one(raw, 'output')!);
  const verbose = one(raw, 'verbose')!;
  if (!/^(true|false|1|0)$/i.test(verbose.value)) {
    throw new UsageError(`${verbose.source} "${verbose.value}" is not accepted; use true or false`);
  }
  if (kubeconfig && provider.value !== 'existing') {
    throw new UsageError(
      `${kubeconfig.source} applies to --provider existing (the cluster to test); ${provider.source} is "${provider.value}"`,
    );
  }
  if (provider.value === 'existing') {
    if (!version.source.endsWith('(default)')) {
      throw new UsageError(
        `${version.source} applies to the clusters kaic creates; an existing cluster's version is read from its API server`,
      );
    }
    const notChart = addons.filter((a) => !CHART_ADDONS.includes(a));
    if (notChart.length) {
      throw new UsageError(
        `${addonsRaw!.source} "${addonsRaw!.value}": on an existing cluster kaic installs only ${CHART_ADDONS.join(', ')} ` +
          `(from their charts, and only when named), not ${notChart.join(', ')}; ` +
          'install the others yourself (docs/requirements.md says what each requirement needs), or pass none',
      );
    }
  }
  if (driver.value === 'dra-example-driver' || driver.value === 'fake-gpu-operator') {
    if (provider.value !== 'kwok') {
      throw new UsageError(
        `${driver.source} "${driver.value}" runs on kwok's real node so far (--provider kwok); kaic cannot install it on ${provider.value} yet`,
      );
    }
    if (realNode.value === 'no') {
      throw new UsageError(
        `${driver.source} "${driver.value}" runs its node's programs on the real node, which ${realNode.source} no leaves out`,
      );
    }
  }
  const gang = one(raw, 'gang-scheduler')!;
  if (!(GANG_SCHEDULERS as readonly string[]).includes(gang.value)) {
    throw new UsageError(
      `${gang.source} "${gang.value}" is not a gang scheduler kaic installs; accepted: ${GANG_SCHEDULERS.join(', ')}`,
    );
  }
  if (gpuPartitions > 0 && driver.value !== 'dra-example-driver') {
    throw new UsageError(
      `${partitionsRaw.source} applies to --fake-gpu-driver dra-example-driver; kaic's driver cuts MIG partitions as the minor offers them`,
    );
  }
  if (driver.value !== 'kaic') {
    const named = addonsRaw ? list(addonsRaw.value) : [];
    const kaicOnly = ADDONS_ONLY_FOR_KAIC_DRIVER.filter((a) => named.includes(a));
    if (kaicOnly.length) {
      throw new UsageError(
        `${addonsRaw!.source} names ${kaicOnly.join(', ')}, which only knows kaic's own simulated GPUs, not ${driver.source} "${driver.value}"`,
      );
    }
    addons = addons.filter((a) => !ADDONS_ONLY_FOR_KAIC_DRIVER.includes(a));
  }
  const clusterName = one(raw, 'cluster-name');
  const reuse = one(raw, 'reuse-cluster')!;
  if (!(REUSE_SETTINGS as readonly string[]).includes(reuse.value)) {
    throw new UsageError(
      `${reuse.source} "${reuse.value}" is not accepted; use ${REUSE_SETTINGS.join(', ')}`,
    );
  }
  if (clusterName && !/^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$/.test(clusterName.value)) {
    throw new UsageError(
      `${clusterName.source} "${clusterName.value}" is not a kind cluster name (lower-case letters, digits and "-", at most 50)`,
    );
  }
  if ((clusterName || reuse.value === 'yes') && provider.value !== 'kind') {
    throw new UsageError(
      `${clusterName?.source ?? reuse.source} applies to --provider kind; ${provider.source} is "${provider.value}"`,
    );
  }
  const images = one(raw, 'images')!;
  if (!(IMAGE_SOURCES as readonly string[]).includes(images.value)) {
    throw new UsageError(
      `${images.source} "${images.value}" is not accepted; use ${IMAGE_SOURCES.join(', ')}`,
    );
  }
  if (images.value !== 'registry' && provider.value !== 'kind') {
    throw new UsageError(
      `${images.source} ${images.value} applies to --provider kind; ${provider.source} is "${provider.value}"`,
    );
  }
  if (reuse.value === 'yes' && !clusterName) {
    throw new UsageError(`${reuse.source} yes needs --cluster-name (the cluster to reuse)`);
  }
  // Last, so that every value is checked even for a provider still to come.
  if (!AVAILABLE_PROVIDERS.includes(provider.value as Provider)) {
    throw new UsageError(
      `${provider.source} "${provider.value}" is not available yet; accepted today: ${AVAILABLE_PROVIDERS.join(', ')}`,
    );
  }
  return {
    provider: provider.value as Provider,
    kubernetesVersion,
    nodes,
    gpusPerNode,
    gpuPartitions,
    gpuProfile: profile.value,
    fakeGpuDriver: driver.value as FakeGpuDriver,
    gangScheduler: gang.value as GangScheduler,
    clusterName: clusterName?.value,
    reuseCluster: reuse.value === 'yes',
    images: images.value as ImageSource,
    addons,
    addonsGiven: Boolean(addonsRaw),
    realNode: realNode.value as RealNodeSetting,
    kubeconfig: kubeconfig
      ? isKubeconfigText(kubeconfig.value)
        ? kubeconfig.value
        : resolve(kubeconfig.value)
      : undefined,
    context: context?.value,
    conformanceVersion: one(raw, 'conformance-version')?.value,
    // A URL is fetched by the checklist loader; a path must exist.
    checklist:
      checklist && !/^https?:\/\//.test(checklist.value)
        ? existingFile(checklist)
        : checklist?.value,
    requirements: one(raw, 'requirements') ? list(one(raw, 'requirements')!.value) : undefined,
    levels: levels as Level[] | undefined,
    categories: one(raw, 'categories') ? list(one(raw, 'categories')!.value) : undefined,
    grep: grep?.value,
    specs: (raw.get('spec') ?? []).map((r) => existingFile(r)!),
    naJustifications: existingFile(one(raw, 'na-justifications')),
    metadata: existingFile(one(raw, 'metadata')),
    resultsUrl: httpUrl(one(raw, 'results-url')),
    timeoutMs: seconds * 1000,
    parallel: Number(parallel.value),
    output,
    verbose: /^(true|1)$/i.test(verbose.value),
  };
}

/** An http(s) URL, or a refusal naming its source. */
function httpUrl(raw: Raw | undefined): string | undefined {
  if (!raw) return undefined;
  if (!isHttpUrl(raw.value))
    throw new UsageError(`${raw.source} "${raw.value}" is not an http(s) URL`);
  return raw.value;
}

/** The options block of `kaic help`. */
export function runUsage(): string {
  const width = Math.max(...RUN_OPTIONS.map((o) => o.name.length)) + 4;
  return (
    'run options (flags; the action takes the same names as inputs; KAIC_<NAME> in the environment):\n' +
    RUN_OPTIONS.map(
      (o) =>
        `  --${o.name.padEnd(width)} ${o.help}${o.default !== undefined && !o.switch ? ` (default ${o.default})` : ''}`,
    ).join('\n') +
    '\n'
  );
}

/** The run's choices that change what an addon builds and installs. */
export function addonChoices(config: RunConfig): AddonChoices {
  return {
    fakeGpuDriver: config.fakeGpuDriver,
    gpuPartitions: config.gpuPartitions,
    gangScheduler: config.gangScheduler,
  };
}
