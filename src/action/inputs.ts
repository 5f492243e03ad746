/**
 * The action's own inputs and its outputs, beside the run options it shares with `kaic run`
 * (RUN_OPTIONS). action.yml and the input table of docs/github-action.md are generated from these tables and
 * RUN_OPTIONS (`npm run action-yml`); a test keeps them in step.
 */
import { parse as parseYaml } from 'yaml';

import { UsageError } from '../errors.js';
import { parseLocation, type AnnotationLocation } from '../github/annotations.js';
import { FAIL_ON, type FailOn } from '../results/gate.js';

export const MODES = ['run', 'aggregate'] as const;
export type Mode = (typeof MODES)[number];

interface ActionInputSpec {
  name: string;
  /** In action.yml; only where the runner must fill it (the token). */
  yamlDefault?: string;
  /** What the code uses when the input is empty. */
  default?: string;
  help: string;
}

export const ACTION_INPUTS: readonly ActionInputSpec[] = [
  {
    name: 'mode',
    default: 'run',
    help: 'run: bring up (or attach to) a cluster and run the suites; aggregate: publish results.json files of earlier jobs (a matrix, or a fork PR from a workflow_run workflow) as one table',
  },
  {
    name: 'results',
    help: 'aggregate: results.json files or directories holding them (searched 3 levels deep), one per line or comma-separated',
  },
  {
    name: 'event-file',
    help: "aggregate from workflow_run: the pull request's event.json uploaded by the tested workflow; only its PR number is read, and used only when the API shows that PR's head is workflow_run.head_sha (GitHub lists no PR for forks)",
  },
  {
    name: 'expected',
    help: 'aggregate: the Kubernetes minors that must each have results (the matrix legs, e.g. 1.33,1.34,1.35); a missing one is shown as "no results" and fails the step like a failed requirement',
  },
  {
    name: 'fail-on',
    default: 'MUST',
    help: 'fail the step when a requirement of this level or stricter is Not or Partially Implemented: MUST, SHOULD, none',
  },
  {
    name: 'github-token',
    yamlDefault: '${{ github.token }}',
    help: 'token for the check run, the PR comment and the commit statuses (needs checks, pull-requests and statuses: write)',
  },
  {
    name: 'cache',
    default: 'true',
    help: "run: keep the binaries kaic downloads or builds (its cache's bin/ and charts/) between workflow runs with the Actions cache, keyed on their pinned versions per platform and minor: true/false",
  },
  { name: 'check-run', default: 'true', help: 'publish a check run with annotations: true/false' },
  {
    name: 'comment',
    default: 'true',
    help: 'keep one comment per job key on the pull request, updated in place: true/false',
  },
  {
    name: 'commit-status',
    default: 'true',
    help: 'set a commit status per Kubernetes minor: true/false',
  },
  {
    name: 'job-key',
    help: 'names the check run, the comment and the statuses of this job (default: the job id, plus the Kubernetes minor in run mode)',
  },
  {
    name: 'annotation-paths',
    help: 'where annotations of a requirement point, one `requirement_id: path[:line]` per line (default: the workflow file at the step)',
  },
];

export const ACTION_OUTPUTS: ReadonlyArray<{ name: string; help: string }> = [
  {
    name: 'verdict',
    help: 'conformant, not-conformant or unverified (a MUST requirement is Unknown)',
  },
  { name: 'implemented', help: 'requirements Implemented' },
  { name: 'partially-implemented', help: 'requirements Partially Implemented' },
  { name: 'not-implemented', help: 'requirements Not Implemented' },
  { name: 'na', help: 'requirements declared N/A' },
  { name: 'unknown', help: 'requirements Unknown (kaic could not verify them)' },
  { name: 'results-dir', help: 'the directory with every report' },
  { name: 'results-json', help: 'path of results.json (run mode)' },
  { name: 'junit-xml', help: 'path of junit.xml (run mode)' },
  { name: 'checklist', help: 'path of the filled official checklist, when one was given' },
  { name: 'summary-path', help: 'path of the Markdown summary' },
  { name: 'summary', help: 'the Markdown summary itself' },
  { name: 'check-run-url', help: 'the check run, when one was published' },
  { name: 'comment-url', help: 'the pull-request comment, when one was published' },
];

export interface ActionSettings {
  mode: Mode;
  results: string[];
  eventFile: string | undefined;
  expected: string[];
  failOn: FailOn;
  /** Keep kaic's binaries with the Actions cache (binary-cache.ts). */
  cacheBinaries: boolean;
  token: string;
  targets: { checkRun: boolean; comment: boolean; commitStatus: boolean };
  jobKey: string | undefined;
  annotationPaths: Map<string, AnnotationLocation>;
}

function choice<T extends string>(name: string, value: string, accepted: readonly T[]): T {
  if (!(accepted as readonly string[]).includes(value)) {
    throw new UsageError(`input "${name}" is "${value}"; accepted: ${accepted.join(', ')}`);
  }
  return value as T;
}

function bool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  throw new UsageError(`input "${name}" is "${value}"; accepted: true, false`);
}

function parseAnnotationPaths(text: string): Map<string, AnnotationLocation> {
  const map = new Map<string, AnnotationLocation>();
  if (!text.trim()) return map;
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new UsageError(`input "annotation-paths" is not YAML: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError('input "annotation-paths" must be lines of `requirement_id: path[:line]`');
  }
  for (const [id, value] of Object.entries(data)) {
    if (
      typeof value !== 'string' ||
      !value.trim() ||
      value.startsWith('/') ||
      value.includes('..')
    ) {
      throw new UsageError(
        `input "annotation-paths": ${id} must map to a path inside the repository, got ${JSON.stringify(value)}`,
      );
    }
    map.set(id, parseLocation(value));
  }
  return map;
}

/** Reads and checks the action's own inputs (`getInput` returns '' for an unset one). */
export function readActionSettings(getInput: (name: string) => string): ActionSettings {
  const get = (name: string) => {
    const spec = ACTION_INPUTS.find((i) => i.name === name)!;
    return getInput(name).trim() || spec.default || '';
  };
  const mode = choice('mode', get('mode'), MODES);
  const results = get('results')
    .split(/[\n,]/)
    .map((r) => r.trim())
    .filter(Boolean);
  if (mode === 'aggregate' && !results.length) {
    throw new UsageError(
      'input "results" is empty; mode aggregate needs the results.json files or their directories',
    );
  }
  if (mode === 'run' && results.length) {
    throw new UsageError('input "results" is only for mode aggregate');
  }
  const expected = get('expected')
    .split(/[\n,\s]+/)
    .map((m) => m.trim().replace(/^v/, ''))
    .filter(Boolean);
  for (const minor of expected) {
    if (!/^\d+\.\d+$/.test(minor)) {
      throw new UsageError(
        `input "expected": "${minor}" is not a Kubernetes minor (e.g. 1.35); list the matrix's minors, comma-separated`,
      );
    }
  }
  if (mode === 'run' && expected.length) {
    throw new UsageError('input "expected" is only for mode aggregate');
  }
  return {
    mode,
    results,
    eventFile: get('event-file') || undefined,
    expected: [...new Set(expected)],
    failOn: choice('fail-on', get('fail-on'), FAIL_ON),
    cacheBinaries: bool('cache', get('cache')),
    token: get('github-token'),
    targets: {
      checkRun: bool('check-run', get('check-run')),
      comment: bool('comment', get('comment')),
      commitStatus: bool('commit-status', get('commit-status')),
    },
    jobKey: get('job-key') || undefined,
    annotationPaths: parseAnnotationPaths(getInput('annotation-paths')),
  };
}
