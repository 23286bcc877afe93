// Any byte of any row changed, in either format: the row is named. Rows are real signed updates with real proofs.
import fc from 'fast-check';
import t from 'tap';
import {
  csvHeader,
  type DatasetFormat,
  DatasetReader,
  type DatasetRow,
  type KeyPair,
  rowToCsvLine,
  rowToNdjsonLine,
  signUpdate,
  verifyDatasetRow,
} from '../../src/index.ts';
import { bodyArb, devices, fieldsArb, fieldsOf, rowsFor } from './datasetFixtures.ts';

function encode(rows: DatasetRow[], format: DatasetFormat): { header: string; lines: string[] } {
  if (format === 'ndjson') return { header: '', lines: rows.map(rowToNdjsonLine) };
  const fields = fieldsOf(rows);
  return { header: csvHeader(fields), lines: rows.map((r) => rowToCsvLine(r, fields)) };
}

/** Positions of the rows with any problem, decoding and ledger checks together. */
function failingRows(bytes: Buffer, format: DatasetFormat, roots: Map<number, string>): Set<number> {
  const reader = new DatasetReader(format);
  const recs = [...reader.push(bytes.toString('utf8')), ...reader.end()];
  const bad = new Set<number>();
  for (const rec of recs) {
    const problems = [...rec.problems, ...(rec.row ? verifyDatasetRow(rec.row, (o) => roots.get(o)) : [])];
    if (problems.length) bad.add(rec.position);
  }
  return bad;
}

for (const format of ['ndjson', 'csv'] as const) {
  t.test(`${format}: an untouched file has no failing row`, async (t) => {
    fc.assert(
      fc.property(
        fieldsArb.chain((f) => fc.array(bodyArb(f), { minLength: 1, maxLength: 7 })),
        (bodies) => {
          const { rows, roots } = rowsFor(bodies);
          const { header, lines } = encode(rows, format);
          return failingRows(Buffer.from(header + lines.join('')), format, roots).size === 0;
        },
      ),
      { numRuns: 40 },
    );
    t.pass('held');
  });

  t.test(`${format}: changing any one byte of row k names row k`, async (t) => {
    fc.assert(
      fc.property(
        fieldsArb.chain((f) => fc.array(bodyArb(f), { minLength: 2, maxLength: 7 })),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bodies, whichRow, whichByte, delta) => {
          const { rows, roots } = rowsFor(bodies);
          const { header, lines } = encode(rows, format);
          const k = whichRow % rows.length;
          const before = Buffer.from(header + lines.slice(0, k).join('')).length;
          const line = Buffer.from(lines[k] as string);
          const at = before + (whichByte % line.length);
          const bytes = Buffer.from(header + lines.join(''));
          bytes[at] = ((bytes[at] as number) + delta) % 256; // never the same byte
          const bad = failingRows(bytes, format, roots);
          if (!bad.has(k)) throw new Error(`row ${k} byte ${at - before} changed, failing rows: ${[...bad]}`);
          return true;
        },
      ),
      { numRuns: 400 },
    );
    t.pass('held');
  });
}

t.test('the entries root is taken from the ledger, not from the row', async (t) => {
  fc.assert(
    fc.property(
      fieldsArb.chain((f) => fc.array(bodyArb(f), { minLength: 3, maxLength: 3 })),
      (bodies) => {
        const { rows, roots } = rowsFor(bodies, 3);
        const row = rows[1] as DatasetRow;
        // a forged dataset: its own tree, its own root, consistent inside the row
        const forged = rowsFor([bodies[1] as never], 1, row.ordinal).rows[0] as DatasetRow;
        const codes = verifyDatasetRow(forged, (o) => roots.get(o)).map((p) => p.code);
        t.same(codes, ['PR_DATASET_ENTRIES_ROOT', 'PR_DATASET_MERKLE']);
        t.same(
          verifyDatasetRow(row, () => undefined).map((p) => p.code),
          ['PR_DATASET_SNAPSHOT_MISSING'],
        );
        return true;
      },
    ),
    { numRuns: 5 },
  );
});

t.test('a valid signature by a key other than the device named fails with PR_SIGNER_MISMATCH only', async (t) => {
  fc.assert(
    fc.property(
      fieldsArb.chain((f) => bodyArb(f)),
      (body) => {
        const { rows, roots } = rowsFor([body], 1);
        const other = devices.find((d) => d.address !== body.device) as KeyPair;
        const row = { ...(rows[0] as DatasetRow), proof: signUpdate(body, other).proof };
        t.same(
          verifyDatasetRow(row, (o) => roots.get(o)).map((p) => p.code),
          ['PR_SIGNER_MISMATCH'],
        );
        return true;
      },
    ),
    { numRuns: 5 },
  );
});
