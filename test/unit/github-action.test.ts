import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';

import {
  ACTION_DESCRIPTION,
  ACTION_DOC,
  renderActionYml,
  withDocTables,
} from '../../src/action/action-yml.js';
import { readActionSettings } from '../../src/action/inputs.js';
import { parseLocation } from '../../src/github/annotations.js';
import { docsUrl, readGitHubContext } from '../../src/github/context.js';
import { truncateBytes, truncateUnits } from '../../src/report/limits.js';
import { mdCodeBlock, mdInline, shorten } from '../../src/report/markdown.js';
import { commentMarker, verdictLine } from '../../src/github/publish.js';
import { gateFailures, overallVerdict } from '../../src/results/gate.js';
import { makeRunResult } from '../support/run-results.js';

describe('GitHub action: pure parts', function () {
  it('action.yml and the input table of docs/github-action.md are generated from the option tables (npm run action-yml)', function () {
    expect(readFileSync('action.yml', 'utf8')).to.equal(renderActionYml());
    const page = readFileSync(ACTION_DOC, 'utf8');
    expect(page).to.equal(withDocTables(page));
  });

  it('truncates by UTF-16 code units (GitHub’s characters) and by UTF-8 bytes without splitting a character', function () {
    expect(truncateUnits('abcdef', 4)).to.equal('abc…');
    // An emoji is two UTF-16 code units, as GitHub counts it.
    expect(truncateUnits('😀😀😀', 6)).to.equal('😀😀😀');
    expect(truncateUnits('😀😀😀😀', 6)).to.equal('😀😀…');
    expect(truncateUnits('😀😀😀😀', 4)).to.equal('😀…');
    for (let max = 1; max < 12; max++) {
      const cut = truncateUnits('a😀b😀😀c😀', max);
      expect(cut.length, `cut to ${max}`).to.be.at.most(max);
      expect(cut, 'no lone surrogate').to.match(
        /^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/,
      );
    }
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
    // The pull request is verified through the API before it is used (test/action/trust.test.ts).
    expect(wr).to.include({ sha: 'c'.repeat(40), pullRequest: null, readOnlyReason: null });
    expect(wr.workflowRun).to.include({ headSha: 'c'.repeat(40), claimedPullRequest: null });
    expect(wr.workflowRun?.pullRequests).to.deep.equal([9]);
    // An uploaded event file names a pull request (a claim) and never the commit.
    writeFileSync(
      join(dir, 'uploaded.json'),
      JSON.stringify({ number: 7, pull_request: { number: 7, head: { sha: 'd'.repeat(40) } } }),
    );
    const claimed = readGitHubContext(
      env('workflow_run', { workflow_run: { head_sha: 'c'.repeat(40) } }),
      { eventFile: join(dir, 'uploaded.json') },
    );
    expect(claimed.sha).to.equal('c'.repeat(40));
    expect(claimed.workflowRun?.claimedPullRequest).to.equal(7);
    expect(claimed.workflowRun?.claimedHeadSha).to.equal('d'.repeat(40));
    writeFileSync(join(dir, 'uploaded.json'), JSON.stringify({ number: 'x' }));
    expect(() =>
      readGitHubContext(env('workflow_run', { workflow_run: { head_sha: 'c'.repeat(40) } }), {
        eventFile: join(dir, 'uploaded.json'),
      }),
    ).to.throw(/names pull request "x", not a number/);
    expect(() => readGitHubContext(env('workflow_run', { workflow_run: {} }))).to.throw(
      /has no workflow_run.head_sha/,
    );
    // Docs links are absolute: the action's repository at its ref, else this repository.
    expect(
      docsUrl({ GITHUB_ACTION_REPOSITORY: 'kaic-org/kaic', GITHUB_ACTION_REF: 'v1' }),
    ).to.equal('https://github.com/kaic-org/kaic/blob/v1/docs');
    expect(
      docsUrl({ GITHUB_REPOSITORY: 'o/r', GITHUB_SERVER_URL: 'https://ghe.example' }),
    ).to.equal('https://ghe.example/o/r/blob/main/docs');
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

  it('action.yml description fits the Marketplace (125 characters)', function () {
    expect(ACTION_DESCRIPTION.length).to.be.at.most(125);
    expect(readFileSync('action.yml', 'utf8')).to.include(`description: ${ACTION_DESCRIPTION}\n`);
  });

  it('Markdown from untrusted text: inline text inert, code fences that cannot close early', function () {
    expect(mdInline('<!-- x --> a|b\nc')).to.equal('&lt;!-- x --&gt; a\\|b c');
    expect(mdInline('@octocat and @octo-org/team')).to.equal(
      '@&#8203;octocat and @&#8203;octo-org/team',
    );
    expect(mdInline('#12, o/r#3, gh-4, mail@')).to.equal(
      '#&#8203;12, o/r#&#8203;3, gh&#8203;-4, mail@',
    );
    expect(mdInline('[a](http://x) ![i](y) *b* `c`')).to.equal(
      '\\[a\\](http://x) !\\[i\\](y) \\*b\\* \\`c\\`',
    );
    expect(mdCodeBlock('plain')).to.deep.equal(['```text', 'plain', '```']);
    expect(mdCodeBlock('a\n````\nb', '  ')).to.deep.equal([
      '  `````text',
      '  a',
      '  ````',
      '  b',
      '  `````',
    ]);
    expect(shorten('😀😀😀', 4)).to.equal('😀…');
  });

  it('the comment marker cannot close the HTML comment early', function () {
    expect(commentMarker('a-->b')).to.equal('<!-- kaic-report job-key: a-b -->');
  });
});
