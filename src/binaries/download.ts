/**
 * Downloads release binaries with `@actions/tool-cache` — proxy settings honoured, 5xx/408/429
 * retried — and accepts each only when its sha256 is the expected one: pinned in kaic (kind,
 * helm) or published by the release beside it (Kubernetes, etcd).
 *
 * A machine that cannot reach the release host (offline, air-gapped, this project's CI) is told
 * in one line and the caller builds from the Go module instead; so is a version with no pinned
 * sum. A sum that does not match is never a fallback: it fails, naming the URL and both sums,
 * and leaves nothing behind. A set of files lands in its directory whole or not at all.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { HttpClient } from '@actions/http-client';
import * as toolCache from '@actions/tool-cache';
import { execa } from 'execa';

import { findOnPath } from '../util/executables.js';

import {
  hostPlatform,
  mirroredUrl,
  pinnedDownload,
  type DownloadableTool,
  type PinnedDownload,
  type ReleaseFile,
} from '../versions/downloads.js';

export class DownloadIntegrityError extends Error {
  override name = 'DownloadIntegrityError';
}

export type DownloadOutcome =
  { downloaded: string[]; seconds: number; bytes: number } | { skipped: string };

export interface DownloadOptions {
  log: (line: string) => void;
  /** KAIC_DOWNLOADS=off turns downloads off (default: the process's environment). */
  env?: NodeJS.ProcessEnv;
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

/** Thrown inside downloadRelease for a failed transfer: the caller falls back. */
class TransferFailed extends Error {}

async function fetchTo(url: string, file: string): Promise<void> {
  try {
    await toolCache.downloadTool(url, file);
  } catch (error) {
    const status = (error as { httpStatusCode?: number }).httpStatusCode;
    throw new TransferFailed(
      `${url} failed: ${status ? `HTTP ${status}` : (error as Error).message}`,
    );
  }
}

/**
 * The sum a release publishes for `url`: a file holding just the sum (`<url>.sha256`), or a list
 * of `<sum>  <file name>` lines (SHA256SUMS).
 */
export function publishedSum(text: string, url: string): string | null {
  const name = basename(new URL(url).pathname);
  for (const line of text.split('\n')) {
    const [sum, file] = line.trim().split(/\s+\*?/);
    if (!sum || !/^[0-9a-f]{64}$/i.test(sum)) continue;
    if (file === undefined || file === name) return sum.toLowerCase();
  }
  return null;
}

/**
 * Downloads `files` into `outDir` (each binary under its name) when the release host answers;
 * otherwise says why not. Every file's sha256 is checked, then `check` runs on the binaries,
 * before any is moved in; `outDir` ends up holding them all or is left as it was.
 */
