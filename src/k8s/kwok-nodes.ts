/** kwok marks the nodes it simulates with this annotation (value `fake`); their pods run no containers. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';

/**
 * The taint on every node kaic simulates (kwok's own convention, the key of its annotation), so
 * that only pods that opt in land where no container runs; a pod that knows nothing of kwok goes
 * to a node that really runs it (the real node) or stays Pending.
 */
export const SIMULATED_NODE_TAINT = {
  key: KWOK_NODE_ANNOTATION,
  value: 'fake',
  effect: 'NoSchedule',
} as const;

/** What a pod adds to its tolerations to be allowed onto simulated nodes (any annotation value). */
export const SIMULATED_NODE_TOLERATION = {
  key: SIMULATED_NODE_TAINT.key,
  operator: 'Exists',
  effect: SIMULATED_NODE_TAINT.effect,
} as const;

/** `a, b, c`, or the first and last of a long list with the count. */
function nodeList(names: string[]): string {
  return names.length <= 4
    ? names.join(', ')
    : `${names[0]} … ${names[names.length - 1]} (${names.length} nodes)`;
}

/**
 * One line saying which nodes run containers and which are simulated (a pod there is reported
 * Running, yet nothing runs and its logs stay empty), so nobody reads a simulated pod as a result.
 * `tainted`: the simulated nodes carry SIMULATED_NODE_TAINT (kaic made them).
 */
export function nodeRolesLine(nodes: string[], containerNodes: string[], tainted: boolean): string {
  const simulated = nodes.filter((n) => !containerNodes.includes(n));
  const running = nodes.filter((n) => containerNodes.includes(n));
  const parts = [
    running.length
      ? `${nodeList(running)} ${running.length === 1 ? 'runs' : 'run'} containers`
      : 'no node runs containers',
  ];
  if (simulated.length) {
    const { key, value, effect } = SIMULATED_NODE_TAINT;
    parts.push(
      `${nodeList(simulated)} ${simulated.length === 1 ? 'is' : 'are'} simulated by kwok: ` +
        'a pod there is reported Running, but no container runs and its logs stay empty' +
        (tainted ? ` (only pods that tolerate ${key}=${value}:${effect} land there)` : ''),
    );
  }
  return parts.join('; ');
}
