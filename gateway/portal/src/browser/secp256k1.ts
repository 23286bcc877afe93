// Browser adapter for the `secp256k1` (libsecp256k1) API that @datagraph/protocol calls, over
// @noble/secp256k1: the same library dag4-keystore signs with. ECDSA is RFC 6979 deterministic and low-S
// (canonical), so signatures are byte-identical to libsecp256k1's and to dag4's. The bundler aliases
// `secp256k1` to this file.
import { hmac } from '@noble/hashes/hmac';
import { sha256 } from '@noble/hashes/sha2';
import * as secp from '@noble/secp256k1';

// noble needs a synchronous HMAC-SHA256 for signSync (libsecp256k1's API is synchronous).
secp.utils.hmacSha256Sync = (key: Uint8Array, ...msgs: Uint8Array[]) =>
  hmac(sha256, key, secp.utils.concatBytes(...msgs));

export function ecdsaSign(msg32: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recid: number } {
  const [signature, recid] = secp.signSync(msg32, privateKey, { der: false, canonical: true, recovered: true });
  return { signature, recid };
}

export function signatureExport(compact: Uint8Array): Uint8Array {
  return secp.Signature.fromCompact(compact).toDERRawBytes();
}

export function signatureImport(der: Uint8Array): Uint8Array {
  return secp.Signature.fromDER(der).toCompactRawBytes();
}

export function ecdsaVerify(compact: Uint8Array, msg32: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    // strict: high-S refused, as libsecp256k1 does.
    return secp.verify(secp.Signature.fromCompact(compact), msg32, publicKey, { strict: true });
  } catch {
    return false;
  }
}

export function privateKeyVerify(privateKey: Uint8Array): boolean {
  return secp.utils.isValidPrivateKey(privateKey);
}

export function publicKeyCreate(privateKey: Uint8Array, compressed = true): Uint8Array {
  return secp.getPublicKey(privateKey, compressed);
}

export function publicKeyConvert(publicKey: Uint8Array, compressed = true): Uint8Array {
  return secp.Point.fromHex(publicKey).toRawBytes(compressed);
}

export default {
  ecdsaSign,
  signatureExport,
  signatureImport,
  ecdsaVerify,
  privateKeyVerify,
  publicKeyCreate,
  publicKeyConvert,
};
