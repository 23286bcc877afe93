// Acceptance 1, second half (issue 6): `datagraph researcher verify` passes on a dataset of real signed updates
// whose snapshots are on a real local ledger, and fails, naming the row, when any byte of a row is changed.
// Independent of the gateway's server side: the rows are built from the node's own Merkle proof route.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  csvHeader,
  type DatasetRow,
  merkleProof,
  merkleRoot,
  rowToCsvLine,
  rowToNdjsonLine,
} from '@datagraph/protocol';
import fc from 'fast-check';
import t from 'tap';
import { researcher } from './cliHarness.ts';
import { FIELDS, ledgerDataset } from './ledgerDataset.ts';

t.test('verify against a real ledger: good files pass, any changed byte fails naming its row', async (t) => {
  const ds = await ledgerDataset(2, 4);
  t.teardown(() => ds.close());
  const l0 = ['--l0-url', ds.node.urls.l0];
  const files = {
    ndjson: { path: join(ds.dir, 'data.ndjson'), header: '', lines: ds.rows.map(rowToNdjsonLine) },
    csv: {
      path: join(ds.dir, 'data.csv'),
      header: csvHeader(FIELDS),
      lines: ds.rows.map((r) => rowToCsvLine(r, FIELDS)),
    },
  };
  for (const [format, f] of Object.entries(files)) {
    writeFileSync(f.path, f.header + f.lines.join(''));
    const ok = await researcher(['verify', f.path, ...l0]);
    t.equal(ok.code, 0, `${format}: ${ok.out}${ok.err}`);
    t.match(ok.out, /^OK: 8 rows, 8 verified, 0 failing, against 2 snapshots/m);
  }
  t.match(
    readFileSync(files.csv.path, 'utf8'),
    /\r\n\d+,[^\r]*,,\d+,/,
    'the CSV has an empty cell for an absent field',
  );

  for (const [format, f] of Object.entries(files)) {
    const tampered = join(ds.dir, `tampered.${format}`);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), async (r, b, delta) => {
        const k = r % ds.rows.length;
        const before = Buffer.byteLength(f.header + f.lines.slice(0, k).join(''));
        const at = before + (b % Buffer.byteLength(f.lines[k] as string));
        const bytes = Buffer.from(f.header + f.lines.join(''));
        bytes[at] = ((bytes[at] as number) + delta) % 256;
        writeFileSync(tampered, bytes);
        const res = await researcher(['verify', tampered, ...l0]);
        if (res.code !== 1 || !res.out.includes(`row ${k} (`) || !/^FAILED: /m.test(res.out))
          throw new Error(`${format}: byte ${at - before} of row ${k} changed; exit ${res.code}\n${res.out}${res.err}`);
      }),
      { numRuns: 60 },
    );
    t.pass(`${format}: 60 random one-byte changes, each failed naming its row`);
  }
});

t.test('the entries root comes from the ledger: a self-consistent forged row fails', async (t) => {
  const ds = await ledgerDataset(1, 2);
  t.teardown(() => ds.close());
  const real = ds.rows[1] as DatasetRow;
  // a forger who controls the file builds a tree of its own that contains the row, with a matching root in the row
  const forgedLeaves = [real.commitment, (ds.rows[0] as DatasetRow).commitment, real.commitment.replace(/^./, 'f')];
  const forged: DatasetRow = { ...real, merkle: merkleProof(forgedLeaves, 0), entriesRoot: merkleRoot(forgedLeaves) };
  const file = join(ds.dir, 'forged.ndjson');
  writeFileSync(file, rowToNdjsonLine(ds.rows[0] as DatasetRow) + rowToNdjsonLine(forged));
  const res = await researcher(['verify', file, '--l0-url', ds.node.urls.l0]);
  t.equal(res.code, 1);
  t.match(res.out, /row 1 \(line 2\): PR_DATASET_ENTRIES_ROOT/);
  t.match(res.out, /row 1 \(line 2\): PR_DATASET_MERKLE/);
  t.notMatch(res.out, /row 0 /, 'the genuine row passes');

  // a snapshot the ledger does not have
  const future = { ...(ds.rows[0] as DatasetRow), row: 0, ordinal: 999 };
  writeFileSync(file, rowToNdjsonLine(future));
  const missing = await researcher(['verify', file, '--l0-url', ds.node.urls.l0]);
  t.equal(missing.code, 1);
  t.match(missing.out, /row 0 \(line 1\): PR_DATASET_SNAPSHOT_MISSING/);

  // an unreachable ledger is an error, never a pass
  const down = await researcher(['verify', file, '--l0-url', 'http://127.0.0.1:1']);
  t.equal(down.code, 1);
  t.match(down.err, /did not answer/);

  writeFileSync(file, '');
  const empty = await researcher(['verify', file, '--l0-url', ds.node.urls.l0]);
  t.equal(empty.code, 1, 'an empty file verifies nothing and fails');
});
