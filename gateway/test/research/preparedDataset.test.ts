// Prepared datasets (DatasetPreparer.ts, datasetFile.ts, preparedDatasetStream.ts) on a real vault: the download
// read from the prepared file is the vault path's download byte for byte (rows, numbering from `offset`, trailer),
// also after providers revoke or erase; a damaged file fails with GW_DATASET_FILE instead of sending other bytes;
// the preparer's start sweeps unfinished and expired files, and a close mid-way leaves no file under the final name.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { DatasetTrailer, FieldName } from '@datagraph/protocol';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { MASTER_KEY, populate } from '../../bench/download.bench.ts';
import { Registry } from '../../src/registry/Registry.ts';
import { DatasetPreparer } from '../../src/research/DatasetPreparer.ts';
import { END_BYTES, MAGIC, parseFrame } from '../../src/research/datasetFile.ts';
import { datasetStream } from '../../src/research/datasetStream.ts';
import { lineWorker } from '../../src/research/LineWorker.ts';
import { preparedDatasetStream, writeHead } from '../../src/research/preparedDatasetStream.ts';
import { ResearchStore, type UsageRef } from '../../src/research/ResearchStore.ts';
import { GatewayStore } from '../../src/store/GatewayStore.ts';
import { Vault } from '../../src/vault/Vault.ts';
import { cleanup, tempDir, waitFor } from '../helpers.ts';

const ROWS = 1500; // 50 providers of 30 consecutive rows each (the usage is in committed-row index order)
const DAY = 86_400_000;

// One populated vault, copied for each test (populating signs every row: the slow part).
const template = tempDir('prepared-template');
t.teardown(() => cleanup(template));
const { queryId } = await populate(template, ROWS);

async function setup(t: Test) {
  const dir = tempDir('prepared');
  cpSync(template, dir, { recursive: true });
  const store = await GatewayStore.open(join(dir, 'db'));
  t.teardown(async () => {
    await store.close();
    cleanup(dir);
  });
  const vault = new Vault(store, Buffer.from(MASTER_KEY, 'hex'));
  const registry = await Registry.load(store);
  const research = new ResearchStore(store);
  const query = await research.query(queryId);
  const quote = query && (await research.quote(query.quoteId));
  const columns: FieldName[] = quote?.columns ?? ['heart_rate_avg', 'steps'];
  const logs: { msg: string }[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => logs.push(JSON.parse(s)) });
  const deps = { research, vault, registry, log, now: () => Date.now() };
  const preparer = (opts: { enabled?: boolean; retentionDays?: number } = {}) => {
    const p = new DatasetPreparer(deps, {
      dir: join(dir, 'datasets'),
      enabled: opts.enabled ?? true,
      retentionDays: opts.retentionDays ?? 30,
    });
    t.teardown(() => p.close());
    return p;
  };
  return { dir, store, vault, registry, research, columns, deps, logs, preparer, datasets: join(dir, 'datasets') };
}

