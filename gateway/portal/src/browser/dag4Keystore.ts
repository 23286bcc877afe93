// Browser adapter for the part of dag4-keystore's `keyStore` that @datagraph/protocol calls: DAG addresses,
// key generation, `dataSign`, and the V3 keystore. Each follows dag4-keystore 2.8.1
// (node_modules/@stardust-collective/dag4-keystore/dist/esm/key-store.js). The bundler aliases
// `@stardust-collective/dag4-keystore` to this file.
import { sha256, sha512 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import * as secp from '@noble/secp256k1';
import { decryptV3, encryptV3 } from './v3Keystore.ts';

const PKCS_PREFIX = '3056301006072a8648ce3d020106052b8104000a034200';
const DATA_SIGN_PREFIX = '\u0019Constellation Signed Data:\n';
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

export function base58(bytes: Uint8Array): string {
  const digits = [0];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) << 8;
      digits[i] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let out = '';
  for (const byte of bytes) {
    if (byte !== 0) break;
    out += '1';
  }
  for (let i = digits.length - 1; i >= 0; i--) out += B58[digits[i] as number];
  return out;
}

/** dag4 `sign`: ECDSA (RFC 6979, low-S, DER) over SHA-512 of the message text; noble keeps the leftmost 256 bits. */
export async function sign(privateKey: string, msg: string): Promise<string> {
  const sig = await secp.sign(bytesToHex(sha512(utf8ToBytes(msg))), privateKey);
  return bytesToHex(sig);
}

export const keyStore = {
  generatePrivateKey(): string {
    return bytesToHex(secp.utils.randomPrivateKey());
  },
  getDagAddressFromPublicKey(publicKeyHex: string): string {
    const full = publicKeyHex.length === 128 ? `04${publicKeyHex}` : publicKeyHex;
    const hash = base58(sha256(hexToBytes(PKCS_PREFIX + full)));
    const end = hash.slice(hash.length - 36);
    const sum = [...end].reduce((s, c) => (c >= '0' && c <= '9' ? s + Number(c) : s), 0);
    return `DAG${sum % 9}${end}`;
  },
  validateDagAddress(address: string): boolean {
    if (address?.length !== 40 || !address.startsWith('DAG')) return false;
    if (!/[0-9]/.test(address.charAt(3))) return false;
    return /^[1-9A-HJ-NP-Za-km-z]{36}$/.test(address.slice(4));
  },
  /** dag4 `dataSign`: sign(sha256hex(prefix + length + "\n" + msg)). */
  dataSign(privateKey: string, msg: string): Promise<string> {
    const message = `${DATA_SIGN_PREFIX}${msg.length}\n${msg}`;
    return sign(privateKey, bytesToHex(sha256(utf8ToBytes(message))));
  },
  generateEncryptedPrivateKey(password: string, privateKey: string) {
    return encryptV3(privateKey, password);
  },
  decryptPrivateKey(json: unknown, password: string): Promise<string> {
    return decryptV3(json, password);
  },
};

export default { keyStore };
