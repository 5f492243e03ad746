/**
 * `kaic images [--kubernetes-version 1.35] [--debian-mirror URL]`: builds kind's node image for a
 * minor on this machine, from Debian packages and kaic's Go builds, into the local Docker engine
 * (see src/images/kind-images.ts); `kaic run --provider kind --images local` then uses it.
 */
import { parseArgs } from 'node:util';

import { UsageError } from '../errors.js';
import { buildKindImages } from '../images/kind-images.js';
import { DEFAULT_TEST_MINOR, parseKubernetesMinor } from '../versions/kubernetes.js';

export async function imagesCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'kubernetes-version': { type: 'string', default: DEFAULT_TEST_MINOR },
      'debian-mirror': { type: 'string' },
    },
    strict: true,
  });
  let minor;
  try {
    minor = parseKubernetesMinor(values['kubernetes-version'], '--kubernetes-version');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const mirror = values['debian-mirror'];
  if (mirror !== undefined && !/^(https?|file):\/\/\S+$/.test(mirror)) {
    throw new UsageError(`--debian-mirror "${mirror}" is not an http(s) or file URL`);
  }
  const started = Date.now();
  const result = await buildKindImages({
    minor,
    log: (line) => process.stderr.write(`[images] ${line}\n`),
    ...(mirror ? { debianMirror: mirror } : {}),
  });
  process.stderr.write(
    `[images] ${result.nodeImage} ${result.cached ? 'was already built' : 'built'} in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `kaic run --provider kind --images local --kubernetes-version ${minor} uses it\n`,
  );
  process.stdout.write(`${result.nodeImage}\n`);
  return 0;
}
