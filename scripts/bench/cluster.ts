/**
 * Benchmark: kwok cluster start and stop, per minor.
 *
 *   npm run bench                          KAIC_TEST_MINORS minors, 3 rounds each, 2 nodes
 *   npm run bench -- cluster --rounds 5 --nodes 100
 */
import { parseArgs } from 'node:util';

import { ensureBinaries } from '../../src/binaries/kubernetes.js';
import { KwokProvider } from '../../src/providers/kwok.js';
import { kubernetesRelease } from '../../src/versions/kubernetes.js';
import { testMinors } from '../../test/cluster/minors.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'cluster'),
  options: { rounds: { type: 'string', default: '3' }, nodes: { type: 'string', default: '2' } },
});
const rounds = Number(values.rounds);
const nodes = Number(values.nodes);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds must be ≥ 1, got ${values.rounds}`);
if (!Number.isInteger(nodes) || nodes < 0)
  throw new Error(`--nodes must be ≥ 0, got ${values.nodes}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const rows: string[] = [];
for (const minor of testMinors()) {
  await ensureBinaries(kubernetesRelease(minor), () => undefined);
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const provider = new KwokProvider({
      minor,
      nodeGroups: [{ namePrefix: 'bench', count: nodes }],
    });
    const t0 = performance.now();
    await provider.up();
    const t1 = performance.now();
    await provider.down();
    const t2 = performance.now();
    up.push((t1 - t0) / 1000);
    down.push((t2 - t1) / 1000);
  }
  rows.push(
    `| ${minor} | ${nodes} | ${rounds} | ${median(up).toFixed(2)} | ${Math.min(...up).toFixed(2)}–${Math.max(...up).toFixed(2)} | ${median(down).toFixed(2)} |`,
  );
}
process.stdout.write(
  [
    '| minor | nodes | rounds | start median s | start range s | stop median s |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n') + '\n',
);
