// Battery Service 0x180F: Battery Level 0x2A19 (read, notify), uint8 percent.
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';

export class BatteryService {
  static readonly uuid = '180f';
  readonly #p: SimulatedPeripheral;
  #level: number;

  constructor(p: SimulatedPeripheral, opts: { level?: number; advertise?: boolean } = {}) {
    this.#p = p;
    this.#level = opts.level ?? 100;
    p.addService(
      BatteryService.uuid,
      [{ uuid: '2a19', properties: ['read', 'notify'], value: Buffer.from([this.#level]) }],
      {
        advertise: opts.advertise ?? false,
      },
    );
  }

  get level(): number {
    return this.#level;
  }

  /** Set the level (0-100); subscribed centrals are notified when it changes. */
  setLevel(level: number): boolean {
    const v = Math.max(0, Math.min(100, Math.round(level)));
    if (v === this.#level) return false;
    this.#level = v;
    return this.#p.setValue(BatteryService.uuid, '2a19', Buffer.from([v]));
  }
}
