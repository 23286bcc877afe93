// One row of a researcher's dataset (DESIGN.md section 3.5): the full signed body, with everything needed to check
// it against the ledger offline: the device's signature over the commitment and the Merkle path from the commitment
// to the `entriesRoot` of the snapshot that accepted it.
import { z } from 'zod';
import { Hex64 } from '../schemas/common.ts';
import { UpdateBody } from '../schemas/Update.ts';
import { SignatureProof } from '../signing.ts';

/** Same shape as `MerkleProof` (merkle.ts), closed to unknown keys at every level. */
export const DatasetMerkleProof = z
  .object({
    index: z.number().int().nonnegative(),
    size: z.number().int().positive(),
    path: z.array(z.object({ hash: Hex64, left: z.boolean() }).strict()),
  })
  .strict();
export type DatasetMerkleProof = z.infer<typeof DatasetMerkleProof>;

export const DatasetRow = z
  .object({
    /** Position of the row in the query's dataset, from 0; `offset` on the data route counts in rows. */
    row: z.number().int().nonnegative(),
    body: UpdateBody,
    commitment: Hex64,
    /** The device key and its signature over `commitment` (dag4 data signing). */
    proof: SignatureProof,
    /** Ordinal of the metagraph snapshot that accepted the entry. */
    ordinal: z.number().int().nonnegative(),
    merkle: DatasetMerkleProof,
    /** The snapshot's `dataApplication.onChainState.entriesRoot`, as the server claims it; verify asks the ledger. */
    entriesRoot: Hex64,
  })
  .strict();
export type DatasetRow = z.infer<typeof DatasetRow>;

export const DatasetFormat = z.enum(['ndjson', 'csv']);
export type DatasetFormat = z.infer<typeof DatasetFormat>;
