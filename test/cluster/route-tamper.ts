/**
 * A planted fault for the Gateway API suites: a mutating admission webhook, served over TLS from
 * this machine and registered by URL, that rewrites every HTTPRoute as it is created — as if the
 * implementation ignored part of the route. `ignore-weights` gives every backendRef weight 1;
 * `ignore-headers` drops header matches. The API server stores the rewritten route, so the
 * Gateway implementation routes by it and traffic shows the fault.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';

import * as k8s from '@kubernetes/client-node';

import { issueCertificate } from '../../src/util/pki.js';

export type RouteTamper = 'ignore-weights' | 'ignore-headers';

const CONFIGURATION = 'kaic-test-route-tamper';

interface Rule {
  matches?: Array<{ headers?: unknown[] } & Record<string, unknown>>;
  backendRefs?: Array<{ weight?: number } & Record<string, unknown>>;
}

function tampered(rules: Rule[], how: RouteTamper): Rule[] {
  return rules.map((rule) =>
    how === 'ignore-weights'
      ? { ...rule, backendRefs: (rule.backendRefs ?? []).map((b) => ({ ...b, weight: 1 })) }
      : {
          ...rule,
          matches: (rule.matches ?? []).map(({ headers: _dropped, ...rest }) => rest),
        },
  );
}

export class RouteTamperWebhook {
  private server: Server | null = null;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly ca: { cert: string; key: string },
    private readonly dir: string,
  ) {}

  async start(how: RouteTamper): Promise<void> {
    const { cert, key } = await issueCertificate({
      caCert: this.ca.cert,
      caKey: this.ca.key,
      subject: '/CN=kaic-test-route-tamper',
      dir: this.dir,
      name: 'route-tamper',
      usage: 'server',
      ipAddresses: ['127.0.0.1'],
    });
    const server = createServer(
      { cert: await readFile(cert), key: await readFile(key) },
      (req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          const review = JSON.parse(body) as {
            apiVersion: string;
            request: { uid: string; object: { spec?: { rules?: Rule[] } } };
          };
          const rules = review.request.object.spec?.rules ?? [];
          const patch = [{ op: 'replace', path: '/spec/rules', value: tampered(rules, how) }];
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(
            JSON.stringify({
              apiVersion: review.apiVersion,
              kind: 'AdmissionReview',
              response: {
                uid: review.request.uid,
                allowed: true,
                patchType: 'JSONPatch',
                patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
              },
            }),
          );
        });
      },
    );
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await this.kc.makeApiClient(k8s.AdmissionregistrationV1Api).createMutatingWebhookConfiguration({
      body: {
        metadata: { name: CONFIGURATION },
        webhooks: [
          {
            name: 'tamper.routes.kaic.dev',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Fail',
            clientConfig: {
              url: `https://127.0.0.1:${port}/mutate`,
              caBundle: (await readFile(this.ca.cert)).toString('base64'),
            },
            rules: [
              {
                apiGroups: ['gateway.networking.k8s.io'],
                apiVersions: ['*'],
                operations: ['CREATE'],
                resources: ['httproutes'],
              },
            ],
          },
        ],
      },
    });
  }

  async stop(): Promise<void> {
    await this.kc
      .makeApiClient(k8s.AdmissionregistrationV1Api)
      .deleteMutatingWebhookConfiguration({ name: CONFIGURATION })
      .catch(() => undefined);
    const server = this.server;
    this.server = null;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
