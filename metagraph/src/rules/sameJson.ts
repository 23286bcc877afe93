// Whether two values have the same RFC 8785 canonical JSON, without writing either out: validateUpdate asks it
// of every update (input against its parse), and a batch of thousands of entries is megabytes of text.

import { canonicalJson } from '@datagraph/protocol';

const UNSURE = Symbol('unsure');
const MAX_DEPTH = 64;

/**
 * Exactly `canonicalJson(a) === canonicalJson(b)`, false when either has no canonical form. Plain JSON data is
 * compared structurally; anything else (toJSON, class instances, undefined in an array, very deep nesting) goes
 * through canonicalJson as before.
 */
export function sameCanonicalJson(a: unknown, b: unknown): boolean {
  const fast = same(a, b, 0);
  if (fast !== UNSURE) return fast;
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

// false is only returned where the canonical texts differ or one of them cannot be written (canonicalJson throws
// on non-finite numbers and lone surrogates); true only for plain JSON data that would write out the same.
function same(a: unknown, b: unknown, depth: number): boolean | typeof UNSURE {
  if (depth > MAX_DEPTH) return UNSURE;
  if (a === null || b === null) return a === b;
  const ta = typeof a;
  if (ta === 'string')
    return typeof b === 'string' && a === b && (a as string & { isWellFormed(): boolean }).isWellFormed();
  // -0 === 0, and both write out as 0
  if (ta === 'number') return typeof b === 'number' && a === b && Number.isFinite(a);
  if (ta === 'boolean') return a === b;
  if (ta !== 'object' || typeof b !== 'object') return UNSURE;
  if (!plain(a as object) || !plain(b as object)) return UNSURE;
  const arrayA = Array.isArray(a);
  if (arrayA !== Array.isArray(b)) return false;
  if (arrayA) {
    const xa = a as unknown[];
    const xb = b as unknown[];
    if (xa.length !== xb.length) return false;
    for (let i = 0; i < xa.length; i++) {
      if (xa[i] === undefined || xb[i] === undefined) return UNSURE;
      const r = same(xa[i], xb[i], depth + 1);
      if (r !== true) return r;
    }
    return true;
  }
  const oa = a as Record<string, unknown>;
  const ob = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(oa)) {
    const va = oa[k];
    if (va === undefined) continue;
    defined++;
    if (!Object.hasOwn(ob, k) || ob[k] === undefined) return false;
    const r = same(va, ob[k], depth + 1);
    if (r !== true) return r;
  }
  for (const k of Object.keys(ob)) if (ob[k] !== undefined) defined--;
  return defined === 0;
}

function plain(v: object): boolean {
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  const proto = Object.getPrototypeOf(v);
  return Array.isArray(v) ? proto === Array.prototype : proto === Object.prototype || proto === null;
}
