/**
 * Certificates signed by a cluster's CA, with the openssl command line (the real node and the
 * processes kaic runs beside a test cluster: kubelet's client certificate, webhook servers).
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { execa } from 'execa';

export class CertificateError extends Error {
  override name = 'CertificateError';
}

export interface CertificateRequest {
  /** The signing CA's certificate and key (PEM files). */
  caCert: string;
  caKey: string;
  /** openssl -subj form, e.g. `/O=system:nodes/CN=system:node:real-node-0`. */
  subject: string;
  /** Directory to write `<name>.crt` and `<name>.key` (and the request) into. */
  dir: string;
  name: string;
  usage: 'client' | 'server';
  /** Server certificates: the IP addresses and DNS names they answer for. */
  ipAddresses?: string[];
  dnsNames?: string[];
  days?: number;
}

/** A P-256 key and a certificate for it signed by the CA; returns their paths. */
export async function issueCertificate(
  request: CertificateRequest,
): Promise<{ cert: string; key: string }> {
  const key = join(request.dir, `${request.name}.key`);
  const cert = join(request.dir, `${request.name}.crt`);
  const csr = join(request.dir, `${request.name}.csr`);
  const ext = join(request.dir, `${request.name}.ext`);
  const altNames = [
    ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`),
    ...(request.dnsNames ?? []).map((dns) => `DNS:${dns}`),
  ];
  await writeFile(
    ext,
    [
      `extendedKeyUsage = ${request.usage === 'client' ? 'clientAuth' : 'serverAuth'}`,
      'keyUsage = critical, digitalSignature',
      ...(altNames.length ? [`subjectAltName = ${altNames.join(', ')}`] : []),
      '',
    ].join('\n'),
  );
  const run = async (args: string[]) => {
    const result = await execa('openssl', args, { reject: false, all: true });
    if (result.exitCode !== 0) {
      throw new CertificateError(
        `openssl ${args[0]} for ${request.subject} failed: ${result.all ?? ''}`,
      );
    }
  };
  await run([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-subj',
    request.subject,
    '-out',
    csr,
  ]);
  await run([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    request.caCert,
    '-CAkey',
    request.caKey,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    String(request.days ?? 7),
    '-extfile',
    ext,
    '-out',
    cert,
  ]);
  return { cert, key };
}
