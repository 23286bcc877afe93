// RFC 8785 (JSON Canonicalization Scheme) for everything that is hashed or signed.
// RFC 8785 is ECMAScript's JSON.stringify with object members sorted by UTF-16 code units. For plain JSON data (the
// common case: parsed JSON and object literals) canonicalJson writes the text with JSON.stringify: a first pass
// checks that the value is plain JSON data and collects its keys; when every object's members are in that order
// already, plain JSON.stringify writes the canonical text, otherwise JSON.stringify given the sorted list of every
// key writes each object's members in the list's order. That is 2 times faster than the canonicalize package's
// per-value recursion, 5 times when members come sorted (the node writes out megabytes of batches a second, the
// gateway every batch it signs). Anything else (toJSON, class instances, undefined in an array, bigint, NaN, lone
// surrogates, very deep nesting) goes through the canonicalize package with the checks below, so the text, or the
// error, is always exactly that reference's (property-tested in protocol/test/canonicalFast.test.ts).
import { createHash } from 'node:crypto';
import canonicalizeJcs from 'canonicalize';
import { ProtocolError } from './errors/ProtocolError.ts';

/** Canonical JSON text of a value, per RFC 8785. Refuses values JSON cannot carry exactly. */
export function canonicalJson(value: unknown): string {
  return stringifyCanonical(value) ?? canonicalJsonReference(value);
}

/** canonicalJson through the canonicalize package for every value: the reference the fast path is tested against. */
export function canonicalJsonReference(value: unknown): string {
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

const MAX_DEPTH = 64;

/** The canonical text by JSON.stringify, or undefined when `value` is not plain JSON data (see above). */
function stringifyCanonical(value: unknown): string | undefined {
  const walk: Walk = { keys: new Set<string>(), sorted: true };
  // A property list is looked up through the prototype chain, where only `__proto__` is not a function.
  if (!plainJson(value, walk, 0) || walk.keys.has('__proto__')) return undefined;
  return walk.sorted ? JSON.stringify(value) : JSON.stringify(value, [...walk.keys].sort());
}

interface Walk {
  /** Every object key met. */
  keys: Set<string>;
  /** Whether every object's members came in canonical order. */
  sorted: boolean;
}

type WellFormed = string & { isWellFormed(): boolean };

// True when `v` is plain JSON data that JSON.stringify writes as canonicalJson does (up to member order).
function plainJson(v: unknown, walk: Walk, depth: number): boolean {
  switch (typeof v) {
    case 'string':
      return (v as WellFormed).isWellFormed();
    case 'number':
      return Number.isFinite(v);
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      if (depth >= MAX_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
      const proto = Object.getPrototypeOf(v);
      if (Array.isArray(v)) {
        if (proto !== Array.prototype) return false;
        for (let i = 0; i < v.length; i++) {
          const item = v[i];
          // JSON.stringify writes undefined in an array as null; canonicalJson refuses it.
          if (item === undefined || !plainJson(item, walk, depth + 1)) return false;
        }
        return true;
      }
      if (proto !== Object.prototype && proto !== null) return false;
      const o = v as Record<string, unknown>;
      const own = Object.keys(o);
      // A property list also reaches non-enumerable members, which canonicalJson leaves out.
      if (Object.getOwnPropertyNames(o).length !== own.length) return false;
      let last: string | undefined;
      for (const k of own) {
        const item = o[k];
        if (item === undefined) continue; // both drop undefined members
        if (!(k as WellFormed).isWellFormed() || !plainJson(item, walk, depth + 1)) return false;
        walk.keys.add(k);
        // `<` on strings compares UTF-16 code units, as RFC 8785 sorts.
        if (walk.sorted && last !== undefined && !(last < k)) walk.sorted = false;
        last = k;
      }
      return true;
    }
    default:
      return false;
  }
}
