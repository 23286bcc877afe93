// The conformance vector file format (metagraph/vectors/README.md explains it for a port in another language).
import { Hex64 } from '@datagraph/protocol';
import { z } from 'zod';
import { CalculatedStateJson } from '../CalculatedState.ts';
import { RulesConfig } from '../RulesConfig.ts';
import { OnChainState } from '../StateDelta.ts';

/** What is normative about a problem: its code and the entry it is about. Messages are not. */
export const VectorProblem = z
  .object({ code: z.string().regex(/^MG_[A-Z0-9_]+$/), entry: z.number().int().nonnegative().optional() })
  .strict();
export type VectorProblem = z.infer<typeof VectorProblem>;

export const VectorOutcome = z
  .object({
    /** SHA-256 of the canonical JSON of the update as sent (updateHash for a well-formed one). */
    hash: Hex64,
    validateUpdate: z.array(VectorProblem),
    /** null when validateUpdate refused the update: it never reaches validateData. */
    validateData: z
      .object({ accepted: z.boolean(), problems: z.array(VectorProblem) })
      .strict()
      .nullable(),
  })
  .strict();
export type VectorOutcome = z.infer<typeof VectorOutcome>;

export const Vector = z
  .object({
    v: z.literal(1),
    name: z.string().regex(/^[a-z0-9-]+$/),
    description: z.string(),
    config: RulesConfig,
    stateBefore: CalculatedStateJson,
    /** The snapshot the updates go into: stateBefore.ordinal + 1. */
    ordinal: z.number().int().positive(),
    updates: z.array(z.unknown()),
    /** One outcome per update, in order. */
    expected: z.array(VectorOutcome),
    stateAfter: CalculatedStateJson,
    onChainAfter: OnChainState,
  })
  .strict();
export type Vector = z.infer<typeof Vector>;

/** The one text form of a vector file: 2-space JSON and a final newline. */
export function vectorText(vector: Vector): string {
  return `${JSON.stringify(vector, null, 2)}\n`;
}
