/**
 * The loop of a person debugging a failure, with the bundled CLI: `kaic up` brings the cluster and
 * addons up and keeps them, `kaic run --provider existing` reruns one requirement against it, and
 * `kaic down` removes everything: by stopping the up process, or after it was killed, from what it
 * recorded. Each test has its own TMPDIR and state file, checked for leftovers after.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';

import type { UpState } from '../../src/pipeline/up.js';
import type { RunResult } from '../../src/results/model.js';
import { waitFor } from '../../src/util/wait.js';
import { filesBelow, processesBelow } from '../support/leftovers.js';

const KAIC = resolve('bin/kaic.js');

describe('[e2e] kaic up, kaic run against it, kaic down', function () {
  let dir = '';
  let env: Record<string, string> = {};
  const stateFile = () => env.KAIC_UP_STATE!;
  const kaic = (args: string[]) =>
    execa(process.execPath, [KAIC, ...args], { reject: false, all: true, env });

  beforeEach(async function () {
    dir = await mkdtemp('/tmp/ku-');
    await mkdir(join(dir, 't'));
    // Short paths for the kwok cluster's sockets; the state file where only this test looks.
    env = {
      TMPDIR: join(dir, 't'),
      KAIC_KWOK_WORKDIR: join(dir, 't', 'k'),
      KAIC_UP_STATE: join(dir, 'up-state.json'),
    };
  });
  afterEach(async function () {
    // Whatever a failed test left: kaic down removes it.
    if (existsSync(stateFile())) await kaic(['down']);
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts kaic up and waits until it says how to use the cluster. */
  async function up(): Promise<{
    process: ResultPromise<{ reject: false; all: true }>;
    state: UpState;
  }> {
    const proc = execa(
      process.execPath,
      [KAIC, 'up', '--real-node', 'no', '--addons', 'fake-gpu', '--nodes', '2'],
      {
        reject: false,
        all: true,
        env,
      },
    );
    let output = '';
    proc.all.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      'kaic up to say the cluster is up',
      async () => {
        if (proc.exitCode !== null) throw new Error(`kaic up ended: ${output}`);
        return output.includes('take it down: kaic down');
      },
      120_000,
      250,
    );
    const state = JSON.parse(await readFile(stateFile(), 'utf8')) as UpState;
    return { process: proc, state };
  }

  it('up keeps the cluster, run reruns one requirement against it, down removes everything', async function () {
    const { process: upProcess, state } = await up();
    expect(state.pid).to.equal(upProcess.pid);
    expect(state.records.map((r) => r.type)).to.include('kwok-cluster');
    // A second up is refused while one is up, naming how to go on.
    const second = await kaic(['up', '--real-node', 'no']);
    expect(second.exitCode).to.equal(2);
    expect(second.all).to.include(`a cluster is up already (kaic up, pid ${state.pid}`);

    const out = join(dir, 'out');
    const t0 = Date.now();
    const run = await kaic([
      'run',
      '--provider',
      'existing',
      '--kubeconfig',
      state.kubeconfig,
      '--requirements',
      'dra_support',
      '--output',
      out,
    ]);
    expect(run.exitCode, run.all.slice(-3000)).to.equal(0);
    process.stdout.write(
      `      kaic run --requirements dra_support against it: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    const result = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
    expect(result.requirements.map((r) => [r.id, r.verdict])).to.deep.equal([
      ['dra_support', 'Implemented'],
    ]);
    // Its allocation checks (supporting) ran and passed too: a pod holding a device lands on a
    // simulated accelerator node, tolerating that node's taints.
    expect(result.requirements[0]?.tests.map((t) => `${t.title}: ${t.status}`)).to.satisfy(
      (lines: string[]) => lines.every((l) => l.endsWith(': passed')),
    );

    const down = await kaic(['down']);
    expect(down.exitCode, down.all).to.equal(0);
    expect(down.all).to.include(`stopping kaic up (pid ${state.pid})`);
    const ended = await upProcess;
    expect(ended.exitCode).to.equal(143);
    expect(ended.all).to.match(/cluster down\s+done/);
    expect(existsSync(stateFile())).to.equal(false);
    expect(await processesBelow(join(dir, 't')), 'processes left').to.deep.equal([]);
    expect(await filesBelow(join(dir, 't')), 'files left').to.deep.equal([]);
    // Nothing up: down says so and succeeds.
    expect((await kaic(['down'])).all).to.include('no cluster is up');
  });

  it('down after the up process was killed removes what it recorded', async function () {
    const { process: upProcess, state } = await up();
    upProcess.kill('SIGKILL');
    await upProcess;
    expect(await processesBelow(join(dir, 't')), 'the cluster runs on').to.not.deep.equal([]);
    const down = await kaic(['down']);
    expect(down.exitCode, down.all).to.equal(0);
    expect(down.all).to.include(`kaic up (pid ${state.pid}) is gone; removing what it recorded`);
    expect(down.all).to.match(/removed: kwok cluster kaic-/);
    expect(existsSync(stateFile())).to.equal(false);
    expect(await processesBelow(join(dir, 't')), 'processes left').to.deep.equal([]);
    expect(await filesBelow(join(dir, 't')), 'files left').to.deep.equal([]);
  });
});
