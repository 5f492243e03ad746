/**
 * Benchmark: `kaic run` as a user runs it (bin/kaic.js), by default with no flags: the wall time
 * of each phase and the test time of each requirement, read from its own output.
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
const requirements = [...result.all.matchAll(/requirement (\S+): (.+) in ([\d.]+) s$/gm)].map(
  (m) => ({ id: m[1]!, counts: m[2]!, seconds: Number(m[3]) }),
);
process.stdout.write(
  `\n## kaic run ${args.join(' ') || '(no flags)'}: exit ${result.exitCode}, ${total.toFixed(1)} s in all\n\n` +
    '| phase | outcome | wall time |\n|---|---|---|\n' +
    phases.map((p) => `| ${p.name} | ${p.outcome} | ${p.seconds.toFixed(1)} s |`).join('\n') +
    '\n\n| requirement | tests | test time |\n|---|---|---|\n' +
    requirements.map((r) => `| ${r.id} | ${r.counts} | ${r.seconds.toFixed(1)} s |`).join('\n') +
    '\n',
);
process.exitCode = result.exitCode === 0 ? 0 : 1;
