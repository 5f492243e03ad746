import {
  DEFAULT_TEST_MINOR,
  parseKubernetesMinor,
  type KubernetesMinor,
} from '../../src/versions/kubernetes.js';

/**
 * The minors the cluster tests run on, in order: KAIC_TEST_MINORS="1.35,1.33" (comma or space
 * separated). By default the default minor plus 1.33, the one DRA minor with the v1beta1 API
 * behind a gate. On every minor but the default one, tests of what does not differ between minors
 * skip themselves (onDefaultMinorOnly in hooks.ts).
 */
export function testMinors(env: NodeJS.ProcessEnv = process.env): KubernetesMinor[] {
  const raw = env.KAIC_TEST_MINORS?.trim();
  if (!raw) return [DEFAULT_TEST_MINOR, '1.33'];
  return [
    ...new Set(
      raw
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((m) => parseKubernetesMinor(m, 'KAIC_TEST_MINORS entry')),
    ),
  ];
}
