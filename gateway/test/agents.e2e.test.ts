// Acceptance 1 with real agents: the local node, the gateway and 50 agents (@datagraph/agent, each with its own
// LevelDB outbox and a fast simulated clock) recording heart rate for six hours of their day. Every update the
// gateway acked `accepted` appears in exactly one snapshot, every agent saw it `committed`, the vault holds its
// values, and no snapshot or data update carries a raw value or a salt.
import { join } from 'node:path';
import { type Agent, createAgent } from '@datagraph/agent';
import { startNode } from '@datagraph/metagraph';
import { generateKeyPair, type IngestBatch, type KeyPair, ManualClock } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import type { VaultRow } from '../src/ingest/IngestPipeline.ts';
import { cleanup, policyFor, registerProvider, startTestGateway, tempDir, waitFor } from './helpers.ts';

const AGENTS = 50;
const HOURS = 6;

t.test(`${AGENTS} agents on a fast clock: exactly once on the ledger, values only in the vault`, async (t) => {
  const dir = tempDir('agents');
  const gatewayKey = generateKeyPair();
  const node = await startNode({
    dataDir: join(dir, 'node'),
    genesis: { balances: {} },
    snapshotIntervalMs: 300,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
    rules: { authorisedGateways: [gatewayKey.address] },
  });
  const gw = await startTestGateway(join(dir, 'gw'), {
    ledger: { l0Url: node.urls.l0, l1Url: node.urls.l1, dataL1Url: node.urls.dataL1 },
    gatewayKey,
  });
  const agents: Agent[] = [];
  t.teardown(async () => {
    for (const a of agents) await a.close();
    await gw.close();
    await node.close();
    cleanup(dir);
  });

  const start = Date.UTC(2026, 0, 5);
  const clocks: ManualClock[] = [];
  for (let p = 0; p < AGENTS / 5; p++) {
    const provider = generateKeyPair();
    const devices: KeyPair[] = Array.from({ length: 5 }, () => generateKeyPair());
    const policy = policyFor(provider, 1, {
      heart_rate_avg: ['hourly'],
      heart_rate_min: ['hourly'],
      heart_rate_max: ['hourly'],
    });
    t.equal((await registerProvider(gw, provider, devices, policy)).status, 201);
    for (const device of devices) {
      const clock = new ManualClock(start);
      clocks.push(clock);
      agents.push(
        await createAgent({
          device,
          dataDir: join(dir, 'agents', device.address),
          clock,
          logger: pino({ level: 'silent' }),
          provider: provider.address,
          broker: { url: gw.urls.mqtt, reconnectPeriodMs: 200 },
          graceMs: 60_000,
          tickMs: 60_000,
        }),
      );
    }
  }
  await waitFor(() => agents.every((a) => a.policy !== undefined), 'every agent has its signed policy');

  // Six hours of heart rate every minute, then past the grace period so every window closes.
  for (let i = 0; i < AGENTS; i++) {
    const agent = agents[i] as Agent;
    const clock = clocks[i] as ManualClock;
    for (let m = 0; m < HOURS * 60; m++) {
      agent.record({
        hasValue: true,
        kind: 'heart_rate',
        value: 60 + ((i * 7 + m) % 40),
        unit: 'bpm',
        at: clock.now(),
      });
      await clock.advanceAsync(60_000, 60_000);
    }
    await clock.advanceAsync(5 * 60_000, 60_000);
  }
  await waitFor(
    () => agents.every((a) => a.status().outbox.depth === 0),
    'every outbox drained by application acks',
    180_000,
  );
  // Each outbox entry is settled by its first ack: `accepted`; or, when the `accepted` ack was lost to a reconnect
  // under load, `duplicate` (the agent sent the update again and the gateway already held it) or `committed` (the
  // update reached a snapshot first). `delivered` counts each such entry once, whichever ack settled it.
  const settled = agents.reduce((n, a) => n + a.status().acks.delivered, 0);
  const accepted = agents.reduce((n, a) => n + a.status().acks.accepted, 0);
  const duplicate = agents.reduce((n, a) => n + a.status().acks.duplicate, 0);
  const unknown = agents.reduce((n, a) => n + a.status().acks.unknownAcks, 0);
  t.ok(
    settled >= AGENTS * (HOURS - 1),
    `agents' updates delivered (${settled}): acked accepted ${accepted}, duplicate ${duplicate}, ` +
      `settled by committed ${settled - accepted - duplicate}; acks for updates already settled ${unknown}`,
  );
  t.equal(
    agents.reduce((n, a) => n + a.status().acks.rejected, 0),
    0,
    'none rejected',
  );
  await waitFor(
    () => agents.every((a) => a.status().acks.committed >= a.status().acks.accepted),
    'every accepted update committed',
    180_000,
  );

  // What the gateway holds: one vault row per accepted update.
  const ids = await gw.store.keys('ids');
  t.equal(ids.length, settled, 'the gateway holds exactly the updates the agents had acked');
  const rows = new Map<string, VaultRow>();
  for await (const [id, meta] of gw.store.entries<{ provider: string }>('ids')) {
    const row = await gw.vault.readRow<VaultRow>(meta.provider, id);
    if (row) rows.set(id, row);
  }
  t.equal(rows.size, settled, 'the vault holds the values of every acked update');

  // Every snapshot and data update: each accepted id exactly once, and no salt or raw value anywhere.
  const latest = ((await (await fetch(`${node.urls.l0}/snapshots/latest/ordinal`)).json()) as { value: number }).value;
  const count = new Map<string, number>();
  let ledgerText = '';
  for (let ord = 0; ord <= latest; ord++) {
    const r = await fetch(`${node.urls.l0}/snapshots/${ord}`);
    if (!r.ok) continue;
    const text = await r.text();
    ledgerText += text;
    const snap = JSON.parse(text) as { value: { dataApplication: { blocks: { value: IngestBatch }[] } | null } };
    for (const b of snap.value.dataApplication?.blocks ?? []) {
      if (b.value.type === 'IngestBatch') for (const e of b.value.entries) count.set(e.id, (count.get(e.id) ?? 0) + 1);
    }
  }
  t.equal(
    [...rows.keys()].filter((id) => count.get(id) !== 1).length,
    0,
    'every accepted update is in exactly one snapshot',
  );
  t.equal(count.size, rows.size, 'nothing else is on the ledger');
  const leaks = [...rows.values()].filter((row) => {
    const body = row.body as { salt: string; fields: Record<string, number> };
    return (
      ledgerText.includes(body.salt) || Object.entries(body.fields).some(([f, v]) => ledgerText.includes(`"${f}":${v}`))
    );
  });
  t.equal(leaks.length, 0, 'no salt and no field value in any snapshot or data update');
});
