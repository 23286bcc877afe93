// PLX Spot-Check 0x2A5E and PLX Continuous 0x2A5F (Pulse Oximeter 0x1822), shared/reference/gatt.md B.11.
import type { Sample } from '../../sample.ts';
import { ByteReader } from '../ByteReader.ts';
import { readDateTime } from '../dateTime.ts';
import type { DecodeContext } from '../defineSensor.ts';
import type { MedFloat } from '../ieee11073.ts';
import { medSample, noValueSample } from '../samples.ts';

// Measurement Status bit 13 "measurement unavailable", bit 15 "invalid measurement detected": the numbers
// beside them are not readings.
const STATUS_UNUSABLE = (1 << 13) | (1 << 15);

function plxSamples(spo2: MedFloat, pr: MedFloat, status: number | undefined, at: number): Sample[] {
  if (status !== undefined && status & STATUS_UNUSABLE) {
    return [noValueSample('spo2', 'unsuccessful', '%', at), noValueSample('pulse_rate', 'unsuccessful', 'bpm', at)];
  }
  return [medSample('spo2', spo2, '%', at), medSample('pulse_rate', pr, 'bpm', at)];
}

/**
 * Decode a PLX Spot-Check Measurement into spo2 (%) and pulse_rate (bpm); the device's time stamp, when sent,
 * becomes `at`. A status of "measurement unavailable" or "invalid" yields no-value samples.
 * @example decodePlxSpotCheck(Buffer.from([0x00, 97, 0x00, 62, 0x00]), { at: 0 }) // spo2 97 %, pulse 62 bpm
 */
export function decodePlxSpotCheck(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a5e');
  const flags = r.u8();
  if (flags & 0xe0) r.malformed('reserved flag bits set');
  const spo2 = r.sfloat();
  const pr = r.sfloat();
  const stamp = flags & 0x01 ? readDateTime(r) : undefined;
  const status = flags & 0x02 ? r.u16() : undefined;
  if (flags & 0x04) r.u24(); // Device and Sensor Status
  if (flags & 0x08) r.sfloat(); // Pulse Amplitude Index, not kept
  r.end();
  return plxSamples(spo2, pr, status, stamp ?? ctx.at);
}

/**
 * Decode a PLX Continuous Measurement: the SpO2PR-Normal pair is reported; the Fast and Slow pairs are read
 * and skipped (they are alternative averagings of the same signal).
 * @example decodePlxContinuous(Buffer.from([0x00, 98, 0x00, 55, 0x00]), { at: 0 }) // spo2 98 %, pulse 55 bpm
 */
export function decodePlxContinuous(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a5f');
  const flags = r.u8();
  if (flags & 0xe0) r.malformed('reserved flag bits set');
  const spo2 = r.sfloat();
  const pr = r.sfloat();
  if (flags & 0x01) r.skip(4); // SpO2PR-Fast (two SFLOATs)
  if (flags & 0x02) r.skip(4); // SpO2PR-Slow (two SFLOATs)
  const status = flags & 0x04 ? r.u16() : undefined;
  if (flags & 0x08) r.u24();
  if (flags & 0x10) r.sfloat();
  r.end();
  return plxSamples(spo2, pr, status, ctx.at);
}
