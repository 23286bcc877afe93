// The download's worker thread writes, from sealed vault rows, exactly protocol's NDJSON lines (the e2e tests'
// small datasets never leave the main thread's first chunk, so the worker path is checked here).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  encodeMerkleCompact,
  generateKeyPair,
  makeSalt,
  merkleTree,
  ndjsonLineToRow,
  rowToNdjsonLine,
  signUpdate,
} from '@datagraph/protocol';
import t from 'tap';
import { LineWorker } from '../../src/research/LineWorker.ts';
import { encodeLineBytes, type LineRows, packLineJob } from '../../src/research/lineWorkerThread.ts';
import type { RowRef } from '../../src/research/ResearchStore.ts';
import { GatewayStore } from '../../src/store/GatewayStore.ts';
import { Vault } from '../../src/vault/Vault.ts';
import { cleanup, tempDir } from '../helpers.ts';

t.test('worker lines = rowToNdjsonLine, byte for byte; a tampered row fails the job', async (t) => {
  const dir = tempDir('line-worker');
  const store = await GatewayStore.open(join(dir, 'db'));
  t.teardown(async () => {
    await store.close();
    cleanup(dir);
  });
  const vault = new Vault(store, Buffer.alloc(32, 7));
  const providers = [generateKeyPair(), generateKeyPair(), generateKeyPair()];
  const device = generateKeyPair();
  for (const p of providers) await store.write(await vault.ensureDataKeyOps(p.address));
  const updates = Array.from({ length: 700 }, (_, i) =>
    signUpdate(
      {
        v: 1,
        id: randomUUID(),
        provider: (providers[i % 3] as (typeof providers)[number]).address,
        device: device.address,
        seq: i + 1,
        cadence: i % 5 ? 'hourly' : 'profile',
        window: { start: 3600 * i, end: 3600 * (i + 1) },
        policyVersion: 1 + (i % 2),
        fields: i % 5 ? { steps: i * 13, heart_rate_avg: 61.5 } : { gender: 'female', age_band: 'ümlaut "q"' },
        salt: makeSalt(),
      },
      device,
    ),
  );
  // every 7th row stored with its keys in another order: written through the codec instead of spliced
  for (const [i, u] of updates.entries()) {
    const value =
      i % 7 ? { ...u, receivedAt: 1 } : { proof: u.proof, receivedAt: 1, commitment: u.commitment, body: u.body };
    await store.write([await vault.rowOp(u.body.provider, u.body.id, value)]);
  }
  const tree = merkleTree(updates.map((u) => u.commitment));
  const sealed = await vault.sealedRows(updates.map((u) => ({ provider: u.body.provider, id: u.body.id })));
  const keys: Buffer[] = [];
  const rows: LineRows = { row: 10, sealed: [], aad: [], keyOf: [], keys, proof: [] };
  sealed.forEach((s, i) => {
    if (!s) throw new Error('row missing');
    if (!keys.includes(s.key)) keys.push(s.key);
    const u = updates[i] as (typeof updates)[number];
    // the committed-row record as the index stores it (JSON.stringify of a RowRef)
    const ref: RowRef = {
      id: u.body.id,
      provider: u.body.provider,
      commitment: u.commitment,
      cadence: u.body.cadence,
      fields: Object.keys(u.body.fields) as RowRef['fields'],
      start: u.body.window.start,
      end: u.body.window.end,
      ...(i % 3 ? { policyVersion: u.body.policyVersion } : {}),
      ordinal: i % 11 ? 40 + i : 0,
      merkle: encodeMerkleCompact(tree.proof(i)),
      entriesRoot: tree.root,
    };
    rows.sealed.push(s.sealed);
    rows.aad.push(s.aad);
    rows.keyOf.push(keys.indexOf(s.key));
    rows.proof.push(JSON.stringify(ref));
  });
  const expected = updates
    .map((u, i) =>
      rowToNdjsonLine({
        row: 10 + i,
        ...u,
        ordinal: i % 11 ? 40 + i : 0,
        merkle: tree.proof(i),
        entriesRoot: tree.root,
      }),
    )
    .join('');
  const worker = new LineWorker();
  await worker.ready;
  const text = Buffer.from(await worker.lines(packLineJob(rows))).toString('utf8');
  t.equal(text, expected, 'worker lines');
  t.equal(Buffer.from(encodeLineBytes(packLineJob(rows))).toString('utf8'), expected, 'main-thread lines');
  for (const line of text.split('\n').slice(0, -1)) ndjsonLineToRow(line);

  // a record not in proofFromText's shape (keys reordered, as another writer might store it) is parsed instead
  const reordered = {
    ...rows,
    proof: rows.proof.map((p) =>
      JSON.stringify(
        Object.entries(JSON.parse(p))
          .reverse()
          .reduce((o, [k, v]) => Object.assign(o, { [k]: v }), {}),
      ),
    ),
  };
  t.equal(
    Buffer.from(await worker.lines(packLineJob(reordered))).toString('utf8'),
    expected,
    'records in another key order',
  );

  const tampered = { ...rows, sealed: [...rows.sealed] };
  const s0 = tampered.sealed[3] as string;
  tampered.sealed[3] = `${s0.slice(0, 40)}${s0[40] === 'A' ? 'B' : 'A'}${s0.slice(41)}`;
  await t.rejects(worker.lines(packLineJob(tampered)), /download worker/, 'a row that does not authenticate fails');
  const wrongAad = { ...rows, aad: rows.aad.map((a, i) => (i === 5 ? `${a}x` : a)) };
  await t.rejects(worker.lines(packLineJob(wrongAad)), /download worker/, 'a row under another id fails');
  t.equal(
    Buffer.from(await worker.lines(packLineJob(rows))).toString('utf8'),
    expected,
    'the worker goes on after a failed job',
  );
});
