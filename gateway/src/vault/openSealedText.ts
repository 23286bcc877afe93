// Opening a vault row as text (the format Vault.ts seals: base64 of IV, GCM tag, ciphertext). In its own module
// with nothing but node:crypto, so the download's worker thread can decrypt without loading the gateway.
import { createDecipheriv } from 'node:crypto';

const IV = 12;
const TAG = 16;

/** The plaintext; throws unless the tag verifies. No Buffer.concat: GCM's update returns it all. */
export function openSealed(key: Uint8Array, sealed: string, aad: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV));
  d.setAAD(Buffer.from(aad, 'latin1'));
  d.setAuthTag(raw.subarray(IV, IV + TAG));
  const plain = d.update(raw.subarray(IV + TAG));
  d.final();
  return plain;
}

/** The plaintext as UTF-8 text. */
export const openSealedText = (key: Uint8Array, sealed: string, aad: string): string =>
  openSealed(key, sealed, aad).toString('utf8');
