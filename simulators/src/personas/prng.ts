// Seeded randomness: a persona's every value is a pure function of (seed, what, when), so any clock speed and
// any tick size reproduce the same day.

/** 32-bit FNV-1a over the parts' string forms. */
export function hash32(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u001f')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for simulation (not for keys). Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One deterministic draw in [0, 1) for a named quantity at a point in time. */
export function draw(seed: number, what: string, index: number): number {
  return mulberry32(hash32(seed, what, index))();
}
