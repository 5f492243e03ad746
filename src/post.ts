/**
 * Action post step (`runs.post`, always run): removes what main created and did not remove itself,
 * also after a failure or a cancel that killed main before its teardown finished. Only what main
 * recorded as created is touched; an attached cluster or a reused kind cluster never is. A clean-up
 * problem is a warning, never a failed job.
 */
import * as core from '@actions/core';

import { STATE_CREATED, STATE_MAIN_RAN } from './main-state.js';
import { parseRecords, removeLeftovers } from './pipeline/leftovers.js';

export async function cleanup(): Promise<void> {
  try {
    if (core.getState(STATE_MAIN_RAN) !== 'true') {
      core.info('kaic post: main did not run; nothing to clean up');
      return;
    }
    const records = parseRecords(core.getState(STATE_CREATED), (l) =>
      core.warning(`kaic post: ${l}`),
    );
    if (!records.length) {
      core.info('kaic post: main created nothing; nothing to clean up');
      return;
    }
    const removed = await removeLeftovers(records, (l) => core.info(`kaic post: ${l}`));
    core.info(
      removed.length
        ? `kaic post: removed what main left: ${removed.join(', ')}`
        : `kaic post: main had removed everything it created (${records.length} records checked)`,
    );
  } catch (error) {
    core.warning(
      `kaic post: cleanup failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

await cleanup();
