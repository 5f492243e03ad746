/**
 * A local HTTP server that answers like GitHub's REST API for the endpoints kaic uses, and checks
 * every request against GitHub's published OpenAPI description (the @octokit/openapi package):
 * the endpoint and method must exist, path and query parameters and the JSON body must match their
 * schemas. GitHub's documented limits that the description does not carry (comment body, status
 * description, annotation title) are checked too. Every request and every violation is recorded
 * for the test to assert on; a violating request is answered 422 as GitHub would.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: unknown;
  $ref?: string;
}

interface OpenApiOperation {
  operationId: string;
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { parameters: Record<string, OpenApiParameter> };
}

interface Route {
  template: string;
  method: string;
  pattern: RegExp;
  names: string[];
  literalSegments: number;
  operation: OpenApiOperation;
  parameters: OpenApiParameter[];
  body: ValidateFunction | null;
  bodyRequired: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string | null;
  query: Record<string, string>;
  body: unknown;
  status: number;
  /** Why this request does not match GitHub's description (empty when it does). */
  violations: string[];
}

export interface StoredComment {
  id: number;
  body: string;
  html_url: string;
  issue: number;
  user: { login: string; type: 'User' | 'Bot' };
}

export interface StoredPull {
  number: number;
  headSha: string;
  /** full_name of the head repository (a fork's for a fork's pull request). */
  headRepository: string;
  baseRepository: string;
}

/** A failure to answer instead of the real response. */
export interface Fault {
  status: number;
  message?: string;
  headers?: Record<string, string>;
}

export interface StoredCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status?: string;
  conclusion?: string;
  output: { title?: string; summary?: string; text?: string };
  annotations: unknown[];
  html_url: string;
}

export interface GitHubApiOptions {
  /** operationIds answered 403 "Resource not accessible by integration" (a read-only token). */
  forbidden?: string[];
  /**
   * The token's identity as GraphQL's `viewer` names it (GITHUB_TOKEN: `github-actions`; its
   * comments show `github-actions[bot]`); null answers the query with an error.
   */
  viewer?: string | null;
  /** A fault for the `index`-th request (from 0) of an operation, or null to answer normally. */
  fault?: (operationId: string, index: number) => Fault | null;
}

let cachedRoutes: Route[] | null = null;

/** Routes for every operation in the description; request-body validators compiled on first use. */
function loadRoutes(): Route[] {
  if (cachedRoutes) return cachedRoutes;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  // The whole description is one schema document, so `#/components/...` references resolve.
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateSchema: false,
    discriminator: false,
  });
  addFormats(ajv);
  ajv.addSchema(doc as object, 'github');
  const routes: Route[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!operation || typeof operation !== 'object' || !('operationId' in operation)) continue;
      const names: string[] = [];
      const pattern = new RegExp(
        '^' +
          template
            .split('/')
            .map((seg) =>
              seg.replace(/\{([^}]+)\}/g, (_, name: string) => {
                names.push(name);
                return '([^/]+)';
              }),
            )
            .join('/') +
          '$',
      );
      const parameters = (operation.parameters ?? []).map((p) =>
        p.$ref ? doc.components.parameters[p.$ref.split('/').pop() as string]! : p,
      );
      const json = operation.requestBody?.content?.['application/json'];
      const pointer = `github#/paths/${template.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/requestBody/content/application~1json/schema`;
      let compiled: ValidateFunction | null = null;
      const route: Route = {
        template,
        method: method.toUpperCase(),
        pattern,
        names,
        literalSegments: template.split('/').filter((s) => s && !s.includes('{')).length,
        operation,
        parameters,
        get body() {
          if (!json?.schema) return null;
          compiled ??= ajv.compile({ $ref: pointer });
          return compiled;
        },
        bodyRequired: !!operation.requestBody?.required,
      };
      routes.push(route);
    }
  }
  // Where two templates match a path, the one with more literal segments is meant.
  routes.sort((a, b) => b.literalSegments - a.literalSegments);
  cachedRoutes = routes;
  return routes;
}

function checkParameter(p: OpenApiParameter, raw: string): string | null {
  const schema = (p.schema ?? {}) as {
    type?: string;
    enum?: string[];
    minimum?: number;
    maximum?: number;
  };
  if (schema.type === 'integer' && !/^-?\d+$/.test(raw))
    return `${p.in} parameter ${p.name}="${raw}" is not an integer`;
  if (schema.type === 'integer') {
    const n = Number(raw);
    if (schema.minimum !== undefined && n < schema.minimum)
      return `${p.name}=${raw} is below ${schema.minimum}`;
    if (schema.maximum !== undefined && n > schema.maximum)
      return `${p.name}=${raw} is above ${schema.maximum}`;
  }
  // Documented for every list endpoint, not in the schemas.
  if (p.name === 'per_page' && Number(raw) > 100) return `per_page=${raw} is above 100`;
  if (schema.type === 'boolean' && !['true', 'false'].includes(raw))
    return `${p.name}="${raw}" is not a boolean`;
  if (schema.enum && !schema.enum.includes(raw))
    return `${p.name}="${raw}" is not one of ${schema.enum.join(', ')}`;
  return null;
}

