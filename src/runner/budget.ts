/**
 * What a suite holds on the cluster while it runs, and which suites may therefore run at once.
 * A suite file declares it as `export const budget: SuiteBudget`; a file without one (a user's own
 * spec) runs alone. Admission is pure: unit-tested in test/unit/budget.test.ts.
 */

export const NODE_CPU_USES = ['requests', 'fills'] as const;

export interface SuiteBudget {
  /** Accelerator devices its pods hold at once, at most (0: none). */
  devices: number;
  /**
   * Node CPU: `requests` when its pods ask for CPU; `fills` when it measures a node's unrequested
   * CPU and fills it to the millicore (so no suite that requests CPU may run beside it).
   */
  nodeCpu?: (typeof NODE_CPU_USES)[number];
  /** Its usual wall time on kaic's default cluster: orders the queue (longest first), nothing else. */
  typicalSeconds?: number;
}

/** A suite waiting or running, by name, with its budget (null: it runs alone). */
export interface BudgetedSuite {
  name: string;
  budget: SuiteBudget | null;
}

export interface RunLimits {
  /** Suites at once, at most (1: one after another). */
  parallel: number;
  /** Accelerator devices the suites may hold together (see deviceCapacity). */
  devices: number;
}

export class BudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetError';
  }
}

/** The `budget` export of a loaded suite file, checked; null when the file declares none. */
export function budgetOf(exported: unknown, file: string): SuiteBudget | null {
  if (exported === undefined) return null;
  const b = exported as Partial<SuiteBudget> | null;
  const problem =
    typeof b !== 'object' || b === null
      ? 'is not an object'
      : !Number.isInteger(b.devices) || (b.devices as number) < 0
        ? 'has no whole number of devices ≥ 0'
        : b.nodeCpu !== undefined && !(NODE_CPU_USES as readonly string[]).includes(b.nodeCpu)
          ? `has nodeCpu "${String(b.nodeCpu)}" (expected ${NODE_CPU_USES.join(' or ')})`
          : b.typicalSeconds !== undefined && !(b.typicalSeconds >= 0)
            ? 'has a typicalSeconds that is not a number ≥ 0'
            : null;
  if (problem) throw new BudgetError(`${file}: its exported budget ${problem}`);
  return b as SuiteBudget;
}

/**
 * Whether `next` may start beside `running`. Anything starts when nothing runs (so a suite that
 * asks for more devices than there are still runs, alone among device users); otherwise within
 * the parallel limit, no suite without a budget on either side, devices within the capacity, and
 * no CPU user beside a suite that fills a node's CPU.
 */
export function mayStart(
  next: BudgetedSuite,
  running: BudgetedSuite[],
  limits: RunLimits,
): boolean {
  if (running.length === 0) return true;
  if (running.length >= limits.parallel) return false;
  const b = next.budget;
  if (!b || running.some((r) => !r.budget)) return false;
  const held = running.reduce((sum, r) => sum + (r.budget?.devices ?? 0), 0);
  if (b.devices > 0 && held + b.devices > limits.devices) return false;
  const cpu = running.map((r) => r.budget?.nodeCpu).filter(Boolean);
  if (b.nodeCpu === 'fills' && cpu.length) return false;
  if (b.nodeCpu && cpu.includes('fills')) return false;
  return true;
}

/** The queue in the order suites are offered a start: longest typical wall time first. */
export function queueOrder<T extends BudgetedSuite>(suites: T[]): T[] {
  return suites
    .map((s, index) => ({ s, index }))
    .sort(
      (a, b) =>
        (b.s.budget?.typicalSeconds ?? 0) - (a.s.budget?.typicalSeconds ?? 0) || a.index - b.index,
    )
    .map(({ s }) => s);
}
