// Weight Measurement 0x2A9D (Weight Scale 0x181D), shared/reference/gatt.md B.7.
import type { Sample } from '../../sample.ts';
import { ByteReader } from '../ByteReader.ts';
import { readDateTime } from '../dateTime.ts';
import type { DecodeContext } from '../defineSensor.ts';
import { noValueSample, round, valueSample } from '../samples.ts';

const KG_PER_LB = 0.45359237;
const M_PER_IN = 0.0254;

/**
 * Decode a Weight Measurement into weight (kg) and, when present, height (m). SI resolution is 0.005 kg and
 * 0.001 m, Imperial 0.01 lb and 0.1 in; both are converted to kg and m. 0xFFFF is "measurement unsuccessful".
 * The scale's own time stamp, when sent, becomes the samples' `at`.
 * @example
 * decodeWeightMeasurement(Buffer.from([0x00, 0x14, 0x37]), { at: 0 }) // weight 0x3714 * 0.005 = 70.5 kg
 */
export function decodeWeightMeasurement(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a9d');
  const flags = r.u8();
  if (flags & 0xf0) r.malformed('reserved flag bits set');
  const imperial = (flags & 0x01) !== 0;
  const raw = r.u16();
  const stamp = flags & 0x02 ? readDateTime(r) : undefined;
  if (flags & 0x04) r.u8(); // User ID: not a health value, not kept
  let heightRaw: number | undefined;
  if (flags & 0x08) {
    r.u16(); // BMI: derived, the agent recomputes what it needs
    heightRaw = r.u16();
  }
  r.end();
  const at = stamp ?? ctx.at;
  const out: Sample[] = [];
  if (raw === 0xffff) out.push(noValueSample('weight', 'unsuccessful', 'kg', at));
  else out.push(valueSample('weight', imperial ? round(raw * 0.01 * KG_PER_LB, 3) : (raw * 5) / 1000, 'kg', at));
  if (heightRaw !== undefined) {
    out.push(valueSample('height', imperial ? round(heightRaw * 0.1 * M_PER_IN, 4) : heightRaw / 1000, 'm', at));
  }
  return out;
}
