// Writes kind-configs/<minor>.yaml from the version table (src/providers/kind-config.ts).
import { mkdirSync, writeFileSync } from 'node:fs';

import { KIND_CONFIG_MINORS, kindConfigFile } from '../src/providers/kind-config.js';

mkdirSync('kind-configs', { recursive: true });
for (const minor of KIND_CONFIG_MINORS) {
  writeFileSync(`kind-configs/${minor}.yaml`, kindConfigFile(minor));
}
console.log(`wrote kind-configs/{${KIND_CONFIG_MINORS.join(',')}}.yaml`);
