/**
 * Phases of a run alone, on a context the test builds: what needs no cluster (the requirements
 * of a minor, the reports of the tests given).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { collectRunInputs } from '../../src/config/run-config.js';
import { startRun, type RunContext } from '../../src/pipeline/context.js';
import { addonRequest, addonsPhase, requirementsPhase } from '../../src/pipeline/phases.js';
import { planRun } from '../../src/pipeline/plan.js';
import { reportsPhase } from '../../src/pipeline/suites-phase.js';
import type { ClusterHandle, Provider } from '../../src/providers/types.js';

function handle(minor: ClusterHandle['minor']): ClusterHandle {
  return {
    provider: 'existing',
    name: 'test',
    kubeconfigPath: '/nonexistent',
    serverVersion: `v${minor}.0`,
    minor,
    nodes: [],
    capabilities: {
      realContainers: false,
      realContainerNodes: [],
      disposable: false,
      simulatedNodesTainted: false,
    },
  };
}

describe('run phases', function () {
  let out: string;
  let ctx: RunContext;
  let printed: string;

  beforeEach(async function () {
    out = await mkdtemp(join(tmpdir(), 'kaic-phases-'));
    const plan = await planRun(
      collectRunInputs({
        args: ['--kubernetes-version', '1.35', '--requirements', 'dra_support', '--output', out],
        env: {},
      }),
    );
    printed = '';
    ctx = await startRun(plan, { write: (text: string) => (printed += text) }, undefined);
  });

  afterEach(async function () {
    await ctx.undo.unwind();
    await rm(out, { recursive: true, force: true });
  });

  it('removes the working directory the run started with when it unwinds', async function () {
    expect(existsSync(ctx.workDir)).to.equal(true);
    await ctx.undo.unwind();
    expect(existsSync(ctx.workDir)).to.equal(false);
  });

  it('requirements: reuses the plan made for the minor, plans again for another', async function () {
    ctx.cluster = handle('1.35');
    await requirementsPhase(ctx);
    expect(ctx.version).to.equal(ctx.plan.version);
    ctx.cluster = handle('1.33');
    await requirementsPhase(ctx);
    expect(ctx.version).to.not.equal(ctx.plan.version);
    expect(ctx.version?.minor).to.equal('1.33');
  });

  it('addons: by default only what the selected requirements need; --addons as named', async function () {
    const version = ctx.plan.version!;
    expect(addonRequest(ctx.plan, version)).to.deep.equal({
      ids: ['fake-gpu'],
      forWhat: new Map([['fake-gpu', ['dra_support']]]),
      narrowed: true,
    });
    const named = await planRun(
      collectRunInputs({
        args: ['--requirements', 'dra_support', '--addons', 'gateway', '--output', out],
        env: {},
      }),
    );
    expect(addonRequest(named, version)).to.deep.include({ ids: ['gateway'], narrowed: false });
  });

  it('addons: a failed build beside the cluster start fails the phase before anything installs', async function () {
    ctx.cluster = handle('1.35');
    await requirementsPhase(ctx);
    let installed = false;
    ctx.provider = {
      installAddons: async () => {
        installed = true;
        return { env: {}, accelerator: null };
      },
    } as unknown as Provider;
    ctx.addonsPrepared = Promise.resolve(new Error('kueue v0.17.0: go build failed'));
    let thrown: Error | null = null;
    await addonsPhase(ctx).catch((error: Error) => (thrown = error));
    expect(thrown).to.have.property('message', 'kueue v0.17.0: go build failed');
    expect(installed).to.equal(false);
    ctx.addonsPrepared = Promise.resolve(null);
    await addonsPhase(ctx);
    expect(installed).to.equal(true);
    expect(printed).to.include('addons for the selected requirements: fake-gpu (dra_support)');
  });

  it('reports: no tests is every selected requirement Unknown, and MUST not met is none', async function () {
    ctx.cluster = handle('1.35');
    await requirementsPhase(ctx);
    const { result, paths, mustFailed } = await reportsPhase(ctx, []);
    expect(result.requirements.map((r) => [r.id, r.verdict])).to.deep.equal([
      ['dra_support', 'Unknown'],
    ]);
    expect(mustFailed).to.deep.equal([]);
    expect(paths.dir).to.equal(out);
    expect(JSON.parse(readFileSync(paths.resultsJson, 'utf8')).requirements).to.have.length(1);
    expect(printed).to.match(/verdicts: 0 Implemented, .* 1 Unknown/);
  });
});
