// Issue 6 acceptance 5: stream a 1,000,000-row dataset with proofs from a populated vault over HTTP.
// `npx tsx gateway/bench/download.bench.ts [rows] [format]`. The vault is populated directly through the store
// APIs (real signed updates, encrypted vault rows, the committed-row index with each row's Merkle proof in
// snapshots of 5,000 entries, a quote and a paid query whose usage is every row, in the order QuoteService
// keeps a quote's rows); then the gateway runs as its own process on that data dir and the bench downloads the
// query's data, counting rows. The gateway is the production build (gateway/scripts/build.ts, built into
// gateway/dist by the bench) run as its launcher runs it: bundled JS, no tsx in the process or its worker threads.
// DG_BENCH_SOURCES=1 runs `datagraph gateway` from the TypeScript sources through tsx instead (development), to
// compare. The gateway prepares the paid query's dataset as it starts (DatasetPreparer: as after a payment); the
// bench waits for it, reporting the time and memory that took, then downloads from the prepared dataset.
// DG_BENCH_VAULT=1 turns preparation off: the download reads the vault (what a download gets before its dataset is
// prepared); DG_BENCH_KEEP_PREPARED=1 keeps an earlier run's prepared file (a gateway restarted since).
// Reports rows/s, time to first byte, the CPU of the gateway (per row for its main thread and its line worker) and
// of this client, and the gateway's memory during the download in bench/results/gateway-download.json.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  encodeMerkleCompact,
  generateKeyPair,
  type KeyPair,
  type MerkleTree,
  makeSalt,
  merkleTree,
  type SignedUpdate,
  signUpdate,
  signValue,
  type UpdateBody,
} from '@datagraph/protocol';
import { reportBench } from '../../bench/results.ts';
import { buildGateway, GATEWAY_ENV, GATEWAY_NODE_FLAGS } from '../scripts/build.ts';
import { Registry } from '../src/registry/Registry.ts';
import type { QueryRecord, QuoteRecord, RowRef } from '../src/research/ResearchStore.ts';
import { ResearchStore, usageRef } from '../src/research/ResearchStore.ts';
import { GatewayStore, type StoreOp } from '../src/store/GatewayStore.ts';
import { Vault } from '../src/vault/Vault.ts';
import { cleanup, freePort, gatewayArgs, HOUR, policyFor, tempDir, waitFor } from '../test/helpers.ts';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const FORMAT = (process.argv[3] ?? 'ndjson') as 'ndjson' | 'csv';
const PROVIDERS = 50;
const VAULT_PATH = process.env.DG_BENCH_VAULT === '1';
const SNAPSHOT = 5000;
const MASTER = '44'.repeat(32);
export const TOKEN = 'bench-query-token';
export const MASTER_KEY = '44'.repeat(32);

