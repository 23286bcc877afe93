// User Data Service 0x181C: Age 0x2A80 (uint8 years) and Gender 0x2A8C (uint8), shared/reference/gatt.md B.13.
import type { Sample } from '../../sample.ts';
import { ByteReader } from '../ByteReader.ts';
import type { DecodeContext } from '../defineSensor.ts';
import { valueSample } from '../samples.ts';

/** @example decodeAge(Buffer.from([42]), { at: 0 }) // [{ kind: 'age', value: 42, unit: 'years', ... }] */
export function decodeAge(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a80');
  const age = r.u8();
  r.end();
  return [valueSample('age', age, 'years', ctx.at)];
}

const GENDERS = ['male', 'female', 'unspecified'] as const; // GSS: 0 male, 1 female, 2 unspecified, 3-255 RFU

/** @example decodeGender(Buffer.from([1]), { at: 0 }) // [{ kind: 'gender', value: 'female', unit: '', ... }] */
export function decodeGender(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a8c');
  const code = r.u8();
  r.end();
  const gender = GENDERS[code];
  if (gender === undefined) r.malformed('gender value is reserved');
  return [valueSample('gender', gender, '', ctx.at)];
}
