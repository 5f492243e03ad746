/** The test server itself refuses what GitHub would: otherwise the publishing tests prove nothing. */
import { expect } from 'chai';

import { GitHubApiServer } from '../support/github-api.js';

describe('the local GitHub API server checks requests against the OpenAPI description', function () {
  let server: GitHubApiServer;
  before(async function () {
    server = new GitHubApiServer();
    await server.start();
  });
  after(async function () {
    await server.stop();
  });

  const send = async (method: string, path: string, body?: unknown, auth = true) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(auth ? { authorization: 'token x' } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, violations: server.requests.at(-1)!.violations };
  };
  const annotation = {
    path: 'a',
    start_line: 1,
    end_line: 1,
    annotation_level: 'failure',
    message: 'm',
  };
  const check = { name: 'n', head_sha: 'a'.repeat(40), status: 'completed', conclusion: 'success' };

  const refused: Array<[string, string, string, unknown, RegExp]> = [
    [
      '51 annotations',
      'POST',
      '/repos/o/r/check-runs',
      { ...check, output: { title: 't', summary: 's', annotations: Array(51).fill(annotation) } },
      /must NOT have more than 50 items/,
    ],
    [
      'no head_sha',
      'POST',
      '/repos/o/r/check-runs',
      { name: 'n' },
      /must have required property 'head_sha'/,
    ],
    [
      'an unknown conclusion',
      'POST',
      '/repos/o/r/check-runs',
      { ...check, conclusion: 'passed' },
      /conclusion must be equal to one of the allowed values/,
    ],
    [
      'an annotation level GitHub lacks',
      'POST',
      '/repos/o/r/check-runs',
      {
        ...check,
        output: {
          title: 't',
          summary: 's',
          annotations: [{ ...annotation, annotation_level: 'error' }],
        },
      },
      /annotation_level must be equal to one of the allowed values/,
    ],
    [
      'a summary over 65535 bytes',
      'POST',
      '/repos/o/r/check-runs',
      { ...check, output: { title: 't', summary: 'é'.repeat(40_000) } },
      /output.summary is 80000 bytes/,
    ],
    [
      'a 256-character annotation title',
      'PATCH',
      '/repos/o/r/check-runs/1',
      {
        output: {
          title: 't',
          summary: 's',
          annotations: [{ ...annotation, title: 't'.repeat(256) }],
        },
      },
      /annotation title is 256 characters/,
    ],
    [
      'a 141-character status description',
      'POST',
      `/repos/o/r/statuses/${'a'.repeat(40)}`,
      { state: 'success', description: 'd'.repeat(141) },
      /status description is 141 characters/,
    ],
    [
      'an unknown status state',
      'POST',
      `/repos/o/r/statuses/${'a'.repeat(40)}`,
      { state: 'passed' },
      /state must be equal to one of the allowed values/,
    ],
    [
      'a comment over 65536 characters',
      'POST',
      '/repos/o/r/issues/1/comments',
      { body: 'c'.repeat(65_537) },
      /comment body is 65537 characters/,
    ],
    [
      'a comment without a body',
      'POST',
      '/repos/o/r/issues/1/comments',
      {},
      /must have required property 'body'/,
    ],
    [
      'an endpoint GitHub does not have',
      'POST',
      '/repos/o/r/check-suites/1/annotations',
      { x: 1 },
      /no such endpoint/,
    ],
    [
      'a non-integer issue number',
      'GET',
      '/repos/o/r/issues/abc/comments',
      undefined,
      /issue_number="abc" is not an integer/,
    ],
    [
      'per_page above 100',
      'GET',
      '/repos/o/r/issues/1/comments?per_page=101',
      undefined,
      /per_page=101 is above 100/,
    ],
    [
      'an unknown query parameter',
      'GET',
      '/repos/o/r/issues/1/comments?sort=asc',
      undefined,
      /unknown query parameter sort/,
    ],
  ];
  for (const [what, method, path, body, message] of refused) {
    it(`refuses ${what}`, async function () {
      const { status, violations } = await send(method, path, body);
      expect(status).to.be.oneOf([404, 422]);
      expect(violations.join('\n')).to.match(message);
    });
  }

  it('refuses a request without a token', async function () {
    const { violations } = await send('POST', '/repos/o/r/issues/1/comments', { body: 'x' }, false);
    expect(violations).to.include('no token in the Authorization header');
  });

  it('accepts what GitHub accepts', async function () {
    const { status, violations } = await send('POST', '/repos/o/r/check-runs', {
      ...check,
      output: { title: 't', summary: 's', annotations: Array(50).fill(annotation) },
    });
    expect(violations).to.deep.equal([]);
    expect(status).to.equal(201);
  });
});
