/** Locates ../shared (official checklists, reference data) beside the project checkout. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** $KAIC_SHARED_DIR, else ../shared beside the checkout, else the workplace's /work/shared. */
export function sharedDir(): string {
  if (process.env.KAIC_SHARED_DIR) return process.env.KAIC_SHARED_DIR;
  const candidates = [join(projectRoot, '..', 'shared'), '/work/shared'];
  return (
    candidates.find((dir) => existsSync(join(dir, 'ai-conformance'))) ?? (candidates[0] as string)
  );
}

/** The official checklist files, by version; fails loudly when the shared folder is missing. */
export function officialChecklistPaths(): Array<{ version: string; path: string }> {
  const dir = join(sharedDir(), 'ai-conformance');
  if (!existsSync(dir)) {
    throw new Error(
      `official checklists not found at ${dir}; set KAIC_SHARED_DIR to the shared folder`,
    );
  }
  return ['1.33', '1.34', '1.35', '1.36'].map((version) => ({
    version,
    path: join(dir, `AIConformance-${version}.yaml`),
  }));
}
