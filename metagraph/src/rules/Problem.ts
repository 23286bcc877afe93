// A problem the rules found with a data update: a stable MG_ code, a short message, and where it sits.
import { type ErrorCode, errorCatalogue } from '@datagraph/protocol';

/** A code the metagraph rules return (any MG_ code of the catalogue). */
export type RuleCode = Exclude<Extract<ErrorCode, `MG_${string}`>, 'MG_INTERNAL'>;

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
