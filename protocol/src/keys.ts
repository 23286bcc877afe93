// DAG keys: secp256k1, addresses and encrypted keystores, all following dag4-keystore exactly.
// Addresses and key generation are computed here (native secp256k1, SHA-256, base58), proven equal to dag4's in
// tests; keystore files are read and written natively too (keystoreV3.ts), so dag4-keystore and its Ethereum
// wallet dependencies (~25 MB resident) are never loaded by a device agent or the gateway.
import { createHash, randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import secp256k1 from 'secp256k1';
import { z } from 'zod';
import { ProtocolError } from './errors/ProtocolError.ts';
import { decryptV3, encryptV3, type V3KeystoreFile } from './keystoreV3.ts';

// dag4-keystore's address rules: "DAG", a digit, then 36 base58 characters. Like dag4, the parity digit is not
// re-derived when validating (an address is checked against a key where one is at hand).
const DAG_ADDRESS = /^DAG[0-9][1-9A-HJ-NP-Za-km-z]{36}$/;
// X.509 SubjectPublicKeyInfo prefix for a secp256k1 key, as dag4 prepends before hashing (without the 04).
const PKCS_PREFIX = '3056301006072a8648ce3d020106052b8104000a034200';

/** A DAG address: "DAG", a parity digit, 36 base58 characters. */
export const DagAddress = z
  .string()
  .length(40)
  .refine((a) => DAG_ADDRESS.test(a), { message: 'not a valid DAG address' });
export type DagAddress = z.infer<typeof DagAddress>;

/** Uncompressed secp256k1 public key as 128 hex chars, without the 04 prefix: Tessellation's proof id. */
export const PublicKeyId = z
  .string()
  .regex(/^[0-9a-f]{128}$/, 'expected 128 lowercase hex chars (public key without 04)');
export type PublicKeyId = z.infer<typeof PublicKeyId>;

export const PrivateKeyHex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex chars');

export interface KeyPair {
  privateKey: string;
  /** Uncompressed, without 04 (proof id form). */
  publicKey: PublicKeyId;
  address: DagAddress;
}

export function generateKeyPair(): KeyPair {
  for (;;) {
    const pk = randomBytes(32);
    if (secp256k1.privateKeyVerify(pk)) return keyPairFromPrivateKey(pk.toString('hex'));
  }
}

export function keyPairFromPrivateKey(privateKey: string): KeyPair {
  const pk = privateKey.toLowerCase();
  if (!PrivateKeyHex.safeParse(pk).success || !secp256k1.privateKeyVerify(Buffer.from(pk, 'hex'))) {
    throw new ProtocolError('PR_BAD_KEY', 'not a valid secp256k1 private key');
  }
  const full = Buffer.from(secp256k1.publicKeyCreate(Buffer.from(pk, 'hex'), false)).toString('hex');
  const publicKey = full.slice(2);
  return { privateKey: pk, publicKey, address: addressFromPublicKey(publicKey) };
}

/** DAG address of a public key given with or without the 04 prefix. */
export function addressFromPublicKey(publicKey: string): DagAddress {
  if (!/^(04)?[0-9a-fA-F]{128}$/.test(publicKey))
    throw new ProtocolError('PR_BAD_KEY', 'not an uncompressed public key');
  const full = publicKey.length === 128 ? `04${publicKey}` : publicKey;
  const digest = createHash('sha256')
    .update(Buffer.from(PKCS_PREFIX + full.toLowerCase(), 'hex'))
    .digest();
  const end = bs58.encode(digest).slice(-36);
  let digits = 0;
  for (const ch of end) if (ch >= '0' && ch <= '9') digits += Number(ch);
  return `DAG${digits % 9}${end}`;
}

export function isDagAddress(value: string): boolean {
  return DAG_ADDRESS.test(value);
}

/** Public key in 33-byte compressed form (hex), used by pairing codes. */
export function compressPublicKey(publicKey: PublicKeyId): string {
  return Buffer.from(secp256k1.publicKeyConvert(Buffer.from(`04${publicKey}`, 'hex'), true)).toString('hex');
}

export function decompressPublicKey(compressedHex: string): PublicKeyId {
  try {
    return Buffer.from(secp256k1.publicKeyConvert(Buffer.from(compressedHex, 'hex'), false))
      .toString('hex')
      .slice(2);
  } catch (cause) {
    throw new ProtocolError('PR_BAD_KEY', 'not a compressed secp256k1 public key', { cause });
  }
}

/** dag4's encrypted V3 keystore JSON (scrypt + AES-128-CTR), as written by `generateEncryptedPrivateKey`. */
const KdfParams = z
  .object({
    dklen: z.number().int().min(32).max(64),
    salt: z.string().regex(/^[0-9a-fA-F]+$/),
    n: z.number().int().positive().optional(),
    r: z.number().int().positive().optional(),
    p: z.number().int().positive().optional(),
    c: z.number().int().positive().optional(),
    prf: z.string().optional(),
  })
  .passthrough();

export const Keystore = z
  .object({
    crypto: z.object({
      cipher: z.literal('aes-128-ctr'),
      cipherparams: z.object({ iv: z.string().regex(/^[0-9a-fA-F]{32}$/) }),
      ciphertext: z.string().regex(/^[0-9a-fA-F]+$/),
      kdf: z.enum(['scrypt', 'pbkdf2']),
      kdfparams: KdfParams,
      mac: z.string().regex(/^[0-9a-fA-F]{64}$/),
    }),
    id: z.string(),
    address: z.string().optional(),
    version: z.literal(3),
  })
  .passthrough();
export type Keystore = z.infer<typeof Keystore>;

/** dag4's scrypt work factor, and the least `encryptKeystore` accepts (16 MiB of memory, 1/16 of the work). */
export const KEYSTORE_SCRYPT_N = { dag4: 262_144, min: 16_384 } as const;

/**
 * Encrypt a private key into dag4's V3 keystore format (readable by dag4's `decryptPrivateKey`). `scryptN` (a power
 * of two from 2^14 to dag4's 2^18) trades the cost of guessing a stolen file's password for the memory to open it.
 */
export async function encryptKeystore(
  privateKey: string,
  password: string,
  opts: { scryptN?: number } = {},
): Promise<Keystore> {
  if (password.length < 8)
    throw new ProtocolError('PR_KEYSTORE_PASSWORD', 'keystore password must be at least 8 characters');
  const n = opts.scryptN ?? KEYSTORE_SCRYPT_N.dag4;
  if (!Number.isSafeInteger(n) || n < KEYSTORE_SCRYPT_N.min || n > KEYSTORE_SCRYPT_N.dag4 || (n & (n - 1)) !== 0)
    throw new ProtocolError(
      'PR_KEYSTORE_PARAMS',
      `scrypt N must be a power of two from ${KEYSTORE_SCRYPT_N.min} to ${KEYSTORE_SCRYPT_N.dag4}, not ${n}`,
    );
  return Keystore.parse(await encryptV3(keyPairFromPrivateKey(privateKey).privateKey, password, n));
}

/** Decrypt a dag4 V3 keystore (one written by dag4 or by `encryptKeystore`). */
export async function decryptKeystore(json: unknown, password: string): Promise<KeyPair> {
  const parsed = Keystore.safeParse(json);
  if (!parsed.success) throw new ProtocolError('PR_KEYSTORE_INVALID');
  let pk: string | null;
  try {
    pk = await decryptV3(parsed.data as V3KeystoreFile, password);
  } catch (cause) {
    throw new ProtocolError('PR_KEYSTORE_INVALID', 'keystore file is damaged or uses unsupported parameters', {
      cause,
    });
  }
  if (pk === null)
    throw new ProtocolError('PR_KEYSTORE_PASSWORD', 'keystore password is wrong, or the file is damaged');
  return keyPairFromPrivateKey(pk);
}
