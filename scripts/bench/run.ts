/**
 * Benchmark: `kaic run` as a user runs it (bin/kaic.js), by default with no flags, three times:
 * the wall time of each phase, and per requirement its test time and its wall time (from its
 * suite's start to its end, hooks included; suites run side by side, so the walls overlap), read
 * from its own output; the median of the runs, with min and max.
 *
 *   npm run bench -- run                         the embedded default, 3 runs
 *   npm run bench -- run --runs 1 --kubernetes-version 1.33 --requirements dra_support
 *   npm run bench -- run --parallel 1            the suites one after another
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { execa } from 'execa';

import { spread } from './spread.js';

let args = process.argv.slice(2).filter((a) => a !== 'run');
let runs = 3;
const runsAt = args.indexOf('--runs');
if (runsAt >= 0) {
  runs = Number(args[runsAt + 1]);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`--runs must be a whole number ≥ 1, got "${args[runsAt + 1]}"`);
  }
  args = args.filter((_, i) => i !== runsAt && i !== runsAt + 1);
}

interface RunTimes {
  exitCode: number;
  total: number;
  phases: Map<string, { outcome: string; seconds: number }>;
  requirements: Map<string, { counts: string; test: number; wall: number | null }>;
}

async function oneRun(n: number): Promise<RunTimes> {
  process.stderr.write(`\n== run ${n} of ${runs}: kaic run ${args.join(' ')}\n`);
  const out = await mkdtemp(join(tmpdir(), 'kaic-bench-run-'));
  const t0 = Date.now();
  const child = execa(process.execPath, ['bin/kaic.js', 'run', '--output', out, ...args], {
    reject: false,
    all: true,
  });
  child.all.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const result = await child;
  const total = (Date.now() - t0) / 1000;
  await rm(out, { recursive: true, force: true });
  return {
    exitCode: result.exitCode ?? 1,
    total,
    phases: new Map(
      [...result.all.matchAll(/^(?:\[kaic [\d:]+\] )?(.+): (done|failed) in ([\d.]+) s$/gm)].map(
        (m) => [m[1]!, { outcome: m[2]!, seconds: Number(m[3]) }],
      ),
    ),
    requirements: new Map(
      [
        ...result.all.matchAll(/requirement (\S+): (.+) in ([\d.]+) s(?: \(wall ([\d.]+) s\))?$/gm),
      ].map((m) => [
        m[1]!,
        { counts: m[2]!, test: Number(m[3]), wall: m[4] === undefined ? null : Number(m[4]) },
      ]),
    ),
  };
}

const results: RunTimes[] = [];
for (let n = 1; n <= runs; n++) results.push(await oneRun(n));

const phaseNames = [...new Set(results.flatMap((r) => [...r.phases.keys()]))];
const requirementIds = [...new Set(results.flatMap((r) => [...r.requirements.keys()]))];
process.stdout.write(
  `\n## kaic run ${args.join(' ') || '(no flags)'}: ${runs} run(s), exit ${results.map((r) => r.exitCode).join('/')}, ` +
    `${spread(results.map((r) => r.total))} in all\n\n` +
    `Median (min–max) of ${runs} run(s).\n\n` +
    '| phase | outcome | wall time |\n|---|---|---|\n' +
    phaseNames
      .map((name) => {
        const of = results.flatMap((r) => r.phases.get(name) ?? []);
        return `| ${name} | ${[...new Set(of.map((p) => p.outcome))].join('/')} | ${spread(of.map((p) => p.seconds))} |`;
      })
      .join('\n') +
    '\n\n| requirement | tests | test time | wall time |\n|---|---|---|---|\n' +
    requirementIds
      .map((id) => {
        const of = results.flatMap((r) => r.requirements.get(id) ?? []);
        return `| ${id} | ${[...new Set(of.map((r) => r.counts))].join(' / ')} | ${spread(of.map((r) => r.test))} | ${spread(of.flatMap((r) => (r.wall === null ? [] : [r.wall])))} |`;
      })
      .join('\n') +
    '\n',
);
process.exitCode = results.every((r) => r.exitCode === 0) ? 0 : 1;
