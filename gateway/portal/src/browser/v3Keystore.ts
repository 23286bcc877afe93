// dag4's encrypted private-key file in the browser: the Ethereum V3 keystore that dag4-keystore writes through
// ethereumjs-wallet `toV3` (node_modules/ethereumjs-wallet/dist/index.js): scrypt (n 262144, r 8, p 1,
// dklen 32, 32-byte salt), AES-128-CTR under the first 16 bytes of the derived key with a 16-byte IV, and
// mac = keccak256(derivedKey[16..32] || ciphertext). `fromV3` also reads pbkdf2 (hmac-sha256) files.
// scrypt and keccak come from @noble/hashes, AES-CTR from WebCrypto.
import { pbkdf2Async } from '@noble/hashes/pbkdf2';
import { scryptAsync } from '@noble/hashes/scrypt';
import { sha256 } from '@noble/hashes/sha2';
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import * as secp from '@noble/secp256k1';

export interface V3Keystore {
  version: 3;
  id: string;
  address: string;
  crypto: {
    ciphertext: string;
    cipherparams: { iv: string };
    cipher: 'aes-128-ctr';
    kdf: 'scrypt' | 'pbkdf2';
    kdfparams: Record<string, unknown>;
    mac: string;
  };
}

/** ethereumjs-wallet's defaults, which dag4 uses (it passes no options). */
export const V3_SCRYPT = { n: 262144, r: 8, p: 1, dklen: 32 } as const;

function random(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

async function aes128Ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  // Copies typed as ArrayBuffer-backed views, as WebCrypto's BufferSource wants.
  const k = await globalThis.crypto.subtle.importKey('raw', Uint8Array.from(key), { name: 'AES-CTR' }, false, [
    'encrypt',
  ]);
  // Node's aes-128-ctr increments the whole 128-bit counter block: length 128 does the same.
  return new Uint8Array(
    await globalThis.crypto.subtle.encrypt(
      { name: 'AES-CTR', counter: Uint8Array.from(iv), length: 128 },
      k,
      Uint8Array.from(data),
    ),
  );
}

function uuidV4(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const h = bytesToHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** What ethereumjs-wallet puts in `address`: keccak256 of the uncompressed public key (no 04), last 20 bytes. */
export function ethAddress(privateKeyHex: string): string {
  return bytesToHex(keccak_256(secp.getPublicKey(privateKeyHex, false).subarray(1)).subarray(12));
}

async function deriveKey(password: string, kdf: string, p: Record<string, unknown>): Promise<Uint8Array> {
  const salt = hexToBytes(String(p.salt));
  const dklen = Number(p.dklen);
  if (kdf === 'scrypt')
    return scryptAsync(utf8ToBytes(password), salt, { N: Number(p.n), r: Number(p.r), p: Number(p.p), dkLen: dklen });
  if (kdf === 'pbkdf2' && p.prf === 'hmac-sha256')
    return pbkdf2Async(sha256, utf8ToBytes(password), salt, { c: Number(p.c), dkLen: dklen });
  throw new Error('unsupported key derivation in keystore');
}

export async function encryptV3(
  privateKeyHex: string,
  password: string,
  opts: { n?: number } = {},
): Promise<V3Keystore> {
  const salt = random(32);
  const iv = random(16);
  const kdfparams = {
    dklen: V3_SCRYPT.dklen,
    salt: bytesToHex(salt),
    n: opts.n ?? V3_SCRYPT.n,
    r: V3_SCRYPT.r,
    p: V3_SCRYPT.p,
  };
  const dk = await deriveKey(password, 'scrypt', kdfparams);
  const ciphertext = await aes128Ctr(dk.subarray(0, 16), iv, hexToBytes(privateKeyHex));
  const mac = keccak_256(concatBytes(dk.subarray(16, 32), ciphertext));
  return {
    version: 3,
    id: uuidV4(random(16)),
    address: ethAddress(privateKeyHex),
    crypto: {
      ciphertext: bytesToHex(ciphertext),
      cipherparams: { iv: bytesToHex(iv) },
      cipher: 'aes-128-ctr',
      kdf: 'scrypt',
      kdfparams,
      mac: bytesToHex(mac),
    },
  };
}

/** Thrown by `decryptV3` when the MAC does not match: a wrong password (or a damaged file). */
export class WrongPasswordError extends Error {
  constructor() {
    super('Key derivation failed - possibly wrong passphrase');
  }
}

/** The private key (hex) in a V3 keystore; throws WrongPasswordError on a wrong password (the mac does not match). */
export async function decryptV3(json: unknown, password: string): Promise<string> {
  const ks = json as V3Keystore;
  if (!ks || typeof ks !== 'object' || ks.version !== 3 || !ks.crypto?.kdfparams) throw new Error('not a V3 keystore');
  if (ks.crypto.cipher !== 'aes-128-ctr') throw new Error('unsupported cipher in keystore');
  const dk = await deriveKey(password, ks.crypto.kdf, ks.crypto.kdfparams);
  const ciphertext = hexToBytes(ks.crypto.ciphertext);
  const mac = bytesToHex(keccak_256(concatBytes(dk.subarray(16, 32), ciphertext)));
  if (mac !== ks.crypto.mac) throw new WrongPasswordError();
  return bytesToHex(await aes128Ctr(dk.subarray(0, 16), hexToBytes(ks.crypto.cipherparams.iv), ciphertext));
}
