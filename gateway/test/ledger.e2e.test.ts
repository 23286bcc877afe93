// Acceptance 1 (with the local node): 50 devices of 10 providers publish; every update acked `accepted` ends in
// exactly one snapshot, gets a `committed` ack with that ordinal, the vault holds its values, and no snapshot or
// data update carries a raw value or salt. Then the node stops for a while: batches queue, and drain on return.
import { join } from 'node:path';
import { startNode } from '@datagraph/metagraph';
import { generateKeyPair, type IngestBatch, type SignedUpdate } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import {
  cleanup,
  makeUpdate,
  policyFor,
  registerProvider,
  startTestGateway,
  TestDevice,
  tempDir,
  waitFor,
} from './helpers.ts';

t.test('50 devices to the ledger: exactly once, commitments only', async (t) => {
  const dir = tempDir('e2e');
  const gatewayKey = generateKeyPair();
  const nodeOpts = {
    dataDir: join(dir, 'node'),
    genesis: { balances: {} },
    snapshotIntervalMs: 300,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
    rules: { authorisedGateways: [gatewayKey.address] },
  };
  let node = await startNode(nodeOpts);
  const ledger = { l0Url: node.urls.l0, l1Url: node.urls.l1, dataL1Url: node.urls.dataL1 };
  const gw = await startTestGateway(join(dir, 'gw'), {
    ledger,
    gatewayKey,
    batch: { maxEntries: 200, maxDelayMs: 100 },
  });
  t.teardown(async () => {
    await gw.close();
    await node.close();
    cleanup(dir);
  });

  const devices: {
    key: ReturnType<typeof generateKeyPair>;
    provider: ReturnType<typeof generateKeyPair>;
    conn: TestDevice;
  }[] = [];
  for (let p = 0; p < 10; p++) {
    const provider = generateKeyPair();
    const keys = Array.from({ length: 5 }, () => generateKeyPair());
    t.equal((await registerProvider(gw, provider, keys)).status, 201);
    for (const key of keys) devices.push({ key, provider, conn: await TestDevice.connect(gw.urls.mqtt, key) });
  }
  const sent: SignedUpdate[] = [];
  const publishRound = async (from: number, to: number): Promise<void> => {
    await Promise.all(
      devices.map(async (d) => {
        for (let seq = from; seq <= to; seq++) {
          const u = makeUpdate(d.key, d.provider, seq, { fields: { steps: 20000 + seq, heart_rate_avg: 170 } });
          sent.push(u);
          await d.conn.publish(u);
        }
      }),
    );
  };
  await publishRound(1, 6);
  const accepted = async (): Promise<void> => {
    for (const u of sent) {
      const d = devices.find((x) => x.key.address === u.body.device) as (typeof devices)[number];
      await d.conn.ackFor(u.body.id, 'accepted');
    }
  };
  await accepted();

  // The node goes away for a while: updates are still accepted, batches queue.
  await waitFor(
    async () => gw.outbox.pending().sent === 0 && gw.outbox.pending().queued === 0,
    'first round committed',
  );
  await node.close();
  await publishRound(7, 10);
  await accepted();
  await waitFor(() => gw.outbox.pending().queued > 0, 'batches queued while the node is down');
  t.ok(gw.outbox.pending().queued > 0, 'batches queue while the node is down');
  node = await startNode({
    ...nodeOpts,
    ports: { l0: port(ledger.l0Url), l1: port(ledger.l1Url), dataL1: port(ledger.dataL1Url) },
  });
  await waitFor(
    () => gw.outbox.pending().queued + gw.outbox.pending().sent === 0,
    'queue drained after the node returned',
    120_000,
  );

  // Every accepted update: a committed ack with an ordinal, exactly one snapshot, values in the vault.
  const latest = ((await (await fetch(`${ledger.l0Url}/snapshots/latest/ordinal`)).json()) as { value: number }).value;
  const seen = new Map<string, number[]>();
  const texts: string[] = [];
  for (let ord = 0; ord <= latest; ord++) {
    const r = await fetch(`${ledger.l0Url}/snapshots/${ord}`);
    if (!r.ok) continue;
    const text = await r.text();
    texts.push(text);
    const snap = JSON.parse(text) as { value: { dataApplication: { blocks: { value: IngestBatch }[] } | null } };
    for (const b of snap.value.dataApplication?.blocks ?? []) {
      if (b.value.type !== 'IngestBatch') continue;
      for (const e of b.value.entries) seen.set(e.id, [...(seen.get(e.id) ?? []), ord]);
    }
  }
  let once = 0;
  let committedRight = 0;
  let inVault = 0;
  for (const u of sent) {
    const ords = seen.get(u.body.id) ?? [];
    if (ords.length === 1) once++;
    const d = devices.find((x) => x.key.address === u.body.device) as (typeof devices)[number];
    const ack = await d.conn.ackFor(u.body.id, 'committed');
    if (ack.ordinal === ords[0]) committedRight++;
    const row = await gw.vault.readRow<{ body: { fields: unknown } }>(u.body.provider, u.body.id);
    if (JSON.stringify(row?.body.fields) === JSON.stringify(u.body.fields)) inVault++;
  }
  t.equal(sent.length, 500);
  t.equal(once, sent.length, 'every accepted update is in exactly one snapshot');
  t.equal(committedRight, sent.length, 'every device got a committed ack naming that snapshot');
  t.equal(inVault, sent.length, 'the vault holds every value');
  t.equal(seen.size, sent.length, 'nothing else reached the ledger');

  // No raw value anywhere on the ledger: no salt, no field value.
  const all = texts.join('\n');
  const leaks = sent.filter(
    (u) =>
      all.includes(u.body.salt) ||
      all.includes(`"steps":${u.body.fields.steps}`) ||
      all.includes('"heart_rate_avg":170'),
  );
  t.equal(leaks.length, 0, 'no salt or raw value in any snapshot or data update');
  for (const d of devices) await d.conn.close();
});

