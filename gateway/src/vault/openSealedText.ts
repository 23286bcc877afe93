// Opening a vault row (the format Vault.ts seals: base64 of IV, GCM tag, ciphertext). In its own module with
// nothing but node:crypto, so the download's worker thread can decrypt without loading the gateway.
import { createDecipheriv } from 'node:crypto';

const IV = 12;
const TAG = 16;

/** The plaintext of a sealed row's raw bytes (IV, tag, ciphertext); throws unless the tag verifies. */
export function openSealedBytes(key: Uint8Array, raw: Uint8Array, aad: Uint8Array): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV));
  d.setAAD(aad);
  d.setAuthTag(raw.subarray(IV, IV + TAG));
  // no Buffer.concat: GCM's update returns it all
  const plain = d.update(raw.subarray(IV + TAG));
  d.final();
  return plain;
}

/** The plaintext of a sealed row as stored (base64). */
export const openSealed = (key: Uint8Array, sealed: string, aad: string): Buffer =>
  openSealedBytes(key, Buffer.from(sealed, 'base64'), Buffer.from(aad, 'utf8'));

/** The plaintext as UTF-8 text. */
export const openSealedText = (key: Uint8Array, sealed: string, aad: string): string =>
  openSealed(key, sealed, aad).toString('utf8');
