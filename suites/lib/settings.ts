/**
 * The suites' settings as one typed object (src/runner/suite-settings.ts): the only place a suite
 * reads the environment. Read afresh on each call, as the runner sets the environment per run.
 */
import { suiteSettingsFrom, type SuiteSettings } from '../../src/runner/suite-settings.js';

export { settingVariable } from '../../src/runner/suite-settings.js';

export function suiteSettings(): SuiteSettings {
  return suiteSettingsFrom(process.env);
}
