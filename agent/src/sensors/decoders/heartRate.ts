// Heart Rate Measurement 0x2A37 (Heart Rate Service 0x180D), shared/reference/gatt.md B.3.
import type { Sample } from '../../sample.ts';
import { ByteReader } from '../ByteReader.ts';
import type { DecodeContext } from '../defineSensor.ts';
import { noValueSample, valueSample } from '../samples.ts';

/**
 * Decode a Heart Rate Measurement notification into heart_rate (bpm), energy_expended (kJ, cumulative) and one
 * rr_interval (ms) per RR value. A strap that supports contact detection and reports no contact yields a
 * no-value heart_rate ('no-contact') and no RR intervals.
 * @example
 * decodeHeartRate(Buffer.from([0x00, 72]), { at: 0 })
 * // [{ hasValue: true, kind: 'heart_rate', value: 72, unit: 'bpm', at: 0 }]
 */
export function decodeHeartRate(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a37');
  const flags = r.u8();
  if (flags & 0xe0) r.malformed('reserved flag bits set');
  const bpm = flags & 0x01 ? r.u16() : r.u8(); // bit0: uint16 format
  const contactSupported = (flags & 0x04) !== 0;
  const contactDetected = (flags & 0x02) !== 0;
  const energy = flags & 0x08 ? r.u16() : undefined; // bit3: kJ
  const rr: number[] = [];
  if (flags & 0x10) {
    if (r.remaining === 0 || r.remaining % 2 !== 0) r.malformed('RR-Interval field must be whole uint16 values');
    while (r.remaining > 0) rr.push(r.u16());
  }
  r.end();

  const out: Sample[] = [];
  if (contactSupported && !contactDetected) {
    out.push(noValueSample('heart_rate', 'no-contact', 'bpm', ctx.at));
  } else if (bpm === 0) {
    out.push(noValueSample('heart_rate', 'unsuccessful', 'bpm', ctx.at));
  } else {
    out.push(valueSample('heart_rate', bpm, 'bpm', ctx.at));
  }
  if (energy !== undefined) out.push(valueSample('energy_expended', energy, 'kJ', ctx.at));
  if (!(contactSupported && !contactDetected)) {
    // GATT 0x2A37: RR intervals in 1/1024 s; x * 1000 / 1024 is exact in binary floating point.
    for (const v of rr) out.push(valueSample('rr_interval', (v * 1000) / 1024, 'ms', ctx.at));
  }
  return out;
}
