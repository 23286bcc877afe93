// Heart Rate Service 0x180D: Heart Rate Measurement 0x2A37 (notify), Body Sensor Location 0x2A38 (read).
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import { Bytes } from './gattEncoding.ts';

export interface HeartRateMeasurement {
  bpm: number;
  /** Cumulative energy expended, kJ (0x2A37 bit 3). */
  energyKj?: number;
  /** RR intervals in 1/1024 s units, as the strap measures them (0x2A37 bit 4). */
  rr1024?: number[];
  /** undefined: contact detection not supported; true/false: supported and (not) detected. */
  contact?: boolean;
  /** Force the uint16 format even for bpm < 256. */
  uint16?: boolean;
}

/** Encode per GATT 0x2A37 (gatt.md B.3). */
export function encodeHeartRateMeasurement(m: HeartRateMeasurement): Buffer {
  const wide = m.uint16 === true || m.bpm > 255;
  let flags = wide ? 0x01 : 0;
  if (m.contact !== undefined) flags |= 0x04 | (m.contact ? 0x02 : 0);
  if (m.energyKj !== undefined) flags |= 0x08;
  if (m.rr1024 && m.rr1024.length > 0) flags |= 0x10;
  const b = new Bytes().u8(flags);
  if (wide) b.u16(m.bpm);
  else b.u8(m.bpm);
  if (m.energyKj !== undefined) b.u16(Math.min(0xffff, m.energyKj));
  for (const rr of m.rr1024 ?? []) b.u16(rr);
  return b.build();
}

export class HeartRateService {
  static readonly uuid = '180d';
  readonly #p: SimulatedPeripheral;

  constructor(p: SimulatedPeripheral, opts: { location?: number } = {}) {
    this.#p = p;
    p.addService(HeartRateService.uuid, [
      { uuid: '2a37', properties: ['notify'] },
      { uuid: '2a38', properties: ['read'], value: Buffer.from([opts.location ?? 2]) }, // 2 = wrist
      { uuid: '2a39', properties: ['write'] },
    ]);
  }

  /** Notify one measurement; false if no central was listening (the reading is lost, as on a real strap). */
  measure(m: HeartRateMeasurement): boolean {
    return this.#p.notify(HeartRateService.uuid, '2a37', encodeHeartRateMeasurement(m));
  }
}
