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
import { MAGIC, openBlock, parseFrame } from '../../src/research/datasetFile.ts';
import { LineWorker } from '../../src/research/LineWorker.ts';
import { encodeLines, type LineJob } from '../../src/research/lineWorkerThread.ts';
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
  const job: Omit<LineJob, 'id'> = {
    row: 10,
    sealed: [],
    aad: [],
    keyOf: [],
    keys,
    ordinal: [],
    merkle: [],
    entriesRoot: [],
  };
  sealed.forEach((s, i) => {
    if (!s) throw new Error('row missing');
    if (!keys.includes(s.key)) keys.push(s.key);
    job.sealed.push(s.sealed);
    job.aad.push(s.aad);
    job.keyOf.push(keys.indexOf(s.key));
    job.ordinal.push(40 + i);
    job.merkle.push(encodeMerkleCompact(tree.proof(i)));
    job.entriesRoot.push(tree.root);
  });
  const expected = updates
    .map((u, i) =>
      rowToNdjsonLine({ row: 10 + i, ...u, ordinal: 40 + i, merkle: tree.proof(i), entriesRoot: tree.root }),
    )
    .join('');
  const worker = new LineWorker();
  await worker.ready;
  const bytes = await worker.encode(job);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  t.equal(text, expected, 'worker lines');
  t.equal(encodeLines(job), expected, 'main-thread lines');
  for (const line of text.split('\n').slice(0, -1)) ndjsonLineToRow(line);

  const tampered = { ...job, sealed: [...job.sealed] };
  const s0 = tampered.sealed[3] as string;
  tampered.sealed[3] = `${s0.slice(0, 40)}${s0[40] === 'A' ? 'B' : 'A'}${s0.slice(41)}`;
  await t.rejects(worker.encode(tampered), /download worker/, 'a row that does not authenticate fails');
  t.equal(Buffer.from(await worker.encode(job)).toString('utf8'), expected, 'the worker goes on after a failed job');
  // blocks jobs (a prepared dataset): their buffers go back to the worker once written and are reused, and what a
  // reused buffer held before never shows in the next job's blocks
  const providersOfKeys = keys.map((k) => providers[sealed.findIndex((x) => x?.key === k) % 3]?.address as string);
  const blocksJob = { ...job, blocks: { queryId: 'q', providers: providersOfKeys, policy: job.keyOf.map(() => 1) } };
  const lines = (bytes: Uint8Array) => {
    const buf = Buffer.concat([MAGIC, Buffer.from(bytes)]);
    let out = '';
    for (let at = MAGIC.length, first = 10; at < buf.length; ) {
      const f = parseFrame('q', first, buf, at, buf.length);
      if (!('block' in f)) throw new Error('a whole block expected');
      out += openBlock(keys[providersOfKeys.indexOf(f.block.provider)] as Buffer, f.block).toString('utf8');
      first += f.block.lens.length;
      at = f.next;
    }
    return out;
  };
  const headless = expected.replace(/^\{"row":\d+,/gm, '');
  const first = await worker.encode(blocksJob);
  t.equal(lines(first), headless, 'blocks hold the lines without their row numbers');
  const capacity = first.buffer.byteLength;
  worker.recycle(first);
  t.equal(first.byteLength, 0, 'a recycled buffer is handed over (detached here)');
  const half = {
    ...blocksJob,
    ...Object.fromEntries(
      ['sealed', 'aad', 'keyOf', 'ordinal', 'merkle', 'entriesRoot'].map((k) => [
        k,
        (job[k as keyof typeof job] as unknown[]).slice(0, 350),
      ]),
    ),
    blocks: { ...blocksJob.blocks, policy: blocksJob.blocks.policy.slice(0, 350) },
  } as typeof blocksJob;
  const second = await worker.encode(half);
  t.equal(second.buffer.byteLength, capacity, 'the next blocks job reuses it');
  t.ok(second.byteLength < capacity, 'and returns only its own bytes');
  t.equal(lines(second), `${headless.split('\n').slice(0, 350).join('\n')}\n`);
  const mine = new Uint8Array(16);
  worker.recycle(mine);
  t.equal(mine.byteLength, 16, 'a buffer the worker did not make is not taken');
});
