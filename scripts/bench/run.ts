/**
 * Benchmark: `kaic run` as a user runs it (bin/kaic.js), by default with no flags: the wall time
 * of each phase, and per requirement its test time and its wall time (from the previous
 * requirement's last test to its own last, to the second: its tests and hooks, except the clean-up
 * after its last test, which counts toward the next), read from its own output.
 *
 *   npm run bench -- run                         the embedded default
 *   npm run bench -- run --kubernetes-version 1.33 --requirements dra_support
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { execa } from 'execa';

const args = process.argv.slice(2).filter((a) => a !== 'run');
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

const phases = [
  ...result.all.matchAll(/^(?:\[kaic [\d:]+\] )?(.+): (done|failed) in ([\d.]+) s$/gm),
].map((m) => ({ name: m[1]!, outcome: m[2]!, seconds: Number(m[3]) }));
const clock = (hms: string) => {
  const [h, m, s] = hms.split(':').map(Number) as [number, number, number];
  return h * 3600 + m * 60 + s;
};
// When each requirement's last test ended, and when the suites started.
const lastTestAt = new Map<string, number>();
let previousEnd = clock(
  /^\[kaic ([\d:]+)\] conformance suites .* …$/m.exec(result.all)?.[1] ?? '0:0:0',
);
const wall = new Map<string, number>();
for (const m of result.all.matchAll(
  /^\[kaic ([\d:]+)\] (?:PASS|FAIL|SKIP) \[AIConformance\] \[(\S+)\]/gm,
)) {
  lastTestAt.set(m[2]!, clock(m[1]!));
}
for (const [id, at] of lastTestAt) {
  wall.set(id, (at - previousEnd + 86_400) % 86_400);
  previousEnd = at;
}
const requirements = [...result.all.matchAll(/requirement (\S+): (.+) in ([\d.]+) s$/gm)].map(
  (m) => ({ id: m[1]!, counts: m[2]!, seconds: Number(m[3]), wall: wall.get(m[1]!) }),
);
process.stdout.write(
  `\n## kaic run ${args.join(' ') || '(no flags)'}: exit ${result.exitCode}, ${total.toFixed(1)} s in all\n\n` +
    '| phase | outcome | wall time |\n|---|---|---|\n' +
    phases.map((p) => `| ${p.name} | ${p.outcome} | ${p.seconds.toFixed(1)} s |`).join('\n') +
    '\n\n| requirement | tests | test time | wall time |\n|---|---|---|---|\n' +
    requirements
      .map(
        (r) =>
          `| ${r.id} | ${r.counts} | ${r.seconds.toFixed(1)} s | ${r.wall === undefined ? '?' : `${r.wall} s`} |`,
      )
      .join('\n') +
    '\n',
);
process.exitCode = result.exitCode === 0 ? 0 : 1;