export async function downloadRelease(
  files: ReleaseFile[],
  outDir: string,
  options: DownloadOptions & {
    /** Checks of the downloaded binaries (their version output), in a directory of their own. */
    check?: (dir: string) => Promise<void>;
  },
): Promise<DownloadOutcome> {
  const env = options.env ?? process.env;
  if (env.KAIC_DOWNLOADS === 'off') return { skipped: 'downloads are off (KAIC_DOWNLOADS=off)' };
  const mirror = env.KAIC_RELEASE_MIRROR || undefined;
  const where = (url: string) => mirroredUrl(url, mirror);
  const first = where(files[0]!.url);
  const host = new URL(first).host;
  const why = await unreachable(first, options.probeTimeoutMs ?? 5000);
  if (why) return { skipped: `${host} cannot be reached (${why})` };

  const t0 = Date.now();
  await mkdir(dirname(outDir), { recursive: true });
  const work = await mkdtemp(`${outDir}.download-`);
  try {
    const staged = join(work, 'binaries');
    await mkdir(staged);
    let total = 0;
    for (const [i, file] of files.entries()) {
      const url = where(file.url);
      options.log(`${file.label}: downloading ${url}`);
      const target = join(work, `${i}`);
      await fetchTo(url, target);
      let expected: string;
      let whose: string;
      if (typeof file.sha256 === 'string') {
        expected = file.sha256;
        whose = 'kaic pins';
      } else {
        const sums = where(file.sha256.publishedAt);
        await fetchTo(sums, `${target}.sum`);
        // The list names the release's own file name, which a mirror keeps.
        const sum = publishedSum(await readFile(`${target}.sum`, 'utf8'), file.url);
        if (!sum) {
          throw new DownloadIntegrityError(`${sums} names no sha256 for ${url}; it was not used`);
        }
        expected = sum;
        whose = `${sums} publishes`;
      }
      const { sha256, bytes } = await sha256Of(target);
      total += bytes;
      if (sha256 !== expected) {
        throw new DownloadIntegrityError(
          `${url} has sha256 ${sha256}, but ${whose} ${expected} for ${file.label}` +
            (typeof file.sha256 === 'string' ? ` on ${hostPlatform()}` : '') +
            `; it was not used. Put a ${file.label} you trust on PATH, ` +
            `or set KAIC_DOWNLOADS=off to build it from its Go module`,
        );
      }
      const archived = file.binaries.some((b) => b.member);
      const extracted = archived
        ? await toolCache.extractTar(target, join(work, `${i}.extracted`))
        : '';
      for (const binary of file.binaries) {
        const from = binary.member ? join(extracted, binary.member) : target;
        if (!existsSync(from)) {
          throw new DownloadIntegrityError(
            `${url} has no ${binary.member}: kaic's idea of ${file.label}'s archive is wrong; nothing of it was used`,
          );
        }
        await chmod(from, 0o755);
        await rename(from, join(staged, binary.name));
      }
    }
    await options.check?.(staged);
    await rm(outDir, { recursive: true, force: true });
    await rename(staged, outDir);
    const seconds = (Date.now() - t0) / 1000;
    options.log(
      `${files.map((f) => f.label).join(', ')}: ${(total / 2 ** 20).toFixed(1)} MiB in ${seconds.toFixed(1)} s, every sha256 as expected`,
    );
    const placed = files.flatMap((f) => f.binaries.map((b) => join(outDir, b.name)));
    return { downloaded: placed, seconds, bytes: total };
  } catch (error) {
    if (error instanceof TransferFailed) return { skipped: error.message };
    throw error;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Downloads the pinned `tool` at `version` into `outDir/<tool>` when a sum is pinned for this
 * platform (or `pin` is given) and the release host answers; otherwise says why not.
 */
export async function downloadPinnedTool(
  tool: DownloadableTool,
  version: string,
  outDir: string,
  options: DownloadOptions & { pin?: PinnedDownload },
): Promise<DownloadOutcome> {
  const pin = options.pin ?? pinnedDownload(tool, version);
  if (!pin) return { skipped: `no sha256 is pinned for ${tool} ${version} on ${hostPlatform()}` };
  return downloadRelease(
    [
      {
        label: `${tool} ${version}`,
        url: pin.url,
        sha256: pin.sha256,
        binaries: [{ name: tool, ...(pin.member ? { member: pin.member } : {}) }],
      },
    ],
    outDir,
    options,
  );
}

/**
 * A pinned tool (kind, helm) in this order: kaic's cache (`dir/<tool>`), else PATH when its
 * version output matches, else the release downloaded and checked against its pinned sha256,
 * else `build()` from its Go module.
 */
export async function resolvePinnedTool(spec: {
  tool: DownloadableTool;
  version: string;
  dir: string;
  /** How the tool prints its version, and whether that output is `version`. */
  versionArgs: string[];
  isVersion: (output: string) => boolean;
  build: () => Promise<unknown>;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}): Promise<string> {
  const { tool, version, log } = spec;
  const env = spec.env ?? process.env;
  const cached = join(spec.dir, tool);
  if (existsSync(cached)) return cached;
  const onPath = findOnPath(tool, env.PATH);
  if (onPath) {
    const said = (await execa(onPath, spec.versionArgs, { reject: false, env })).stdout?.trim();
    if (said && spec.isVersion(said)) return onPath;
    log(`${tool}: ${onPath} is "${said ?? ''}", not ${version}`);
  }
  const outcome = await downloadPinnedTool(tool, version, spec.dir, { log, env });
  if ('downloaded' in outcome) return outcome.downloaded[0]!;
  log(`${tool} ${version}: not downloaded (${outcome.skipped}); building it from its Go module`);
  await spec.build();
  return cached;
}
