/**
 * A stand-in for a disaggregated serving stack (llm-d's shape) in the workload image: pods labelled
 * llm-d.ai/role, answering OpenAI-style `/v1/models` and `/v1/completions` (busybox httpd + CGI,
 * under /cgi-bin), each logging the `x-request-id` it is given. A decode pod given a prefill URL
 * first sends the request, with the same id, to prefill (as llm-d's routing sidecar does); without
 * one it answers alone, which is not disaggregated serving.
 */
import type * as k8s from '@kubernetes/client-node';

const PORT = 8080;

function script(): string {
  const cgi = (name: string, body: string) =>
    `cat > /www/cgi-bin/v1/${name} <<'KAIC_EOF'\n#!/bin/sh\n${body}\nKAIC_EOF`;
  return [
    'set -e',
    'mkdir -p /www/cgi-bin/v1',
    cgi(
      'models',
      `printf 'Content-Type: application/json\\r\\n\\r\\n{"object":"list","data":[{"id":"kaic-pd-stub"}]}\\n'`,
    ),
    cgi(
      'completions',
      [
        'body=$(head -c "${CONTENT_LENGTH:-0}")',
        // A CGI's stderr is the server's (httpd -f): the container's log.
        'echo "$ROLE served request_id=$HTTP_X_REQUEST_ID" >&2',
        'if [ -n "$PREFILL_URL" ]; then',
        '  timeout 10 wget -q -O /dev/null --header "x-request-id: $HTTP_X_REQUEST_ID" --header "Content-Type: application/json" --post-data "$body" "$PREFILL_URL/v1/completions" ||',
        `    { printf 'Status: 502 Bad Gateway\\r\\n\\r\\nprefill failed\\n'; exit 0; }`,
        'fi',
        `printf 'Content-Type: application/json\\r\\n\\r\\n{"model":"kaic-pd-stub","choices":[{"text":" ok"}]}\\n'`,
      ].join('\n'),
    ),
    'chmod +x /www/cgi-bin/v1/*',
    `exec httpd -f -p ${PORT} -h /www`,
  ].join('\n');
}

export function pdStubPod(options: {
  name: string;
  namespace: string;
  role: string;
  node: string;
  prefillUrl?: string | undefined;
}): k8s.V1Pod {
  return {
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { 'llm-d.ai/role': options.role },
    },
    spec: {
      nodeName: options.node,
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: 'www', emptyDir: {} }],
      containers: [
        {
          name: 'server',
          image: 'busybox:1.36',
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', script()],
          env: [
            { name: 'ROLE', value: options.role },
            { name: 'PREFILL_URL', value: options.prefillUrl ?? '' },
          ],
          ports: [{ containerPort: PORT }],
          volumeMounts: [{ name: 'www', mountPath: '/www' }],
          readinessProbe: { httpGet: { path: '/cgi-bin/v1/models', port: PORT }, periodSeconds: 1 },
        },
      ],
    },
  };
}
