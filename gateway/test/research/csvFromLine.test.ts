// CSV from a prepared line (csvFromLine.ts) is byte for byte protocol's CSV of the same row, over trees of many
// sizes (Merkle paths of 0 to 7 steps, both sides), both cadences and categorical values that need quoting; text
// not in the codec's layout gives undefined (the download then parses the line whole).
import { randomUUID } from 'node:crypto';
import {
  type DatasetRow,
  type FieldName,
  generateKeyPair,
  makeSalt,
  merkleTree,
  rowToCsvLine,
  rowToNdjsonLine,
  signUpdate,
} from '@datagraph/protocol';
import t from 'tap';
import { csvFromLine } from '../../src/research/csvFromLine.ts';

const FIELDS: FieldName[] = ['age_band', 'gender', 'heart_rate_avg', 'steps'];

function rows(n: number): DatasetRow[] {
  const device = generateKeyPair();
  const updates = Array.from({ length: n }, (_, i) =>
    signUpdate(
      {
        v: 1,
        id: randomUUID(),
        provider: device.address,
        device: device.address,
        seq: i + 1,
        cadence: i % 2 ? 'hourly' : 'profile',
        window: { start: 3600 * i, end: 3600 * (i + 1) },
        policyVersion: 1 + (i % 3),
        fields:
          i % 2
            ? { steps: i * 13, heart_rate_avg: 61.5 + i / 7 }
            : { gender: i % 4 ? 'female' : 'non-binary, "other"', age_band: 'ümlaut 75+' },
        salt: makeSalt(),
      },
      device,
    ),
  );
  const tree = merkleTree(updates.map((u) => u.commitment));
  return updates.map((u, i) => ({
    row: 1_000_000 + i,
    ...u,
    ordinal: 40 + i,
    merkle: tree.proof(i),
    entriesRoot: tree.root,
  }));
}

/** The prepared form of a row's line: the codec's line without its `{"row":N,` head. */
const headless = (r: DatasetRow) => rowToNdjsonLine(r).replace(/^\{"row":\d+,/, '');

t.test('csvFromLine = rowToCsvLine, byte for byte', async (t) => {
  for (const n of [1, 2, 3, 7, 64, 100]) {
    const wrong = rows(n).filter((r) => csvFromLine(r.row, headless(r), FIELDS) !== rowToCsvLine(r, FIELDS));
    t.same(
      wrong.map((r) => r.row),
      [],
      `${n} rows`,
    );
  }
});

t.test(
  'text not in the codec layout gives undefined; a field not in the columns is refused as the codec does',
  async (t) => {
    const [r] = rows(5) as [DatasetRow];
    const line = headless(r);
    for (const bad of [
      line.replace('"commitment"', '"commitmenT"'),
      line.replace('"left":', '"Left":'),
      line.replace('"ordinal":40', '"ordinal":040'),
      line.replace('"ordinal":40', '"ordinal":-1'),
      line.replace('"entriesRoot"', '"entriesroot"'),
      line.slice(0, -1),
      `${line}x`,
      line.replace('"merkle":{"index":', '"merkle":{"size":0,"index":'),
    ])
      t.equal(csvFromLine(r.row, bad, FIELDS), undefined, bad.slice(0, 40));
    t.throws(() => csvFromLine(r.row, line, ['steps']), { code: 'PR_SCHEMA' });
  },
);
