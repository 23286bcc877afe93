// Faults the simulated radio injects for one peripheral, each consumed as it fires so tests state exactly
// what goes wrong: "the next 2 connects fail", "the next read gets no answer", "every answer takes 3 s".

export interface RadioFaults {
  /** Fail this many connection attempts with an HCI error. */
  connectErrors?: number;
  /** Withhold the answer to the next N requests of each named operation ('connect', 'read', 'notify', ...). */
  silence?: Record<string, number>;
  /** Delay every answer by this many clock ms (a slow or busy peripheral); per operation or '*' for all. */
  latencyMs?: number | Record<string, number>;
  /** Replace the next N notifications with garbage bytes. */
  garbage?: number;
  /** The garbage payload (default one 0xff byte: every flag set and nothing behind it). */
  garbageBytes?: Buffer;
}

export class RadioFaultPlan {
  #connectErrors = 0;
  readonly #silence = new Map<string, number>();
  #latency: Record<string, number> = {};
  #garbage = 0;
  #garbageBytes = Buffer.from([0xff]);

  set(f: RadioFaults): this {
    if (f.connectErrors !== undefined) this.#connectErrors = f.connectErrors;
    for (const [op, n] of Object.entries(f.silence ?? {})) this.#silence.set(op, n);
    if (f.latencyMs !== undefined)
      this.#latency = typeof f.latencyMs === 'number' ? { '*': f.latencyMs } : { ...f.latencyMs };
    if (f.garbage !== undefined) this.#garbage = f.garbage;
    if (f.garbageBytes !== undefined) this.#garbageBytes = Buffer.from(f.garbageBytes);
    return this;
  }

  clear(): this {
    this.#connectErrors = 0;
    this.#silence.clear();
    this.#latency = {};
    this.#garbage = 0;
    return this;
  }

  takeConnectError(): boolean {
    if (this.#connectErrors <= 0) return false;
    this.#connectErrors -= 1;
    return true;
  }

  takeSilence(op: string): boolean {
    const n = this.#silence.get(op) ?? 0;
    if (n <= 0) return false;
    this.#silence.set(op, n - 1);
    return true;
  }

  latencyFor(op: string): number {
    return this.#latency[op] ?? this.#latency['*'] ?? 0;
  }

  takeGarbage(): Buffer | undefined {
    if (this.#garbage <= 0) return undefined;
    this.#garbage -= 1;
    return this.#garbageBytes;
  }
}
