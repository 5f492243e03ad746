/**
 * Upstream files our tests check against, taken from their Go modules through the Go module
 * proxy (the same module cache the Kubernetes build fills), never copied into this repository.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { execa } from 'execa';

import { goCacheEnv } from '../../src/cache.js';

/** The directory of module `path` at `version`, downloading it if the cache lacks it. */
export async function goModuleDir(path: string, version: string): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), 'kaic-gomod-'));
  try {
    const { stdout } = await execa('go', ['mod', 'download', '-json', `${path}@${version}`], {
      cwd: scratch,
      env: { ...process.env, ...goCacheEnv(), GOFLAGS: '-mod=mod', GO111MODULE: 'on' },
    });
    const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${path}@${version}: ${info.Error ?? 'no Dir'}`);
    return info.Dir;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The CDI project's JSON schema (its last release that ships it inside the main module). */
export const CDI_SCHEMA_MODULE = {
  path: 'tags.cncf.io/container-device-interface',
  version: 'v0.8.1',
};
