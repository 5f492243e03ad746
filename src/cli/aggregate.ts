/**
 * `kaic aggregate PATH…`: the results.json files of several runs (a matrix over Kubernetes minors)
 * as one version × requirement table, the same one the action's aggregate mode publishes.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { renderMatrix, runLabel, runMinor } from '../report/summary-md.js';
import { collectRunResults } from '../results/collect.js';
import { FAIL_ON, gateFailures, type FailOn } from '../results/gate.js';
import { UsageError } from '../errors.js';

export const AGGREGATE_USAGE = `usage: kaic aggregate [--output <file>] [--fail-on MUST|SHOULD|none] [--expected 1.33,1.34,…] <results.json or directory>…
  Directories are searched 3 levels deep for results.json. Exit 1 when a requirement at the
  --fail-on level (default MUST) is Not or Partially Implemented in any run, or when a Kubernetes
  minor named in --expected (the matrix's legs) has no results.
`;

export async function aggregateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      output: { type: 'string' },
      'fail-on': { type: 'string', default: 'MUST' },
      expected: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(AGGREGATE_USAGE);
    return 0;
  }
  const failOn = values['fail-on'] as string;
  const expected = (values.expected ?? '')
    .split(/[\s,]+/)
    .map((m) => m.replace(/^v/, ''))
    .filter(Boolean);
  const bad = expected.find((m) => !/^\d+\.\d+$/.test(m));
  if (bad) throw new UsageError(`--expected: "${bad}" is not a Kubernetes minor (e.g. 1.35)`);
  if (!(FAIL_ON as readonly string[]).includes(failOn)) {
    throw new UsageError(`--fail-on "${failOn}"; accepted: ${FAIL_ON.join(', ')}`);
  }
  if (!positionals.length) throw new UsageError(`no results given\n${AGGREGATE_USAGE}`);
  const runs = (await collectRunResults(positionals)).map((f) => f.result);
  const table = renderMatrix(runs, { expected });
  const present = new Set(runs.map(runMinor));
  const missing = expected.filter((m) => !present.has(m));
  if (values.output) await writeFile(values.output, table);
  else process.stdout.write(table);
  const failing = runs.flatMap((r) =>
    gateFailures(r, failOn as FailOn).map((q) => `${runLabel(r)}: ${q.id}`),
  );
  if (failing.length) process.stderr.write(`kaic: requirements not met: ${failing.join(', ')}\n`);
  if (missing.length) {
    process.stderr.write(`kaic: no results for Kubernetes ${missing.join(', ')} (--expected)\n`);
  }
  return failing.length || (missing.length && failOn !== 'none') ? 1 : 0;
}
