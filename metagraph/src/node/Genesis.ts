// The genesis file: initial balances in base units, e.g. {"balances": {"DAG...": "100000000000"}}.
// Parsed with zod; every invalid path is listed at once (STYLE.md: config errors list every problem).
import { readFile } from 'node:fs/promises';
import { BaseUnits, DagAddress, describeIssues, ProtocolError } from '@datagraph/protocol';
import { z } from 'zod';

export const Genesis = z
  .object({
    balances: z.record(z.string(), BaseUnits).superRefine((balances, ctx) => {
      for (const address of Object.keys(balances)) {
        if (!DagAddress.safeParse(address).success)
          ctx.addIssue({ code: 'custom', path: [address], message: 'not a valid DAG address' });
      }
    }),
  })
  .strict();
export type Genesis = z.infer<typeof Genesis>;

/** Genesis balances as bigints, in address order (deterministic). */
export function genesisBalances(genesis: Genesis): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const address of Object.keys(genesis.balances).sort()) {
    const amount = BigInt(genesis.balances[address] as string);
    if (amount > 0n) out.set(address, amount);
  }
  return out;
}

export function parseGenesis(value: unknown, where = 'genesis'): Genesis {
  const r = Genesis.safeParse(value);
  if (r.success) return r.data;
  const problems = describeIssues(r.error);
  throw new ProtocolError('MG_BAD_GENESIS', `${where} is invalid:\n  ${problems.join('\n  ')}`, {
    details: { problems },
  });
}

export async function loadGenesisFile(path: string): Promise<Genesis> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ProtocolError('MG_BAD_GENESIS', `cannot read genesis file ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError('MG_BAD_GENESIS', `genesis file ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseGenesis(json, `genesis file ${path}`);
}
