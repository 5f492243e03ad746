// Writes docs/suite-settings.md from the suites' settings table (src/runner/suite-settings.ts).
import { writeFileSync } from 'node:fs';

import { renderSuiteSettingsDoc } from '../src/runner/suite-settings.js';

writeFileSync('docs/suite-settings.md', renderSuiteSettingsDoc());
console.log('wrote docs/suite-settings.md');
