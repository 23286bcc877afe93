// Battery Level 0x2A19 (Battery Service 0x180F): uint8 percent 0-100, other values RFU.
import type { Sample } from '../../sample.ts';
import { ByteReader } from '../ByteReader.ts';
import type { DecodeContext } from '../defineSensor.ts';
import { valueSample } from '../samples.ts';

/**
 * @example decodeBatteryLevel(Buffer.from([87]), { at: 0 }) // [{ kind: 'battery', value: 87, unit: '%', ... }]
 */
export function decodeBatteryLevel(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, '2a19');
  const level = r.u8();
  r.end();
  if (level > 100) r.malformed('battery level above 100 % is reserved');
  return [valueSample('battery', level, '%', ctx.at)];
}
