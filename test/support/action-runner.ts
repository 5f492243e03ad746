/**
 * Runs the bundled action (dist/main.js, dist/post.js) the way the GitHub runner does: inputs as
 * INPUT_<NAME> with action.yml's defaults applied, the GITHUB_* variables, an event payload file,
 * and the file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY) read back afterwards;
 * the post step gets main's state as STATE_<name>.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { execa, type ResultPromise } from 'execa';
import { parse as parseYaml } from 'yaml';

export const TOKEN = 'ghs_kaicTestToken0123456789abcdefABCDEF';
export const REPOSITORY = 'octo-org/platform';
export const SHA = 'a'.repeat(40);
export const HEAD_SHA = 'b'.repeat(40);
/** The fork a fork's pull request comes from. */
export const FORK = 'someone/platform';

export type EventKind = 'pull_request' | 'pull_request_fork' | 'push' | 'schedule' | 'workflow_run';

/** Event payloads shaped like GitHub's, with what kaic reads. */
export function eventPayload(kind: EventKind, pr = 42): { name: string; payload: unknown } {
  const repo = { full_name: REPOSITORY };
  switch (kind) {
    case 'pull_request':
      return {
        name: 'pull_request',
        payload: {
          action: 'synchronize',
          number: pr,
          pull_request: { number: pr, head: { sha: HEAD_SHA, repo }, base: { repo } },
          repository: repo,
        },
      };
    case 'pull_request_fork':
      return {
        name: 'pull_request',
        payload: {
          action: 'opened',
          number: pr,
          pull_request: {
            number: pr,
            head: { sha: HEAD_SHA, repo: { full_name: FORK } },
            base: { repo },
          },
          repository: repo,
        },
      };
    case 'push':
      return { name: 'push', payload: { ref: 'refs/heads/main', after: SHA, repository: repo } };
    case 'schedule':
      return { name: 'schedule', payload: { schedule: '0 3 * * *' } };
    case 'workflow_run':
      return {
        name: 'workflow_run',
        payload: {
          action: 'completed',
          // GitHub lists no pull request here when it came from a fork.
          workflow_run: {
            id: 777,
            html_url: `https://github.example/${REPOSITORY}/actions/runs/777`,
            head_sha: HEAD_SHA,
            head_repository: { full_name: FORK },
            event: 'pull_request',
            pull_requests: [],
          },
          repository: repo,
        },
      };
  }
}

export interface ActionRun {
  exitCode: number | undefined;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  dir: string;
  /** Milliseconds from spawn to the first line of output. */
  firstLineMs: number | null;
}

/** Parses the runner's file-command format: `name<<DELIM\nvalue\nDELIM` (and `name=value`). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i] as string);
      out[name as string] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

const actionYml = parseYaml(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { default?: string }>;
};

export interface ActionRunOptions {
  inputs: Record<string, string>;
  event: EventKind;
  apiUrl: string;
  env?: NodeJS.ProcessEnv;
  /** The workspace (default a new empty directory). */
  workspace?: string;
  /** An earlier run's directory, to reuse its files (the post step). */
  dir?: string;
  /** Fields merged over the event's payload (e.g. another `workflow_run`). */
  payload?: Record<string, unknown>;
}

function runnerEnv(options: ActionRunOptions, dir: string): NodeJS.ProcessEnv {
  const { name, payload } = eventPayload(options.event);
  const eventPath = join(dir, 'event.json');
  if (!existsSync(eventPath)) {
    writeFileSync(eventPath, JSON.stringify({ ...(payload as object), ...options.payload }));
  }
  for (const f of ['output', 'state', 'summary']) {
    if (!existsSync(join(dir, f))) writeFileSync(join(dir, f), '');
  }
  const inputs: NodeJS.ProcessEnv = {};
  for (const [input, spec] of Object.entries(actionYml.inputs)) {
    // The runner evaluates `${{ github.token }}` to the job's token.
    const fallback = spec.default === '${{ github.token }}' ? TOKEN : spec.default;
    const value = options.inputs[input] ?? fallback;
    if (value !== undefined) inputs[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const input of Object.keys(options.inputs)) {
    if (!(input in actionYml.inputs)) throw new Error(`action.yml has no input ${input}`);
  }
  const workspace = options.workspace ?? mkdtempSync(join(dir, 'ws-'));
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.KAIC_CACHE ? { KAIC_CACHE: process.env.KAIC_CACHE } : {}),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_REPOSITORY: REPOSITORY,
    GITHUB_REPOSITORY_OWNER: REPOSITORY.split('/')[0],
    GITHUB_SHA: SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_EVENT_NAME: name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '9001',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'conformance',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW_REF: `${REPOSITORY}/.github/workflows/conformance.yml@refs/heads/main`,
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    RUNNER_TEMP: dir,
    ...inputs,
    ...options.env,
  };
}

const runnerDirs = new Set<string>();

/** A runner directory (state, outputs, summary files) that removeRunnerDirs() removes. */
function newRunnerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kaic-action-'));
  runnerDirs.add(dir);
  return dir;
}

/** Removes the runner directories made so far (an `after` hook of each file that runs the action). */
export async function removeRunnerDirs(): Promise<void> {
  for (const dir of runnerDirs) await rm(dir, { recursive: true, force: true });
  runnerDirs.clear();
}

/** Starts dist/main.js (or post.js) as the runner would; resolves when it exits. */
export function startAction(
  entry: 'main' | 'post',
  options: ActionRunOptions,
): { child: ResultPromise; dir: string; done: Promise<ActionRun> } {
  const dir = options.dir ?? newRunnerDir();
  const env = runnerEnv(options, dir);
  if (entry === 'post') {
    for (const [name, value] of Object.entries(
      parseFileCommands(readFileSync(join(dir, 'state'), 'utf8')),
    )) {
      env[`STATE_${name}`] = value;
    }
  }
  const started = Date.now();
  let firstLineMs: number | null = null;
  const child = execa(process.execPath, [`dist/${entry}.js`], {
    env,
    extendEnv: false,
    reject: false,
    all: true,
    cwd: process.cwd(),
  });
  child.all?.once('data', () => (firstLineMs = Date.now() - started));
  const done = child.then((result) => ({
    exitCode: result.exitCode,
    stdout: String(result.all ?? ''),
    outputs: parseFileCommands(readFileSync(join(dir, 'output'), 'utf8')),
    state: parseFileCommands(readFileSync(join(dir, 'state'), 'utf8')),
    summary: readFileSync(join(dir, 'summary'), 'utf8'),
    dir,
    firstLineMs,
  }));
  return { child, dir, done };
}

export function runAction(entry: 'main' | 'post', options: ActionRunOptions): Promise<ActionRun> {
  return startAction(entry, options).done;
}
