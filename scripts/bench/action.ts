/**
 * Benchmark: the bundled action. Bundle size (dist/main.js and dist/post.js with the chunks they
 * load), start-up time from spawn to the first log line, and the GitHub API requests each kind of
 * run makes, against the local API server that checks them against GitHub's OpenAPI description.
 *
 *   npm run bench -- action [--rounds 10]
 */
import { existsSync, readFileSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { runAction, type EventKind } from '../../test/support/action-runner.js';
import { GitHubApiServer } from '../../test/support/github-api.js';
import {
  makeRunResult,
  writeRunResult,
  type FixtureOptions,
} from '../../test/support/run-results.js';

const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 10;

/** The entry file and every chunk it imports, transitively. */
function bundleFiles(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    // Only real files: bundled libraries carry import-like text of their own.
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      visit(join(dirname(file), m[1]!));
    }
  };
  visit(entry);
  return [...seen];
}

const out: string[] = [
  '## kaic action benchmark',
  '',
  '| bundle | files | bytes | gzipped |',
  '|---|---|---|---|',
];
for (const entry of ['dist/main.js', 'dist/post.js']) {
  const files = bundleFiles(entry);
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const gz = files.reduce((n, f) => n + gzipSync(readFileSync(f)).length, 0);
  out.push(
    `| ${entry} | ${files.length} | ${(bytes / 1024).toFixed(0)} KiB | ${(gz / 1024).toFixed(0)} KiB |`,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), 'kaic-bench-action-'));
const server = new GitHubApiServer();
const apiUrl = await server.start();
const results = writeRunResult(dir, 'r', makeRunResult({ failures: 1 }));
const firstLine: number[] = [];
const total: number[] = [];
for (let i = 0; i < rounds; i++) {
  const t0 = Date.now();
  const run = await runAction('main', {
    inputs: { mode: 'aggregate', results },
    event: 'pull_request',
    apiUrl,
  });
  total.push(Date.now() - t0);
  if (run.firstLineMs !== null) firstLine.push(run.firstLineMs);
}
out.push(
  '',
  `Start-up (${rounds} runs of \`node dist/main.js\`, aggregate mode, one results.json): first log line after ` +
    `median ${median(firstLine)} ms (min ${Math.min(...firstLine)}, max ${Math.max(...firstLine)}); ` +
    `whole step median ${median(total)} ms including publishing.`,
);
await server.stop();

const scenarios: Array<[string, EventKind, FixtureOptions[], Record<string, string>]> = [
  ['pull request, 0 failures', 'pull_request', [{}], {}],
  ['pull request, 120 failures', 'pull_request', [{ failures: 120 }], {}],
  ['pull request, re-run (comment exists)', 'pull_request', [{}], {}],
  ['push', 'push', [{ failures: 3 }], {}],
  ['schedule', 'schedule', [{}], {}],
  ['pull request from a fork', 'pull_request_fork', [{ failures: 3 }], {}],
  [
    'workflow_run, matrix of 3 minors (no event file: no PR to comment on)',
    'workflow_run',
    [{ version: '1.33' }, { version: '1.34' }, { version: '1.35', failures: 2 }],
    {},
  ],
];
out.push('', '| run | requests | by endpoint | violations |', '|---|---|---|---|');
let rerunServer: GitHubApiServer | null = null;
for (const [name, event, fixtures, inputs] of scenarios) {
  const rerun = name.includes('re-run');
  const s: GitHubApiServer = rerun && rerunServer ? rerunServer : new GitHubApiServer();
  if (!rerun || !rerunServer) await s.start();
  const at = mkdtempSync(join(dir, 'scenario-'));
  fixtures.forEach((f, i) => writeRunResult(at, `run-${i}`, makeRunResult(f)));
  const before = s.requests.length;
  await runAction('main', {
    inputs: { mode: 'aggregate', results: at, ...inputs },
    event,
    apiUrl: s.url,
  });
  const made = s.requests.slice(before);
  const by = new Map<string, number>();
  for (const r of made) by.set(r.operationId ?? r.path, (by.get(r.operationId ?? r.path) ?? 0) + 1);
  out.push(
    `| ${name} | ${made.length} | ${[...by].map(([k, v]) => `${k} ×${v}`).join(', ') || '—'} | ${s.violations().length} |`,
  );
  if (name === 'pull request, 0 failures') rerunServer = s;
  else await s.stop();
}
await rerunServer?.stop();
process.stdout.write(`${out.join('\n')}\n`);
