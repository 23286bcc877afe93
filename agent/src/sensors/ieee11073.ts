// IEEE 11073-20601 SFLOAT (16-bit) and FLOAT (32-bit) as used by the GATT health profiles.
// Rules and vectors: HL7 PHD IG, FLOATS.md (see shared/reference/gatt.md B.1). Special values are checked on the raw
// value before decoding, and never become a JS number (NaN/Infinity would turn into null in JSON).
import type { NoValueReason } from '../sample.ts';

export type MedFloat =
  | { ok: true; value: number; mantissa: number; exponent: number }
  | { ok: false; reason: NoValueReason };

const SFLOAT_SPECIAL: ReadonlyMap<number, NoValueReason> = new Map([
  [0x07ff, 'not-a-number'],
  [0x0800, 'error'], // NRes
  [0x07fe, 'positive-infinity'],
  [0x0802, 'negative-infinity'],
  [0x0801, 'error'], // reserved for future use
]);

const FLOAT_SPECIAL: ReadonlyMap<number, NoValueReason> = new Map([
  [0x007fffff, 'not-a-number'],
  [0x00800000, 'error'], // NRes
  [0x007ffffe, 'positive-infinity'],
  [0x00800002, 'negative-infinity'],
  [0x00800001, 'error'], // reserved for future use
]);

/** mantissa x 10^exponent, dividing for negative exponents so 366e-1 is exactly 36.6 (366 * 0.1 is not). */
function scale(mantissa: number, exponent: number): number {
  return exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
}

/**
 * Decode a raw SFLOAT (read with readUInt16LE): 4-bit signed exponent, 12-bit signed mantissa.
 * @example decodeSfloat(0xf014) // { ok: true, value: 2, mantissa: 20, exponent: -1 }
 * @example decodeSfloat(0x07ff) // { ok: false, reason: 'not-a-number' }
 */
export function decodeSfloat(raw: number): MedFloat {
  const special = SFLOAT_SPECIAL.get(raw & 0xffff);
  if (special) return { ok: false, reason: special };
  let exponent = (raw >> 12) & 0x0f;
  if (exponent >= 0x8) exponent -= 0x10;
  let mantissa = raw & 0x0fff;
  if (mantissa >= 0x800) mantissa -= 0x1000;
  return { ok: true, value: scale(mantissa, exponent), mantissa, exponent };
}

/**
 * Decode a raw FLOAT (read with readUInt32LE): 8-bit signed exponent, 24-bit signed mantissa.
 * @example decodeFloat(0xff000014) // { ok: true, value: 2, mantissa: 20, exponent: -1 }
 */
export function decodeFloat(raw: number): MedFloat {
  const u = raw >>> 0;
  const special = FLOAT_SPECIAL.get(u);
  if (special) return { ok: false, reason: special };
  let exponent = u >>> 24;
  if (exponent >= 0x80) exponent -= 0x100;
  let mantissa = u & 0xffffff;
  if (mantissa >= 0x800000) mantissa -= 0x1000000;
  return { ok: true, value: scale(mantissa, exponent), mantissa, exponent };
}
