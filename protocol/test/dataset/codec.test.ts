import fc from 'fast-check';
import t from 'tap';
import {
  CsvRecordReader,
  commitmentOf,
  csvCellsToRow,
  csvFieldsFromHeader,
  csvHeader,
  DatasetReader,
  type DatasetRow,
  ndjsonLineToRow,
  rowToCsvLine,
  rowToNdjsonLine,
  verifyDatasetRow,
} from '../../src/index.ts';
import { bodyArb, devices, fieldsArb, fieldsOf, provider, rowsFor } from './datasetFixtures.ts';

/** JSON.stringify of the row with keys in schema order: what rowToNdjsonLine must write. */
function rowToNdjsonLineReference(row: DatasetRow): string {
  const b = row.body;
  return `${JSON.stringify({
    row: row.row,
    body: {
      v: b.v,
      id: b.id,
      provider: b.provider,
      device: b.device,
      seq: b.seq,
      cadence: b.cadence,
      window: { start: b.window.start, end: b.window.end },
      policyVersion: b.policyVersion,
      fields: b.fields,
      salt: b.salt,
    },
    commitment: row.commitment,
    proof: { id: row.proof.id, signature: row.proof.signature },
    ordinal: row.ordinal,
    merkle: {
      index: row.merkle.index,
      size: row.merkle.size,
      path: row.merkle.path.map((s) => ({ hash: s.hash, left: s.left })),
    },
    entriesRoot: row.entriesRoot,
  })}\n`;
}

const bodiesArb = fieldsArb.chain((fields) => fc.array(bodyArb(fields), { minLength: 1, maxLength: 8 }));

/** Split text into random chunks, as a network stream would. */
function chunked(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let last = 0;
  for (const p of points) {
    out.push(text.slice(last, p));
    last = p;
  }
  out.push(text.slice(last));
  return out;
}

t.test('NDJSON: every row decodes to itself, commitment recomputes, and verifies', async (t) => {
  fc.assert(
    fc.property(bodiesArb, (bodies) => {
      const { rows, roots } = rowsFor(bodies);
      for (const row of rows) {
        const line = rowToNdjsonLine(row);
        if (line !== rowToNdjsonLineReference(row)) return false;
        if (!line.endsWith('\n') || line.indexOf('\n') !== line.length - 1) return false;
        const back = ndjsonLineToRow(line);
        t.same(back, row);
        if (commitmentOf(back.body) !== row.commitment) return false;
        if (verifyDatasetRow(back, (o) => roots.get(o)).length !== 0) return false;
      }
      return true;
    }),
    { numRuns: 60 },
  );
});

t.test('CSV: header and records decode to the same rows through any chunking, quoting included', async (t) => {
  fc.assert(
    fc.property(bodiesArb, fc.array(fc.nat(), { maxLength: 12 }), (bodies, cuts) => {
      const { rows, roots } = rowsFor(bodies);
      const fields = fieldsOf(rows);
      const text = csvHeader(fields) + rows.map((r) => rowToCsvLine(r, fields)).join('');
      const reader = new DatasetReader('csv');
      const recs = chunked(text, cuts).flatMap((c) => reader.push(c));
      recs.push(...reader.end());
      t.equal(reader.headerProblem, null);
      t.same(reader.csvFields, fields);
      t.equal(recs.length, rows.length);
      for (const [i, rec] of recs.entries()) {
        t.same(rec.problems, [], `row ${i} has no problem`);
        t.same(rec.row, rows[i]);
        if (commitmentOf((rec.row as DatasetRow).body) !== rows[i]?.commitment) return false;
        if (verifyDatasetRow(rec.row as DatasetRow, (o) => roots.get(o)).length !== 0) return false;
      }
      return true;
    }),
    { numRuns: 60 },
  );
});

t.test('CSV cells with commas, quotes and line breaks are quoted per RFC 4180', async (t) => {
  const { rows } = rowsFor([
    {
      v: 1,
      id: '8f14e45f-ceea-467a-9b3e-1c1a6c2b7d10',
      provider: provider.address,
      device: devices[0]?.address as string,
      seq: 7,
      cadence: 'profile',
      window: { start: 100, end: 200 },
      policyVersion: 2,
      fields: { gender: 'a,"b"\r\nc', steps: 0.1 },
      salt: '0123456789abcdef0123456789abcdef',
    },
  ]);
  const row = rows[0] as DatasetRow;
  const line = rowToCsvLine(row, ['gender', 'steps']);
  t.match(line, /,"a,""b""\r\nc",0\.1,/);
  t.ok(line.endsWith('\r\n'));
  const reader = new CsvRecordReader();
  const recs = [...reader.push(csvHeader(['gender', 'steps']) + line), ...reader.end()];
  t.equal(recs.length, 2);
  const fields = csvFieldsFromHeader(recs[0]?.cells as string[]);
  t.same(csvCellsToRow(recs[1]?.cells as string[], fields), row);
  t.equal(recs[1]?.line, 2);
});

t.test('an absent field is an empty cell, and stays absent', async (t) => {
  const { rows } = rowsFor([
    {
      v: 1,
      id: '8f14e45f-ceea-467a-9b3e-1c1a6c2b7d11',
      provider: provider.address,
      device: devices[1]?.address as string,
      seq: 1,
      cadence: 'hourly',
      window: { start: 3600, end: 7200 },
      policyVersion: 1,
      fields: { steps: 120 },
      salt: 'ffffffffffffffffffffffffffffffff',
    },
  ]);
  t.match(rowToCsvLine(rows[0] as DatasetRow, ['steps']), /,1,120,ffff/);
  const fields = ['gender', 'steps'] as const;
  const withGap = rowToCsvLine(rows[0] as DatasetRow, [...fields]);
  t.match(withGap, /,1,,120,ffff/);
  const recs = new CsvRecordReader().push(withGap);
  const back = csvCellsToRow(recs[0]?.cells as string[], [...fields]);
  t.same(back.body.fields, { steps: 120 });
  t.notOk(Object.hasOwn(back.body.fields, 'gender'));
});

t.test('a row holding a field that is not a column is refused, not dropped', async (t) => {
  const { rows } = rowsFor([
    {
      v: 1,
      id: '8f14e45f-ceea-467a-9b3e-1c1a6c2b7d12',
      provider: provider.address,
      device: devices[1]?.address as string,
      seq: 1,
      cadence: 'hourly',
      window: { start: 3600, end: 7200 },
      policyVersion: 1,
      fields: { steps: 120, gender: 'female' },
      salt: 'ffffffffffffffffffffffffffffffff',
    },
  ]);
  t.throws(() => rowToCsvLine(rows[0] as DatasetRow, ['steps']), { code: 'PR_SCHEMA' });
  t.throws(() => csvHeader(['steps', 'steps']), { code: 'PR_SCHEMA' });
});
