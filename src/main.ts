/**
 * Action entry point (`runs.main`). The conformance pipeline is not wired into the action yet;
 * until it is, the step says so plainly instead of pretending to have verified anything.
 */
import * as core from '@actions/core';

import { KAIC_VERSION } from './version.js';

export async function run(): Promise<void> {
  try {
    core.saveState('kaic-main-ran', 'true');
    core.info(`kaic ${KAIC_VERSION}`);
    core.warning(
      'kaic: the conformance pipeline is not implemented in the action yet; nothing was verified.',
    );
    await core.summary
      .addHeading('kaic: Kubernetes AI Conformance', 2)
      .addRaw('No suites ran: the action pipeline is not implemented yet, so nothing was verified.')
      .write();
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}

await run();
