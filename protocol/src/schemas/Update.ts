// The device update: what an agent signs and publishes on `dg/v1/up/{deviceId}`. Its values stay off-chain.
import { z } from 'zod';
import { Cadence, FieldName } from '../catalogue.ts';
import { DagAddress } from '../keys.ts';
import { SignatureProof } from '../signing.ts';
import { Hex64, Salt, UnixSeconds, Uuid } from './common.ts';

export const FieldValue = z.union([z.number().finite(), z.string().max(32)]);

export const Window = z
  .object({ start: UnixSeconds, end: UnixSeconds })
  .strict()
  .refine((w) => w.end > w.start, { message: 'window end must be after its start' });
export type Window = z.infer<typeof Window>;

/** The body whose salted commitment the device signs. Holds raw values: never sent to the ledger. */
export const UpdateBody = z
  .object({
    v: z.literal(1),
    id: Uuid,
    provider: DagAddress,
    device: DagAddress,
    /** Per-device, strictly increasing from 1. */
    seq: z.number().int().positive(),
    cadence: Cadence,
    window: Window,
    policyVersion: z.number().int().positive(),
    fields: z
      .partialRecord(FieldName, FieldValue)
      .refine((f) => Object.keys(f).length > 0, { message: 'at least one field' }),
    salt: Salt,
  })
  .strict();
export type UpdateBody = z.infer<typeof UpdateBody>;

/** MQTT payload: the body, its commitment and the device's signature over the commitment. */
export const SignedUpdate = z.object({ body: UpdateBody, commitment: Hex64, proof: SignatureProof }).strict();
export type SignedUpdate = z.infer<typeof SignedUpdate>;
