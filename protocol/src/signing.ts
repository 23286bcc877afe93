// Signatures following dag4's data-signing convention, with a native fast verify.
//
// dag4 `dataSign(pk, msg)`: m = "\u0019Constellation Signed Data:\n" + msg.length + "\n" + msg;
// h = sha256hex(m); signature = DER ECDSA over SHA-512(h as UTF-8 text) (dag4 `sign`).
// ECDSA uses the leftmost 256 bits of the digest, so the native check passes SHA-512(h)[0..32].
// Like dag4 (noble-secp256k1 strict mode), high-S signatures are refused.
import { createHash } from 'node:crypto';
import secp256k1 from 'secp256k1';
import { z } from 'zod';
import { canonicalJson } from './canonical.ts';
import { addressFromPublicKey, type PublicKeyId, PublicKeyId as PublicKeyIdSchema } from './keys.ts';

export const DATA_SIGN_PREFIX = '\u0019Constellation Signed Data:\n';

/** A Tessellation signature proof: the signer's public key (no 04) and a DER signature in hex. */
export const SignatureProof = z
  .object({
    id: PublicKeyIdSchema,
    signature: z.string().regex(/^[0-9a-f]{16,144}$/, 'expected a DER signature in lowercase hex'),
  })
  .strict();
export type SignatureProof = z.infer<typeof SignatureProof>;

/** The message dag4's `verifyData` expects: the prefixed form that `dataSign` builds. */
export function dataSignMessage(msg: string): string {
  return `${DATA_SIGN_PREFIX}${msg.length}\n${msg}`;
}

function dataDigest32(msg: string): Buffer {
  const h = createHash('sha256').update(dataSignMessage(msg), 'utf8').digest('hex');
  return createHash('sha512').update(h, 'utf8').digest().subarray(0, 32);
}

/** Sign `msg` exactly as dag4's `keyStore.dataSign` does, using libsecp256k1 (RFC 6979, low-S). */
export function dataSignFast(privateKey: string, msg: string): string {
  const { signature } = secp256k1.ecdsaSign(dataDigest32(msg), Buffer.from(privateKey, 'hex'));
  return Buffer.from(secp256k1.signatureExport(signature)).toString('hex');
}

/** dag4's own (JavaScript) data signing. Slower; kept for equivalence tests and callers that want dag4 itself. */
export async function dataSignDag4(privateKey: string, msg: string): Promise<string> {
  const { keyStore } = await import('@stardust-collective/dag4-keystore');
  return keyStore.dataSign(privateKey, msg);
}

/** Verify a dag4 data signature with libsecp256k1: same verdict as dag4 `verifyData(pub, dataSignMessage(msg), sig)`. */
export function verifyDataFast(publicKey: PublicKeyId, msg: string, signatureDer: string): boolean {
  try {
    const sig = secp256k1.signatureImport(Buffer.from(signatureDer, 'hex'));
    return secp256k1.ecdsaVerify(sig, dataDigest32(msg), Buffer.from(`04${publicKey}`, 'hex'));
  } catch {
    return false;
  }
}

/** What a metagraph data update's signature covers: base64 of the canonical JSON of its value. */
export function signedDataMessage(value: unknown): string {
  return Buffer.from(canonicalJson(value), 'utf8').toString('base64');
}

/** Sign a data-update value the way metagraph clients do: dataSign over base64(canonical JSON). */
export function signValue(privateKey: string, publicKey: PublicKeyId, value: unknown): SignatureProof {
  return { id: publicKey, signature: dataSignFast(privateKey, signedDataMessage(value)) };
}

export function verifyValueProof(value: unknown, proof: SignatureProof): boolean {
  return verifyDataFast(proof.id, signedDataMessage(value), proof.signature);
}

/** Address of the key behind a proof. */
export function proofAddress(proof: SignatureProof): string {
  return addressFromPublicKey(proof.id);
}
