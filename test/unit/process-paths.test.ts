/**
 * Which processes name a run's directory: by command line, or by an environment variable's value
 * (a plugin started with only KUBECONFIG=<cluster dir>/… names it nowhere else), never by a
 * path that merely starts with the same characters.
 */
import { execa } from 'execa';
import { expect } from 'chai';

import { processNamesPathUnder } from '../../src/util/processes.js';

describe('processNamesPathUnder', function () {
  it('finds a path in the environment or the command line, under the directory only', async function () {
    const child = execa('sleep', ['30'], {
      env: { KUBECONFIG: '/tmp/kaic-run-x/cluster/kubeconfig.yaml' },
      reject: false,
    });
    try {
      const pid = child.pid as number;
      expect(await processNamesPathUnder(pid, '/tmp/kaic-run-x')).to.equal(true);
      expect(await processNamesPathUnder(pid, '/tmp/kaic-run-x/cluster')).to.equal(true);
      expect(await processNamesPathUnder(pid, '/tmp/kaic-run')).to.equal(false);
      expect(await processNamesPathUnder(pid, '/tmp/other')).to.equal(false);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
    const named = execa(
      process.execPath,
      ['-e', 'setTimeout(() => {}, 30000)', '/tmp/kaic-run-y/marker'],
      { reject: false },
    );
    try {
      expect(await processNamesPathUnder(named.pid as number, '/tmp/kaic-run-y')).to.equal(true);
      // A sibling directory sharing its first characters is not below it.
      expect(await processNamesPathUnder(named.pid as number, '/tmp/kaic-run')).to.equal(false);
      expect(await processNamesPathUnder(named.pid as number, '/tmp/kaic-run-y/m')).to.equal(false);
    } finally {
      named.kill('SIGKILL');
      await named;
    }
  });
});
