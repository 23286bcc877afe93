// The MQTT CONNECT password of a device (DESIGN.md section 7).
//
// username = deviceId (the device key's DAG address)
// password = `{unixSeconds}:{signatureHex}` where signatureHex is the DER signature (lowercase hex) that dag4's
//            `dataSign` convention (`dataSignFast`) makes over `dg-connect:{deviceId}:{unixSeconds}`.
// The seconds travel in clear so the gateway can rebuild the signed text; it accepts them within a skew window
// (default 5 minutes) and checks the signature against the device key it has registered for that address.
import type { Clock } from './clock.ts';
import { addressFromPublicKey, type KeyPair, type PublicKeyId } from './keys.ts';
import { dataSignFast, verifyDataFast } from './signing.ts';
import { connectTokenMessage } from './topics.ts';

/** Clock skew allowed between device and gateway, in seconds. */
export const CONNECT_SKEW_SECONDS = 300;

const PASSWORD_RE = /^(\d{1,12}):([0-9a-f]{16,144})$/;

/** The CONNECT password for `device` at the clock's current second. */
export function connectPassword(device: Pick<KeyPair, 'privateKey' | 'address'>, clock: Pick<Clock, 'now'>): string {
  const unixSeconds = Math.floor(clock.now() / 1000);
  return `${unixSeconds}:${dataSignFast(device.privateKey, connectTokenMessage(device.address, unixSeconds))}`;
}

/** Split a CONNECT password into its seconds and signature, or null when it is not in the documented form. */
export function parseConnectPassword(
  password: string | Uint8Array | undefined,
): { unixSeconds: number; signature: string } | null {
  if (password === undefined) return null;
  const text = typeof password === 'string' ? password : Buffer.from(password).toString('utf8');
  const m = PASSWORD_RE.exec(text);
  if (!m) return null;
  return { unixSeconds: Number(m[1]), signature: m[2] as string };
}

export type ConnectPasswordVerdict = 'ok' | 'malformed' | 'stale' | 'wrong-key' | 'bad-signature';

/**
 * Check a device's CONNECT credentials against the public key registered for it.
 * `nowMs` is the verifier's clock; tokens more than `skewSeconds` away from it either way are stale.
 */
export function verifyConnectPassword(
  deviceId: string,
  publicKey: PublicKeyId,
  password: string | Uint8Array | undefined,
  nowMs: number,
  skewSeconds = CONNECT_SKEW_SECONDS,
): ConnectPasswordVerdict {
  const parsed = parseConnectPassword(password);
  if (!parsed) return 'malformed';
  if (Math.abs(Math.floor(nowMs / 1000) - parsed.unixSeconds) > skewSeconds) return 'stale';
  let address: string;
  try {
    address = addressFromPublicKey(publicKey);
  } catch {
    return 'wrong-key';
  }
  if (address !== deviceId) return 'wrong-key';
  return verifyDataFast(publicKey, connectTokenMessage(deviceId, parsed.unixSeconds), parsed.signature)
    ? 'ok'
    : 'bad-signature';
}
