/**
 * Requests that send and return objects exactly as JSON. client-node's typed clients serialize
 * through models of the Kubernetes version they were generated from, silently dropping newer
 * fields (a pod's workloadRef or schedulingGroup); these do not.
 */
import { request } from 'node:https';

import type * as k8s from '@kubernetes/client-node';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function call(
  kc: k8s.KubeConfig,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Record<string, unknown>> {
  const text = await callText(kc, method, path, body, contentType, 'application/json');
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { message: text };
  }
}

async function callText(
  kc: k8s.KubeConfig,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body: unknown,
  contentType: string,
  accept: string,
): Promise<string> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no server');
  const url = new URL(path, server);
  const options: Parameters<typeof request>[1] = {
    method,
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: { Accept: accept, 'Content-Type': contentType },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) {
          resolve(text);
          return;
        }
        let message = text.trim();
        try {
          message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
        } catch {
          // not a Status object: keep the body as it came
        }
        reject(new ApiError(`${method} ${path}: ${code} ${message.slice(0, 500)}`, code));
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(JSON.stringify(body));
    req.end();
  });
}

export function getJson(kc: k8s.KubeConfig, path: string): Promise<Record<string, unknown>> {
  return call(kc, 'GET', path);
}

/**
 * A GET whose answer is not an API object: what a pod or Service behind the API server's proxy
 * returns (`/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/<path>`), e.g. metrics text.
 */
export function getText(kc: k8s.KubeConfig, path: string): Promise<string> {
  return callText(kc, 'GET', path, undefined, 'application/json', '*/*');
}

export function postJson(
  kc: k8s.KubeConfig,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  return call(kc, 'POST', path, body);
}

/**
 * Server-side apply of a whole object (created or updated, fields this manager set before and no
 * longer sets are removed). `path` is the object's own path, e.g.
 * /apis/apiextensions.k8s.io/v1/customresourcedefinitions/<name>.
 */
export function applyJson(
  kc: k8s.KubeConfig,
  path: string,
  body: unknown,
  fieldManager = 'kaic',
): Promise<Record<string, unknown>> {
  // JSON is YAML, so the apply content type takes it as it is.
  const query = `fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
  return call(kc, 'PATCH', `${path}?${query}`, body, 'application/apply-patch+yaml');
}

/** A JSON merge patch (RFC 7386): the fields given replace or add, the rest stay. */
export function mergePatchJson(
  kc: k8s.KubeConfig,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  return call(kc, 'PATCH', path, body, 'application/merge-patch+json');
}
