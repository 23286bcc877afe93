// zod drops keys it does not know on non-strict objects (a SignatureProof, say). A node stores and relays the
// update as sent, so a key that parsing dropped could still carry a raw value into a public snapshot: list them.

/** Paths of object keys present in `input` but absent from `parsed` (parsed = schema output of input). */
export function strippedKeys(input: unknown, parsed: unknown, path = ''): string[] {
  // Nearly always none: look without writing out every path first (a batch has tens of thousands of keys).
  return anyStripped(input, parsed) ? pathsStripped(input, parsed, path) : [];
}

function anyStripped(input: unknown, parsed: unknown): boolean {
  if (Array.isArray(input) && Array.isArray(parsed)) {
    for (let i = 0; i < input.length; i++) if (anyStripped(input[i], parsed[i])) return true;
    return false;
  }
  if (isPlainObject(input) && isPlainObject(parsed)) {
    for (const key of Object.keys(input)) {
      if (!Object.hasOwn(parsed, key) || anyStripped(input[key], parsed[key])) return true;
    }
  }
  return false;
}

function pathsStripped(input: unknown, parsed: unknown, path: string): string[] {
  if (Array.isArray(input) && Array.isArray(parsed)) {
    return input.flatMap((v, i) => pathsStripped(v, parsed[i], `${path}[${i}]`));
  }
  if (isPlainObject(input) && isPlainObject(parsed)) {
    const out: string[] = [];
    for (const key of Object.keys(input).sort()) {
      const at = path ? `${path}.${key}` : key;
      if (!Object.hasOwn(parsed, key)) out.push(at);
      else out.push(...pathsStripped(input[key], parsed[key], at));
    }
    return out;
  }
  return [];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
