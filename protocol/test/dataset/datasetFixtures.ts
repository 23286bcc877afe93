// Real signed rows for dataset tests: random bodies signed by real device keys, with real Merkle proofs over a
// snapshot's commitments. Only the ledger lookup is a map here; gateway/test/researcherCli uses a real node.
import fc from 'fast-check';
import {
  type Cadence,
  catalogue,
  commitmentOf,
  type DatasetRow,
  FIELD_NAMES,
  type FieldName,
  generateKeyPair,
  type KeyPair,
  merkleProof,
  merkleRoot,
  signUpdate,
  type UpdateBody,
} from '../../src/index.ts';

export const devices: KeyPair[] = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
export const provider = generateKeyPair();

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

/** A value for a field: numbers of any finite double (not only catalogue ones), text with CSV-hostile characters. */
function value(name: FieldName): fc.Arbitrary<number | string> {
  const spec = catalogue[name];
  if (spec.kind === 'categorical')
    return fc.oneof(
      fc.constantFrom(...spec.values),
      fc.string({
        unit: fc.constantFrom('a', 'b', ',', '"', '\r', '\n', ' ', 'é', '+', '-'),
        minLength: 1,
        maxLength: 32,
      }),
    );
  return fc.oneof(
    fc.integer({ min: spec.min, max: spec.max }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0.1, 1e-7, 123456789012345680000, -0, 5e-324, 0.30000000000000004),
  );
}

export const fieldsArb: fc.Arbitrary<FieldName[]> = fc.subarray(FIELD_NAMES, { minLength: 1 });

export function bodyArb(fields: FieldName[]): fc.Arbitrary<UpdateBody> {
  const values = Object.fromEntries(fields.map((f) => [f, value(f)]));
  return fc
    .record({
      id: fc.uuid({ version: 4 }),
      device: fc.integer({ min: 0, max: devices.length - 1 }),
      seq: fc.integer({ min: 1, max: 2 ** 40 }),
      cadence: fc.constantFrom<Cadence>('profile', 'daily', 'hourly'),
      start: fc.integer({ min: 0, max: 2e9 }),
      policyVersion: fc.integer({ min: 1, max: 1000 }),
      values: fc.record(values, { requiredKeys: [] }),
      salt: hex(32),
    })
    .filter((r) => Object.keys(r.values).length > 0)
    .map((r) => ({
      v: 1 as const,
      id: r.id,
      provider: provider.address,
      device: (devices[r.device] as KeyPair).address,
      seq: r.seq,
      cadence: r.cadence,
      window: { start: r.start, end: r.start + 3600 },
      policyVersion: r.policyVersion,
      fields: r.values as UpdateBody['fields'],
      salt: r.salt,
    }));
}

/** Rows for bodies accepted in snapshots `firstOrdinal`, `firstOrdinal + 1`... `perSnapshot` at a time. */
export function rowsFor(
  bodies: UpdateBody[],
  perSnapshot = 3,
  firstOrdinal = 5,
): { rows: DatasetRow[]; roots: Map<number, string> } {
  const roots = new Map<number, string>();
  const rows: DatasetRow[] = [];
  for (let s = 0; s * perSnapshot < bodies.length; s++) {
    const chunk = bodies.slice(s * perSnapshot, (s + 1) * perSnapshot);
    const signed = chunk.map((b) => signUpdate(b, devices.find((d) => d.address === b.device) as KeyPair));
    const commitments = signed.map((u) => u.commitment);
    const ordinal = firstOrdinal + s;
    const root = merkleRoot(commitments);
    roots.set(ordinal, root);
    for (const [i, u] of signed.entries()) {
      rows.push({
        row: rows.length,
        body: u.body,
        commitment: commitmentOf(u.body),
        proof: u.proof,
        ordinal,
        merkle: merkleProof(commitments, i),
        entriesRoot: root,
      });
    }
  }
  return { rows, roots };
}

/** Fields present in any of the rows, in catalogue order. */
export function fieldsOf(rows: DatasetRow[]): FieldName[] {
  return FIELD_NAMES.filter((f) => rows.some((r) => Object.hasOwn(r.body.fields, f)));
}
