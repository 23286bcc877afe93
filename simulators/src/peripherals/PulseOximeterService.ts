// Pulse Oximeter 0x1822: PLX Spot-Check 0x2A5E (indicate; stored), PLX Continuous 0x2A5F (notify),
// PLX Features 0x2A60 (read).
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import { Bytes, dateTimeBytes } from './gattEncoding.ts';

export interface PlxSpotCheck {
  /** Raw SFLOATs. */
  spo2: number;
  pulse: number;
  timestamp?: number;
  status?: number;
  deviceStatus?: number;
  pai?: number;
}

export interface PlxContinuous {
  spo2: number;
  pulse: number;
  fast?: { spo2: number; pulse: number };
  slow?: { spo2: number; pulse: number };
  status?: number;
  deviceStatus?: number;
  pai?: number;
}

/** Encode per GATT 0x2A5E (gatt.md B.11). */
export function encodePlxSpotCheck(m: PlxSpotCheck): Buffer {
  let flags = 0;
  if (m.timestamp !== undefined) flags |= 0x01;
  if (m.status !== undefined) flags |= 0x02;
  if (m.deviceStatus !== undefined) flags |= 0x04;
  if (m.pai !== undefined) flags |= 0x08;
  const b = new Bytes().u8(flags).u16(m.spo2).u16(m.pulse);
  if (m.timestamp !== undefined) b.raw(dateTimeBytes(m.timestamp));
  if (m.status !== undefined) b.u16(m.status);
  if (m.deviceStatus !== undefined) b.u24(m.deviceStatus);
  if (m.pai !== undefined) b.u16(m.pai);
  return b.build();
}

/** Encode per GATT 0x2A5F (gatt.md B.11). */
export function encodePlxContinuous(m: PlxContinuous): Buffer {
  let flags = 0;
  if (m.fast) flags |= 0x01;
  if (m.slow) flags |= 0x02;
  if (m.status !== undefined) flags |= 0x04;
  if (m.deviceStatus !== undefined) flags |= 0x08;
  if (m.pai !== undefined) flags |= 0x10;
  const b = new Bytes().u8(flags).u16(m.spo2).u16(m.pulse);
  if (m.fast) b.u16(m.fast.spo2).u16(m.fast.pulse);
  if (m.slow) b.u16(m.slow.spo2).u16(m.slow.pulse);
  if (m.status !== undefined) b.u16(m.status);
  if (m.deviceStatus !== undefined) b.u24(m.deviceStatus);
  if (m.pai !== undefined) b.u16(m.pai);
  return b.build();
}

export class PulseOximeterService {
  static readonly uuid = '1822';
  readonly #p: SimulatedPeripheral;

  constructor(p: SimulatedPeripheral, opts: { advertise?: boolean } = {}) {
    this.#p = p;
    p.addService(
      PulseOximeterService.uuid,
      [
        { uuid: '2a5e', properties: ['indicate'] },
        { uuid: '2a5f', properties: ['notify'] },
        { uuid: '2a60', properties: ['read'], value: Buffer.from([0x00, 0x00]) },
      ],
      { advertise: opts.advertise ?? true },
    );
  }

  spotCheck(m: PlxSpotCheck): void {
    this.#p.indicate(PulseOximeterService.uuid, '2a5e', encodePlxSpotCheck(m));
  }

  continuous(m: PlxContinuous): boolean {
    return this.#p.notify(PulseOximeterService.uuid, '2a5f', encodePlxContinuous(m));
  }
}
