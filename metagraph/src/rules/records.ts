// The calculated state's records: what a node keeps per provider, device, entry and receipt.
// zod schemas are the single source of truth; CalculatedState.fromJSON and the vectors parse with them.
import { BaseUnits, Cadence, DagAddress, FieldName, Hex64, PublicKeyId, Uuid, Window } from '@datagraph/protocol';
import { z } from 'zod';

export const ProviderStatus = z.enum(['active', 'revoked', 'erased']);
export type ProviderStatus = z.infer<typeof ProviderStatus>;

export const ProviderRecord = z
  .object({
    address: DagAddress,
    /** Version of the consent policy in force (the latest RegisterProvider's). */
    policyVersion: z.number().int().positive(),
    /** SHA-256 of the canonical JSON of that policy; the policy itself stays off-chain with the gateway. */
    policyHash: Hex64,
    /** Field -> cadences consented, keys and cadences sorted. */
    consent: z.partialRecord(FieldName, z.array(Cadence)),
    /** Unix seconds after which no window may end; null = no expiry. */
    expiresAt: z.number().int().nonnegative().nullable(),
    /** Device addresses currently registered, sorted. */
    devices: z.array(DagAddress),
    status: ProviderStatus,
    /** Highest policy version revoked or erased; 0 when never. A new registration must exceed it. */
    revokedVersion: z.number().int().nonnegative(),
    /** Ordinal of the snapshot that last changed this record. */
    updatedOrdinal: z.number().int().nonnegative(),
  })
  .strict();
export type ProviderRecord = z.infer<typeof ProviderRecord>;

export const DeviceRecord = z
  .object({
    address: DagAddress,
    publicKey: PublicKeyId,
    /** Provider the device is registered to, or null once a later registration of that provider dropped it. */
    provider: DagAddress.nullable(),
    /** Last accepted seq; 0 before the first entry. Kept when the device changes hands, so seq never repeats. */
    lastSeq: z.number().int().nonnegative(),
  })
  .strict();
export type DeviceRecord = z.infer<typeof DeviceRecord>;

export const EntryRecord = z
  .object({
    commitment: Hex64,
    id: Uuid,
    provider: DagAddress,
    device: DagAddress,
    gateway: DagAddress,
    seq: z.number().int().positive(),
    cadence: Cadence,
    window: Window,
    policyVersion: z.number().int().positive(),
    fields: z.array(FieldName),
    /** Snapshot ordinal and position among that snapshot's commitments (the Merkle leaf index). */
    ordinal: z.number().int().nonnegative(),
    index: z.number().int().nonnegative(),
  })
  .strict();
export type EntryRecord = z.infer<typeof EntryRecord>;

export const QueryReceiptRecord = z
  .object({
    query: Uuid,
    gateway: DagAddress,
    usageRoot: Hex64,
    rows: z.number().int().positive(),
    providers: z.number().int().positive(),
    payment: z.object({ txHash: Hex64, amount: BaseUnits, payer: DagAddress }).strict(),
    ordinal: z.number().int().nonnegative(),
  })
  .strict();
export type QueryReceiptRecord = z.infer<typeof QueryReceiptRecord>;

export const RewardCycleRecord = z
  .object({
    gateway: DagAddress,
    cycle: z.number().int().nonnegative(),
    payoutRoot: Hex64,
    queries: z.number().int().nonnegative(),
    totals: z.object({ payments: BaseUnits, payouts: BaseUnits, fees: BaseUnits, carried: BaseUnits }).strict(),
    ordinal: z.number().int().nonnegative(),
  })
  .strict();
export type RewardCycleRecord = z.infer<typeof RewardCycleRecord>;
