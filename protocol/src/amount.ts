// Token amounts: integer base units (1 token = 1e8 base units), bigint in code, decimal strings on the wire.
import { z } from 'zod';
import { ProtocolError } from './errors/ProtocolError.ts';

export const BASE_UNITS_PER_TOKEN = 100_000_000n;

/** Base units on the wire: a non-negative integer as a decimal string without leading zeros. */
export const BaseUnits = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,29})$/, 'amount must be a non-negative integer string of base units');
export type BaseUnits = z.infer<typeof BaseUnits>;

export function parseBaseUnits(value: string): bigint {
  if (!BaseUnits.safeParse(value).success)
    throw new ProtocolError('PR_BAD_AMOUNT', `'${value}' is not an amount in base units`);
  return BigInt(value);
}

/** "1.5" tokens -> 150000000n. At most 8 decimals; never goes through a float. */
export function tokensToBaseUnits(tokens: string): bigint {
  const m = /^(0|[1-9][0-9]*)(?:\.([0-9]{1,8}))?$/.exec(tokens.trim());
  if (!m) throw new ProtocolError('PR_BAD_AMOUNT', `'${tokens}' is not a token amount with at most 8 decimals`);
  return BigInt(m[1] ?? '0') * BASE_UNITS_PER_TOKEN + BigInt((m[2] ?? '').padEnd(8, '0') || '0');
}

/** 150000000n -> "1.5". */
export function formatTokens(baseUnits: bigint): string {
  const sign = baseUnits < 0n ? '-' : '';
  const abs = baseUnits < 0n ? -baseUnits : baseUnits;
  const whole = abs / BASE_UNITS_PER_TOKEN;
  const frac = (abs % BASE_UNITS_PER_TOKEN).toString().padStart(8, '0').replace(/0+$/, '');
  return frac ? `${sign}${whole}.${frac}` : `${sign}${whole}`;
}