export async function populate(dir: string, ROWS: number): Promise<{ queryId: string; seconds: number }> {
  const started = performance.now();
  const store = await GatewayStore.open(join(dir, 'db'));
  const vault = new Vault(store, Buffer.from(MASTER, 'hex'));
  const registry = await Registry.load(store);
  const research = new ResearchStore(store);
  const providers: { key: KeyPair; device: KeyPair; seq: number }[] = [];
  for (let p = 0; p < PROVIDERS; p++) {
    const key = generateKeyPair();
    const device = generateKeyPair();
    const policy = policyFor(key);
    const record = {
      provider: key.address,
      publicKey: key.publicKey,
      policy,
      policyProof: signValue(key.privateKey, key.publicKey, policy),
      devices: [{ address: device.address, publicKey: device.publicKey }],
      status: 'active' as const,
      revokedVersion: 0,
      updatedAt: Date.now(),
    };
    await store.write([...(await vault.ensureDataKeyOps(key.address)), ...registry.putOps(record)]);
    providers.push({ key, device, seq: 0 });
  }
  // Usage in the order QuoteService keeps a quote's rows (committed-row index order: provider address, then
  // window start), so positions are computed per provider: provider k (in address order) gets every 50th row.
  providers.sort((a, b) => (a.key.address < b.key.address ? -1 : 1));
  const first: number[] = [];
  for (let k = 0, n = 0; k < PROVIDERS; k++) {
    first.push(n);
    n += k < ROWS ? Math.floor((ROWS - k - 1) / PROVIDERS) + 1 : 0;
  }
  const queryId = randomUUID();
  const quoteId = randomUUID();
  const base = (Math.floor(Date.now() / 1000 / HOUR) - 100_000) * HOUR;
  for (let s = 0; s * SNAPSHOT < ROWS; s++) {
    const n = Math.min(SNAPSHOT, ROWS - s * SNAPSHOT);
    const signed: SignedUpdate[] = [];
    for (let i = 0; i < n; i++) {
      const p = providers[(s * SNAPSHOT + i) % PROVIDERS] as (typeof providers)[number];
      p.seq++;
      const start = base + p.seq * HOUR;
      const body: UpdateBody = {
        v: 1,
        id: randomUUID(),
        provider: p.key.address,
        device: p.device.address,
        seq: p.seq,
        cadence: 'hourly',
        window: { start, end: start + HOUR },
        policyVersion: 1,
        fields: { steps: (p.seq * 37) % 20000, heart_rate_avg: 55 + (p.seq % 60) },
        salt: makeSalt(),
      };
      signed.push(signUpdate(body, p.device));
    }
    const tree = merkleTree(signed.map((u) => u.commitment));
    const ops: StoreOp[] = [];
    const refs: RowRef[] = [];
    for (let i = 0; i < n; i++) {
      const u = signed[i] as SignedUpdate;
      ops.push(
        await vault.rowOp(u.body.provider, u.body.id, {
          body: u.body,
          commitment: u.commitment,
          proof: u.proof,
          receivedAt: 0,
        }),
      );
      refs.push(rowRefFrom(u, s + 1, tree, i));
    }
    ops.push(...research.rowOps(refs));
    for (let i = 0; i < n; i++) {
      const k = (s * SNAPSHOT + i) % PROVIDERS;
      const u = signed[i] as SignedUpdate;
      ops.push(...research.usageOps(queryId, [usageRef(refs[i] as RowRef)], (first[k] as number) + u.body.seq - 1));
    }
    await store.write(ops);
    // progress on stderr: stdout is the TAP stream when a test populates a vault with this
    if (s % 20 === 0) process.stderr.write(`\r  populating: ${(s * SNAPSHOT + n).toLocaleString('en-US')} rows`);
  }
  process.stderr.write('\n');
  const quote: QuoteRecord = {
    quoteId,
    fields: ['heart_rate_avg', 'steps'],
    columns: ['heart_rate_avg', 'steps'],
    cadence: 'hourly',
    rows: ROWS,
    providers: PROVIDERS,
    price: String(BigInt(ROWS) * 100_000n),
    payTo: providers[0]?.key.address as string,
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    createdAt: Date.now(),
  };
  const query: QueryRecord = {
    queryId,
    quoteId,
    txHash: 'ab'.repeat(32),
    status: 'complete',
    tokenHash: createHash('sha256').update(TOKEN).digest('hex'),
    rows: ROWS,
    providers: PROVIDERS,
    payment: { amount: quote.price, payer: providers[1]?.key.address as string, ordinal: 1 },
    receiptOrdinal: 1,
    createdAt: Date.now(),
  };
  await store.write([{ type: 'put', sub: 'quotes', key: quoteId, value: quote }, ...research.putQueryOps(query)]);
  await store.close();
  return { queryId, seconds: (performance.now() - started) / 1000 };
}

