// Exponential reconnect backoff: initial, initial*factor, ... capped at max; reset after a good connection.

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Returns a multiplier in [0.5, 1] to spread reconnect storms; default none (deterministic). */
  jitter?: () => number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #factor: number;
  readonly #jitter: (() => number) | undefined;
  #attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.#initial = opts.initialMs ?? 1000;
    this.#max = opts.maxMs ?? 60_000;
    this.#factor = opts.factor ?? 2;
    this.#jitter = opts.jitter;
  }

  /** Delay before the next attempt; each call counts one failure. */
  next(): number {
    const base = Math.min(this.#max, this.#initial * this.#factor ** this.#attempt);
    this.#attempt += 1;
    return Math.round(this.#jitter ? base * this.#jitter() : base);
  }

  get failures(): number {
    return this.#attempt;
  }

  reset(): void {
    this.#attempt = 0;
  }
}
