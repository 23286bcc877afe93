// Pairing codes: what `datagraph agent init` prints and a provider types or pastes into the portal.
// The device's compressed public key (33 bytes) and a 2-byte SHA-256 checksum, in Crockford base32,
// grouped by 4: "DG1-XXXX-XXXX-...". Crockford base32 has no I, L, O or U, so misreads are caught.
import { createHash } from 'node:crypto';
import { ProtocolError } from './errors/ProtocolError.ts';
import { addressFromPublicKey, compressPublicKey, decompressPublicKey, type PublicKeyId } from './keys.ts';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const PREFIX = 'DG1';

function base32(bytes: Buffer): string {
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Buffer {
  let bits = 0;
  let acc = 0;
  const out: number[] = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new ProtocolError('PR_BAD_PAIRING_CODE', `pairing code has an invalid character '${ch}'`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function encodePairingCode(publicKey: PublicKeyId): string {
  const key = Buffer.from(compressPublicKey(publicKey), 'hex');
  const check = createHash('sha256').update(key).digest().subarray(0, 2);
  const body = base32(Buffer.concat([key, check]));
  return [PREFIX, ...(body.match(/.{1,4}/g) ?? [])].join('-');
}

/** Decode a pairing code (case, spaces and dashes are forgiven) to the device key and address. */
export function decodePairingCode(code: string): { publicKey: PublicKeyId; address: string } {
  const clean = code.toUpperCase().replace(/[\s-]/g, '');
  if (!clean.startsWith(PREFIX))
    throw new ProtocolError('PR_BAD_PAIRING_CODE', `pairing code must start with ${PREFIX}-`);
  const bytes = unbase32(clean.slice(PREFIX.length));
  if (bytes.length !== 35) throw new ProtocolError('PR_BAD_PAIRING_CODE', 'pairing code has the wrong length');
  const key = bytes.subarray(0, 33);
  const check = createHash('sha256').update(key).digest().subarray(0, 2);
  if (!check.equals(bytes.subarray(33)))
    throw new ProtocolError('PR_BAD_PAIRING_CODE', 'pairing code checksum is wrong: check for a typo');
  const publicKey = decompressPublicKey(key.toString('hex'));
  return { publicKey, address: addressFromPublicKey(publicKey) };
}
