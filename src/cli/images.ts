/**
 * `kaic images [--kubernetes-version 1.35] [--debian-mirror URL]`: builds kind's node image for a
 * minor on this machine, from Debian packages and kaic's Go builds, and every image kaic's addons
 * run inside a cluster, into the local Docker engine (src/images/); `kaic run --provider kind --images local`
 * then uses them. Prints their names, one per line.
 */
import { constants } from 'node:os';
import { parseArgs } from 'node:util';

import { UsageError } from '../errors.js';
import { buildAddonImage } from '../images/addon-images.js';
import { buildKindImages, removeImageBuilders } from '../images/kind-images.js';
import { onTerminationSignal } from '../util/processes.js';
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
  // A cancel removes the build container; the step it broke then ends the command quietly with
  // the signal's exit code, not with that step's error.
  let stopped: { signal: NodeJS.Signals; cleanup: Promise<void> } | null = null;
  const removeHandlers = onTerminationSignal((signal) => {
    stopped = { signal, cleanup: removeImageBuilders({}) };
    return stopped.cleanup;
  });
  const log = (line: string) => process.stderr.write(`[images] ${line}\n`);
  let result;
  const addonImages: string[] = [];
  try {
    result = await buildKindImages({ minor, log, ...(mirror ? { debianMirror: mirror } : {}) });
    // Every image an addon runs inside a cluster.
    const { ADDON_REGISTRY } = await import('../addons/registry.js');
    for (const addon of ADDON_REGISTRY) {
      for (const image of addon.images?.() ?? []) {
        addonImages.push((await buildAddonImage(image, { log })).name);
      }
    }
  } catch (error) {
    const cancel = stopped as { signal: NodeJS.Signals; cleanup: Promise<void> } | null;
    if (!cancel) throw error;
    await cancel.cleanup;
    return 128 + constants.signals[cancel.signal];
  } finally {
    removeHandlers();
  }
  process.stderr.write(
    `[images] ${result.nodeImage} ${result.cached ? 'was already built' : 'built'} in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
      `kaic run --provider kind --images local --kubernetes-version ${minor} uses it\n`,
  );
  process.stdout.write(`${[result.nodeImage, ...addonImages].join('\n')}\n`);
  return 0;
}
