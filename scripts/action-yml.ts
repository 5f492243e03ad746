// Writes action.yml and the action input/output tables of docs/github-action.md from the option
// tables. `--check` fails (exit 1) when either file is stale.
import { readFileSync, writeFileSync } from 'node:fs';

import { ACTION_DOC, renderActionYml, withDocTables } from '../src/action/action-yml.js';

const check = process.argv.includes('--check');
const wanted: Array<[string, string]> = [
  ['action.yml', renderActionYml()],
  [ACTION_DOC, withDocTables(readFileSync(ACTION_DOC, 'utf8'))],
];
let stale = false;
for (const [file, text] of wanted) {
  if (readFileSync(file, 'utf8') === text) continue;
  if (check) {
    console.error(`${file} is stale: run npm run action-yml`);
    stale = true;
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
process.exit(stale ? 1 : 0);
