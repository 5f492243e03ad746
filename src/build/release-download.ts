/**
 * Downloads a pinned release binary (kind, helm) with `@actions/tool-cache` — proxy settings
 * honoured, 5xx/408/429 retried — and accepts it only when its sha256 is the pinned one.
 *
 * A machine that cannot reach the release host (offline, air-gapped, this project's CI) is told
 * in one line and the caller builds from the Go module instead; so is a version with no pinned
 * sum. A sum that does not match is never a fallback: it fails, naming the URL and both sums,
 * and leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { HttpClient } from '@actions/http-client';
import * as toolCache from '@actions/tool-cache';

import {
  hostPlatform,
  pinnedDownload,
  type DownloadableTool,
  type PinnedDownload,
} from '../versions/downloads.js';

export class DownloadIntegrityError extends Error {
  override name = 'DownloadIntegrityError';
}

export type DownloadOutcome =
  { downloaded: string; seconds: number; bytes: number } | { skipped: string };

export interface DownloadOptions {
  log: (line: string) => void;
  /** KAIC_DOWNLOADS=off turns downloads off (default: the process's environment). */
  env?: NodeJS.ProcessEnv;
  /** The download to make instead of the table's (tests serve their own). */
  pin?: PinnedDownload;
  /** How long the reachability check waits for the release host (default 5 s). */
  probeTimeoutMs?: number;
}

async function sha256Of(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Null when the host answers at all (any HTTP status), else why not. */
async function unreachable(url: string, timeoutMs: number): Promise<string | null> {
  const client = new HttpClient('kaic', [], { socketTimeout: timeoutMs, allowRetries: false });
  try {
    const response = await client.head(url);
    response.message.resume();
    return null;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return e.code ?? e.message;
  } finally {
    client.dispose();
  }
}

/**
 * Downloads `tool` at `version` into `outDir/<tool>` (executable) when a sum is pinned for this
 * platform and the release host answers; otherwise says why not.
 */
export async function downloadPinnedTool(
  tool: DownloadableTool,
  version: string,
  outDir: string,
  options: DownloadOptions,
): Promise<DownloadOutcome> {
  const env = options.env ?? process.env;
  if (env.KAIC_DOWNLOADS === 'off') return { skipped: 'downloads are off (KAIC_DOWNLOADS=off)' };
  const pin = options.pin ?? pinnedDownload(tool, version);
  if (!pin) return { skipped: `no sha256 is pinned for ${tool} ${version} on ${hostPlatform()}` };
  const host = new URL(pin.url).host;
  const why = await unreachable(pin.url, options.probeTimeoutMs ?? 5000);
  if (why) return { skipped: `${host} cannot be reached (${why})` };

  const t0 = Date.now();
  options.log(`${tool} ${version}: downloading ${pin.url}`);
  await mkdir(dirname(outDir), { recursive: true });
  const work = await mkdtemp(`${outDir}.download-`);
  try {
    const file = join(work, 'download');
    try {
      await toolCache.downloadTool(pin.url, file);
    } catch (error) {
      const status = (error as { httpStatusCode?: number }).httpStatusCode;
      return {
        skipped: `${pin.url} failed: ${status ? `HTTP ${status}` : (error as Error).message}`,
      };
    }
    const { sha256, bytes } = await sha256Of(file);
    if (sha256 !== pin.sha256) {
      throw new DownloadIntegrityError(
        `${pin.url} has sha256 ${sha256}, but kaic pins ${pin.sha256} for ${tool} ${version} ` +
          `on ${pin.platform}; it was not used. Put a ${tool} ${version} you trust on PATH, ` +
          `or set KAIC_DOWNLOADS=off to build it from its Go module`,
      );
    }
    let binary = file;
    if (pin.member) {
      const extracted = await toolCache.extractTar(file, join(work, 'extracted'));
      binary = join(extracted, pin.member);
    }
    await chmod(binary, 0o755);
    await mkdir(outDir, { recursive: true });
    const target = join(outDir, tool);
    await rename(binary, target);
    const seconds = (Date.now() - t0) / 1000;
    options.log(
      `${tool} ${version}: ${(bytes / 2 ** 20).toFixed(1)} MiB in ${seconds.toFixed(1)} s, sha256 matches the pin`,
    );
    return { downloaded: target, seconds, bytes };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
