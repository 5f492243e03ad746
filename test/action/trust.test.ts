/**
 * The action under real GitHub conditions, run as the runner runs it against the local API
 * stand-in: the workflow_run trust boundary (a fork's uploaded files never decide where kaic
 * writes), results.json as untrusted Markdown, kaic's own sticky comment, transient errors,
 * GitHub's length rules, and aggregate mode's matrix legs.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { commentMarker } from '../../src/github/publish.js';
import type { RunResult } from '../../src/results/model.js';
import {
  FORK,
  HEAD_SHA,
  REPOSITORY,
  removeRunnerDirs,
  runAction,
  type ActionRun,
  type EventKind,
} from '../support/action-runner.js';
import { GitHubApiServer, type Fault, type GitHubApiOptions } from '../support/github-api.js';
import { makeRunResult, writeRunResult } from '../support/run-results.js';

const OTHER_SHA = 'c'.repeat(40);
const WRITES = ['POST', 'PATCH', 'PUT', 'DELETE'];

/** Requests that change something on GitHub (GraphQL's identity query is a read). */
const writes = (server: GitHubApiServer) =>
  server.requests.filter((r) => WRITES.includes(r.method) && r.operationId !== 'graphql');

function expectNoViolations(server: GitHubApiServer): void {
  expect(server.violations(), 'requests that break GitHub’s API description').to.deep.equal([]);
}

