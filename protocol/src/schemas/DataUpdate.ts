// Metagraph data updates: what goes to the data L1 and so into public snapshots. No raw value ever appears:
// an ingest entry carries a commitment and field *names* only (DESIGN.md section 1, invariant 1).
import { z } from 'zod';
import { BaseUnits } from '../amount.ts';
import { Cadence, FieldName } from '../catalogue.ts';
import { DagAddress, PublicKeyId } from '../keys.ts';
import { SignatureProof } from '../signing.ts';
import { ConsentPolicy } from './ConsentPolicy.ts';
import { Hex64, UnixSeconds, Uuid } from './common.ts';
import { Window } from './Update.ts';

export const IngestEntry = z
  .object({
    id: Uuid,
    commitment: Hex64,
    provider: DagAddress,
    device: DagAddress,
    seq: z.number().int().positive(),
    cadence: Cadence,
    window: Window,
    policyVersion: z.number().int().positive(),
    /** Names only, sorted, no duplicates. */
    fields: z.array(FieldName).min(1),
    /** The device's signature over the commitment (dag4 data signing). */
    proof: SignatureProof,
  })
  .strict();
export type IngestEntry = z.infer<typeof IngestEntry>;

export const MAX_BATCH_ENTRIES = 5000;

export const IngestBatch = z
  .object({
    type: z.literal('IngestBatch'),
    v: z.literal(1),
    gateway: DagAddress,
    batch: Uuid,
    entries: z.array(IngestEntry).min(1).max(MAX_BATCH_ENTRIES),
  })
  .strict();
export type IngestBatch = z.infer<typeof IngestBatch>;

export const RegisteredDevice = z.object({ address: DagAddress, publicKey: PublicKeyId }).strict();
export type RegisteredDevice = z.infer<typeof RegisteredDevice>;

/** Signed by the provider. Registers (or re-registers with a higher policy version) devices and consent. */
export const RegisterProvider = z
  .object({
    type: z.literal('RegisterProvider'),
    v: z.literal(1),
    provider: DagAddress,
    devices: z.array(RegisteredDevice).min(1).max(64),
    policy: ConsentPolicy,
  })
  .strict();
export type RegisterProvider = z.infer<typeof RegisterProvider>;

/** Signed by the provider: stop all ingest under `policyVersion` and every earlier one. */
export const RevokeConsent = z
  .object({
    type: z.literal('RevokeConsent'),
    v: z.literal(1),
    provider: DagAddress,
    policyVersion: z.number().int().positive(),
    at: UnixSeconds,
  })
  .strict();
export type RevokeConsent = z.infer<typeof RevokeConsent>;

/** Signed by the provider: revoke, and have every gateway delete the provider's off-chain data. */
export const EraseData = z
  .object({
    type: z.literal('EraseData'),
    v: z.literal(1),
    provider: DagAddress,
    policyVersion: z.number().int().positive(),
    at: UnixSeconds,
  })
  .strict();
export type EraseData = z.infer<typeof EraseData>;

/** Signed by the gateway: a paid query's usage root, so providers can audit every use. */
export const QueryReceipt = z
  .object({
    type: z.literal('QueryReceipt'),
    v: z.literal(1),
    gateway: DagAddress,
    query: Uuid,
    usageRoot: Hex64,
    rows: z.number().int().positive(),
    providers: z.number().int().positive(),
    payment: z.object({ txHash: Hex64, amount: BaseUnits, payer: DagAddress }).strict(),
  })
  .strict();
export type QueryReceipt = z.infer<typeof QueryReceipt>;

/** Signed by the gateway: one rewards cycle's payout root and totals (all base units). */
export const RewardCycle = z
  .object({
    type: z.literal('RewardCycle'),
    v: z.literal(1),
    gateway: DagAddress,
    cycle: z.number().int().nonnegative(),
    payoutRoot: Hex64,
    queries: z.number().int().nonnegative(),
    totals: z.object({ payments: BaseUnits, payouts: BaseUnits, fees: BaseUnits, carried: BaseUnits }).strict(),
  })
  .strict();
export type RewardCycle = z.infer<typeof RewardCycle>;

export const DataUpdate = z.discriminatedUnion('type', [
  IngestBatch,
  RegisterProvider,
  RevokeConsent,
  EraseData,
  QueryReceipt,
  RewardCycle,
]);
export type DataUpdate = z.infer<typeof DataUpdate>;

/** What the data L1 `POST /data` takes: Tessellation's `Signed[DataUpdate]`. */
export const SignedDataUpdate = z.object({ value: DataUpdate, proofs: z.array(SignatureProof).min(1).max(8) }).strict();
export type SignedDataUpdate = z.infer<typeof SignedDataUpdate>;

/** Who must sign each kind of update: the provider's key, or a gateway's. */
export function requiredSigner(update: DataUpdate): DagAddress {
  return 'gateway' in update ? update.gateway : update.provider;
}

export const ProviderAction = z.union([RevokeConsent, EraseData]);
export { UnixSeconds };
