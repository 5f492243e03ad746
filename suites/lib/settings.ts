/**
 * The suites' settings as one typed object (src/runner/suite-settings.ts): the only place a suite
 * reads the environment. Read afresh on each call, as the runner sets the environment per run.
 */
import {
  acceleratorWantedFrom,
  suiteSettingsFrom,
  type SuiteSettings,
} from '../../src/runner/suite-settings.js';

export { settingVariable } from '../../src/runner/suite-settings.js';

export function suiteSettings(): SuiteSettings {
  return suiteSettingsFrom(process.env);
}

/**
 * What accelerator detection is asked for: KAIC_ACCELERATOR, KAIC_ALLOCATION_MODE and, for the
 * generic profile, the KAIC_GENERIC_* settings (a bad or missing one throws, naming it).
 */
export function acceleratorWanted(): ReturnType<typeof acceleratorWantedFrom> {
  return acceleratorWantedFrom(suiteSettings());
}
