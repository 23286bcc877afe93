// The researcher REST API (DESIGN.md section 3): catalogue, quotes, paid queries and dataset rows. The gateway's
// routes, its OpenAPI document and the researcher CLI all use these schemas.
import { z } from 'zod';
import { BaseUnits } from '../amount.ts';
import { AGE_BANDS, Cadence, FieldName, GENDERS } from '../catalogue.ts';
import { DagAddress } from '../keys.ts';
import { SignatureProof } from '../signing.ts';
import { Hex64, UnixSeconds, Uuid } from './common.ts';

/** Every REST error: the code is stable public API (protocol/src/errors), `error` the HTTP reason phrase. */
export const ApiError = z
  .object({
    statusCode: z.number().int(),
    code: z.string(),
    error: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type ApiError = z.infer<typeof ApiError>;

export const CatalogField = z
  .object({
    name: FieldName,
    label: z.string(),
    kind: z.enum(['numeric', 'categorical']),
    unit: z.string().nullable(),
    cadence: Cadence,
    loinc: z.string().nullable(),
    values: z.array(z.string()).optional(),
    /** Committed rows of active providers that carry the field. */
    rows: z.number().int().nonnegative(),
    providers: z.number().int().nonnegative(),
  })
  .strict();
export type CatalogField = z.infer<typeof CatalogField>;

export const Catalog = z
  .object({
    fields: z.array(CatalogField),
    cadences: z.array(
      z
        .object({
          cadence: Cadence,
          rows: z.number().int().nonnegative(),
          providers: z.number().int().nonnegative(),
        })
        .strict(),
    ),
    minProviders: z.number().int().positive(),
    perRowBaseUnits: BaseUnits,
  })
  .strict();
export type Catalog = z.infer<typeof Catalog>;

export const QuoteRequest = z
  .object({
    fields: z.array(FieldName).min(1).max(32),
    cadence: Cadence.optional(),
    /** Window start at or after `from`, window end at or before `to` (unix seconds). */
    from: UnixSeconds.optional(),
    to: UnixSeconds.optional(),
    filters: z
      .object({ gender: z.enum(GENDERS).optional(), age_band: z.enum(AGE_BANDS).optional() })
      .strict()
      .optional(),
    limit: z.number().int().positive().optional(),
  })
  .strict();
export type QuoteRequest = z.infer<typeof QuoteRequest>;

export const Quote = z
  .object({
    quoteId: Uuid,
    fields: z.array(FieldName),
    cadence: Cadence,
    rows: z.number().int().nonnegative(),
    providers: z.number().int().nonnegative(),
    /** rows x pricing.perRowBaseUnits, base units (1e-8 token). */
    price: BaseUnits,
    payTo: DagAddress,
    /** Unix seconds; a payment confirmed after this does not buy the quote. */
    expiresAt: UnixSeconds,
  })
  .strict();
export type Quote = z.infer<typeof Quote>;

/** dag4's v2 transaction as posted to the currency L1 (`POST /transactions`). */
export const SignedTransaction = z
  .object({
    value: z
      .object({
        source: DagAddress,
        destination: DagAddress,
        amount: z.number().int().positive(),
        fee: z.number().int().nonnegative(),
        parent: z.object({ hash: z.string(), ordinal: z.number().int().nonnegative() }).strict(),
        salt: z.union([z.string(), z.number()]),
      })
      .strict(),
    proofs: z.array(SignatureProof).min(1),
  })
  .strict();
export type SignedTransaction = z.infer<typeof SignedTransaction>;

export const QueryRequest = z
  .object({ quoteId: Uuid, txHash: Hex64.optional(), signedTransaction: SignedTransaction.optional() })
  .strict()
  .refine((r) => (r.txHash === undefined) !== (r.signedTransaction === undefined), {
    message: 'give exactly one of txHash and signedTransaction',
  });
export type QueryRequest = z.infer<typeof QueryRequest>;

export const QueryState = z.enum(['pending', 'complete', 'refused']);
export type QueryState = z.infer<typeof QueryState>;

export const QueryStatus = z
  .object({
    queryId: Uuid,
    quoteId: Uuid,
    status: QueryState,
    txHash: Hex64,
    /** Rows recorded against the query (the usage) and their distinct providers; 0 while pending. */
    rows: z.number().int().nonnegative(),
    providers: z.number().int().nonnegative(),
    /** Why a query was refused (a stable code), or why it is still pending. */
    code: z.string().optional(),
    message: z.string().optional(),
    payment: z.object({ amount: BaseUnits, payer: DagAddress, ordinal: z.number().int() }).strict().optional(),
    receipt: z
      .object({
        status: z.enum(['none', 'queued', 'committed']),
        ordinal: z.number().int().optional(),
        usageRoot: Hex64.optional(),
      })
      .strict(),
    /**
     * A complete query's dataset: `prepared` once its downloads read the file written for it after payment, with
     * `rows` written of `of` while `preparing`; `queued` or `off` (not prepared): downloads read the vault, the
     * same bytes, more slowly.
     */
    dataset: z
      .object({
        state: z.enum(['prepared', 'preparing', 'queued', 'off']),
        rows: z.number().int().nonnegative().optional(),
        of: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
    /** Only in the answer that created the query: send it as `Authorization: Bearer ...` to download. */
    token: z.string().optional(),
  })
  .strict();
export type QueryStatus = z.infer<typeof QueryStatus>;

// A released row's schema and its NDJSON / CSV codecs: protocol/src/dataset (DatasetRow).

/** The last line of an NDJSON download (`{"trailer": ...}`), and the CSV download's `x-dg-*` trailers. */
export const DatasetTrailer = z
  .object({
    queryId: Uuid,
    released: z.number().int().nonnegative(),
    /** Rows recorded for the query but withheld: their provider revoked consent or erased data since. */
    withheld: z.number().int().nonnegative(),
    nextOffset: z.number().int().nonnegative(),
  })
  .strict();
export type DatasetTrailer = z.infer<typeof DatasetTrailer>;
