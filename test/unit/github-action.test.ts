import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';

import { renderActionYml, withReadmeTables } from '../../src/action/action-yml.js';
import { readActionSettings } from '../../src/action/inputs.js';
import { parseLocation } from '../../src/github/annotations.js';
import { readGitHubContext } from '../../src/github/context.js';
import { truncateBytes, truncateChars } from '../../src/github/limits.js';
import { commentMarker, verdictLine } from '../../src/github/publish.js';
import { gateFailures, overallVerdict } from '../../src/results/gate.js';
import { makeRunResult } from '../support/run-results.js';

describe('GitHub action: pure parts', function () {
  it('action.yml and the README input table are generated from the option tables (npm run action-yml)', function () {
    expect(readFileSync('action.yml', 'utf8')).to.equal(renderActionYml());
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).to.equal(withReadmeTables(readme));
  });

  it('truncates by characters and by UTF-8 bytes without splitting a character', function () {
    expect(truncateChars('abcdef', 4)).to.equal('abc…');
    expect(truncateChars('😀😀😀', 3)).to.equal('😀😀😀');
    expect(truncateChars('😀😀😀😀', 3)).to.equal('😀😀…');
    const cut = truncateBytes('é'.repeat(10), 9);
    expect(Buffer.byteLength(cut)).to.be.at.most(9);
    expect(cut).to.equal('ééé…');
    expect(truncateBytes('short', 100)).to.equal('short');
  });

  it('overall verdict and fail-on gate', function () {
    expect(overallVerdict(makeRunResult())).to.equal('conformant');
    expect(overallVerdict(makeRunResult({ unknown: ['gang_scheduling'] }))).to.equal('unverified');
    const failing = makeRunResult({ failures: 1 });
    expect(overallVerdict(failing)).to.equal('not-conformant');
    expect(gateFailures(failing, 'MUST').map((r) => r.id)).to.deep.equal(['dra_support']);
    expect(gateFailures(failing, 'none')).to.deep.equal([]);
    const should = makeRunResult({ version: '1.33', failures: 1 });
    expect(gateFailures(should, 'MUST')).to.deep.equal([]);
    expect(gateFailures(should, 'SHOULD').map((r) => r.id)).to.deep.equal(['dra_support']);
    expect(verdictLine(failing)).to.match(
      /^not-conformant: 11 implemented, 1 partially \(12 requirements\)$/,
    );
  });

  it('reads the commit and pull request from each event', function () {
    const dir = mkdtempSync(join(tmpdir(), 'kaic-ctx-'));
    const env = (name: string, payload: unknown) => {
      writeFileSync(join(dir, `${name}.json`), JSON.stringify(payload));
      return {
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_SHA: 'a'.repeat(40),
        GITHUB_EVENT_NAME: name,
        GITHUB_EVENT_PATH: join(dir, `${name}.json`),
        GITHUB_WORKFLOW_REF: 'o/r/.github/workflows/ci.yml@refs/pull/3/merge',
        GITHUB_RUN_ID: '5',
      };
    };
    const pr = readGitHubContext(
      env('pull_request', {
        number: 3,
        pull_request: { number: 3, head: { sha: 'b'.repeat(40), repo: { full_name: 'o/r' } } },
      }),
    );
    expect(pr).to.include({
      sha: 'b'.repeat(40),
      pullRequest: 3,
      readOnlyReason: null,
      workflowPath: '.github/workflows/ci.yml',
    });
    expect(pr.runUrl).to.equal('https://github.com/o/r/actions/runs/5');
    const fork = readGitHubContext(
      env('pull_request', {
        pull_request: { number: 4, head: { sha: 'b'.repeat(40), repo: { full_name: 'x/r' } } },
      }),
    );
    expect(fork.readOnlyReason).to.match(/fork x\/r/);
    const push = readGitHubContext(env('push', {}));
    expect(push).to.include({ sha: 'a'.repeat(40), pullRequest: null });
    const wr = readGitHubContext(
      env('workflow_run', {
        workflow_run: { head_sha: 'c'.repeat(40), pull_requests: [{ number: 9 }] },
      }),
    );
    expect(wr).to.include({ sha: 'c'.repeat(40), pullRequest: 9, readOnlyReason: null });
    expect(() => readGitHubContext({})).to.throw(/GITHUB_REPOSITORY is unset/);
    expect(() => readGitHubContext({ GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 'HEAD' })).to.throw(
      /GITHUB_SHA is "HEAD"/,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it('action settings: defaults, annotation paths, refusals naming the input', function () {
    const from = (inputs: Record<string, string>) => readActionSettings((n) => inputs[n] ?? '');
    const defaults = from({});
    expect(defaults).to.deep.include({ mode: 'run', failOn: 'MUST', jobKey: undefined });
    expect(defaults.targets).to.deep.equal({ checkRun: true, comment: true, commitStatus: true });
    const mapped = from({
      'annotation-paths': 'gpu_sharing: docs/gpu.md:12\ndra_support: ./deploy/dra.yaml',
    });
    expect([...mapped.annotationPaths]).to.deep.equal([
      ['gpu_sharing', { path: 'docs/gpu.md', line: 12 }],
      ['dra_support', { path: 'deploy/dra.yaml', line: 1 }],
    ]);
    expect(() => from({ 'annotation-paths': 'x: /etc/passwd' })).to.throw(/inside the repository/);
    expect(() => from({ 'annotation-paths': 'x: ../up' })).to.throw(/inside the repository/);
    expect(() => from({ 'check-run': 'on' })).to.throw(/input "check-run" is "on"/);
    expect(() => from({ results: 'a' })).to.throw(/only for mode aggregate/);
    expect(parseLocation('a/b.ts:0')).to.deep.equal({ path: 'a/b.ts', line: 1 });
  });

  it('the example workflows and our CI use only inputs and outputs action.yml declares', function () {
    const action = parseYaml(readFileSync('action.yml', 'utf8')) as {
      inputs: Record<string, unknown>;
      outputs: Record<string, unknown>;
    };
    const files = [
      ...readdirSync('examples/workflows').map((f) => `examples/workflows/${f}`),
      '.github/workflows/ci.yml',
    ];
    let kaicSteps = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const workflow = parseYaml(text) as {
        jobs: Record<
          string,
          { steps: Array<{ uses?: string; id?: string; with?: Record<string, unknown> }> }
        >;
      };
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps) {
          if (step.uses !== './' && !step.uses?.startsWith('OWNER/kaic@')) continue;
          kaicSteps++;
          for (const input of Object.keys(step.with ?? {})) {
            expect(action.inputs, `${file}: input ${input}`).to.have.property(input);
          }
        }
      }
      for (const m of text.matchAll(/steps\.kaic\.outputs\.([\w-]+)/g)) {
        expect(action.outputs, `${file}: output ${m[1]}`).to.have.property(m[1]!);
      }
    }
    expect(kaicSteps).to.be.at.least(7);
  });

  it('the comment marker cannot close the HTML comment early', function () {
    expect(commentMarker('a-->b')).to.equal('<!-- kaic-report job-key: a-b -->');
  });
});
