// RFC 8785 (JSON Canonicalization Scheme) for everything that is hashed or signed.
import { createHash } from 'node:crypto';
import canonicalizeJcs from 'canonicalize';
import { ProtocolError } from './errors/ProtocolError.ts';

/** Canonical JSON text of a value, per RFC 8785. Refuses values JSON cannot carry exactly. */
export function canonicalJson(value: unknown): string {
  assertJsonSafe(value, '$');
  const text = (canonicalizeJcs as unknown as (v: unknown) => string | undefined)(value);
  if (text === undefined) throw new ProtocolError('PR_NOT_CANONICAL', 'value has no JSON form');
  return text;
}

/** Lowercase hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 over the canonical JSON of a value. */
export function hashCanonical(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

// JSON.stringify turns NaN/Infinity into null and drops undefined and bigint throws: refuse them all,
// so that a hash never silently covers something other than what the caller holds.
function assertJsonSafe(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ProtocolError('PR_NOT_CANONICAL', `${path}: non-finite number`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) assertJsonSafe(v, `${path}[${i}]`);
    return;
  }
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue; // JSON drops undefined members; canonicalize does the same
      assertJsonSafe(v, `${path}.${k}`);
    }
    return;
  }
  throw new ProtocolError('PR_NOT_CANONICAL', `${path}: ${typeof value} has no JSON form`);
}
