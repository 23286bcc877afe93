// Deterministic actors and signed updates for conformance vectors and tests: every key, id and salt derives
// from a fixed seed, and libsecp256k1 signs by RFC 6979, so the same seeds always give the same bytes.
// Not used by the node; it exists so that vectors (and a Scala port's fixtures) are reproducible.
import {
  type Cadence,
  type ConsentPolicy,
  type DataUpdate,
  type FieldName,
  type IngestEntry,
  type KeyPair,
  keyPairFromPrivateKey,
  type SignatureProof,
  type SignedDataUpdate,
  sha256Hex,
  signUpdate,
  signValue,
  toIngestEntry,
  type UpdateBody,
  type Window,
} from '@datagraph/protocol';

/** A secp256k1 key pair whose private key is SHA-256 of `datagraph/vectors/key/{seed}`. */
export function keyFromSeed(seed: string): KeyPair {
  return keyPairFromPrivateKey(sha256Hex(`datagraph/vectors/key/${seed}`));
}

/** An RFC 4122 version-4-shaped UUID from a seed. */
export function uuidFromSeed(seed: string): string {
  const h = sha256Hex(`datagraph/vectors/uuid/${seed}`);
  const variant = ((Number.parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function hex64FromSeed(seed: string): string {
  return sha256Hex(`datagraph/vectors/hex/${seed}`);
}

/** Sign a data-update value with each key, in order (dag4 data signing over base64 canonical JSON). */
export function signedBy(value: DataUpdate, ...signers: KeyPair[]): SignedDataUpdate {
  return { value, proofs: signers.map((k): SignatureProof => signValue(k.privateKey, k.publicKey, value)) };
}

export const HOUR = 3600;
export const DAY = 86400;
/** 2026-01-01T00:00:00Z: windows in vectors start here. */
export const EPOCH = 1767225600;

export function hourWindow(n: number): Window {
  return { start: EPOCH + n * HOUR, end: EPOCH + (n + 1) * HOUR };
}

export function dayWindow(n: number): Window {
  return { start: EPOCH + n * DAY, end: EPOCH + (n + 1) * DAY };
}

export interface EntrySpec {
  device: KeyPair;
  provider: string;
  seq: number;
  cadence: Cadence;
  window: Window;
  policyVersion: number;
  /** Raw values: they go into the salted commitment only, never into the entry. */
  values: Partial<Record<FieldName, number | string>>;
  seed: string;
  /** Entry id; derived from the seed when absent. */
  id?: string;
}

/** What a device signs and the gateway forwards: the body's salted commitment, signed, values stripped. */
export function entry(spec: EntrySpec): IngestEntry {
  const body: UpdateBody = {
    v: 1,
    id: spec.id ?? uuidFromSeed(`entry/${spec.seed}`),
    provider: spec.provider,
    device: spec.device.address,
    seq: spec.seq,
    cadence: spec.cadence,
    window: spec.window,
    policyVersion: spec.policyVersion,
    fields: spec.values,
    salt: sha256Hex(`datagraph/vectors/salt/${spec.seed}`).slice(0, 32),
  };
  return toIngestEntry(signUpdate(body, spec.device));
}

export function ingestBatch(gateway: KeyPair, seed: string, entries: IngestEntry[]): SignedDataUpdate {
  return signedBy(
    { type: 'IngestBatch', v: 1, gateway: gateway.address, batch: uuidFromSeed(`batch/${seed}`), entries },
    gateway,
  );
}

export function policy(
  provider: string,
  version: number,
  fields: ConsentPolicy['fields'],
  expiresAt: number | null = null,
): ConsentPolicy {
  return { v: 1, provider, version, fields, generalisation: {}, issuedAt: EPOCH - DAY, expiresAt };
}

export function registerProvider(provider: KeyPair, devices: KeyPair[], pol: ConsentPolicy): SignedDataUpdate {
  return signedBy(
    {
      type: 'RegisterProvider',
      v: 1,
      provider: provider.address,
      devices: devices.map((d) => ({ address: d.address, publicKey: d.publicKey })),
      policy: pol,
    },
    provider,
  );
}

export function revokeConsent(
  provider: KeyPair,
  policyVersion: number,
  type: 'RevokeConsent' | 'EraseData' = 'RevokeConsent',
): SignedDataUpdate {
  return signedBy({ type, v: 1, provider: provider.address, policyVersion, at: EPOCH + 30 * DAY }, provider);
}

export function queryReceipt(
  gateway: KeyPair,
  seed: string,
  txSeed = seed,
  rows = 10,
  providers = 3,
): SignedDataUpdate {
  return signedBy(
    {
      type: 'QueryReceipt',
      v: 1,
      gateway: gateway.address,
      query: uuidFromSeed(`query/${seed}`),
      usageRoot: hex64FromSeed(`usage/${seed}`),
      rows,
      providers,
      payment: { txHash: hex64FromSeed(`tx/${txSeed}`), amount: '150000000', payer: keyFromSeed('researcher').address },
    },
    gateway,
  );
}

export function rewardCycle(gateway: KeyPair, cycle: number): SignedDataUpdate {
  return signedBy(
    {
      type: 'RewardCycle',
      v: 1,
      gateway: gateway.address,
      cycle,
      payoutRoot: hex64FromSeed(`payout/${cycle}`),
      queries: 1,
      totals: { payments: '150000000', payouts: '142500000', fees: '7500000', carried: '0' },
    },
    gateway,
  );
}