async function collect(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

type Ctx = Awaited<ReturnType<typeof setup>>;

/** Both downloads from `offset`: their bytes and trailers. */
async function both(c: Ctx, file: string, offset: number, format: 'ndjson' | 'csv' = 'ndjson') {
  const trailers: DatasetTrailer[] = [];
  const req = (n: number) => ({
    queryId,
    format,
    columns: c.columns,
    offset,
    onEnd: (tr: DatasetTrailer) => {
      trailers[n] = tr;
    },
  });
  const vault = await collect(datasetStream(c.deps, req(0)));
  const prepared = await collect(preparedDatasetStream(c.deps, req(1), file));
  return { vault, prepared, vaultTrailer: trailers[0], preparedTrailer: trailers[1] };
}

/** The rows of an NDJSON download and its trailer line. */
function parse(t: Test, bytes: Buffer) {
  const lines = bytes.toString('utf8').split('\n');
  t.equal(lines.pop(), '', 'the download ends with a newline');
  const trailer = JSON.parse(lines.pop() as string).trailer as DatasetTrailer;
  const rows = lines.map((l) => JSON.parse(l) as { row: number; body: { provider: string; id: string } });
  return { rows, trailer };
}

async function prepared(p: DatasetPreparer): Promise<string> {
  await waitFor(() => p.state(queryId).state === 'prepared', 'dataset prepared', 60_000);
  const file = p.file(queryId);
  if (!file) throw new Error('prepared but no file');
  return file;
}

/** A vault with the paid query, and its dataset prepared by a started preparer. */
async function setupPrepared(t: Test) {
  const c = await setup(t);
  const p = c.preparer();
  await p.start();
  return { c, p, file: await prepared(p) };
}

t.test(
  'prepared download = vault download, byte for byte, at every offset (first chunks on this thread)',
  async (t) => {
    const c = await setup(t);
    // the line worker is not started yet in this process: the preparer's first lineWorker() call starts it and
    // gets none, so its first chunks are encoded on this thread, the rest on the worker once it is up
    const p = c.preparer();
    t.same(p.state(queryId), { state: 'off' }, 'before start: not queued');
    t.equal(p.file(queryId), undefined);
    await p.start();
    // every state seen while it prepares: progress of this query's rows, never backwards
    const seen: ReturnType<DatasetPreparer['state']>[] = [];
    while (p.state(queryId).state !== 'prepared') {
      seen.push(p.state(queryId));
      await new Promise((r) => setImmediate(r));
    }
    // one assertion over them all (the loop sees thousands)
    let last = 0;
    const wrong = seen.filter((s) => {
      if (s.state !== 'preparing') return s.state !== 'queued';
      const ok = s.of === ROWS && s.rows >= last && s.rows <= ROWS;
      last = s.rows;
      return !ok;
    });
    t.same(wrong, [], 'queued, then preparing with rows of the query rows, never backwards');
    t.ok(
      seen.some((s) => s.state === 'preparing' && s.rows > 0 && s.rows < ROWS),
      'its progress was shown while it prepared',
    );
    const file = p.file(queryId) as string;
    t.equal(file, join(c.datasets, `${queryId}.dgds`));
    t.same(readdirSync(c.datasets), [`${queryId}.dgds`], 'the file alone, no .part left');
    t.match(
      c.logs.find((l) => l.msg === 'dataset prepared'),
      { queryId, rows: ROWS },
    );

    const raw = readFileSync(file);
    t.ok(raw.subarray(0, MAGIC.length).equals(MAGIC), 'the file starts with the magic');
    const full = await both(c, file, 0);
    const { rows, trailer } = parse(t, full.vault);
    t.equal(rows.length, ROWS);
    t.same(trailer, { queryId, released: ROWS, withheld: 0, nextOffset: ROWS });
    // sealed at rest: no line, body or row id readable in the file
    t.notOk(raw.includes('"body"'), 'no plaintext line in the file');
    t.notOk(raw.includes((rows[700] as { body: { id: string } }).body.id), "no row's id in the file");

    for (const offset of [0, 1, 29, 30, 31, 777, ROWS - 1, ROWS, ROWS + 5]) {
      const r = offset === 0 ? full : await both(c, file, offset);
      t.ok(r.prepared.equals(r.vault), `offset ${offset}: identical bytes (${r.vault.length})`);
      t.same(r.preparedTrailer, r.vaultTrailer, `offset ${offset}: identical trailers`);
      const released = Math.max(0, ROWS - offset);
      t.same(r.preparedTrailer, { queryId, released, withheld: 0, nextOffset: offset + released });
      const got = parse(t, r.prepared);
      t.same(
        got.rows.map((x) => x.row),
        Array.from({ length: released }, (_, i) => offset + i),
        `offset ${offset}: rows numbered on from the offset`,
      );
      t.same(
        got.rows.map((x) => x.body.id),
        rows.slice(offset).map((x) => x.body.id),
        `offset ${offset}: the rows after the first ${offset}`,
      );
    }
  },
);

/** The query's usage, in order (what both downloads walk). */
async function usageOf(c: Ctx): Promise<UsageRef[]> {
  const usage: UsageRef[] = [];
  for await (const r of c.research.usage(queryId)) usage.push(r);
  return usage;
}

/** Stores a provider's new status, as ProviderService.stop does (in memory first, then the record). */
async function setStatus(c: Ctx, provider: string, status: 'active' | 'revoked' | 'erased', revokedVersion: number) {
  const record = c.registry.setStatus(provider, status, revokedVersion, Date.now());
  if (!record) throw new Error('no provider');
  await c.store.write(c.registry.putOps(record));
}

t.test('revoked and erased providers: both paths withhold the same rows, numbering stays contiguous', async (t) => {
  const c = await setup(t);
  // this time the worker thread writes every block
  lineWorker();
  await waitFor(() => lineWorker(), 'line worker up', 30_000);
  const usage = await usageOf(c);
  const order = [...new Set(usage.map((r) => r.provider))];
  t.equal(order.length, 50);
  const nth = (i: number) => order[i] as string;
  const [revoked, revokedBefore, erased, policy1, erasedLast] = [nth(0), nth(10), nth(25), nth(30), nth(49)];
  // half of policy1's rows were given under its policy 2 (the usage records each row's version): its later
  // revocation of policy 1 withholds only the other half, rows inside one block
  const usageOps = [];
  let n = 0;
  for await (const [key, r] of c.store.entries<UsageRef>('queryrows', { gte: `${queryId}!`, lt: `${queryId}!\xff` }))
    if (r.provider === policy1 && n++ % 2 === 1)
      usageOps.push({ type: 'put' as const, sub: 'queryrows' as const, key, value: { ...r, policyVersion: 2 } });
  await c.store.write(usageOps);
  // revoked before preparation: its rows are not in the file (counted by its end frame)
  await setStatus(c, revokedBefore, 'revoked', 1);

  const p = c.preparer();
  await p.start();
  const file = await prepared(p);
  const before = await both(c, file, 0);
  t.ok(before.prepared.equals(before.vault), 'identical bytes after preparation');
  t.same(before.preparedTrailer, { queryId, released: ROWS - 30, withheld: 30, nextOffset: ROWS - 30 });
  t.same(before.preparedTrailer, before.vaultTrailer);

  // after preparation: revoked (its key kept: the registry alone withholds), erased (status and key gone; the
  // first provider in the file, and the last), and a policy version revoked while the provider goes on under its
  // next one
  await setStatus(c, revoked, 'revoked', 1);
  for (const e of [erased, erasedLast]) {
    await setStatus(c, e, 'erased', 1);
    await c.vault.erase(e);
    t.equal(await c.vault.dataKey(e), undefined, 'an erased provider has no data key');
  }
  await setStatus(c, policy1, 'active', 1);

  const gone = new Set([revokedBefore, revoked, erased, erasedLast]);
  const again = (await usageOf(c)).filter((u) => u.provider === policy1);
  t.equal(again.length, 30);
  const policy2 = again.filter((u) => u.policyVersion === 2).map((u) => u.id);
  t.equal(policy2.length, 15);
  const expected = usage.filter((r) => !gone.has(r.provider)).length - 15;
  const withheld = ROWS - expected;
  t.equal(withheld, 4 * 30 + 15);
  for (const offset of [0, 1, 14, 15, 16, 500, expected - 1, expected, expected + 3]) {
    const r = await both(c, file, offset);
    t.ok(r.prepared.equals(r.vault), `offset ${offset}: identical bytes`);
    t.same(r.preparedTrailer, r.vaultTrailer, `offset ${offset}: identical trailers`);
    const released = Math.max(0, expected - offset);
    t.same(r.preparedTrailer, { queryId, released, withheld, nextOffset: offset + released });
    const got = parse(t, r.prepared);
    t.same(got.trailer, r.preparedTrailer, 'the trailer line');
    t.same(
      got.rows.map((x) => x.row),
      Array.from({ length: released }, (_, i) => offset + i),
      `offset ${offset}: contiguous row numbers`,
    );
    t.notOk(
      got.rows.some((x) => gone.has(x.body.provider)),
      `offset ${offset}: no row of a revoked or erased provider`,
    );
    if (offset === 0)
      t.same(
        got.rows.filter((x) => x.body.provider === policy1).map((x) => x.body.id),
        policy2,
        'of the provider who revoked policy 1, the rows given under policy 2 only',
      );
  }
});

t.test('a damaged prepared file fails the download with GW_DATASET_FILE', async (t) => {
  const { c, p, file } = await setupPrepared(t);
  const good = readFileSync(file);
  // the blocks' places in the file
  const blocks: { start: number; ciphertext: number; length: number; end: number }[] = [];
  for (let at = MAGIC.length, first = 0; ; ) {
    const f = parseFrame(queryId, first, good, at, good.length);
    if ('need' in f) throw new Error('the good file is short');
    if ('end' in f) {
      t.same(f.end, { withheld: 0, released: ROWS }, 'the end frame');
      t.equal(f.next, good.length, 'the end frame is last');
      break;
    }
    const ct = f.block.ciphertext;
    blocks.push({ start: at, ciphertext: ct.byteOffset - good.byteOffset, length: ct.length, end: f.next });
    first += f.block.lens.length;
    at = f.next;
  }
  t.ok(blocks.length >= 50, `${blocks.length} blocks`);
  const damaged = join(c.dir, 'damaged.dgds');
  const fails = async (bytes: Buffer, what: string, message: RegExp) => {
    writeFileSync(damaged, bytes);
    const req = { queryId, format: 'ndjson' as const, columns: c.columns, offset: 0 };
    await t.rejects(collect(preparedDatasetStream(c.deps, req, damaged)), { code: 'GW_DATASET_FILE', message }, what);
  };
  const flip = (at: number) => {
    const b = Buffer.from(good);
    b[at] = (b[at] as number) ^ 0x01;
    return b;
  };
  const first = blocks[0] as (typeof blocks)[number];
  const middle = blocks[Math.floor(blocks.length / 2)] as (typeof blocks)[number];
  await fails(flip(first.ciphertext + 100), 'a bit flipped in the first block', /block of rows from 0 does not verify/);
  await fails(flip(middle.ciphertext + middle.length - 1), 'a bit flipped in a later block', /does not verify/);
  const lens = middle.start + 2 + (good[middle.start + 1] as number) + 8; // the block's first line length
  await fails(flip(lens), "a bit flipped in a block's header", /does not verify/);
  const drop = Buffer.concat([good.subarray(0, middle.start), good.subarray(middle.end)]);
  await fails(drop, 'a block dropped', /does not verify/);
  await fails(good.subarray(0, good.length - END_BYTES), 'the end frame cut off', /ends before its end frame/);
  await fails(good.subarray(0, good.length - 4), 'the end frame cut short', /ends before its end frame/);
  await fails(good.subarray(0, middle.end - 10), 'cut inside a block', /ends before its end frame/);
  const count = Buffer.from(good);
  count.writeUInt32LE(ROWS + 1, good.length - 4);
  await fails(count, 'the end frame counting other rows', /other rows than its end frame says/);
  const magic = Buffer.from(good);
  magic[0] = 0x58;
  await fails(magic, 'no magic', /not a prepared dataset/);
  await fails(Buffer.alloc(0), 'an empty file', /not a prepared dataset/);

  // the route's reaction to a failed read: the file is dropped and downloads take the vault's path
  await p.discard(queryId, 'test');
  t.equal(p.file(queryId), undefined, 'no file after discard');
  t.same(p.state(queryId), { state: 'off' }, 'shown as not prepared (downloads read the vault) until the next start');
  p.schedule(queryId, ROWS);
  t.same(p.state(queryId), { state: 'off' }, 'not prepared again in this run');
  t.notOk(existsSync(file), 'the file is removed');
  t.match(
    c.logs.find((l) => l.msg === 'prepared dataset discarded'),
    { queryId, why: 'test' },
  );
});

t.test('start: unfinished files removed, expired ones removed and prepared again, off writes nothing', async (t) => {
  const c = await setup(t);
  mkdirSync(c.datasets);
  writeFileSync(join(c.datasets, `${queryId}.dgds.part`), 'unfinished');
  writeFileSync(join(c.datasets, 'other-query.dgds.part'), 'unfinished');
  const p1 = c.preparer({ retentionDays: 2 });
  await p1.start();
  const file = await prepared(p1);
  t.same(readdirSync(c.datasets), [`${queryId}.dgds`], 'the leftover .part files are gone');
  const written = readFileSync(file);
  t.ok(written.subarray(0, MAGIC.length).equals(MAGIC), 'a prepared dataset under the final name');
  const r = await both(c, file, 0);
  t.ok(r.prepared.equals(r.vault), 'the prepared file serves the same bytes');
  await p1.close();

  // a file within its retention is found as prepared at the next start, and not written again
  const p2 = c.preparer({ retentionDays: 2 });
  const count = () => c.logs.filter((l) => l.msg === 'dataset prepared').length;
  const preparedBefore = count();
  await p2.start();
  t.same(p2.state(queryId), { state: 'prepared' }, 'found at start');
  t.equal(p2.file(queryId), file);
  await p2.close();
  t.equal(count(), preparedBefore, 'not prepared again');

  // older than retentionDays: removed, and the complete query queued again
  const old = new Date(Date.now() - 3 * DAY);
  utimesSync(file, old, old);
  const p3 = c.preparer({ retentionDays: 2 });
  await p3.start();
  t.not(p3.state(queryId).state, 'prepared', 'the expired file is not used');
  t.equal(p3.file(queryId), undefined);
  t.match(
    c.logs.find((l) => l.msg === 'prepared dataset past retention removed'),
    { queryId },
  );
  const again = await prepared(p3);
  t.equal(count(), preparedBefore + 1, 'prepared again');
  t.ok(statSync(again).mtimeMs > old.getTime() + DAY, 'a new file');
  const r2 = await both(c, again, 0);
  t.ok(r2.prepared.equals(r2.vault), 'the new file serves the same bytes');

  // the hourly expiry while running: the file goes, downloads read the vault, nothing is prepared again
  utimesSync(again, old, old);
  t.equal(await p3.expire(), 1, 'one file past retention');
  t.same(p3.state(queryId), { state: 'off' });
  t.equal(p3.file(queryId), undefined);
  t.notOk(existsSync(again), 'removed');
  await p3.close();

  // a query paid longer ago than the retention is not prepared at start
  const record = await c.research.query(queryId);
  await c.store.write([
    ...c.research.putQueryOps({ ...(record as NonNullable<typeof record>), createdAt: Date.now() - 3 * DAY }),
  ]);
  const p4 = c.preparer({ retentionDays: 2 });
  await p4.start();
  t.same(p4.state(queryId), { state: 'off' }, 'not queued');
  await p4.close();
  t.same(readdirSync(c.datasets), [], 'nothing written');

  // off: nothing prepared, nothing written, every download from the vault
  const offDir = join(c.dir, 'off');
  const off = new DatasetPreparer(c.deps, { dir: offDir, enabled: false, retentionDays: 30 });
  await off.start();
  off.schedule(queryId, ROWS);
  await off.close();
  t.same(off.state(queryId), { state: 'off' });
  t.equal(off.file(queryId), undefined);
  t.notOk(existsSync(offDir), 'no directory written');
});

t.test('close while preparing leaves no file under the final name; the next start prepares it', async (t) => {
  const c = await setup(t);
  const final = join(c.datasets, `${queryId}.dgds`);

  // closed in the turn it starts (deterministic: its file is being opened, no chunk written yet)
  mkdirSync(c.datasets);
  const p1 = c.preparer();
  p1.schedule(queryId, ROWS);
  t.same(p1.state(queryId), { state: 'preparing', rows: 0, of: ROWS });
  await p1.close();
  t.notOk(existsSync(final), 'no final file');
  t.equal(p1.file(queryId), undefined);
  t.same(readdirSync(c.datasets), [`${queryId}.dgds.part`], 'the unfinished .part stays for the next start');

  // closed between chunks: the state is read in the same turn as close(), so at least one chunk is still to come
  const p2 = c.preparer();
  await p2.start();
  let midway: { rows: number; of: number } | undefined;
  for (;;) {
    const s = p2.state(queryId);
    if (s.state === 'prepared') break;
    if (s.state === 'preparing' && s.rows > 0 && s.rows < s.of) {
      midway = s;
      break;
    }
    await new Promise((r) => setImmediate(r));
  }
  t.ok(midway, `closed midway (${midway?.rows} of ${midway?.of} rows written)`);
  await p2.close();
  t.notOk(existsSync(final), 'no final file after a close midway');
  t.equal(p2.file(queryId), undefined);
  t.same(readdirSync(c.datasets), [`${queryId}.dgds.part`]);
  t.ok(statSync(join(c.datasets, `${queryId}.dgds.part`)).size > MAGIC.length, 'chunks had been written');

  const p3 = c.preparer();
  await p3.start();
  const file = await prepared(p3);
  t.same(readdirSync(c.datasets), [`${queryId}.dgds`]);
  const r = await both(c, file, 0);
  t.ok(r.prepared.equals(r.vault), 'the dataset prepared at the next start serves the same bytes');
});

t.test(
  'a damaged block header that would make its rows look withheld fails too (unknown provider, policy version 0)',
  async (t) => {
    const { c, file } = await setupPrepared(t);
    const good = readFileSync(file);
    const f = parseFrame(queryId, 0, good, MAGIC.length, good.length);
    if (!('block' in f)) throw new Error('no first block');
    const req = { queryId, format: 'ndjson' as const, columns: c.columns, offset: 0 };
    const damaged = join(c.dir, 'damaged.dgds');
    // the provider's name: no such provider in the registry, so no key, so every row withheld unopened
    const name = Buffer.from(good);
    name[MAGIC.length + 2 + 10] = (name[MAGIC.length + 2 + 10] as number) ^ 0x01;
    writeFileSync(damaged, name);
    await t.rejects(collect(preparedDatasetStream(c.deps, req, damaged)), { code: 'GW_DATASET_FILE' }, 'provider name');
    // the rows' policy versions set to 0: none live (rowLive), so the block is skipped unopened
    const policy = Buffer.from(good);
    const n = f.block.lens.length;
    const at = MAGIC.length + 2 + f.block.provider.length + 8 + 4 * n;
    policy.fill(0, at, at + 4 * n);
    writeFileSync(damaged, policy);
    await t.rejects(
      collect(preparedDatasetStream(c.deps, req, damaged)),
      { code: 'GW_DATASET_FILE' },
      'policy versions',
    );
  },
);

t.test(
  'a resumed vault download counts rows unreadable at load (data key gone, registry still active) as withheld',
  async (t) => {
    const { c, file } = await setupPrepared(t);
    const order = [...new Set((await usageOf(c)).map((r) => r.provider))];
    // the key gone before the registry records the erasure (ProviderService.stop erases the vault, then writes
    // the record: a crash between the two)
    await c.vault.erase(order[10] as string);
    const full = parse(t, (await both(c, file, 0)).vault);
    t.equal(full.rows.length, ROWS - 30);
    const offset = 700;
    const r = await both(c, file, offset);
    const resumed = parse(t, r.vault);
    t.equal(parse(t, r.prepared).rows[0]?.body.id, full.rows[offset]?.body.id, 'the prepared path resumes at row 700');
    t.equal(resumed.rows[0]?.body.id, full.rows[offset]?.body.id, 'the vault path resumes at row 700');
    t.ok(r.prepared.equals(r.vault), 'the prepared path gives the same bytes');
  },
);

t.test(
  'a provider who revokes and shares again (a new data key): their older blocks stay withheld, unopened',
  async (t) => {
    const { c, file } = await setupPrepared(t);
    const provider = [...new Set((await usageOf(c)).map((r) => r.provider))][3] as string;
    // what ProviderService.stop does for a revocation (key and rows gone, status revoked at version 1), then a new
    // registration: active again with a new data key, rows of version 1 never sold again
    await c.vault.erase(provider);
    await setStatus(c, provider, 'revoked', 1);
    await c.store.write(await c.vault.ensureDataKeyOps(provider));
    await setStatus(c, provider, 'active', 1);
    t.ok(await c.vault.dataKey(provider), 'a new data key');
    for (const offset of [0, 100]) {
      const r = await both(c, file, offset);
      t.ok(r.prepared.equals(r.vault), `offset ${offset}: the same bytes`);
      const { rows, trailer } = parse(t, r.prepared);
      t.equal(rows.filter((x) => x.body.provider === provider).length, 0, 'none of their old rows');
      t.equal(trailer.withheld, 30);
    }
  },
);

t.test('CSV from the prepared dataset = CSV from the vault, withheld rows and offsets included', async (t) => {
  const { c, file } = await setupPrepared(t);
  const providers = [...new Set((await usageOf(c)).map((r) => r.provider))];
  await setStatus(c, providers[5] as string, 'revoked', 1);
  for (const offset of [0, 31, 1000, 1470, 2000]) {
    const r = await both(c, file, offset, 'csv');
    t.ok(r.prepared.equals(r.vault), `offset ${offset}: the same bytes`);
    t.same(r.preparedTrailer, r.vaultTrailer, `offset ${offset}: the same trailer`);
  }
  const text = (await both(c, file, 0, 'csv')).prepared.toString('utf8');
  const lines = text.split('\r\n');
  t.match(lines[0], /^row,id,provider,/, 'the header first');
  t.equal(lines.length - 2, ROWS - 30, 'one record per released row (and the last CRLF)');
  t.notMatch(text, /"trailer"/, 'no NDJSON trailer line in CSV');
});

t.test('every provider revoked before preparation: an empty prepared dataset, all rows withheld', async (t) => {
  const c = await setup(t);
  for (const provider of new Set((await usageOf(c)).map((r) => r.provider))) await setStatus(c, provider, 'revoked', 1);
  const p = c.preparer();
  await p.start();
  const file = await prepared(p);
  t.equal(readFileSync(file).length, MAGIC.length + END_BYTES, 'the magic and the end frame alone');
  const r = await both(c, file, 0);
  t.ok(r.prepared.equals(r.vault), 'the same bytes');
  t.match(r.preparedTrailer, { released: 0, withheld: ROWS, nextOffset: 0 });
});

t.test('a line head written in place is the text the codec writes, for any row number', async (t) => {
  const out = Buffer.alloc(64, 0x7e);
  const rows = [0, 9, 10, 99, 100, 999_999, 1_000_000, 4_294_967_295, Number.MAX_SAFE_INTEGER];
  for (let i = 0; i < 200; i++) rows.push(Math.floor(Math.random() * 10 ** (1 + (i % 15))));
  const wrong = rows.filter((row) => {
    out.fill(0x7e);
    const end = writeHead(out, 3, row);
    return out.toString('latin1', 3, end) !== `{"row":${row},` || out[end] !== 0x7e || out[2] !== 0x7e;
  });
  t.same(wrong, []);
});
