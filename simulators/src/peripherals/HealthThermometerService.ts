// Health Thermometer 0x1809: Temperature Measurement 0x2A1C (indicate; stored), Temperature Type 0x2A1D (read).
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import { Bytes, dateTimeBytes } from './gattEncoding.ts';

export interface TemperatureMeasurement {
  /** Raw IEEE-11073 FLOAT (see gattEncoding `float`). */
  floatRaw: number;
  fahrenheit?: boolean;
  timestamp?: number;
  /** 1 armpit ... 9 tympanum. */
  type?: number;
}

/** Encode per GATT 0x2A1C (gatt.md B.9). */
export function encodeTemperatureMeasurement(m: TemperatureMeasurement): Buffer {
  let flags = m.fahrenheit ? 0x01 : 0;
  if (m.timestamp !== undefined) flags |= 0x02;
  if (m.type !== undefined) flags |= 0x04;
  const b = new Bytes().u8(flags).u32(m.floatRaw);
  if (m.timestamp !== undefined) b.raw(dateTimeBytes(m.timestamp));
  if (m.type !== undefined) b.u8(m.type);
  return b.build();
}

export class HealthThermometerService {
  static readonly uuid = '1809';
  readonly #p: SimulatedPeripheral;

  constructor(p: SimulatedPeripheral) {
    this.#p = p;
    p.addService(HealthThermometerService.uuid, [
      { uuid: '2a1c', properties: ['indicate'] },
      { uuid: '2a1d', properties: ['read'], value: Buffer.from([6]) }, // mouth
    ]);
  }

  measure(m: TemperatureMeasurement): void {
    this.#p.indicate(HealthThermometerService.uuid, '2a1c', encodeTemperatureMeasurement(m));
  }
}