/** GitHub's documented limits that its OpenAPI description does not state. */
function documentedLimits(operationId: string, body: Record<string, unknown>): string[] {
  const out: string[] = [];
  // GitHub counts "characters" as UTF-16 code units (an emoji is two).
  const chars = (s: unknown) => (typeof s === 'string' ? s.length : 0);
  const bytes = (s: unknown) => (typeof s === 'string' ? Buffer.byteLength(s, 'utf8') : 0);
  if (operationId === 'issues/create-comment' || operationId === 'issues/update-comment') {
    if (chars(body.body) > 65_536)
      out.push(`comment body is ${chars(body.body)} characters (maximum 65536)`);
  }
  if (operationId === 'repos/create-commit-status' && chars(body.description) > 140) {
    out.push(`status description is ${chars(body.description)} characters (maximum 140)`);
  }
  if (operationId === 'checks/create' || operationId === 'checks/update') {
    const output = (body.output ?? {}) as Record<string, unknown>;
    for (const field of ['summary', 'text']) {
      if (bytes(output[field]) > 65_535)
        out.push(`output.${field} is ${bytes(output[field])} bytes (maximum 65535)`);
    }
    for (const a of (output.annotations ?? []) as Array<Record<string, unknown>>) {
      if (chars(a.title) > 255)
        out.push(`annotation title is ${chars(a.title)} characters (maximum 255)`);
      for (const f of ['message', 'raw_details']) {
        if (bytes(a[f]) > 65_536)
          out.push(`annotation ${f} is ${bytes(a[f])} bytes (maximum 64 KB)`);
      }
    }
    if (body.status === 'completed' && !body.conclusion)
      out.push('status completed without a conclusion');
  }
  return out;
}

