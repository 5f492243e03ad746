/** `kubectl exec` through the API server (websocket streaming), with the command's exit code. */
import { Writable } from 'node:stream';

import * as k8s from '@kubernetes/client-node';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function execInPod(
  kc: k8s.KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
): Promise<ExecResult> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const status = await new Promise<k8s.V1Status>((resolve, reject) => {
    new k8s.Exec(kc)
      .exec(
        namespace,
        pod,
        container,
        command,
        sink((t) => (stdout += t)),
        sink((t) => (stderr += t)),
        null,
        false,
        resolve,
      )
      .catch(reject);
  });
  if (status.status === 'Success') return { stdout, stderr, exitCode: 0 };
  const code = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  if (code === undefined) {
    throw new Error(`exec in ${namespace}/${pod}: ${status.message ?? JSON.stringify(status)}`);
  }
  return { stdout, stderr, exitCode: Number(code) };
}
