// A one-line progress bar on stderr: `[#####.....] 1200/5000 rows`. Redrawn at most every `intervalMs`, so a fast
// download does not spend its time writing to the terminal.
export interface TextSink {
  write(text: string): unknown;
}

export class ProgressBar {
  #last = 0;
  #drawn = false;

  constructor(
    private readonly sink: TextSink,
    /** Rows expected in all; null when the server did not say. */
    private readonly total: number | null,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 100,
  ) {}

  update(done: number, force = false): void {
    const t = this.now();
    if (!force && this.#drawn && t - this.#last < this.intervalMs) return;
    this.#last = t;
    this.#drawn = true;
    this.sink.write(`\r${render(done, this.total)}`);
  }

  finish(done: number): void {
    this.update(done, true);
    this.sink.write('\n');
  }
}

function render(done: number, total: number | null, width = 30): string {
  if (total === null) return `${done} rows`;
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.round(frac * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${done}/${total} rows`;
}
