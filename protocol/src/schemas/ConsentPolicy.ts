// A provider's consent policy: which fields leave the device, at which cadence, generalised how, until when.
import { z } from 'zod';
import { Cadence, FieldName } from '../catalogue.ts';
import { DagAddress } from '../keys.ts';
import { SignatureProof } from '../signing.ts';
import { UnixSeconds } from './common.ts';

export const Generalisation = z.enum(['exact', 'coarse']);
export type Generalisation = z.infer<typeof Generalisation>;

export const ConsentPolicy = z
  .object({
    v: z.literal(1),
    provider: DagAddress,
    /** Increases with every change; the ledger keeps the latest. */
    version: z.number().int().positive(),
    /** Field -> the cadences at which it may be shared. A field that is absent is never shared. */
    fields: z.partialRecord(FieldName, z.array(Cadence).min(1)),
    /** Numeric fields listed here are rounded to their catalogue coarse step on the device. */
    generalisation: z.partialRecord(FieldName, Generalisation).default({}),
    issuedAt: UnixSeconds,
    /** After this instant nothing is shared until a new policy arrives; null means no expiry. */
    expiresAt: UnixSeconds.nullable(),
  })
  .strict();
export type ConsentPolicy = z.infer<typeof ConsentPolicy>;

/** A policy signed by the provider key: what the gateway publishes retained on `dg/v1/policy/{deviceId}`. */
export const SignedPolicy = z.object({ policy: ConsentPolicy, proof: SignatureProof }).strict();
export type SignedPolicy = z.infer<typeof SignedPolicy>;
