// Current Time 0x2A2B (Current Time Service 0x1805), 10 bytes: Exact Time 256 (Day Date Time + Fractions256)
// and Adjust Reason; shared/reference/gatt.md B.14. The agent writes it in UTC to devices that keep a clock.
import { ByteReader } from '../ByteReader.ts';
import { readDateTime } from '../dateTime.ts';

export interface CurrentTime {
  /** Unix ms (UTC), including the 1/256 s fraction. */
  at: number;
  /** 1 Monday ... 7 Sunday, 0 unknown. */
  dayOfWeek: number;
  /** bit0 manual, bit1 external reference, bit2 time zone change, bit3 DST change. */
  adjustReason: number;
}

/** Adjust Reason bit 1: the time comes from an external reference (the agent's clock). */
export const ADJUST_EXTERNAL_REFERENCE = 0x02;

/**
 * @example decodeCurrentTime(encodeCurrentTime(Date.UTC(2026, 0, 5, 8, 30))).at === Date.UTC(2026, 0, 5, 8, 30)
 */
export function decodeCurrentTime(data: Buffer): CurrentTime {
  const r: ByteReader = new ByteReader(data, '2a2b');
  const at = readDateTime(r);
  const dayOfWeek = r.u8();
  const fractions = r.u8();
  const adjustReason = r.u8();
  r.end();
  if (at === undefined) r.malformed('current time is unknown');
  if (dayOfWeek > 7) r.malformed('day of week is reserved');
  if (adjustReason & 0xf0) r.malformed('reserved adjust reason bits set');
  return { at: at + Math.floor((fractions * 1000) / 256), dayOfWeek, adjustReason };
}

/**
 * Encode `at` (Unix ms) as Current Time in UTC, for writing to a device's 0x2A2B.
 * @example encodeCurrentTime(Date.UTC(2026, 0, 5, 8, 30, 15, 500)) // <Buffer ea 07 01 05 08 1e 0f 01 80 02>
 */
export function encodeCurrentTime(at: number, adjustReason = ADJUST_EXTERNAL_REFERENCE): Buffer {
  const d = new Date(at);
  const b = Buffer.alloc(10);
  b.writeUInt16LE(d.getUTCFullYear(), 0);
  b.writeUInt8(d.getUTCMonth() + 1, 2);
  b.writeUInt8(d.getUTCDate(), 3);
  b.writeUInt8(d.getUTCHours(), 4);
  b.writeUInt8(d.getUTCMinutes(), 5);
  b.writeUInt8(d.getUTCSeconds(), 6);
  b.writeUInt8(((d.getUTCDay() + 6) % 7) + 1, 7); // JS 0 = Sunday; GATT 1 = Monday ... 7 = Sunday
  b.writeUInt8(Math.floor((d.getUTCMilliseconds() * 256) / 1000), 8);
  b.writeUInt8(adjustReason, 9);
  return b;
}
