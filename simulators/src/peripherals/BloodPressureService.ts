// Blood Pressure 0x1810: BP Measurement 0x2A35 (indicate; stored), Intermediate Cuff Pressure 0x2A36 (notify),
// BP Feature 0x2A49 (read).
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import { Bytes, dateTimeBytes, SFLOAT } from './gattEncoding.ts';

export interface BloodPressureMeasurement {
  /** Raw SFLOATs (see gattEncoding `sfloat`). */
  systolic: number;
  diastolic: number;
  map: number;
  kpa?: boolean;
  timestamp?: number;
  pulse?: number;
  userId?: number;
  status?: number;
}

/** Encode per GATT 0x2A35/0x2A36 (gatt.md B.10). */
export function encodeBloodPressure(m: BloodPressureMeasurement): Buffer {
  let flags = m.kpa ? 0x01 : 0;
  if (m.timestamp !== undefined) flags |= 0x02;
  if (m.pulse !== undefined) flags |= 0x04;
  if (m.userId !== undefined) flags |= 0x08;
  if (m.status !== undefined) flags |= 0x10;
  const b = new Bytes().u8(flags).u16(m.systolic).u16(m.diastolic).u16(m.map);
  if (m.timestamp !== undefined) b.raw(dateTimeBytes(m.timestamp));
  if (m.pulse !== undefined) b.u16(m.pulse);
  if (m.userId !== undefined) b.u8(m.userId);
  if (m.status !== undefined) b.u16(m.status);
  return b.build();
}

export class BloodPressureService {
  static readonly uuid = '1810';
  readonly #p: SimulatedPeripheral;

  constructor(p: SimulatedPeripheral) {
    this.#p = p;
    p.addService(BloodPressureService.uuid, [
      { uuid: '2a35', properties: ['indicate'] },
      { uuid: '2a36', properties: ['notify'] },
      { uuid: '2a49', properties: ['read'], value: Buffer.from([0x00, 0x00]) },
    ]);
  }

  /** Store a finished measurement; it is indicated now or on the next connection. */
  measure(m: BloodPressureMeasurement): void {
    this.#p.indicate(BloodPressureService.uuid, '2a35', encodeBloodPressure(m));
  }

  /** Cuff pressure while inflating (diastolic and MAP are NaN by spec). */
  cuff(pressureRaw: number, kpa = false): boolean {
    const data = encodeBloodPressure({ systolic: pressureRaw, diastolic: SFLOAT.NaN, map: SFLOAT.NaN, kpa });
    return this.#p.notify(BloodPressureService.uuid, '2a36', data);
  }
}
