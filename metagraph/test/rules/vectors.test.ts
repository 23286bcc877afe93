// The conformance vectors: every checked-in file passes the rules, the files are exactly what the generator
// writes today (so a rules change without `make vectors` fails here), and together they exercise every code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorCatalogue, hashCanonical, merkleRoot, sha256Hex } from '@datagraph/protocol';
import t from 'tap';
import { buildVectors, VECTORS_DIR } from '../../scripts/generate-vectors.ts';
import { RULE_CODES } from '../../src/rules/index.ts';
import { checkVector } from '../../src/rules/vectors/runVector.ts';
import { Vector, vectorText } from '../../src/rules/vectors/Vector.ts';

const files = readdirSync(VECTORS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const onDisk = files.map((f) => ({ file: f, text: readFileSync(join(VECTORS_DIR, f), 'utf8') }));

t.test('every checked-in vector passes the rules', (t) => {
  t.ok(files.length >= 15, `${files.length} vectors`);
  for (const { file, text } of onDisk) {
    const vector = Vector.parse(JSON.parse(text));
    t.equal(`${vector.name}.json`, file, 'file is named after its vector');
    t.same(checkVector(vector), [], file);
  }
  t.end();
});

t.test('the checked-in vectors are byte for byte what the generator writes (run `make vectors`)', (t) => {
  const built = buildVectors();
  t.same(
    built.map((v) => `${v.name}.json`),
    files,
    'same set of files',
  );
  for (const v of built) {
    const disk = onDisk.find((d) => d.file === `${v.name}.json`);
    t.ok(disk?.text === vectorText(v), `${v.name}.json is current`);
  }
  t.end();
});

t.test('the vectors exercise every rule code, each at status 400', (t) => {
  const seen = new Set<string>();
  for (const { text } of onDisk) {
    const v = Vector.parse(JSON.parse(text));
    for (const o of v.expected) {
      for (const p of [...o.validateUpdate, ...(o.validateData?.problems ?? [])]) seen.add(p.code);
    }
  }
  for (const code of RULE_CODES) {
    t.ok(seen.has(code), `${code} appears in a vector`);
    t.equal(errorCatalogue[code].status, 400, `${code} is a 400`);
  }
  t.same(
    [...seen].filter((c) => !(RULE_CODES as readonly string[]).includes(c)),
    [],
    'no vector expects a code outside RULE_CODES',
  );
  t.end();
});

t.test('a vector whose expectation is altered fails the check', (t) => {
  const text = onDisk.find((d) => d.file === 'seq-replay-and-order.json')?.text as string;
  const v = Vector.parse(JSON.parse(text));
  const firstData = v.expected.find((o) => o.validateData !== null);
  if (firstData?.validateData) firstData.validateData.problems = [{ code: 'MG_SEQ_OUT_OF_ORDER', entry: 0 }];
  t.not(checkVector(v).length, 0);
  const w = Vector.parse(JSON.parse(text));
  w.stateAfter.devices = w.stateAfter.devices.map((d) => ({ ...d, lastSeq: d.lastSeq + 1 }));
  t.match(checkVector(w).join('\n'), /stateAfter/);
  t.end();
});

t.test('the README describes the hash chain and entriesRoot as the files have them', (t) => {
  for (const { file, text } of onDisk) {
    const v = Vector.parse(JSON.parse(text));
    const added = v.stateAfter.entries.filter((e) => e.ordinal === v.ordinal);
    t.equal(v.onChainAfter.entriesRoot, merkleRoot(added.map((e) => e.commitment)), `${file}: entriesRoot`);
    t.equal(v.onChainAfter.calculatedStateHash, v.stateAfter.hash, `${file}: calculatedStateHash`);
    t.same(
      v.onChainAfter.totals,
      {
        entries: v.stateAfter.entries.length,
        providers: v.stateAfter.providers.length,
        devices: v.stateAfter.devices.length,
      },
      `${file}: totals`,
    );
  }
  // From the empty state every record is new, so the delta body can be rebuilt from stateAfter alone.
  const v = Vector.parse(JSON.parse(onDisk.find((d) => d.file === 'register-providers.json')?.text as string));
  const { providers, devices, entries, queryReceipts, rewardCycles } = v.stateAfter;
  const body = { ordinal: 1, entries, providers, devices, queryReceipts, rewardCycles };
  t.equal(v.stateAfter.hash, sha256Hex(v.stateBefore.hash + hashCanonical(body)));
  t.end();
});
