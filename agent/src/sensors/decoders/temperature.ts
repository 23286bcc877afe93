// Temperature Measurement 0x2A1C and Intermediate Temperature 0x2A1E (Health Thermometer 0x1809), gatt.md B.9.
import type { Sample } from '../../sample.ts';
import { ByteReader } from '../ByteReader.ts';
import { readDateTime } from '../dateTime.ts';
import type { DecodeContext } from '../defineSensor.ts';
import { medSample, round } from '../samples.ts';

/**
 * Decode a Temperature Measurement (IEEE-11073 FLOAT, Celsius or Fahrenheit) into temperature in degC.
 * FLOAT special values become a no-value sample.
 * @example
 * decodeTemperatureMeasurement(Buffer.from([0x00, 0x6e, 0x01, 0x00, 0xff]), { at: 0 }) // 366e-1 = 36.6 degC
 */
export function decodeTemperatureMeasurement(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a1c');
  const flags = r.u8();
  if (flags & 0xf8) r.malformed('reserved flag bits set');
  const fahrenheit = (flags & 0x01) !== 0;
  const value = r.float();
  const stamp = flags & 0x02 ? readDateTime(r) : undefined;
  if (flags & 0x04) {
    const type = r.u8();
    if (type < 1 || type > 9) r.malformed('temperature type is reserved');
  }
  r.end();
  return [
    medSample('temperature', value, 'degC', stamp ?? ctx.at, (v) => (fahrenheit ? round(((v - 32) * 5) / 9, 3) : v)),
  ];
}
