// GATT UUIDs in noble's form: lowercase hex without dashes, 16-bit ones as 4 chars ('180d'), 128-bit as 32.
import { ProtocolError } from '@datagraph/protocol';

const BASE_SUFFIX = '00001000800000805f9b34fb'; // Bluetooth Base UUID 0000xxxx-0000-1000-8000-00805F9B34FB

/**
 * Normalise '0x180D', '180D', '0000180d-0000-1000-8000-00805f9b34fb' to '180d'; other 128-bit UUIDs to 32 hex chars.
 * @example normalizeUuid('0000180D-0000-1000-8000-00805F9B34FB') // '180d'
 */
export function normalizeUuid(uuid: string): string {
  const hex = String(uuid).toLowerCase().replace(/^0x/, '').replaceAll('-', '');
  if (/^[0-9a-f]{4}$/.test(hex)) return hex;
  if (/^[0-9a-f]{32}$/.test(hex)) {
    return hex.startsWith('0000') && hex.endsWith(BASE_SUFFIX) ? hex.slice(4, 8) : hex;
  }
  throw new ProtocolError('AG_SENSOR_INVALID', `not a 16-bit or 128-bit GATT UUID: ${JSON.stringify(uuid)}`);
}