/** Fenced code blocks open and close in pairs (a fence line is 3+ backticks, maybe indented). */
function expectBalancedFences(markdown: string): void {
  const stack: number[] = [];
  for (const line of markdown.split('\n')) {
    const m = /^\s*(`{3,})(.*)$/.exec(line);
    if (!m) continue;
    const len = (m[1] as string).length;
    if (stack.length && len >= (stack[stack.length - 1] as number) && !(m[2] ?? '').trim()) {
      stack.pop();
    } else if (!stack.length) stack.push(len);
  }
  expect(stack, 'an unclosed code fence').to.deep.equal([]);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('the action under real GitHub conditions (bundled dist/, local API stand-in)', function () {
  this.timeout(120_000);
  let server: GitHubApiServer;
  let dir: string;

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'kaic-trust-'));
  });
  afterEach(async function () {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  after(removeRunnerDirs);

  /** Publishes one result in aggregate mode against a fresh API stand-in (kept in `server`). */
  async function publishAggregate(
    result: RunResult,
    options: { api?: GitHubApiOptions; event?: EventKind } = {},
  ): Promise<ActionRun> {
    server = new GitHubApiServer(options.api ?? {});
    const apiUrl = await server.start();
    const results = writeRunResult(dir, 'r', result);
    return runAction('main', {
      inputs: { mode: 'aggregate', results },
      event: options.event ?? 'pull_request',
      apiUrl,
    });
  }

  /** A workflow_run publisher over one 1.35 result, with the uploaded event file `uploaded`. */
  async function publishFromWorkflowRun(
    uploaded: unknown,
    options: { payload?: Record<string, unknown>; result?: RunResult } = {},
  ): Promise<ActionRun> {
    const apiUrl = await server.start();
    const results = writeRunResult(dir, 'kaic-results', options.result ?? makeRunResult());
    let eventFile: string | undefined;
    if (uploaded !== undefined) {
      eventFile = join(dir, 'uploaded-event.json');
      writeFileSync(eventFile, JSON.stringify(uploaded));
    }
    return runAction('main', {
      inputs: { mode: 'aggregate', results, ...(eventFile ? { 'event-file': eventFile } : {}) },
      event: 'workflow_run',
      apiUrl,
      ...(options.payload ? { payload: options.payload } : {}),
    });
  }

  function forkServer(options: ConstructorParameters<typeof GitHubApiServer>[0] = {}) {
    server = new GitHubApiServer(options);
    server.addPull({
      number: 7,
      headSha: HEAD_SHA,
      headRepository: FORK,
      baseRepository: REPOSITORY,
    });
    server.addPull({
      number: 8,
      headSha: OTHER_SHA,
      headRepository: REPOSITORY,
      baseRepository: REPOSITORY,
    });
  }

  const prEvent = (number: number, sha: string) => ({
    number,
    pull_request: { number, head: { sha, repo: { full_name: FORK } } },
  });

  describe('workflow_run: what a fork uploads never decides where kaic writes', function () {
    it('an honest event file: check run, status and comment on the verified pull request and commit, marked as the fork’s claim', async function () {
      forkServer();
      const run = await publishFromWorkflowRun(prEvent(7, HEAD_SHA));
      expectNoViolations(server);
      expect(run.exitCode, run.stdout).to.equal(0);
      expect(server.checkRuns.map((c) => c.head_sha)).to.deep.equal([HEAD_SHA]);
      expect(server.statuses.map((s) => s.sha)).to.deep.equal([HEAD_SHA]);
      expect(server.comments.map((c) => c.issue)).to.deep.equal([7]);
      for (const text of [
        server.comments[0]!.body,
        server.checkRuns[0]!.output.summary!,
        run.summary,
      ]) {
        expect(text).to.include('Reported by the pull request');
        expect(text).to.include(`\`${FORK}\` (a fork)`);
      }
      expect(run.stdout).to.include('pull request #7 (verified: its head is the tested commit)');
    });

    it('a forged event file naming another pull request: nothing written anywhere but the job summary', async function () {
      forkServer();
      const run = await publishFromWorkflowRun(prEvent(8, HEAD_SHA));
      expectNoViolations(server);
      expect(writes(server), 'writes to GitHub').to.deep.equal([]);
      expect(run.stdout).to.match(
        /::warning::kaic: publishing nothing: the uploaded event file names pull request #8, but its head is cccccccccccc, not the tested commit bbbbbbbbbbbb/,
      );
      expect(run.summary).to.include('Kubernetes AI Conformance');
      expect(run.summary).to.include(
        // "#&#8203;8" renders as "#8" without linking issue 8.
        'not published: check run, pull-request comment, commit status: the uploaded event file names pull request #&#8203;8',
      );
      expect(run.outputs['check-run-url']).to.equal(undefined);
    });

    it('a forged event file naming an issue (no such pull request): nothing written', async function () {
      forkServer();
      const run = await publishFromWorkflowRun(prEvent(9, HEAD_SHA));
      expectNoViolations(server);
      expect(writes(server)).to.deep.equal([]);
      expect(run.stdout).to.include('names pull request #9, which octo-org/platform does not have');
    });

    it('a forged head SHA in the event file: nothing written, and the forged SHA reaches no request', async function () {
      forkServer();
      const run = await publishFromWorkflowRun(prEvent(7, OTHER_SHA));
      expectNoViolations(server);
      expect(run.exitCode, run.stdout).to.equal(0);
      expect(writes(server), 'writes to GitHub').to.deep.equal([]);
      expect(run.stdout).to.include(
        'the uploaded event file names head cccccccccccc, but the tested commit is bbbbbbbbbbbb',
      );
      expect(JSON.stringify(server.requests.map((r) => [r.path, r.query]))).not.to.include(
        OTHER_SHA,
      );
    });

    it('a pull request whose head moved on since the tested run: nothing written', async function () {
      server = new GitHubApiServer();
      server.addPull({
        number: 7,
        headSha: OTHER_SHA,
        headRepository: FORK,
        baseRepository: REPOSITORY,
      });
      const run = await publishFromWorkflowRun(prEvent(7, HEAD_SHA));
      expect(writes(server)).to.deep.equal([]);
      expect(run.stdout).to.include('a newer push, or a forged event file');
    });

    it('a pull request from another head repository than the run’s: nothing written', async function () {
      server = new GitHubApiServer();
      server.addPull({
        number: 7,
        headSha: HEAD_SHA,
        headRepository: 'mallory/platform',
        baseRepository: REPOSITORY,
      });
      const run = await publishFromWorkflowRun(prEvent(7, HEAD_SHA));
      expect(writes(server)).to.deep.equal([]);
      expect(run.stdout).to.include(
        'its head repository is mallory/platform, not someone/platform',
      );
    });

    it('no event file: the pull request is found through the API from the tested commit', async function () {
      forkServer();
      const run = await publishFromWorkflowRun(undefined);
      expectNoViolations(server);
      expect(server.comments.map((c) => c.issue)).to.deep.equal([7]);
      expect(run.stdout).to.include('pull request #7 (found through the API)');
      expect(
        server.requests.some(
          (r) => r.operationId === 'repos/list-pull-requests-associated-with-commit',
        ),
      ).to.equal(true);
    });

    it('a workflow_run of a push: check run and status on its commit, no comment, no fork note', async function () {
      forkServer();
      const run = await publishFromWorkflowRun(undefined, {
        payload: {
          workflow_run: {
            head_sha: HEAD_SHA,
            head_repository: { full_name: REPOSITORY },
            event: 'push',
            pull_requests: [],
          },
        },
      });
      expectNoViolations(server);
      expect(server.checkRuns.map((c) => c.head_sha)).to.deep.equal([HEAD_SHA]);
      expect(server.statuses).to.have.length(1);
      expect(server.comments).to.deep.equal([]);
      expect(run.summary).not.to.include('Reported by the pull request');
    });
  });

  it('text from results.json reaches Markdown inert: no HTML, hidden comment, mention, reference, link or open fence', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const result = makeRunResult({ failures: 2 });
    const hostile =
      '<!-- everything after this is hidden --> @octocat @octo-org/admins see #1, GH-2 and octo-org/platform#3 ' +
      '<img src=x onerror=alert(1)> [click](https://evil.example) ![x](https://evil.example/x.png) | a | b';
    const dra = result.requirements.find((r) => r.id === 'dra_support')!;
    dra.reason = hostile;
    dra.title = `${hostile}\n# a heading`;
    const failing = dra.tests.filter((t) => t.status === 'failed');
    failing[0]!.failure!.message = 'expected\n```\n</details>\n' + hostile + '\n````\nstill inside';
    failing[0]!.fullTitle = `dra_support ${hostile}`;
    failing[1]!.failure!.message = `${hostile}`;
    const results = writeRunResult(dir, 'r', result);
    const inputs = { mode: 'aggregate', results, 'job-key': 'hostile' };
    const run = await runAction('main', { inputs, event: 'pull_request', apiUrl });
    expectNoViolations(server);
    expect(run.exitCode, run.stdout).to.equal(1);
    const comment = server.comments[0]!.body;
    const texts = { comment, check: server.checkRuns[0]!.output.summary!, summary: run.summary };
    for (const [where, text] of Object.entries(texts)) {
      const outsideCode = text.replace(/^(\s*)(`{3,})text\n[\s\S]*?\n\1\2$/gm, '');
      expect(outsideCode.split('<!--').length - 1, `${where}: HTML comments`).to.equal(
        where === 'comment' ? 1 : 0,
      );
      expect(outsideCode, `${where}: raw HTML`).not.to.match(/<img|<\/details>/);
      expect(outsideCode, `${where}: a mention`).not.to.match(/@[A-Za-z0-9]/);
      expect(outsideCode, `${where}: an issue reference`).not.to.match(/(?<!&)#\d|GH-\d/);
      expect(outsideCode, `${where}: a link or image`).not.to.match(/(?<!\\)\]\(https:\/\/evil/);
      expect(outsideCode, `${where}: a heading from a cell`).not.to.match(/^# a heading/m);
      expectBalancedFences(text);
    }
    expect(comment.trimEnd().endsWith(commentMarker('hostile'))).to.equal(true);
    // The marker still finds the comment: a re-run edits it in place.
    await runAction('main', { inputs, event: 'pull_request', apiUrl });
    expect(server.comments).to.have.length(1);
    expect(server.requests.filter((r) => r.operationId === 'issues/update-comment')).to.have.length(
      1,
    );
  });

  describe('the sticky comment is the one kaic’s token wrote', function () {
    it('a person’s comment quoting the marker is never edited or deleted; kaic’s own is updated', async function () {
      server = new GitHubApiServer();
      const apiUrl = await server.start();
      const marker = commentMarker('pr-check');
      const quote = server.addComment(42, `> why does kaic say this?\n> ${marker}`);
      const ours = server.addComment(42, `old report\n${marker}`, {
        login: server.botLogin,
        type: 'Bot',
      });
      const results = writeRunResult(dir, 'r', makeRunResult());
      const run = await runAction('main', {
        inputs: { mode: 'aggregate', results, 'job-key': 'pr-check' },
        event: 'pull_request',
        apiUrl,
      });
      expectNoViolations(server);
      expect(run.exitCode, run.stdout).to.equal(0);
      expect(server.comments.find((c) => c.id === quote.id)?.body).to.equal(
        `> why does kaic say this?\n> ${marker}`,
      );
      expect(server.comments.find((c) => c.id === ours.id)?.body).to.include(
        'Kubernetes AI Conformance',
      );
      expect(
        server.requests.filter((r) => r.operationId === 'issues/delete-comment'),
      ).to.deep.equal([]);
      expect(server.requests.some((r) => r.operationId === 'graphql')).to.equal(true);
    });

    it('only a person’s quoting comment there: kaic writes its own, touching none', async function () {
      server = new GitHubApiServer();
      const apiUrl = await server.start();
      const marker = commentMarker('pr-check');
      const quote = server.addComment(42, `copied: ${marker}`);
      const results = writeRunResult(dir, 'r', makeRunResult());
      await runAction('main', {
        inputs: { mode: 'aggregate', results, 'job-key': 'pr-check' },
        event: 'pull_request',
        apiUrl,
      });
      expectNoViolations(server);
      expect(server.comments).to.have.length(2);
      expect(server.comments.find((c) => c.id === quote.id)?.body).to.equal(`copied: ${marker}`);
      expect(server.comments[1]!.user.login).to.equal('github-actions[bot]');
    });

    it('a token whose identity GraphQL will not tell: only a bot’s comment is taken, said in the log', async function () {
      server = new GitHubApiServer({ viewer: null });
      const apiUrl = await server.start();
      const marker = commentMarker('pr-check');
      const quote = server.addComment(42, `copied: ${marker}`);
      const results = writeRunResult(dir, 'r', makeRunResult());
      const run = await runAction('main', {
        inputs: { mode: 'aggregate', results, 'job-key': 'pr-check' },
        event: 'pull_request',
        apiUrl,
      });
      expect(run.stdout).to.include("could not learn the token's identity");
      expect(server.comments.find((c) => c.id === quote.id)?.body).to.equal(`copied: ${marker}`);
      expect(server.comments).to.have.length(2);
    });
  });

  describe('transient errors are retried; one failure never drops the rest', function () {
    it('a 502 on an annotation batch: retried, all 120 annotations there once, check-run-url set', async function () {
      const run = await publishAggregate(makeRunResult({ failures: 120 }), {
        api: {
          fault: (op, i) =>
            op === 'checks/update' && i === 0 ? { status: 502, message: 'Bad Gateway' } : null,
        },
      });
      expectNoViolations(server);
      expect(
        server.requests.filter((r) => r.operationId === 'checks/update').map((r) => r.status),
      ).to.deep.equal([502, 200, 200]);
      expect(server.checkRuns[0]!.annotations).to.have.length(120);
      expect(run.outputs['check-run-url']).to.match(/\/runs\/\d+$/);
      expect(run.summary).to.include(`[check run](${run.outputs['check-run-url']})`);
    });

    it('a batch GitHub keeps refusing: the other batches are sent, the check run is linked, the loss is said', async function () {
      // The second update (annotations 101–150) fails on its first try and all 3 retries.
      const run = await publishAggregate(makeRunResult({ failures: 200 }), {
        api: {
          fault: (op, i) => (op === 'checks/update' && i >= 1 && i <= 4 ? { status: 500 } : null),
        },
      });
      expectNoViolations(server);
      expect(server.checkRuns[0]!.annotations).to.have.length(150);
      expect(run.outputs['check-run-url']).to.match(/\/runs\/\d+$/);
      expect(run.stdout).to.match(
        /::warning::kaic: check run: GitHub refused annotations 101–150 \(HTTP 500\) after 3 retries/,
      );
      expect(server.comments).to.have.length(1);
      expect(server.statuses).to.have.length(1);
    });

    it('a secondary rate limit (429 with Retry-After): waited out and retried', async function () {
      const limited: Fault = {
        status: 429,
        message:
          'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
        headers: { 'retry-after': '1' },
      };
      const run = await publishAggregate(makeRunResult(), {
        api: {
          fault: (op, i) => (op === 'repos/create-commit-status' && i === 0 ? limited : null),
        },
      });
      expectNoViolations(server);
      expect(run.stdout).to.match(
        /GitHub's secondary rate limit for POST .*statuses.*retrying in 1s/,
      );
      expect(server.statuses).to.have.length(1);
    });

    it('a check run GitHub cannot create: the comment and status are still published', async function () {
      const run = await publishAggregate(makeRunResult(), {
        api: {
          fault: (op) => (op === 'checks/create' ? { status: 503 } : null),
        },
      });
      expect(server.requests.filter((r) => r.operationId === 'checks/create')).to.have.length(4);
      expect(run.stdout).to.match(/::warning::kaic: check run: GitHub answered HTTP 503/);
      expect(run.outputs['check-run-url']).to.equal(undefined);
      expect(server.comments).to.have.length(1);
      expect(server.statuses).to.have.length(1);
      expect(run.exitCode).to.equal(0);
    });
  });

  it('an emoji-heavy 800-failure run: every text within GitHub’s limits as GitHub counts them, the table whole', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const result = makeRunResult({ failures: 800, messageChars: 300 });
    for (const req of result.requirements) req.reason = `${'🚀🔥'.repeat(1500)} ${req.reason}`;
    for (const t of result.requirements.flatMap((r) => r.tests)) {
      t.fullTitle = `${t.fullTitle} 👩‍👩‍👧‍👦${'😀'.repeat(120)}`;
      if (t.failure) t.failure.message = `${'💥'.repeat(200)}\n${t.failure.message}`;
    }
    const results = writeRunResult(dir, 'r', result);
    const run = await runAction('main', {
      inputs: { mode: 'aggregate', results },
      event: 'pull_request',
      apiUrl,
    });
    expectNoViolations(server);
    expect(run.exitCode, run.stdout).to.equal(1);
    const comment = server.comments[0]!.body;
    const check = server.checkRuns[0]!.output.summary!;
    expect(comment.length).to.be.at.most(65_536);
    expect(Buffer.byteLength(check)).to.be.at.most(65_535);
    for (const text of [comment, check, run.summary]) {
      for (const req of result.requirements) expect(text).to.include(`| \`${req.id}\``);
      expect(text).not.to.match(LONE_SURROGATE);
      expectBalancedFences(text);
    }
    expect(server.checkRuns[0]!.annotations).to.have.length(800);
    for (const a of server.checkRuns[0]!.annotations as Array<{ title: string }>) {
      expect(a.title).not.to.match(LONE_SURROGATE);
    }
  });

  it('an empty run publishes an unverified (neutral) result; a step with no results still writes the job summary', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const empty = makeRunResult();
    empty.requirements = [];
    empty.counts.verdicts = {
      Implemented: 0,
      'Partially Implemented': 0,
      'Not Implemented': 0,
      'N/A': 0,
      Unknown: 0,
    };
    empty.counts.tests = { passed: 0, failed: 0, skipped: 0 };
    const results = writeRunResult(dir, 'r', empty);
    const run = await runAction('main', {
      inputs: { mode: 'aggregate', results },
      event: 'push',
      apiUrl,
    });
    expectNoViolations(server);
    expect(run.exitCode, run.stdout).to.equal(0);
    expect(run.outputs.verdict).to.equal('unverified');
    expect(server.checkRuns[0]!.conclusion).to.equal('neutral');
    const nothing = join(dir, 'nothing');
    mkdirSync(nothing);
    const failed = await runAction('main', {
      inputs: { mode: 'aggregate', results: nothing },
      event: 'push',
      apiUrl,
    });
    expect(failed.exitCode).to.equal(1);
    expect(failed.summary).to.include('## Kubernetes AI Conformance: no results');
    expect(failed.summary).to.include('no results.json in it');
    expect(failed.summary).to.include(
      '[workflow run](https://github.example/octo-org/platform/actions/runs/9001)',
    );
  });

  it('a malformed results.json is refused naming the file and the field, before any request', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const result = makeRunResult() as unknown as { requirements: Array<Record<string, unknown>> };
    result.requirements[0]!.verdict = 'Great';
    const results = writeRunResult(dir, 'bad', result as unknown as RunResult);
    const run = await runAction('main', {
      inputs: { mode: 'aggregate', results },
      event: 'pull_request',
      apiUrl,
    });
    expect(run.exitCode).to.equal(1);
    expect(run.stdout).to.match(
      /bad\/results\.json does not match kaic's results schema .*\/requirements\/0\/verdict must be equal to one of the allowed values/,
    );
    expect(server.requests).to.deep.equal([]);
    expect(run.summary).to.include('no results');
  });

  describe('aggregate mode over a matrix', function () {
    it('a missing leg: a visible "no results" column and status, a failed conclusion and step', async function () {
      server = new GitHubApiServer();
      const apiUrl = await server.start();
      const artifacts = join(dir, 'artifacts');
      for (const version of ['1.33', '1.35'] as const) {
        writeRunResult(artifacts, `kaic-results-${version}`, makeRunResult({ version }));
      }
      const run = await runAction('main', {
        inputs: { mode: 'aggregate', results: artifacts, expected: '1.33, 1.34, 1.35' },
        event: 'pull_request',
        apiUrl,
      });
      expectNoViolations(server);
      expect(run.exitCode, run.stdout).to.equal(1);
      expect(run.stdout).to.include('::error::kaic: no results for Kubernetes 1.34');
      expect(run.outputs.verdict).to.equal('unverified');
      expect(server.checkRuns[0]!.conclusion).to.equal('failure');
      expect(server.statuses.map((s) => [s.context, s.state])).to.deep.equal([
        ['kaic / conformance / Kubernetes 1.33', 'success'],
        ['kaic / conformance / Kubernetes 1.35', 'success'],
        ['kaic / conformance / Kubernetes 1.34', 'failure'],
      ]);
      expect(run.summary).to.include('| Kubernetes 1.33 | Kubernetes 1.35 | Kubernetes 1.34 |');
      expect(run.summary).to.include('⚠️ no results');
      // dra_support is SHOULD in 1.33 and MUST in 1.35.
      expect(run.summary).to.include('| `dra_support` | SHOULD (v1.33) · MUST (v1.35) |');
    });

    it('a single results file still gets its status per minor', async function () {
      server = new GitHubApiServer();
      const apiUrl = await server.start();
      const results = writeRunResult(dir, 'r', makeRunResult());
      await runAction('main', { inputs: { mode: 'aggregate', results }, event: 'push', apiUrl });
      expect(server.statuses.map((s) => s.context)).to.deep.equal([
        'kaic / conformance / Kubernetes 1.35',
      ]);
    });
  });

  it('no deprecation warning from a bundled dependency (punycode) on Node 21+', async function () {
    server = new GitHubApiServer();
    const apiUrl = await server.start();
    const results = writeRunResult(dir, 'r', makeRunResult());
    // --pending-deprecation makes Node 20 warn as Node 21+ does by default.
    const run = await runAction('main', {
      inputs: {
        mode: 'aggregate',
        results,
        'check-run': 'false',
        comment: 'false',
        'commit-status': 'false',
      },
      event: 'push',
      apiUrl,
      env: { NODE_OPTIONS: '--pending-deprecation' },
    });
    expect(run.exitCode, run.stdout).to.equal(0);
    expect(run.stdout).not.to.match(/DEP0040|punycode/);
  });
});
