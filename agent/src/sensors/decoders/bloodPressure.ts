// Blood Pressure Measurement 0x2A35 and Intermediate Cuff Pressure 0x2A36 (Blood Pressure 0x1810), gatt.md B.10.
import type { Sample } from '../../sample.ts';
import { ByteReader } from '../ByteReader.ts';
import { readDateTime } from '../dateTime.ts';
import type { DecodeContext } from '../defineSensor.ts';
import type { MedFloat } from '../ieee11073.ts';
import { medSample, round } from '../samples.ts';

const MMHG_PER_KPA = 7.50062;

interface BpRecord {
  kpa: boolean;
  systolic: MedFloat;
  diastolic: MedFloat;
  map: MedFloat;
  pulse: MedFloat | undefined;
  at: number;
}

function readBp(data: Buffer, what: string, ctx: DecodeContext): BpRecord {
  const r: ByteReader = new ByteReader(data, what);
  const flags = r.u8();
  if (flags & 0xe0) r.malformed('reserved flag bits set');
  const systolic = r.sfloat();
  const diastolic = r.sfloat();
  const map = r.sfloat();
  const stamp = flags & 0x02 ? readDateTime(r) : undefined;
  const pulse = flags & 0x04 ? r.sfloat() : undefined;
  if (flags & 0x08) r.u8(); // User ID, not kept
  if (flags & 0x10) r.u16(); // Measurement Status (movement, cuff fit...), not a value
  r.end();
  return { kpa: (flags & 0x01) !== 0, systolic, diastolic, map, pulse, at: stamp ?? ctx.at };
}

const toMmHg = (kpa: boolean) => (v: number) => (kpa ? round(v * MMHG_PER_KPA, 1) : v);

/**
 * Decode a Blood Pressure Measurement (SFLOAT, mmHg or kPa) into bp_systolic, bp_diastolic, bp_map (mmHg) and,
 * when present, pulse_rate (bpm).
 * @example
 * // flags 0 (mmHg), 120 / 80 / 93
 * decodeBloodPressureMeasurement(Buffer.from([0x00, 120, 0x00, 80, 0x00, 93, 0x00]), { at: 0 })
 */
export function decodeBloodPressureMeasurement(data: Buffer, ctx: DecodeContext): Sample[] {
  const bp = readBp(data, '2a35', ctx);
  const conv = toMmHg(bp.kpa);
  const out = [
    medSample('bp_systolic', bp.systolic, 'mmHg', bp.at, conv),
    medSample('bp_diastolic', bp.diastolic, 'mmHg', bp.at, conv),
    medSample('bp_map', bp.map, 'mmHg', bp.at, conv),
  ];
  if (bp.pulse) out.push(medSample('pulse_rate', bp.pulse, 'bpm', bp.at));
  return out;
}

/**
 * Decode an Intermediate Cuff Pressure notification: the systolic slot carries the current cuff pressure
 * (diastolic and MAP are NaN by spec and are not reported).
 * @example
 * decodeIntermediateCuffPressure(Buffer.from([0x00, 150, 0x00, 0xff, 0x07, 0xff, 0x07]), { at: 0 }) // cuff 150 mmHg
 */
export function decodeIntermediateCuffPressure(data: Buffer, ctx: DecodeContext): Sample[] {
  const bp = readBp(data, '2a36', ctx);
  const out = [medSample('cuff_pressure', bp.systolic, 'mmHg', bp.at, toMmHg(bp.kpa))];
  if (bp.pulse) out.push(medSample('pulse_rate', bp.pulse, 'bpm', bp.at));
  return out;
}
