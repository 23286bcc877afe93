// zod drops keys it does not know on non-strict objects (a SignatureProof, say). A node stores and relays the
// update as sent, so a key that parsing dropped could still carry a raw value into a public snapshot: list them.

/** Paths of object keys present in `input` but absent from `parsed` (parsed = schema output of input). */
export function strippedKeys(input: unknown, parsed: unknown, path = ''): string[] {
  if (Array.isArray(input) && Array.isArray(parsed)) {
    return input.flatMap((v, i) => strippedKeys(v, parsed[i], `${path}[${i}]`));
  }
  if (isPlainObject(input) && isPlainObject(parsed)) {
    const out: string[] = [];
    for (const key of Object.keys(input).sort()) {
      const at = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(parsed, key)) out.push(at);
      else out.push(...strippedKeys(input[key], parsed[key], at));
    }
    return out;
  }
  return [];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