function rowRefFrom(u: SignedUpdate, ordinal: number, tree: MerkleTree, i: number): RowRef {
  return {
    id: u.body.id,
    provider: u.body.provider,
    commitment: u.commitment,
    cadence: 'hourly',
    fields: ['heart_rate_avg', 'steps'],
    start: u.body.window.start,
    end: u.body.window.end,
    ordinal,
    merkle: encodeMerkleCompact(tree.proof(i)),
    entriesRoot: tree.root,
  };
}

/**
 * DG_BENCH_DATA=DIR keeps the populated data dir for later runs (populated once if DIR holds no vault of this
 * row count, reused after), so iterating on the download does not repopulate every time. Without it the data
 * lives in a temporary dir removed at the end.
 */
async function populated(): Promise<{ dir: string; queryId: string; keep: boolean }> {
  const keep = process.env.DG_BENCH_DATA;
  const dir = keep ?? tempDir('download-bench');
  const marker = join(dir, 'bench.json');
  if (keep && existsSync(marker)) {
    const m = JSON.parse(readFileSync(marker, 'utf8')) as { rows: number; queryId: string };
    if (m.rows !== ROWS) throw new Error(`${dir} holds a ${m.rows}-row vault, not ${ROWS}: use another DG_BENCH_DATA`);
    console.log(`  reusing the ${ROWS.toLocaleString('en-US')}-row vault in ${dir}`);
    return { dir, queryId: m.queryId, keep: true };
  }
  if (keep && existsSync(join(dir, 'db'))) throw new Error(`${dir} holds a partial vault: remove it first`);
  mkdirSync(dir, { recursive: true });
  const { queryId, seconds } = await populate(dir, ROWS);
  console.log(`  populated ${ROWS.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s`);
  if (keep) writeFileSync(marker, JSON.stringify({ rows: ROWS, queryId }));
  return { dir, queryId, keep: keep !== undefined };
}

