// RSC Measurement 0x2A53 (Running Speed and Cadence 0x1814), shared/reference/gatt.md B.5.
import type { Sample } from '../../sample.ts';
import { ByteReader } from '../ByteReader.ts';
import type { DecodeContext } from '../defineSensor.ts';
import { valueSample } from '../samples.ts';

/**
 * Decode an RSC Measurement into speed (m/s), cadence (steps/min) and, when present, stride_length (m) and
 * distance (m, cumulative).
 * @example
 * decodeRscMeasurement(Buffer.from([0x00, 0x00, 0x03, 170]), { at: 0 })
 * // speed 3 m/s (0x0300 / 256), cadence 170 steps/min
 */
export function decodeRscMeasurement(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a53');
  const flags = r.u8();
  if (flags & 0xf8) r.malformed('reserved flag bits set');
  const speed = r.u16() / 256; // 1/256 m/s
  const cadence = r.u8();
  const stride = flags & 0x01 ? r.u16() : undefined; // cm
  const distance = flags & 0x02 ? r.u32() : undefined; // 1/10 m
  r.end();
  const out: Sample[] = [
    valueSample('speed', speed, 'm/s', ctx.at),
    valueSample('cadence', cadence, 'steps/min', ctx.at),
  ];
  if (stride !== undefined) out.push(valueSample('stride_length', stride / 100, 'm', ctx.at));
  if (distance !== undefined) out.push(valueSample('distance', distance / 10, 'm', ctx.at));
  return out;
}
