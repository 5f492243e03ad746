/**
 * Action post step (`runs.post`): tears down what main created, also after a failure or cancel.
 * A cleanup hiccup is a warning, never a failed job.
 */
import * as core from '@actions/core';

export async function cleanup(): Promise<void> {
  try {
    if (core.getState('kaic-main-ran') !== 'true') {
      core.info('kaic post: main did not run; nothing to clean up');
      return;
    }
    core.info('kaic post: nothing was created; nothing to clean up');
  } catch (error) {
    core.warning(
      `kaic post: cleanup failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

await cleanup();