export class GitHubApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly comments: StoredComment[] = [];
  readonly checkRuns: StoredCheckRun[] = [];
  readonly statuses: Array<Record<string, unknown> & { sha: string }> = [];
  readonly pulls: StoredPull[] = [];
  private readonly seen = new Map<string, number>();
  private server: Server | null = null;
  private nextId = 1000;
  private readonly routes = loadRoutes();
  url = '';

  constructor(private readonly options: GitHubApiOptions = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Every violation of every request, as lines. */
  violations(): string[] {
    return this.requests.flatMap((r) => r.violations.map((v) => `${r.method} ${r.path}: ${v}`));
  }

  /** The login the token's comments carry. */
  get botLogin(): string {
    return `${this.options.viewer ?? 'github-actions'}[bot]`;
  }

  /** A pull request of the repository. */
  addPull(pull: StoredPull): void {
    this.pulls.push(pull);
  }

  /**
   * A comment that exists before the run: a person's (default), or the token's own from an
   * earlier run (`user: server.botUser()`).
   */
  addComment(
    issue: number,
    body: string,
    user: StoredComment['user'] = { login: 'octocat', type: 'User' },
  ): StoredComment {
    const c = {
      id: this.nextId++,
      body,
      html_url: `https://github.example/pr/${issue}#c`,
      issue,
      user,
    };
    c.html_url += c.id;
    this.comments.push(c);
    return c;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      operationId: null,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      violations: [],
    };
    this.requests.push(record);
    const sendRaw = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (status === 204) {
        res.writeHead(204, headers);
        res.end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    const send = sendRaw;
    // GraphQL is not in the REST description: only the identity query kaic sends is answered.
    if (record.method === 'POST' && url.pathname === '/graphql') {
      record.operationId = 'graphql';
      let query = '';
      try {
        query = (JSON.parse(text) as { query?: string }).query ?? '';
        record.body = JSON.parse(text);
      } catch {
        record.violations.push('GraphQL body is not JSON');
      }
      if (!/^\s*(query\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$/.test(query)) {
        record.violations.push(`GraphQL query not answered by the test server: ${query}`);
        return send(400, { message: 'unexpected query' });
      }
      if (this.options.viewer === null) {
        return send(200, {
          data: null,
          errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by integration' }],
        });
      }
      return send(200, { data: { viewer: { login: this.options.viewer ?? 'github-actions' } } });
    }
    const route = this.routes.find(
      (r) => r.method === record.method && r.pattern.test(url.pathname),
    );
    if (!route) {
      record.violations.push('no such endpoint in GitHub’s REST API description');
      return send(404, { message: 'Not Found' });
    }
    record.operationId = route.operation.operationId;
    const index = this.seen.get(record.operationId) ?? 0;
    this.seen.set(record.operationId, index + 1);
    const match = route.pattern.exec(url.pathname)!;
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => (params[n] = decodeURIComponent(match[i + 1] as string)));
    if (!/^(token|Bearer) \S+$/.test(req.headers.authorization ?? '')) {
      record.violations.push('no token in the Authorization header');
    }
    for (const p of route.parameters) {
      const raw =
        p.in === 'path'
          ? params[p.name]
          : p.in === 'query'
            ? url.searchParams.get(p.name)
            : undefined;
      if (raw === undefined || raw === null) {
        if (p.required) record.violations.push(`missing required ${p.in} parameter ${p.name}`);
        continue;
      }
      const problem = checkParameter(p, raw);
      if (problem) record.violations.push(problem);
    }
    for (const name of url.searchParams.keys()) {
      if (!route.parameters.some((p) => p.in === 'query' && p.name === name)) {
        record.violations.push(`unknown query parameter ${name}`);
      }
    }
    let body: Record<string, unknown> = {};
    if (text) {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
        record.body = body;
      } catch {
        record.violations.push('body is not JSON');
      }
    }
    if (route.body) {
      if (!text && route.bodyRequired) record.violations.push('missing required JSON body');
      else if (text && !route.body(body)) {
        for (const e of route.body.errors ?? []) {
          record.violations.push(`body${e.instancePath} ${e.message ?? 'is invalid'}`);
        }
      }
    }
    record.violations.push(...documentedLimits(route.operation.operationId, body));
    if (record.violations.length) {
      return send(422, { message: 'Validation Failed', errors: record.violations });
    }
    if (this.options.forbidden?.includes(route.operation.operationId)) {
      return send(403, {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
        status: '403',
      });
    }
    // An injected fault answers before anything is stored, as a failed request would.
    const fault = this.options.fault?.(route.operation.operationId, index);
    if (fault) {
      return send(
        fault.status,
        { message: fault.message ?? `injected ${fault.status}` },
        fault.headers,
      );
    }
    this.answer(route.operation.operationId, params, url, body, send);
  }

  private pullPayload(p: StoredPull): unknown {
    return {
      number: p.number,
      state: 'open',
      html_url: `https://github.example/${p.baseRepository}/pull/${p.number}`,
      head: { sha: p.headSha, repo: { full_name: p.headRepository } },
      base: { repo: { full_name: p.baseRepository } },
    };
  }

  private answer(
    operationId: string,
    params: Record<string, string>,
    url: URL,
    body: Record<string, unknown>,
    send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): void {
    const repoUrl = `https://github.example/${params.owner}/${params.repo}`;
    switch (operationId) {
      case 'checks/create': {
        const output = (body.output ?? {}) as StoredCheckRun['output'] & {
          annotations?: unknown[];
        };
        const run: StoredCheckRun = {
          id: this.nextId++,
          name: body.name as string,
          head_sha: body.head_sha as string,
          ...(body.status ? { status: body.status as string } : {}),
          ...(body.conclusion ? { conclusion: body.conclusion as string } : {}),
          output: { title: output.title, summary: output.summary, text: output.text },
          annotations: [...(output.annotations ?? [])],
          html_url: '',
        };
        run.html_url = `${repoUrl}/runs/${run.id}`;
        this.checkRuns.push(run);
        return send(201, {
          id: run.id,
          html_url: run.html_url,
          name: run.name,
          head_sha: run.head_sha,
        });
      }
      case 'checks/update': {
        const run = this.checkRuns.find((r) => r.id === Number(params.check_run_id));
        if (!run) return send(404, { message: 'Not Found' });
        const output = (body.output ?? {}) as { annotations?: unknown[] };
        // GitHub appends each update's annotations to those the run has.
        run.annotations.push(...(output.annotations ?? []));
        return send(200, { id: run.id, html_url: run.html_url });
      }
      case 'issues/list-comments': {
        const issue = Number(params.issue_number);
        const all = this.comments.filter((c) => c.issue === issue);
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        const page = Number(url.searchParams.get('page') ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = new URL(url.toString());
          next.host = new URL(this.url).host;
          next.protocol = 'http:';
          next.searchParams.set('page', String(page + 1));
          next.searchParams.set('per_page', String(perPage));
          headers.link = `<${this.url}${next.pathname}${next.search}>; rel="next"`;
        }
        return send(200, slice, headers);
      }
      case 'issues/create-comment': {
        const c = this.addComment(Number(params.issue_number), body.body as string, {
          login: this.botLogin,
          type: 'Bot',
        });
        return send(201, c);
      }
      case 'pulls/get': {
        const pull = this.pulls.find((p) => p.number === Number(params.pull_number));
        if (!pull) return send(404, { message: 'Not Found' });
        return send(200, this.pullPayload(pull));
      }
      case 'repos/list-pull-requests-associated-with-commit': {
        const found = this.pulls.filter((p) => p.headSha === params.commit_sha);
        return send(
          200,
          found.map((p) => this.pullPayload(p)),
        );
      }
      case 'issues/update-comment': {
        const c = this.comments.find((x) => x.id === Number(params.comment_id));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = body.body as string;
        return send(200, c);
      }
      case 'issues/delete-comment': {
        const i = this.comments.findIndex((x) => x.id === Number(params.comment_id));
        if (i < 0) return send(404, { message: 'Not Found' });
        this.comments.splice(i, 1);
        return send(204, null);
      }
      case 'repos/create-commit-status': {
        const status = { ...body, sha: params.sha as string, id: this.nextId++ };
        this.statuses.push(status);
        return send(201, status);
      }
      default:
        return send(501, { message: `${operationId} is not answered by the test server` });
    }
  }
}
