/**
 * A local stand-in for the Actions cache service (v2) as @actions/cache talks to it: the Twirp
 * JSON API at `<ACTIONS_RESULTS_URL>twirp/github.actions.results.api.v1.CacheService/<method>`
 * and a blob store behind the signed URLs it hands out (single-shot and block uploads as the
 * Azure storage SDK makes them, plain GET downloads).
 *
 * The cache service is not in GitHub's REST description; its published description is the
 * service's protobuf definition, which @actions/cache ships generated (CacheService). Every
 * request body is read with that definition's own JSON reader, which refuses unknown fields and
 * wrong types; every answer is written with it. A request without the runtime token, or one the
 * definition refuses, is recorded as a violation and answered as Twirp answers a bad request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// The generated service definition; the package's exports name only its entry point.
import { CacheService } from '../../node_modules/@actions/cache/lib/generated/results/api/v1/cache.js';

interface Entry {
  id: number;
  key: string;
  version: string;
  /** Set once finalized. */
  size: number | null;
  blob: Buffer | null;
  blocks: Map<string, Buffer>;
  createdAt: number;
}

export interface CacheServiceStandIn {
  /** ACTIONS_RESULTS_URL for the client (with its trailing slash). */
  url: string;
  token: string;
  /** Twirp calls and blob requests, in order: `CreateCacheEntry key=…`, `PUT blob 3 (single)`. */
  calls: string[];
  violations: string[];
  /** Finalized entries' keys, oldest first. */
  keys(): string[];
  /** Makes every Twirp call answer `status` (e.g. 503), or stops doing so with null. */
  failWith(status: number | null): void;
  close(): Promise<void>;
}

