// dag4's encrypted private-key file: the Ethereum V3 keystore that dag4-keystore writes through ethereumjs-wallet
// (`generateEncryptedPrivateKey` / `decryptPrivateKey`): scrypt (N 262144, r 8, p 1, 32 bytes) or PBKDF2-SHA256,
// AES-128-CTR under the first 16 bytes of the derived key, MAC = keccak-256(derived[16..32] || ciphertext).
// Done here with node's native scrypt and AES: dag4's JavaScript scrypt takes seconds and leaves its 256 MiB
// working set behind in the V8 heap of a long-running gateway. Files are interchangeable with dag4's (tested).
import {
  createCipheriv,
  createDecipheriv,
  pbkdf2,
  randomBytes,
  randomUUID,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3';
import secp256k1 from 'secp256k1';

const SCRYPT = { n: 262_144, r: 8, p: 1, dklen: 32 } as const;

export interface KdfParams {
  dklen: number;
  salt: string;
  n?: number;
  r?: number;
  p?: number;
  c?: number;
  prf?: string;
}

export interface V3KeystoreFile {
  version: number;
  id: string;
  address?: string;
  crypto: {
    ciphertext: string;
    cipherparams: { iv: string };
    cipher: string;
    kdf: string;
    kdfparams: KdfParams;
    mac: string;
  };
}

function deriveKey(password: string, kdf: string, params: KdfParams): Promise<Buffer> {
  const salt = Buffer.from(params.salt, 'hex');
  return new Promise((resolve, reject) => {
    if (kdf === 'scrypt') {
      const { n = 0, r = 0, p = 0 } = params;
      // maxmem: scrypt needs 128 * N * r bytes; allow that plus headroom, released as soon as it returns.
      scrypt(Buffer.from(password), salt, params.dklen, { N: n, r, p, maxmem: 256 * n * r }, (e, k) =>
        e ? reject(e) : resolve(k),
      );
    } else if (kdf === 'pbkdf2' && params.prf === 'hmac-sha256' && params.c) {
      pbkdf2(Buffer.from(password), salt, params.c, params.dklen, 'sha256', (e, k) => (e ? reject(e) : resolve(k)));
    } else reject(new Error(`unsupported kdf ${kdf}`));
  });
}

function mac(derived: Buffer, ciphertext: Buffer): string {
  return Buffer.from(keccak_256(Buffer.concat([derived.subarray(16, 32), ciphertext]))).toString('hex');
}

/** The key's Ethereum address (lowercase hex, no 0x), which ethereumjs-wallet writes into the file. */
function ethAddress(privateKey: Buffer): string {
  const pub = secp256k1.publicKeyCreate(privateKey, false).subarray(1);
  return Buffer.from(keccak_256(pub)).subarray(-20).toString('hex');
}

/**
 * Encrypt with dag4's scrypt parameters, or with a smaller N where a device cannot spare 128 * N * r bytes (256 MiB at
 * dag4's N) for the second it takes: the file records N and dag4 reads it, so either is a standard V3 keystore.
 */
export async function encryptV3(
  privateKeyHex: string,
  password: string,
  scryptN: number = SCRYPT.n,
): Promise<V3KeystoreFile> {
  const privateKey = Buffer.from(privateKeyHex, 'hex');
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const kdfparams: KdfParams = {
    dklen: SCRYPT.dklen,
    n: scryptN,
    r: SCRYPT.r,
    p: SCRYPT.p,
    salt: salt.toString('hex'),
  };
  const derived = await deriveKey(password, 'scrypt', kdfparams);
  const cipher = createCipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(privateKey), cipher.final()]);
  return {
    version: 3,
    id: randomUUID(),
    address: ethAddress(privateKey),
    crypto: {
      ciphertext: ciphertext.toString('hex'),
      cipherparams: { iv: iv.toString('hex') },
      cipher: 'aes-128-ctr',
      kdf: 'scrypt',
      kdfparams,
      mac: mac(derived, ciphertext),
    },
  };
}

/** The private key (hex), or null when the password is wrong (the MAC does not match). */
export async function decryptV3(file: V3KeystoreFile, password: string): Promise<string | null> {
  if (file.version !== 3 || file.crypto.cipher !== 'aes-128-ctr') throw new Error('not a V3 aes-128-ctr keystore');
  const derived = await deriveKey(password, file.crypto.kdf, file.crypto.kdfparams);
  const ciphertext = Buffer.from(file.crypto.ciphertext, 'hex');
  const expected = Buffer.from(mac(derived, ciphertext), 'hex');
  const given = Buffer.from(file.crypto.mac, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const decipher = createDecipheriv(
    'aes-128-ctr',
    derived.subarray(0, 16),
    Buffer.from(file.crypto.cipherparams.iv, 'hex'),
  );
  return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('hex');
}
