// Path and query parameters, parsed at the boundary with a code on failure.
import { isDagAddress, ProtocolError } from '@datagraph/protocol';

export function addressParam(value: string): string {
  if (!isDagAddress(value))
    throw new ProtocolError('PR_BAD_ADDRESS', `'${value.slice(0, 60)}' is not a valid DAG address`);
  return value;
}

export function ordinalParam(value: string): number {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(value))
    throw new ProtocolError('MG_BAD_REQUEST', `'${value.slice(0, 40)}' is not a snapshot ordinal`);
  return Number(value);
}

export function hashParam(value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value))
    throw new ProtocolError('MG_BAD_REQUEST', `'${value.slice(0, 80)}' is not a 64-hex-char hash`);
  return value;
}

export function limitParam(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]{0,5}$/.test(value)) throw new ProtocolError('MG_BAD_REQUEST', 'limit must be a positive integer');
  return Math.min(Number(value), max);
}
