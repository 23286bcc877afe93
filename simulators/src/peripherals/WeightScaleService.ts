// Weight Scale 0x181D: Weight Measurement 0x2A9D (indicate; stored until delivered), Feature 0x2A9E (read).
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import { Bytes, dateTimeBytes } from './gattEncoding.ts';

export interface WeightMeasurement {
  /** Raw weight: 0.005 kg units (SI) or 0.01 lb units (imperial); 0xffff = unsuccessful. */
  weightRaw: number;
  imperial?: boolean;
  /** Device time stamp, Unix ms (UTC). */
  timestamp?: number;
  userId?: number;
  /** BMI in 0.1 kg/m2 and height raw (0.001 m SI, 0.1 in imperial); both or neither. */
  bmiAndHeight?: { bmi10: number; heightRaw: number };
}

/** Encode per GATT 0x2A9D (gatt.md B.7). */
export function encodeWeightMeasurement(m: WeightMeasurement): Buffer {
  let flags = m.imperial ? 0x01 : 0;
  if (m.timestamp !== undefined) flags |= 0x02;
  if (m.userId !== undefined) flags |= 0x04;
  if (m.bmiAndHeight) flags |= 0x08;
  const b = new Bytes().u8(flags).u16(m.weightRaw);
  if (m.timestamp !== undefined) b.raw(dateTimeBytes(m.timestamp));
  if (m.userId !== undefined) b.u8(m.userId);
  if (m.bmiAndHeight) b.u16(m.bmiAndHeight.bmi10).u16(m.bmiAndHeight.heightRaw);
  return b.build();
}

export class WeightScaleService {
  static readonly uuid = '181d';
  readonly #p: SimulatedPeripheral;

  constructor(p: SimulatedPeripheral) {
    this.#p = p;
    p.addService(WeightScaleService.uuid, [
      { uuid: '2a9d', properties: ['indicate'] },
      { uuid: '2a9e', properties: ['read'], value: new Bytes().u32(0x0e).build() }, // time stamp, BMI, 0.005 kg
    ]);
  }

  /** Store a measurement; it is indicated now or on the next connection. */
  measure(m: WeightMeasurement): void {
    this.#p.indicate(WeightScaleService.uuid, '2a9d', encodeWeightMeasurement(m));
  }
}
