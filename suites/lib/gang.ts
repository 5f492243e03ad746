/**
 * The gang_scheduling suite's choices, as pure logic (unit-tested): which solution it drives and,
 * for Kueue, which API version.
 */
import type { SuiteSettings } from '../../src/runner/suite-settings.js';

/** Gang schedulers kaic recognises by their API groups but does not drive yet. */
export const OTHER_SOLUTIONS: Record<string, string> = {
  'scheduling.run.ai': 'KAI scheduler',
  'scheduling.x-k8s.io': 'scheduler-plugins coscheduling',
};

/** Kueue's API versions kaic drives, newest first (their objects are the same for this test). */
export const KUEUE_APIS = ['kueue.x-k8s.io/v1beta2', 'kueue.x-k8s.io/v1beta1'] as const;
export const VOLCANO_API = 'scheduling.volcano.sh/v1beta1';
type SolutionSetting = SuiteSettings['gangScheduler'];
export type GangSolution = 'native' | 'kueue' | 'volcano';

/**
 * Which solution to drive, from the setting and what the server serves: a named one must be
 * served; `auto` takes Kueue, then Volcano, then the native API. Null when none is.
 */
export function chooseSolution(
  setting: SolutionSetting,
  served: { kueue: boolean; volcano: boolean; native: boolean },
): GangSolution | null {
  if (setting !== 'auto') return served[setting] ? setting : null;
  if (served.kueue) return 'kueue';
  if (served.volcano) return 'volcano';
  return served.native ? 'native' : null;
}

/** The Kueue API to drive: the one the setting names, else the newest served; null if not served. */
export function kueueApiToDrive(
  servedVersions: readonly string[],
  setting: SuiteSettings['kueueApiVersion'],
): string | null {
  const wanted = setting === 'auto' ? KUEUE_APIS : [`kueue.x-k8s.io/${setting}`];
  return wanted.find((v) => servedVersions.includes(v)) ?? null;
}
