#!/usr/bin/env node
// The `kaic` command: runs the bundled CLI, so it works straight after `npm ci` without a build.
import '../dist/cli.js';