type Method = (typeof CacheService.methods)[number];

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startCacheService(): Promise<CacheServiceStandIn> {
  const token = 'kaic-test-runtime-token';
  const entries: Entry[] = [];
  const calls: string[] = [];
  const violations: string[] = [];
  let failing: number | null = null;
  let base = '';
  let tick = 0;

  const twirpError = (res: ServerResponse, status: number, code: string, msg: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, msg }));
  };

  function answer(method: Method, request: Record<string, unknown>): unknown {
    const key = String(request.key ?? '');
    const version = String(request.version ?? '');
    if (method.name === 'CreateCacheEntry') {
      if (entries.some((e) => e.key === key && e.version === version)) {
        return { ok: false, signedUploadUrl: '', message: `cache entry ${key} already exists` };
      }
      const entry: Entry = {
        id: entries.length + 1,
        key,
        version,
        size: null,
        blob: null,
        blocks: new Map(),
        createdAt: ++tick,
      };
      entries.push(entry);
      return { ok: true, signedUploadUrl: `${base}blob/kaicaccount/caches/${entry.id}?sig=up` };
    }
    if (method.name === 'FinalizeCacheEntryUpload') {
      const entry = entries.find((e) => e.key === key && e.version === version && e.size === null);
      const size = Number(request.sizeBytes);
      if (!entry || !entry.blob || entry.blob.length !== size) {
        return { ok: false, entryId: '0', message: `no uploaded entry ${key} of ${size} bytes` };
      }
      entry.size = size;
      return { ok: true, entryId: String(entry.id) };
    }
    // GetCacheEntryDownloadURL: the exact key, else the newest entry of each restore key's prefix.
    const complete = entries.filter((e) => e.size !== null && e.version === version);
    const prefixes = (request.restoreKeys as string[] | undefined) ?? [];
    const match =
      complete.find((e) => e.key === key) ??
      prefixes
        .map(
          (p) =>
            complete
              .filter((e) => e.key.startsWith(p))
              .sort((a, b) => b.createdAt - a.createdAt)[0],
        )
        .find(Boolean);
    return match
      ? {
          ok: true,
          signedDownloadUrl: `${base}blob/kaicaccount/caches/${match.id}?sig=down`,
          matchedKey: match.key,
        }
      : { ok: false, signedDownloadUrl: '', matchedKey: '' };
  }

  async function twirp(req: IncomingMessage, res: ServerResponse, name: string) {
    const method = CacheService.methods.find((m) => m.name === name);
    const body = await readBody(req);
    if (!method || req.method !== 'POST') {
      violations.push(`${req.method} ${req.url}: no such method`);
      return twirpError(res, 404, 'bad_route', `no such method ${name}`);
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      violations.push(`${name}: authorization ${req.headers.authorization ?? '(none)'}`);
      return twirpError(res, 401, 'unauthenticated', 'bad token');
    }
    let request: Record<string, unknown>;
    try {
      request = method.I.toJson(method.I.fromJson(JSON.parse(body.toString('utf8')))) as Record<
        string,
        unknown
      >;
    } catch (error) {
      violations.push(`${name}: ${(error as Error).message}`);
      return twirpError(res, 400, 'malformed', (error as Error).message);
    }
    calls.push(`${name} key=${String(request.key)}`);
    if (failing) return twirpError(res, failing, 'unavailable', 'stand-in told to fail');
    const out = method.O.toJson(method.O.fromJson(answer(method, request) as never), {
      emitDefaultValues: true,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out));
  }

  async function blob(req: IncomingMessage, res: ServerResponse, url: URL) {
    const id = Number(url.pathname.split('/').pop());
    const entry = entries.find((e) => e.id === id);
    const body = await readBody(req);
    const headers = {
      etag: `"0x${id.toString(16)}"`,
      'last-modified': new Date().toUTCString(),
      'x-ms-request-id': `req-${calls.length}`,
      'x-ms-version': '2025-01-05',
    };
    if (!entry) return void res.writeHead(404, headers).end();
    if (req.method === 'GET' || req.method === 'HEAD') {
      calls.push(`GET blob ${id}`);
      if (!entry.blob || entry.size === null) return void res.writeHead(404, headers).end();
      res.writeHead(200, {
        ...headers,
        'content-length': entry.blob.length,
        'content-type': 'application/octet-stream',
      });
      return void res.end(req.method === 'HEAD' ? undefined : entry.blob);
    }
    if (req.method !== 'PUT' || url.searchParams.get('sig') !== 'up') {
      violations.push(`${req.method} ${url.pathname}: not an upload with the upload signature`);
      return void res.writeHead(403, headers).end();
    }
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      entry.blocks.set(url.searchParams.get('blockid') ?? '', body);
      calls.push(`PUT blob ${id} (block)`);
    } else if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted)>([^<]+)</g)].map(
        (m) => m[1]!,
      );
      const parts = ids.map((b) => entry.blocks.get(b));
      if (parts.some((p) => !p)) {
        violations.push(`PUT blob ${id} (block list): a block that was never staged`);
        return void res.writeHead(400, headers).end();
      }
      entry.blob = Buffer.concat(parts as Buffer[]);
      calls.push(`PUT blob ${id} (block list of ${ids.length})`);
    } else {
      if (req.headers['x-ms-blob-type'] !== 'BlockBlob') {
        violations.push(`PUT blob ${id}: x-ms-blob-type ${req.headers['x-ms-blob-type']}`);
        return void res.writeHead(400, headers).end();
      }
      entry.blob = body;
      calls.push(`PUT blob ${id} (single)`);
    }
    res.writeHead(201, { ...headers, 'content-length': 0 }).end();
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const twirpPath = /^\/twirp\/github\.actions\.results\.api\.v1\.CacheService\/(\w+)$/.exec(
      url.pathname,
    );
    const handled = twirpPath
      ? twirp(req, res, twirpPath[1]!)
      : url.pathname.startsWith('/blob/kaicaccount/caches/')
        ? blob(req, res, url)
        : Promise.resolve(void res.writeHead(404).end());
    handled.catch((error: unknown) => {
      violations.push(`${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url: base,
    token,
    calls,
    violations,
    keys: () => entries.filter((e) => e.size !== null).map((e) => e.key),
    failWith: (status) => {
      failing = status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
