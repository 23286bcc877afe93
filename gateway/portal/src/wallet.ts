// The provider's wallet in the browser: key creation, dag4 V3 keystore export/import, and every signature the
// portal makes. All of it is @datagraph/protocol's own code (bundled with browser adapters for its crypto
// imports, see ../buildPortal.ts), so a request signed here is byte-for-byte what `datagraph provider` sends.
import {
  type ConsentPolicy,
  dataSignFast,
  decodePairingCode,
  decryptKeystore,
  encryptKeystore,
  generateKeyPair,
  type KeyPair,
  type Keystore,
  type RegisteredDevice,
} from '@datagraph/protocol';
import { buildProviderAction, buildRegistration } from '../../src/registry/providerRequests.ts';

export type { KeyPair };

export function createKey(): KeyPair {
  return generateKeyPair();
}

/** A dag4-compatible encrypted keystore (scrypt + AES-128-CTR): what the sign-up page offers to download. */
export function lockKey(key: KeyPair, password: string): Promise<Keystore> {
  return encryptKeystore(key.privateKey, password);
}

/** Opens a keystore file's JSON; throws ProtocolError PR_KEYSTORE_INVALID or PR_KEYSTORE_PASSWORD. */
export function unlockKeystore(json: unknown, password: string): Promise<KeyPair> {
  return decryptKeystore(json, password);
}

/** The device a pairing code names; throws ProtocolError PR_BAD_PAIRING_CODE with a human message. */
export function readPairingCode(code: string): RegisteredDevice {
  const d = decodePairingCode(code);
  return { address: d.address, publicKey: d.publicKey };
}

/** Proof of key possession for a portal session: dag4 dataSign over the gateway's challenge text. */
export function signChallenge(key: KeyPair, challenge: string): string {
  return dataSignFast(key.privateKey, challenge);
}

export function signRegistration(key: KeyPair, devices: RegisteredDevice[], policy: ConsentPolicy) {
  return buildRegistration(key, devices, policy);
}

export function signStop(key: KeyPair, type: 'RevokeConsent' | 'EraseData', policyVersion: number, atSeconds: number) {
  return buildProviderAction(key, type, policyVersion, atSeconds);
}
