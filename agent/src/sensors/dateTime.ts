// GATT Date Time 0x2A08 (7 bytes): year u16 (0 = unknown), month, day, hours, minutes, seconds.
// Devices carry no time zone; the agent writes UTC into Current Time (0x2A2B), so stamps are read as UTC.
import type { ByteReader } from './ByteReader.ts';

/** Unix ms of a Date Time field, or undefined when the device says the date is unknown (year, month or day 0). */
export function readDateTime(r: ByteReader): number | undefined {
  const year = r.u16();
  const month = r.u8();
  const day = r.u8();
  const hours = r.u8();
  const minutes = r.u8();
  const seconds = r.u8();
  if (year === 0 || month === 0 || day === 0) return undefined;
  if (year < 1582 || year > 9999 || month > 12 || day > 31 || hours > 23 || minutes > 59 || seconds > 59) {
    r.malformed('Date Time field out of range');
  }
  const ms = Date.UTC(year, month - 1, day, hours, minutes, seconds);
  if (new Date(ms).getUTCDate() !== day) r.malformed('Date Time names a day that does not exist');
  return ms;
}