function port(url: string): number {
  return Number(new URL(url).port);
}

t.test('a consent change while updates flow: entries under the old policy still reach the ledger', async (t) => {
  const dir = tempDir('e2e-policy');
  const gatewayKey = generateKeyPair();
  const node = await startNode({
    dataDir: join(dir, 'node'),
    genesis: { balances: {} },
    snapshotIntervalMs: 200,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
    rules: { authorisedGateways: [gatewayKey.address] },
  });
  const ledger = { l0Url: node.urls.l0, l1Url: node.urls.l1, dataL1Url: node.urls.dataL1 };
  const gw = await startTestGateway(join(dir, 'gw'), { ledger, gatewayKey, batch: { maxDelayMs: 2000 } });
  t.teardown(async () => {
    await gw.close();
    await node.close();
    cleanup(dir);
  });
  const provider = generateKeyPair();
  const device = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [device])).status, 201);
  const d = await TestDevice.connect(gw.urls.mqtt, device);
  t.teardown(() => d.close());
  const v1 = Array.from({ length: 20 }, (_, i) => makeUpdate(device, provider, i + 1));
  for (const u of v1) await d.publish(u);
  for (const u of v1) await d.ackFor(u.body.id, 'accepted');
  // New consent (version 2) before the batcher's timer has cut the version 1 entries.
  t.equal((await registerProvider(gw, provider, [device], policyFor(provider, 2))).status, 201);
  const v2 = Array.from({ length: 5 }, (_, i) => makeUpdate(device, provider, 100 + i, { policyVersion: 2 }));
  for (const u of v2) await d.publish(u);
  for (const u of [...v1, ...v2]) t.equal((await d.ackFor(u.body.id, 'committed')).status, 'committed');
  t.equal(gw.outbox.pending().rejected, 0, 'nothing parked');
});
