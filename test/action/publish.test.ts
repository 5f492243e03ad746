/**
 * The bundled action (dist/) run as the GitHub runner runs it, publishing to a local server that
 * checks every request against GitHub's OpenAPI description. Aggregate mode publishes prepared
 * results.json files, so these tests need no cluster; tests/e2e runs the action's run mode.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { commentMarker } from '../../src/github/publish.js';
import {
  FORK,
  HEAD_SHA,
  REPOSITORY,
  SHA,
  TOKEN,
  removeRunnerDirs,
  runAction,
  type ActionRun,
} from '../support/action-runner.js';
import { GitHubApiServer } from '../support/github-api.js';
import { makeRunResult, writeRunResult } from '../support/run-results.js';

const count = (server: GitHubApiServer, operationId: string) =>
  server.requests.filter((r) => r.operationId === operationId).length;

function expectNoViolations(server: GitHubApiServer): void {
  expect(server.violations(), 'requests that break GitHub’s API description').to.deep.equal([]);
}

function expectTokenHidden(run: ActionRun): void {
  const shown = run.stdout
    .split('\n')
    .filter((l) => l.includes(TOKEN) && !l.startsWith('::add-mask::'));
  expect(shown, 'log lines showing the token').to.deep.equal([]);
  expect(run.stdout).to.include(`::add-mask::${TOKEN}`);
  expect(run.summary).not.to.include(TOKEN);
  expect(JSON.stringify(run.outputs)).not.to.include(TOKEN);
  expect(JSON.stringify(run.state)).not.to.include(TOKEN);
}

describe('the action publishes to GitHub (bundled dist/, local API checked against the OpenAPI description)', function () {
  let server: GitHubApiServer;
  let dir: string;

  beforeEach(async function () {
    dir = mkdtempSync(join(tmpdir(), 'kaic-publish-'));
  });
  afterEach(async function () {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  after(removeRunnerDirs);

  it('120 failures: a check run with 3 annotation batches, one comment, a status; fails on the verdict', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const results = writeRunResult(dir, 'k8s-1.35', makeRunResult({ failures: 120 }));
    const run = await runAction('main', {
      inputs: { mode: 'aggregate', results, 'job-key': 'pr-check' },
      event: 'pull_request',
      apiUrl,
    });
    expectNoViolations(server);
    expect(run.exitCode, run.stdout).to.equal(1);
    expect(run.stdout).to.match(
      /::error::kaic: requirements not met \(fail-on MUST\): .*dra_support/,
    );
    expect(count(server, 'checks/create')).to.equal(1);
    expect(count(server, 'checks/update')).to.equal(2);
    const [check] = server.checkRuns;
    expect(check!.head_sha, 'the PR head, not the merge commit').to.equal(HEAD_SHA);
    expect(check!.conclusion).to.equal('failure');
    expect(check!.annotations).to.have.length(120);
    const batches = server.requests
      .filter((r) => r.operationId?.startsWith('checks/'))
      .map(
        (r) => ((r.body as { output: { annotations: unknown[] } }).output.annotations ?? []).length,
      );
    expect(batches).to.deep.equal([50, 50, 20]);
    expect(server.comments).to.have.length(1);
    expect(server.comments[0]!.body).to.include(commentMarker('pr-check'));
    expect(server.statuses).to.have.length(1);
    expect(server.statuses[0]).to.include({ state: 'failure', sha: HEAD_SHA });
    expect(run.outputs.verdict).to.equal('not-conformant');
    expect(run.outputs['not-implemented']).to.equal('0');
    expect(run.outputs['partially-implemented']).to.equal('1');
    expect(run.outputs['check-run-url']).to.match(/\/runs\/\d+$/);
    expect(run.summary).to.include('| `dra_support` |');
    expect(run.summary).to.include(`[check run](${run.outputs['check-run-url']})`);
    expect(run.summary).to.include(`[pull-request comment](${run.outputs['comment-url']})`);
    expectTokenHidden(run);
  });

  it('a re-run updates the same comment in place; nobody else’s comment is touched', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    // 120 other comments first, so finding ours needs the second page.
    for (let i = 0; i < 120; i++) server.addComment(42, `a reviewer's comment ${i}`);
    const results = writeRunResult(dir, 'r', makeRunResult({ failures: 2 }));
    const inputs = { mode: 'aggregate', results, 'job-key': 'nightly' };
    const first = await runAction('main', { inputs, event: 'pull_request', apiUrl });
    const ours = () => server.comments.filter((c) => c.body.includes(commentMarker('nightly')));
    expect(ours(), first.stdout).to.have.length(1);
    const id = ours()[0]!.id;
    writeRunResult(dir, 'r', makeRunResult({ failures: 0 }));
    const second = await runAction('main', { inputs, event: 'pull_request', apiUrl });
    expectNoViolations(server);
    expect(second.exitCode, second.stdout).to.equal(0);
    expect(ours()).to.have.length(1);
    expect(ours()[0]!.id).to.equal(id);
    expect(ours()[0]!.body).to.include('✅ Implemented').and.not.include('❌');
    expect(count(server, 'issues/create-comment')).to.equal(1);
    expect(count(server, 'issues/update-comment')).to.equal(1);
    expect(server.comments).to.have.length(121);
    expect(server.comments.filter((c) => c.body.startsWith("a reviewer's comment"))).to.have.length(
      120,
    );
    // Another job key gets its own comment.
    await runAction('main', {
      inputs: { ...inputs, 'job-key': 'other' },
      event: 'pull_request',
      apiUrl,
    });
    expect(server.comments).to.have.length(122);
  });

  it('a fork pull request: nothing written, said in the log, the summary still written, exit on the verdict', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const results = writeRunResult(
      dir,
      'r',
      makeRunResult({ unknown: ['virtualized_accelerator'] }),
    );
    const run = await runAction('main', {
      inputs: { mode: 'aggregate', results },
      event: 'pull_request_fork',
      apiUrl,
    });
    expect(run.exitCode, run.stdout).to.equal(0);
    expect(server.requests, 'requests to GitHub').to.deep.equal([]);
    expect(run.stdout).to.include(
      'comes from the fork someone/platform, so GITHUB_TOKEN is read-only',
    );
    expect(run.stdout).to.include('workflow_run');
    expect(run.summary).to.include('Kubernetes AI Conformance');
    expect(run.summary).to.include(
      'not published: check run, pull-request comment, commit status: this pull request comes from the fork',
    );
    expect(run.outputs.verdict).to.equal('conformant');
    // The reason is said once, for all three targets, in the log and in the summary.
    expect(run.summary.split('comes from the fork someone/platform').length - 1).to.equal(1);
    expect(run.stdout.split('comes from the fork someone/platform').length - 1).to.equal(1);
  });

  it('403 from GitHub (a token without the permissions): warnings naming the permission, exit on the verdict', async function () {
    server = new GitHubApiServer({
      forbidden: ['checks/create', 'issues/list-comments', 'repos/create-commit-status'],
    });
    const apiUrl = await server.start();
    const results = writeRunResult(dir, 'r', makeRunResult());
    const run = await runAction('main', {
      inputs: { mode: 'aggregate', results },
      event: 'pull_request',
      apiUrl,
    });
    expectNoViolations(server);
    expect(run.exitCode, run.stdout).to.equal(0);
    for (const permission of ['checks: write', 'pull-requests: write', 'statuses: write']) {
      expect(run.stdout).to.match(new RegExp(`::warning::kaic: .*HTTP 403.*${permission}`));
    }
    expect(run.summary).to.include('Kubernetes AI Conformance');
    // The same with failures: the step still fails on the verdict, not on GitHub's refusal.
    writeRunResult(dir, 'r', makeRunResult({ failures: 1 }));
    const failing = await runAction('main', {
      inputs: { mode: 'aggregate', results },
      event: 'pull_request',
      apiUrl,
    });
    expect(failing.exitCode).to.equal(1);
    expect(failing.stdout).to.include('requirements not met');
  });

  for (const event of ['push', 'schedule'] as const) {
    it(`a ${event} event: check run and status on GITHUB_SHA, no comment`, async function () {
      server = new GitHubApiServer();
      const apiUrl = await server.start();
      const results = writeRunResult(dir, 'r', makeRunResult({ failures: 3 }));
      const run = await runAction('main', {
        inputs: { mode: 'aggregate', results, 'fail-on': 'none' },
        event,
        apiUrl,
      });
      expectNoViolations(server);
      expect(run.exitCode, run.stdout).to.equal(0);
      expect(server.checkRuns.map((c) => [c.head_sha, c.conclusion])).to.deep.equal([
        [SHA, 'neutral'],
      ]);
      expect(server.statuses.map((s) => s.sha)).to.deep.equal([SHA]);
      expect(count(server, 'issues/list-comments')).to.equal(0);
      expect(run.stdout).to.include(
        `not publishing the pull-request comment: the ${event} event is not about a pull request`,
      );
    });
  }

  it('workflow_run publisher: the fork PR found from its uploaded event file; a matrix as one table', async function () {
    server = new GitHubApiServer();
    server.addPull({
      number: 7,
      headSha: HEAD_SHA,
      headRepository: FORK,
      baseRepository: REPOSITORY,
    });
    const apiUrl = await server.start();
    const artifacts = join(dir, 'artifacts');
    for (const version of ['1.33', '1.34', '1.35'] as const) {
      writeRunResult(
        artifacts,
        `kaic-results-${version}`,
        makeRunResult({
          version,
          failures: version === '1.33' ? 1 : 0,
          failRequirement: 'gang_scheduling',
        }),
      );
    }
    const prEvent = join(dir, 'pr-event.json');
    writeFileSync(
      prEvent,
      JSON.stringify({
        number: 7,
        pull_request: {
          number: 7,
          head: { sha: HEAD_SHA, repo: { full_name: 'someone/platform' } },
        },
      }),
    );
    const run = await runAction('main', {
      inputs: { mode: 'aggregate', results: artifacts, 'event-file': prEvent },
      event: 'workflow_run',
      apiUrl,
    });
    expectNoViolations(server);
    expect(run.exitCode, run.stdout).to.equal(1);
    expect(server.comments.map((c) => c.issue)).to.deep.equal([7]);
    const body = server.comments[0]!.body;
    expect(body).to.include(
      '| Requirement | Level | Kubernetes 1.33 | Kubernetes 1.34 | Kubernetes 1.35 |',
    );
    expect(server.checkRuns).to.have.length(1);
    expect(server.statuses.map((s) => [s.context, s.state])).to.deep.equal([
      ['kaic / conformance / Kubernetes 1.33', 'failure'],
      ['kaic / conformance / Kubernetes 1.34', 'success'],
      ['kaic / conformance / Kubernetes 1.35', 'success'],
    ]);
    expect(server.statuses.every((s) => s.sha === HEAD_SHA)).to.equal(true);
    expect(readFileSync(run.outputs['summary-path']!, 'utf8')).to.equal(run.outputs.summary);
  });

  it('huge failure messages stay within every GitHub limit', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const results = writeRunResult(dir, 'r', makeRunResult({ failures: 60, messageChars: 70_000 }));
    const run = await runAction('main', {
      inputs: { mode: 'aggregate', results, 'job-key': 'x'.repeat(400) },
      event: 'pull_request',
      apiUrl,
    });
    expectNoViolations(server);
    expect(run.exitCode, run.stdout).to.equal(1);
    expect([...server.comments[0]!.body].length).to.be.at.most(65_536);
    expect(server.checkRuns[0]!.annotations).to.have.length(60);
    expect(server.statuses).to.have.length(1);
  });

  it('annotations point at the step in the workflow file, or where the user mapped a requirement', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const workspace = join(dir, 'ws');
    mkdirSync(join(workspace, '.github/workflows'), { recursive: true });
    writeFileSync(
      join(workspace, '.github/workflows/conformance.yml'),
      'on: pull_request\njobs:\n  conformance:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - uses: octo-org/kaic@v0\n',
    );
    mkdirSync(join(workspace, 'docs'));
    writeFileSync(join(workspace, 'docs/gpu.md'), '# GPUs\n');
    const result = makeRunResult({
      failures: 1,
      unknown: ['gpu_sharing', 'virtualized_accelerator'],
    });
    const results = writeRunResult(dir, 'r', result);
    const run = await runAction('main', {
      inputs: {
        mode: 'aggregate',
        results,
        'annotation-paths': 'gpu_sharing: docs/gpu.md:12\nvirtualized_accelerator: docs/missing.md',
      },
      event: 'pull_request',
      apiUrl,
      workspace,
    });
    expectNoViolations(server);
    const annotations = server.checkRuns[0]!.annotations as Array<Record<string, unknown>>;
    expect(annotations.map((a) => [a.path, a.start_line, a.annotation_level])).to.deep.equal([
      ['.github/workflows/conformance.yml', 7, 'failure'],
      ['docs/gpu.md', 12, 'notice'],
      ['.github/workflows/conformance.yml', 7, 'notice'],
    ]);
    expect(run.stdout).to.include(
      '::warning::kaic: annotation-paths: virtualized_accelerator → docs/missing.md is not in the checked-out repository',
    );
  });

  it('bad inputs fail the step naming the input, before any request', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ mode: 'bogus' }, /input "mode" is "bogus"; accepted: run, aggregate/],
      [{ mode: 'aggregate' }, /input "results" is empty/],
      [
        { mode: 'aggregate', results: join(dir, 'nope') },
        /results .*nope: no such file or directory/,
      ],
      [
        { mode: 'aggregate', results: dir, 'fail-on': 'MAY' },
        /input "fail-on" is "MAY"; accepted: MUST, SHOULD, none/,
      ],
      [
        { mode: 'aggregate', results: dir, comment: 'maybe' },
        /input "comment" is "maybe"; accepted: true, false/,
      ],
      [
        { provider: 'minikube' },
        /input "provider" "minikube" is not a provider; accepted: kwok, kind, existing/,
      ],
      [{ 'gpus-per-node': '0' }, /input "gpus-per-node" must be a whole number from 1/],
    ];
    for (const [inputs, message] of cases) {
      const run = await runAction('main', { inputs, event: 'pull_request', apiUrl });
      expect(run.exitCode, JSON.stringify(inputs)).to.equal(1);
      expect(run.stdout).to.match(message);
    }
    expect(server.requests).to.deep.equal([]);
  });
});
