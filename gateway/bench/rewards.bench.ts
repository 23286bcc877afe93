// Acceptance 4 of issue 7: one rewards cycle over 100,000 paid queries and 1,000,000 usages (rows released),
// from 1,000 providers, run by the real engine end to end: journal filter, allocation, dag4 signing of the
// payouts, the journal write, posting to the local node's currency L1, waiting for snapshot confirmation and the
// RewardCycle receipt. Targets: at most 10 s and 500 MB peak RSS of the process running the cycle. The local
// node runs in a child process, as a ledger does in every deployment (the gateway reaches it over HTTP). Run: `make bench` or `node --expose-gc --import=tsx gateway/bench/rewards.bench.ts`.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateKeyPair, systemClock } from '@datagraph/protocol';
import { reportBench } from '../../bench/results.ts';
import { LedgerClient } from '../src/ledger/LedgerClient.ts';
import { allocateCycle, type PaidQuery } from '../src/rewards/allocateCycle.ts';
import { RewardCycleJournal } from '../src/rewards/RewardCycleJournal.ts';
import { RewardEngine, type RewardStep } from '../src/rewards/RewardEngine.ts';
import { TreasuryClient } from '../src/rewards/TreasuryClient.ts';

const QUERIES = 100_000;
const USAGES = 1_000_000;
const PROVIDERS = 1_000;
const DISTINCT_ROWS = 300_000;

function buildQueries(providers: string[]): PaidQuery[] {
  let x = 12345;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return (x >>> 8) % n;
  };
  const rows = Array.from({ length: DISTINCT_ROWS }, (_, i) => ({
    commitment: i.toString(16).padStart(64, '0'),
    provider: providers[i % providers.length] as string,
  }));
  const queries: PaidQuery[] = [];
  const perQuery = USAGES / QUERIES;
  for (let i = 0; i < QUERIES; i++) {
    // 10 consecutive rows from a random start: distinct within the query, shared across queries
    const start = rnd(DISTINCT_ROWS - perQuery);
    queries.push({
      queryId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      amount: BigInt(100_000 + rnd(10_000_000)),
      rows: rows.slice(start, start + perQuery),
    });
  }
  return queries;
}

const tmp = await mkdtemp(join(tmpdir(), 'dg-rewards-bench-'));
const treasury = generateKeyPair();
const gateway = generateKeyPair();
// The node in a child process, through the metagraph package's public entry; it prints its URLs.
const nodeChild = spawn(
  process.execPath,
  [
    '--import=tsx',
    '--input-type=module',
    '-e',
    `import { startNode } from '@datagraph/metagraph';
     import { pino } from 'pino';
     const o = JSON.parse(process.env.BENCH_NODE);
     const n = await startNode({ ...o, ports: { l0: 0, l1: 0, dataL1: 0 }, logger: pino({ level: 'silent' }) });
     console.log(JSON.stringify(n.urls));
     process.on('SIGTERM', () => n.close().then(() => process.exit(0)));`,
  ],
  {
    env: {
      ...process.env,
      BENCH_NODE: JSON.stringify({
        dataDir: join(tmp, 'node'),
        genesis: { balances: { [treasury.address]: String(10n ** 17n) } },
        snapshotIntervalMs: 250,
        rules: { authorisedGateways: [gateway.address] },
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const urls = JSON.parse(
  await new Promise<string>((resolve, reject) => {
    createInterface({ input: nodeChild.stdout }).once('line', resolve);
    nodeChild.once('exit', (code) => reject(new Error(`node exited with ${code}`)));
  }),
) as { l0: string; l1: string; dataL1: string; be: string };
const providers = Array.from({ length: PROVIDERS }, () => generateKeyPair().address);
const queries = buildQueries(providers);
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;

const journal = await RewardCycleJournal.open(join(tmp, 'journal'));
const marks = new Map<RewardStep, number>();
let rssPlanned = 0;
const engine = new RewardEngine({
  journal,
  treasury: new TreasuryClient({ l0Url: urls.l0, l1Url: urls.l1, beUrl: urls.be }, treasury.privateKey),
  queries: { undistributed: () => queries, markDistributed: async () => {} },
  receipts: new LedgerClient({ l0Url: urls.l0, l1Url: urls.l1, dataL1Url: urls.dataL1 }, gateway.privateKey),
  gatewayKey: gateway,
  feeBps: 250,
  minPayout: 1n,
  clock: systemClock,
  confirmTimeoutMs: 120_000,
  pollMs: 50,
  onStep: (step) => {
    if (!marks.has(step)) marks.set(step, performance.now());
    if (step === 'planned') rssPlanned = Math.max(rssPlanned, process.resourceUsage().maxRSS * 1024);
  },
});

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
const t0 = performance.now();
const out = await engine.runCycle();
const t1 = performance.now();
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
if (out[0]?.state !== 'receipted') throw new Error(`cycle ended in state ${out[0]?.state}`);

// The allocation alone, on the same input, for the breakdown.
const a0 = performance.now();
const alone = allocateCycle({ queries, carriedIn: new Map(), feeBps: 250, minPayout: 1n });
const a1 = performance.now();

const planned = marks.get('planned') ?? t1;
const paid = marks.get('paid') ?? t1;
reportBench('rewards', [
  {
    name: `cycle: ${QUERIES} queries, ${USAGES} usages, ${PROVIDERS} payouts`,
    value: (t1 - t0) / 1000,
    unit: 's',
    target: '<= 10 s',
  },
  { name: 'peak RSS of the rewards process', value: Math.round(peakRss / 2 ** 20), unit: 'MB', target: '<= 500 MB' },
  { name: 'peak RSS by the end of planning', value: Math.round(rssPlanned / 2 ** 20), unit: 'MB' },
  { name: 'RSS before the cycle (input in memory)', value: Math.round(rssBefore / 2 ** 20), unit: 'MB' },
  { name: '  plan: read, allocate, sign, journal', value: (planned - t0) / 1000, unit: 's' },
  { name: '  send and wait for snapshot confirmation', value: (paid - planned) / 1000, unit: 's' },
  { name: '  receipt', value: (t1 - paid) / 1000, unit: 's' },
  {
    name: 'allocateCycle alone',
    value: (a1 - a0) / 1000,
    unit: 's',
    reference: { name: 'usages per second', value: Math.round(USAGES / ((a1 - a0) / 1000)), unit: '/s' },
  },
  {
    name: 'statement lines (provider x query)',
    value: alone.providers.reduce((s, p) => s + p.shares.length, 0),
    unit: '',
  },
]);

await journal.close();
nodeChild.kill('SIGTERM');
await new Promise((resolve) => nodeChild.once('exit', resolve));
await rm(tmp, { recursive: true, force: true });
