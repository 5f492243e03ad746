/**
 * Progress of a run: one line per phase and per test result. On a terminal the running phase is a
 * live line (rewritten in place with its elapsed time); elsewhere (CI logs) every line is plain and
 * timestamped. At the end, a table of the phases and their wall times.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

interface PhaseRecord {
  name: string;
  startedAt: number;
  endedAt?: number;
  outcome?: 'done' | 'failed';
}

export class Progress {
  private readonly phases: PhaseRecord[] = [];
  private live: PhaseRecord | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private detail = '';

  constructor(
    private readonly out: ProgressStream,
    private readonly now: () => number = Date.now,
    private readonly tty = Boolean(out.isTTY),
  ) {}

  private stamp(): string {
    return new Date(this.now()).toISOString().slice(11, 19);
  }

  private clearLive(): void {
    if (this.tty && this.live) this.out.write('\r\x1b[2K');
  }

  private drawLive(): void {
    if (!this.tty || !this.live) return;
    const seconds = ((this.now() - this.live.startedAt) / 1000).toFixed(0);
    this.out.write(
      `\r\x1b[2K… ${this.live.name} (${seconds} s)${this.detail ? ` — ${this.detail}` : ''}`,
    );
  }

  /** What the running phase is at (e.g. the requirement whose tests run), on its live line. */
  setDetail(text: string): void {
    this.detail = text;
    this.drawLive();
  }

  /** A line of its own (a test result, a component's log line), above the live line. */
  line(text: string): void {
    this.clearLive();
    this.out.write(this.tty ? `${text}\n` : `[kaic ${this.stamp()}] ${text}\n`);
    this.drawLive();
  }

  /** Runs `work` as a named phase: a live line while it runs, then its outcome and wall time. */
  async phase<T>(name: string, work: () => Promise<T>): Promise<T> {
    const record: PhaseRecord = { name, startedAt: this.now() };
    this.phases.push(record);
    this.live = record;
    if (this.tty) {
      this.drawLive();
      this.ticker = setInterval(() => this.drawLive(), 1000);
      this.ticker.unref();
    } else {
      this.out.write(`[kaic ${this.stamp()}] ${name} …\n`);
    }
    try {
      const result = await work();
      this.finish(record, 'done');
      return result;
    } catch (error) {
      this.finish(record, 'failed');
      throw error;
    }
  }

  private finish(record: PhaseRecord, outcome: 'done' | 'failed'): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.clearLive();
    this.live = null;
    this.detail = '';
    record.endedAt = this.now();
    record.outcome = outcome;
    const seconds = ((record.endedAt - record.startedAt) / 1000).toFixed(1);
    this.line(`${record.name}: ${outcome} in ${seconds} s`);
  }

  /** The phases so far with their wall times, as a table. */
  table(): string {
    const rows = this.phases.map((p) => [
      p.name,
      p.outcome ?? 'running',
      `${(((p.endedAt ?? this.now()) - p.startedAt) / 1000).toFixed(1)} s`,
    ]);
    const header = ['phase', 'outcome', 'wall time'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const format = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd();
    return [format(header), ...rows.map(format)].join('\n') + '\n';
  }
}
