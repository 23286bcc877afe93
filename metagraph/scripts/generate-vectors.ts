// `make vectors`: regenerate metagraph/vectors/*.json from the scenarios by running the rules.
// Deterministic: keys, ids and salts derive from fixed seeds and signatures are RFC 6979, so running it twice
// writes the same bytes. metagraph/test/rules/vectors.test.ts fails when the checked-in files are stale.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildVector } from '../src/rules/vectors/runVector.ts';
import { allScenarios } from '../src/rules/vectors/scenarios.ts';
import { type Vector, vectorText } from '../src/rules/vectors/Vector.ts';

export const VECTORS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');

export function buildVectors(): Vector[] {
  return allScenarios().map(buildVector);
}

function main(): void {
  const vectors = buildVectors();
  for (const f of readdirSync(VECTORS_DIR)) if (f.endsWith('.json')) rmSync(join(VECTORS_DIR, f));
  for (const v of vectors) writeFileSync(join(VECTORS_DIR, `${v.name}.json`), vectorText(v));
  console.log(`wrote ${vectors.length} vectors to ${VECTORS_DIR}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
