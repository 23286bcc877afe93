// Current Time Service 0x1805: Current Time 0x2A2B (read, notify, write). The device keeps its own clock as an
// offset from the simulation clock; a central's write sets it, and `now()` is what it stamps records with.
import type { Clock } from '@datagraph/protocol';
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import { Bytes, dateTimeBytes } from './gattEncoding.ts';

/** Read back a written Current Time (10 bytes, gatt.md B.14): the simulator's own parser, not the agent's. */
export function parseCurrentTime(data: Buffer): number {
  if (data.length !== 10) throw new Error(`Current Time must be 10 bytes, got ${data.length}`);
  const u8 = (i: number) => data.readUInt8(i);
  const ms = Date.UTC(data.readUInt16LE(0), u8(2) - 1, u8(3), u8(4), u8(5), u8(6));
  return ms + Math.floor((u8(8) * 1000) / 256);
}

export class CurrentTimeService {
  static readonly uuid = '1805';
  readonly #clock: Clock;
  /** Device clock minus simulation clock, ms (a fresh device is far off: it starts at 2000-01-01). */
  #offset: number;
  /** Every time a central wrote, as the simulation clock saw it and as written. */
  readonly writes: Array<{ at: number; written: number }> = [];

  constructor(p: SimulatedPeripheral, clock: Clock, opts: { deviceTime?: number } = {}) {
    this.#clock = clock;
    this.#offset = (opts.deviceTime ?? Date.UTC(2000, 0, 1)) - clock.now();
    p.addService(
      CurrentTimeService.uuid,
      [
        {
          uuid: '2a2b',
          properties: ['read', 'notify', 'write'],
          onRead: () => this.#encode(),
          onWrite: (data) => {
            const written = parseCurrentTime(data);
            this.writes.push({ at: clock.now(), written });
            this.#offset = written - clock.now();
          },
        },
      ],
      { advertise: false },
    );
  }

  /** The device's idea of now (Unix ms). */
  now(): number {
    return this.#clock.now() + this.#offset;
  }

  #encode(): Buffer {
    const d = new Date(this.now());
    return new Bytes()
      .raw(dateTimeBytes(this.now()))
      .u8(((d.getUTCDay() + 6) % 7) + 1)
      .u8(0)
      .u8(0)
      .build();
  }
}
