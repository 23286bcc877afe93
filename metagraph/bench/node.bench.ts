// Bench (issue 3, acceptance 6): data entries committed per second and transactions per second through the
// local node's HTTP API (POST, then a snapshot that takes them), beside the raw native signature-verify
// rate measured in the same run. Signing happens before the clock starts: it is the devices' and wallets' job.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, type KeyPair, signValue, verifyValueProof } from '@datagraph/protocol';
import { keyStore } from '@stardust-collective/dag4-keystore';
import { pino } from 'pino';
import { reportBench } from '../../bench/results.ts';
import { startNode, verifyHashSignature } from '../src/index.ts';
import { entry, hourWindow, ingestBatch, policy, registerProvider } from '../src/rules/vectors/VectorWorld.ts';

const ENTRIES_PER_BATCH = 1000;
const BATCHES = 6;
const WALLETS = 8;
const TX_PER_WALLET = 150;

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`);
}

function rate(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

const dir = await mkdtemp(join(tmpdir(), 'dg-node-bench-'));
const gateway = generateKeyPair();
const wallets = Array.from({ length: WALLETS }, () => generateKeyPair());
const node = await startNode({
  dataDir: dir,
  genesis: { balances: Object.fromEntries(wallets.map((w) => [w.address, '1000000000000'])) },
  snapshotIntervalMs: 0,
  ports: { l0: 0, l1: 0, dataL1: 0 },
  logger: pino({ level: 'silent' }),
  rules: { authorisedGateways: [gateway.address] },
});

try {
  // Raw native verify rate (data signatures, as the node checks device proofs), single thread.
  const k = generateKeyPair();
  const msgs = Array.from({ length: 2000 }, (_, i) => ({ v: i, s: `m${i}` }));
  const proofs = msgs.map((m) => signValue(k.privateKey, k.publicKey, m));
  let t0 = performance.now();
  let ok = 0;
  for (let r = 0; r < 3; r++)
    for (let i = 0; i < msgs.length; i++) if (verifyValueProof(msgs[i], proofs[i] as never)) ok++;
  const verifyRate = rate(ok, performance.now() - t0);

  // Data: providers with 50 devices each, then batches of signed entries.
  const devices: { device: KeyPair; provider: KeyPair }[] = [];
  const regs = [];
  for (let p = 0; p < 4; p++) {
    const provider = generateKeyPair();
    const ds = Array.from({ length: 50 }, () => generateKeyPair());
    for (const device of ds) devices.push({ device, provider });
    regs.push(
      registerProvider(provider, ds, policy(provider.address, 1, { steps: ['hourly'], heart_rate_avg: ['hourly'] })),
    );
  }
  for (const r of regs) await post(`${node.urls.dataL1}/data`, r);
  await node.snapshotNow();
  const seqs = new Map<string, number>();
  const batches = Array.from({ length: BATCHES }, (_, b) =>
    ingestBatch(
      gateway,
      `bench-${b}-${Math.random()}`,
      Array.from({ length: ENTRIES_PER_BATCH }, (_, i) => {
        const { device, provider } = devices[(b * ENTRIES_PER_BATCH + i) % devices.length] as {
          device: KeyPair;
          provider: KeyPair;
        };
        const seq = (seqs.get(device.address) ?? 0) + 1;
        seqs.set(device.address, seq);
        return entry({
          device,
          provider: provider.address,
          seq,
          cadence: 'hourly',
          window: hourWindow(seq),
          policyVersion: 1,
          values: { steps: 100 + i },
          seed: `${b}/${i}/${Math.random()}`,
        });
      }),
    ),
  );
  t0 = performance.now();
  for (const b of batches) await post(`${node.urls.dataL1}/data`, b);
  await node.snapshotNow();
  const dataMs = performance.now() - t0;
  const state = (await (await fetch(`${node.urls.l0}/data-application/state`)).json()) as {
    totals: { entries: number };
  };
  if (state.totals.entries !== BATCHES * ENTRIES_PER_BATCH)
    throw new Error(`expected ${BATCHES * ENTRIES_PER_BATCH} entries, state has ${state.totals.entries}`);

  // Transactions: each wallet's chain signed by dag4 beforehand, posted wallet by wallet in parallel.
  const chains = await Promise.all(
    wallets.map(async (w) => {
      const to = generateKeyPair().address;
      let parent = { hash: '0'.repeat(64), ordinal: 0 };
      const out: unknown[] = [];
      for (let i = 0; i < TX_PER_WALLET; i++) {
        const { transaction, hash } = await keyStore.generateTransactionWithHashV2(
          0.001,
          to,
          { privateKey: w.privateKey, publicKey: `04${w.publicKey}`, address: w.address } as never,
          parent,
          0,
        );
        out.push(transaction);
        parent = { hash, ordinal: parent.ordinal + 1 };
      }
      return out;
    }),
  );
  t0 = performance.now();
  await Promise.all(
    chains.map(async (chain) => {
      for (const tx of chain) await post(`${node.urls.l1}/transactions`, tx);
    }),
  );
  await node.snapshotNow();
  const txMs = performance.now() - t0;
  const last = (await (await fetch(`${node.urls.l1}/transactions/last-reference/${wallets[0]?.address}`)).json()) as {
    ordinal: number;
  };
  if (last.ordinal !== TX_PER_WALLET) throw new Error('not every transaction was taken');

  // Hash-signature verify (the transaction check) for reference too.
  const h = keyStore.sha256('x');
  const sig = await keyStore.sign(k.privateKey, h);
  t0 = performance.now();
  for (let i = 0; i < 3000; i++) verifyHashSignature(k.publicKey, h, sig);
  const txVerifyRate = rate(3000, performance.now() - t0);

  const reference = {
    name: 'raw native data-signature verify (libsecp256k1, 1 thread)',
    value: verifyRate,
    unit: 'verifies/s',
  };
  reportBench('metagraph-node', [
    {
      name: 'data entries committed (POST /data + snapshot)',
      value: rate(BATCHES * ENTRIES_PER_BATCH, dataMs),
      unit: 'entries/s',
      reference,
    },
    {
      name: 'transactions committed (POST /transactions + snapshot)',
      value: rate(WALLETS * TX_PER_WALLET, txMs),
      unit: 'tx/s',
      reference: { name: 'raw native tx-signature verify (1 thread)', value: txVerifyRate, unit: 'verifies/s' },
    },
  ]);
} finally {
  await node.close();
  await rm(dir, { recursive: true, force: true });
}
