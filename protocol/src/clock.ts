// Time comes from an injected clock, so tests can run a day of a wearable in milliseconds.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Unix time in milliseconds. */
  now(): number;
  /** Run `fn` once `ms` of this clock's time has passed. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * A clock that moves only when told to. `advance(ms)` fires every timer that falls due, in time order,
 * with `now()` equal to each timer's due time while it runs; timers set by a firing timer fire too if due.
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers = new Map<number, { due: number; fn: () => void }>();

  constructor(startMs = Date.UTC(2026, 0, 5, 0, 0, 0)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.set(id, { due: this.#now + Math.max(0, ms), fn });
    return { cancel: () => this.#timers.delete(id) };
  }

  /** Move time forward by `ms`, firing due timers synchronously. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let nextId = -1;
      let next: { due: number; fn: () => void } | undefined;
      for (const [id, t] of this.#timers) {
        if (t.due <= target && (next === undefined || t.due < next.due || (t.due === next.due && id < nextId))) {
          next = t;
          nextId = id;
        }
      }
      if (!next) break;
      this.#timers.delete(nextId);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
    this.#now = target;
  }

  /** Like advance, but yields to the event loop after each step so async work started by timers can run. */
  async advanceAsync(ms: number, stepMs = 1000): Promise<void> {
    let left = ms;
    while (left > 0) {
      const step = Math.min(stepMs, left);
      this.advance(step);
      left -= step;
      await new Promise((r) => setImmediate(r));
    }
  }

  pendingTimers(): number {
    return this.#timers.size;
  }
}
