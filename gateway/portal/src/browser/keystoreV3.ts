// Browser stand-in for protocol/src/keystoreV3.ts (which uses node's native scrypt and AES): the same two
// functions over the WebCrypto/@noble implementation in v3Keystore.ts. Aliased by buildPortal.ts.
import { decryptV3 as decrypt, encryptV3 as encrypt, type V3Keystore, WrongPasswordError } from './v3Keystore.ts';

export type V3KeystoreFile = V3Keystore;

export function encryptV3(privateKeyHex: string, password: string): Promise<V3Keystore> {
  return encrypt(privateKeyHex, password);
}

/** The private key (hex), or null when the password is wrong: protocol's contract. */
export async function decryptV3(file: V3Keystore, password: string): Promise<string | null> {
  try {
    return await decrypt(file, password);
  } catch (e) {
    if (e instanceof WrongPasswordError) return null;
    throw e;
  }
}
