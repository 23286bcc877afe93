// Encoders for GATT field types, written from the spec (shared/reference/gatt.md B.1, Date Time) and kept
// independent of the agent's decoders so round-trip tests check one against the other.

/** IEEE-11073 special values, raw. */
export const SFLOAT = {
  NaN: 0x07ff,
  NRes: 0x0800,
  PositiveInfinity: 0x07fe,
  NegativeInfinity: 0x0802,
  Reserved: 0x0801,
} as const;
export const FLOAT = {
  NaN: 0x007fffff,
  NRes: 0x00800000,
  PositiveInfinity: 0x007ffffe,
  NegativeInfinity: 0x00800002,
  Reserved: 0x00800001,
} as const;

/** Raw SFLOAT for `value` at `exponent` (decimal places = -exponent): 120 mmHg -> sfloat(120, 0). */
export function sfloat(value: number, exponent = 0): number {
  const mantissa = Math.round(value * 10 ** -exponent);
  if (exponent < -8 || exponent > 7) throw new RangeError(`SFLOAT exponent ${exponent} out of range`);
  if (mantissa < -2045 || mantissa > 2045) throw new RangeError(`SFLOAT mantissa ${mantissa} out of range`);
  return ((exponent & 0x0f) << 12) | (mantissa & 0x0fff);
}

/** Raw FLOAT for `value` at `exponent`: 36.6 degC -> float(36.6, -1) = 0xff00016e. */
export function float(value: number, exponent = 0): number {
  const mantissa = Math.round(value * 10 ** -exponent);
  if (exponent < -128 || exponent > 127) throw new RangeError(`FLOAT exponent ${exponent} out of range`);
  if (mantissa < -8388605 || mantissa > 8388605) throw new RangeError(`FLOAT mantissa ${mantissa} out of range`);
  return (((exponent & 0xff) << 24) | (mantissa & 0xffffff)) >>> 0;
}

/** GATT Date Time (7 bytes) in UTC. */
export function dateTimeBytes(ms: number): Buffer {
  const d = new Date(ms);
  const b = Buffer.alloc(7);
  b.writeUInt16LE(d.getUTCFullYear(), 0);
  b.writeUInt8(d.getUTCMonth() + 1, 2);
  b.writeUInt8(d.getUTCDate(), 3);
  b.writeUInt8(d.getUTCHours(), 4);
  b.writeUInt8(d.getUTCMinutes(), 5);
  b.writeUInt8(d.getUTCSeconds(), 6);
  return b;
}

/** Little-endian byte builder. */
export class Bytes {
  readonly #parts: number[] = [];
  u8(v: number): this {
    this.#parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u24(v: number): this {
    return this.u16(v).u8(v >>> 16);
  }
  u32(v: number): this {
    return this.u16(v).u16(v >>> 16);
  }
  raw(b: Buffer): this {
    for (const x of b) this.#parts.push(x);
    return this;
  }
  build(): Buffer {
    return Buffer.from(this.#parts);
  }
}
