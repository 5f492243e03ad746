/**
 * Running conformance suites against the test cluster the way `kaic run` does: KUBECONFIG and
 * the suites' settings in the environment for the run only, the conformance version of the
 * cluster's minor (the newest known for a newer minor), each test's outcome printed.
 */
import { resolve } from 'node:path';

import {
  CONFORMANCE_VERSIONS,
  isConformanceVersion,
  requirementsFor,
  type ConformanceVersion,
} from '../../src/requirements/catalog.js';
import type { TestResult } from '../../src/results/model.js';
import { SIMULATED_LOAD_SETTINGS } from '../../src/fakegpu/exporter.js';
import { suiteDeviceCapacity } from '../../src/runner/device-capacity.js';
import { runSuites } from '../../src/runner/run-suites.js';
import { resetSuiteCluster } from '../../suites/lib/cluster.js';
import { testCluster } from './hooks.js';

export function conformanceVersion(): ConformanceVersion {
  const { minor } = testCluster().release;
  return isConformanceVersion(minor)
    ? minor
    : CONFORMANCE_VERSIONS[CONFORMANCE_VERSIONS.length - 1]!;
}

/** Whether the conformance version of the cluster's minor has this requirement. */
export function inCatalog(id: string): boolean {
  return requirementsFor(conformanceVersion()).some((r) => r.id === id);
}

export interface SuiteRunOptions {
  /** Suite ids (files under suites/) to load; default: the requirement ids. */
  suites?: string[];
  /** Environment for the run only (undefined removes a variable). */
  env?: Record<string, string | undefined>;
  kubeconfigPath?: string;
  /** Print each test's evidence under its line. */
  evidence?: boolean;
  timeoutMs?: number;
  /** Suites at once (default 4, as `kaic run`). */
  parallel?: number;
  /**
   * The conformance version whose requirements run (default: the cluster's minor's), for suites
   * of a newer version that need nothing of its minor (the 1.36 SHOULDs on the default minor).
   */
  conformance?: ConformanceVersion;
}

export async function runSuitesOnTestCluster(
  ids: string[],
  options: SuiteRunOptions = {},
): Promise<TestResult[]> {
  const version = options.conformance ?? conformanceVersion();
  const catalog = requirementsFor(version);
  const selected = ids.filter((id) => catalog.some((r) => r.id === id));
  // An empty selection would run every suite.
  if (selected.length === 0) {
    throw new Error(`none of ${ids.join(', ')} is in conformance ${version}`);
  }
  const env = {
    KUBECONFIG: options.kubeconfigPath ?? testCluster().handle.kubeconfigPath,
    // The test cluster's accelerators are kaic's simulated GPUs, loaded as kaic tells them.
    ...SIMULATED_LOAD_SETTINGS,
    ...options.env,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  resetSuiteCluster();
  try {
    const run = await runSuites({
      specFiles: (options.suites ?? ids).map((id) => resolve(`suites/${id}.ts`)),
      requirements: catalog,
      selection: { ids: selected },
      timeoutMs: options.timeoutMs ?? 180_000,
      parallel: options.parallel ?? 4,
      deviceCapacity: () => suiteDeviceCapacity(),
    });
    for (const t of run.tests) {
      process.stdout.write(
        `      ${t.status.padEnd(7)} ${t.requirementId}: ${t.title}` +
          (t.skipReason ? ` (skipped: ${t.skipReason})` : '') +
          (t.failure ? ` — ${t.failure.message.split('\n')[0]}` : '') +
          '\n' +
          (options.evidence ? t.evidence.map((e) => `        ${e.summary}\n`).join('') : ''),
      );
    }
    return run.tests;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    resetSuiteCluster();
  }
}

export const testsOf = (tests: TestResult[], id: string) =>
  tests.filter((t) => t.requirementId === id);
