// Lets Mocha load TypeScript specs in its own process (no --node-option child process), so
// signals reach the test hooks that tear the cluster down.
import { register } from 'tsx/esm/api';

register();
