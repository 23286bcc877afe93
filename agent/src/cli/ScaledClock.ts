// A clock that runs `speed` times faster than wall time from the moment it is made: `--speed 60` turns a
// simulated hour into a real minute. Used only for `datagraph agent run --simulate`.
import type { Clock, TimerHandle } from '@datagraph/protocol';

export class ScaledClock implements Clock {
  readonly #startReal: number;
  readonly #startSim: number;
  readonly #speed: number;

  constructor(speed: number, startSimMs = Date.now()) {
    this.#speed = speed;
    this.#startReal = Date.now();
    this.#startSim = startSimMs;
  }

  now(): number {
    return Math.floor(this.#startSim + (Date.now() - this.#startReal) * this.#speed);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms / this.#speed));
    return { cancel: () => clearTimeout(t) };
  }
}