async function main(): Promise<void> {
  const { dir, queryId, keep } = await populated();
  try {
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        mqtts: { port: null },
        logLevel: 'warn',
        host: '127.0.0.1',
        rewards: { intervalMs: 0 },
        // DG_BENCH_VAULT=1: no prepared dataset, the download reads the vault (what a download gets while its
        // dataset is being prepared)
        research: { prepareDatasets: !VAULT_PATH },
        // DG_BENCH_MAX_OPEN_FILES=N sets vault.maxOpenFiles (to weigh LevelDB's table cache: CPU against mapped RSS),
        // DG_BENCH_WRITE_BUFFER_MB=N vault.writeBufferMb
        vault: {
          ...(process.env.DG_BENCH_MAX_OPEN_FILES ? { maxOpenFiles: Number(process.env.DG_BENCH_MAX_OPEN_FILES) } : {}),
          ...(process.env.DG_BENCH_WRITE_BUFFER_MB
            ? { writeBufferMb: Number(process.env.DG_BENCH_WRITE_BUFFER_MB) }
            : {}),
        },
      }),
    );
    // the dataset is prepared afresh each run (the gateway prepares a complete query without a file as it starts),
    // unless DG_BENCH_KEEP_PREPARED=1 (a gateway restarted after preparing: its download alone)
    if (process.env.DG_BENCH_KEEP_PREPARED !== '1') rmSync(join(dir, 'datasets'), { recursive: true, force: true });
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const dead = 'http://127.0.0.1:9';
    const noLedger = { l0: dead, l1: dead, dataL1: dead };
    // DG_BENCH_PROFILE=DIR writes a CPU profile of the gateway process there.
    const profile = process.env.DG_BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.DG_BENCH_PROFILE}`]
      : [];
    // DG_BENCH_GATEWAY_FLAGS="--flag ..." passes node flags to the gateway process (to try V8 heap settings).
    const flags = (process.env.DG_BENCH_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean);
    const sources = process.env.DG_BENCH_SOURCES === '1';
    const root = join(import.meta.dirname, '..', '..');
    if (!sources) await buildGateway(join(root, 'gateway', 'dist'));
    console.log(`  gateway: ${sources ? 'the sources through tsx (DG_BENCH_SOURCES=1)' : 'the production build'}`);
    const entry = sources
      ? ['bin/datagraph.mjs']
      : [...GATEWAY_NODE_FLAGS, join(root, 'gateway', 'dist', 'datagraph-gateway.mjs')];
    const child = spawn(
      process.execPath,
      [
        ...flags,
        ...profile,
        ...entry,
        ...gatewayArgs({ config: join(dir, 'config.json'), dataDir: dir, mqttPort, httpPort, ledger: noLedger }),
      ],
      {
        cwd: root,
        // the launcher's environment too (GATEWAY_ENV), unless the sources run
        env: { ...process.env, ...(sources ? {} : GATEWAY_ENV), DG_VAULT_MASTER_KEY: MASTER },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    try {
      const http = `http://127.0.0.1:${httpPort}`;
      await waitFor(async () => (await fetch(`${http}/healthz`).catch(() => null))?.ok, 'gateway up', 120_000);
      const pid = child.pid as number;
      const auth = { authorization: `Bearer ${TOKEN}` };
      const prep = VAULT_PATH ? undefined : await prepared(pid, `${http}/v1/queries/${queryId}`, auth);
      const rssBefore = vm(pid, 'VmRSS');
      const anonBefore = vm(pid, 'RssAnon');
      // Peak memory during the download, sampled: RssAnon is the process's own memory (heap, buffers); RssFile
      // is LevelDB's memory-mapped table files (page cache the kernel can drop). The startup peak (two scrypt
      // keystore decryptions of 256 MiB each) is not the download's, so VmHWM is not used.
      const peak = { anon: 0, file: 0, rss: 0 };
      const sampler = setInterval(() => {
        peak.anon = Math.max(peak.anon, vm(pid, 'RssAnon'));
        peak.file = Math.max(peak.file, vm(pid, 'RssFile'));
        peak.rss = Math.max(peak.rss, vm(pid, 'VmRSS'));
      }, 100);
      const cpu0 = { gateway: cpuSeconds(pid), client: process.cpuUsage(), threads: threadSeconds(pid) };
      const t0 = performance.now();
      const res = await fetch(`${http}/v1/queries/${queryId}/data?format=${FORMAT}`, { headers: auth });
      if (!res.ok || !res.body) throw new Error(`download: ${res.status} ${await res.text()}`);
      const source = res.headers.get('x-dg-source');
      let firstByte = 0;
      let lines = 0;
      let bytes = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (firstByte === 0) firstByte = performance.now() - t0;
        bytes += chunk.length;
        // memchr through the chunk: this process shares the machine's cores with the gateway
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      }
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      const gatewayCpu = cpuSeconds(pid) - cpu0.gateway;
      const threads = threadSeconds(pid);
      const used = [...threads].map(([tid, s]) => [tid, s - (cpu0.threads.get(tid) ?? 0)] as const);
      const mainCpu = used.find(([tid]) => tid === pid)?.[1] ?? 0;
      const busiest = Math.max(0, ...used.filter(([tid]) => tid !== pid).map(([, s]) => s));
      const clientUse = process.cpuUsage(cpu0.client);
      const clientCpu = (clientUse.user + clientUse.system) / 1e6;
      const rows = lines - 1; // NDJSON: the trailer line; CSV: the header line
      if (rows !== ROWS) throw new Error(`expected ${ROWS} rows, got ${rows}`);
      reportBench('gateway-download', [
        ...(!VAULT_PATH && !prep
          ? [{ name: 'dataset prepared by an earlier run (DG_BENCH_KEEP_PREPARED=1)', value: 1, unit: 'file' }]
          : []),
        ...(prep
          ? [
              // after payment, in the background: downloads meanwhile read the vault (DG_BENCH_VAULT=1 measures that)
              { name: 'dataset prepared after payment in', value: round2(prep.seconds), unit: 's' },
              { name: '  preparation rate', value: Math.round(ROWS / prep.seconds), unit: 'rows/s' },
              { name: '  gateway peak RSS while preparing', value: Math.round(prep.peakRss / 1024), unit: 'MB' },
            ]
          : []),
        {
          name: `rows streamed (${FORMAT}, with proofs, from the ${source === 'prepared' ? 'prepared dataset' : 'vault'}; ${sources ? 'sources through tsx' : 'production build'})`,
          value: rows,
          unit: 'rows',
        },
        { name: 'download throughput', value: Math.round(rows / seconds), unit: 'rows/s', target: '>= 100,000 rows/s' },
        { name: 'download throughput (bytes)', value: Math.round(bytes / seconds / 1e6), unit: 'MB/s' },
        { name: 'time to first byte', value: Math.round(firstByte), unit: 'ms', target: '<= 200 ms' },
        // CPU use over the download, in cores (the machine's cores are shared by the gateway and this client)
        { name: 'gateway CPU (all threads)', value: round2(gatewayCpu / seconds), unit: 'cores' },
        // per thread, CPU microseconds per row: the main thread (LevelDB results, packing, socket writes), the
        // busiest other thread (the line worker: decryption and line writing) and the rest (LevelDB's reads on
        // libuv's pool, V8's garbage-collection and compiler threads)
        { name: '  main thread', value: round2((mainCpu / rows) * 1e6), unit: 'us/row' },
        { name: '  busiest other thread (line worker)', value: round2((busiest / rows) * 1e6), unit: 'us/row' },
        {
          name: '  all other threads',
          value: round2(((gatewayCpu - mainCpu - busiest) / rows) * 1e6),
          unit: 'us/row',
        },
        { name: 'client CPU (this process)', value: round2(clientCpu / seconds), unit: 'cores' },
        { name: 'gateway RSS before the download', value: Math.round(rssBefore / 1024), unit: 'MB' },
        { name: '  of which anonymous', value: Math.round(anonBefore / 1024), unit: 'MB' },
        {
          name: 'gateway peak RSS during the download',
          value: Math.round(peak.rss / 1024),
          unit: 'MB',
          target: '<= 300 MB',
        },
        { name: '  of which anonymous (heap, buffers)', value: Math.round(peak.anon / 1024), unit: 'MB' },
        { name: '  of which LevelDB mmapped tables', value: Math.round(peak.file / 1024), unit: 'MB' },
      ]);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    if (!keep) cleanup(dir);
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Waits for the query's dataset to be prepared (GET /v1/queries/{id}), showing progress; its time and peak RSS. */
async function prepared(
  pid: number,
  url: string,
  headers: Record<string, string>,
): Promise<{ seconds: number; peakRss: number } | undefined> {
  const t0 = performance.now();
  let peakRss = 0;
  for (let polls = 0; ; polls++) {
    peakRss = Math.max(peakRss, vm(pid, 'VmRSS'));
    const q = (await (await fetch(url, { headers })).json()) as { dataset?: { state: string; rows?: number } };
    if (q.dataset?.state === 'prepared') {
      if (polls === 0) return undefined; // kept from an earlier run (DG_BENCH_KEEP_PREPARED=1)
      break;
    }
    if (!q.dataset || q.dataset.state === 'off') throw new Error(`the query's dataset is not being prepared`);
    process.stderr.write(`\r  preparing the dataset: ${(q.dataset.rows ?? 0).toLocaleString('en-US')} rows`);
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write('\n');
  return { seconds: (performance.now() - t0) / 1000, peakRss };
}

/** User + system CPU seconds of a process, all threads (/proc/<pid>/stat, Linux; clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** User + system CPU seconds of each thread of a process (/proc/<pid>/task/<tid>/stat, Linux). */
function threadSeconds(pid: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(tid), (Number(f[11]) + Number(f[12])) / 100);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

/** A /proc/<pid>/status figure in kB (Linux). */
function vm(pid: number, key: 'VmRSS' | 'RssAnon' | 'RssFile'): number {
  const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
