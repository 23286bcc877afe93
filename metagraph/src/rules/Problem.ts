// A problem the rules found with a data update: a stable MG_ code, a short message, and where it sits.
import { type ErrorCode, errorCatalogue } from '@datagraph/protocol';

/** Every code the rules can return, in the order docs/data-application.md lists them. */
export const RULE_CODES = [
  'MG_MALFORMED',
  'MG_BAD_PROOF',
  'MG_WRONG_SIGNER',
  'MG_GATEWAY_NOT_AUTHORISED',
  'MG_BAD_DEVICE_SIGNATURE',
  'MG_DEVICE_KEY_MISMATCH',
  'MG_FIELDS_NOT_SORTED',
  'MG_FIELD_CADENCE',
  'MG_BAD_WINDOW',
  'MG_DUPLICATE_IN_BATCH',
  'MG_DUPLICATE_DEVICE',
  'MG_POLICY_PROVIDER_MISMATCH',
  'MG_BAD_RECEIPT',
  'MG_PROVIDER_UNKNOWN',
  'MG_DEVICE_NOT_REGISTERED',
  'MG_CONSENT_REVOKED',
  'MG_PROVIDER_ERASED',
  'MG_POLICY_VERSION_MISMATCH',
  'MG_FIELD_NOT_CONSENTED',
  'MG_CONSENT_EXPIRED',
  'MG_SEQ_REPLAYED',
  'MG_SEQ_OUT_OF_ORDER',
  'MG_COMMITMENT_EXISTS',
  'MG_ENTRY_ID_EXISTS',
  'MG_POLICY_VERSION_NOT_INCREASING',
  'MG_DEVICE_OWNED',
  'MG_REVOKE_VERSION_STALE',
  'MG_RECEIPT_EXISTS',
  'MG_PAYMENT_REUSED',
  'MG_CYCLE_EXISTS',
] as const satisfies readonly ErrorCode[];

/** A code the metagraph rules return. */
export type RuleCode = (typeof RULE_CODES)[number];

export interface Problem {
  code: RuleCode;
  /** Short, for a person; never a raw value, salt or key. */
  message: string;
  /** Index of the IngestEntry (or RegisterProvider device) the problem is about, when it is about one. */
  entry?: number;
  /** zod's issues, one `path: message` string each (MG_MALFORMED only). */
  issues?: string[];
}

export function problem(code: RuleCode, message?: string, at?: { entry?: number; issues?: string[] }): Problem {
  const p: Problem = { code, message: message ?? errorCatalogue[code].message };
  if (at?.entry !== undefined) p.entry = at.entry;
  if (at?.issues !== undefined) p.issues = at.issues;
  return p;
}
