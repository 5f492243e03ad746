/**
 * What a run has done, as the steps that undo it: each step is registered the moment the thing it
 * undoes exists, and unwinding runs them newest first, once, whatever failed in between. The run's
 * teardown and the action's post step (which rebuilds the steps from main's records) both unwind one.
 */
export interface UndoStep {
  /** What the step undoes, for the log when it fails. */
  what: string;
  undo: () => Promise<void>;
}

export class UndoLog {
  private readonly steps: UndoStep[] = [];
  private unwinding: Promise<void> | null = null;

  constructor(private readonly log: (line: string) => void) {}

  /** Registers an undo; after unwinding began it runs at once (what a late step created goes too). */
  push(what: string, undo: () => Promise<void>): void {
    if (this.unwinding) {
      this.unwinding = this.unwinding.then(() => this.runStep({ what, undo }));
      return;
    }
    this.steps.push({ what, undo });
  }

  get size(): number {
    return this.steps.length;
  }

  /**
   * Runs every step newest first; a step that throws is logged and the others still run. Calling
   * it again (a signal during the teardown) waits for the same unwinding.
   */
  unwind(): Promise<void> {
    return (this.unwinding ??= (async () => {
      while (this.steps.length) await this.runStep(this.steps.pop()!);
    })());
  }

  private async runStep(step: UndoStep): Promise<void> {
    try {
      await step.undo();
    } catch (error) {
      this.log(`${step.what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
