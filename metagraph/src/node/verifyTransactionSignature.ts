// Transaction signatures, checked as Tessellation does: each proof is ECDSA (secp256k1) by the proof id's key
// over the transaction hash, where dag4's `keyStore.sign(pk, hashHex)` hashes the hex text with SHA-512 first.
// ECDSA uses the leftmost 256 bits of the digest, so libsecp256k1 gets SHA-512(hashHex)[0..32].
// dag4's own `sign` is not its `dataSign`: no "Constellation Signed Data" prefix here.
import { createHash } from 'node:crypto';
import secp256k1 from 'secp256k1';

function digest32(hashHex: string): Buffer {
  return createHash('sha512').update(hashHex, 'utf8').digest().subarray(0, 32);
}

/** Whether `signatureDer` (hex) is `publicKeyId`'s signature over `hashHex`, in dag4's `sign` convention. */
export function verifyHashSignature(publicKeyId: string, hashHex: string, signatureDer: string): boolean {
  try {
    const sig = secp256k1.signatureImport(Buffer.from(signatureDer, 'hex'));
    return secp256k1.ecdsaVerify(sig, digest32(hashHex), Buffer.from(`04${publicKeyId}`, 'hex'));
  } catch {
    return false;
  }
}

/** Sign a hash in dag4's `sign` convention (libsecp256k1, RFC 6979, low-S); used for snapshot proofs. */
export function signHash(privateKeyHex: string, hashHex: string): string {
  const { signature } = secp256k1.ecdsaSign(digest32(hashHex), Buffer.from(privateKeyHex, 'hex'));
  return Buffer.from(secp256k1.signatureExport(signature)).toString('hex');
}
