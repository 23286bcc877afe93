// A consent change while updates wait in the outbox: the gateway takes only the current policy version, so the agent
// makes the waiting updates again under the new policy (same id and seq, fields the new policy drops removed, fresh
// salt and signature, a window with nothing left withheld) instead of losing them as dead letters; a refusal for the
// policy version is never a dead letter (the update waits for the new policy when the device does not have it yet).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, createAgent } from '@datagraph/agent';
import { generateKeyPair, ManualClock, type SignedUpdate } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import { AgentStore } from '../../src/store/AgentStore.ts';
import { allFields, signPolicy } from '../helpers/policy.ts';
import { syntheticSamples } from '../helpers/syntheticDay.ts';
import { TestGateway, waitFor } from '../helpers/testGateway.ts';

const H = 3_600_000;

async function feedHours(agent: Agent, clock: ManualClock, hours: number): Promise<void> {
  const t0 = clock.now();
  for (const s of syntheticSamples(t0, hours, 3)) {
    if (s.at > clock.now()) await clock.advanceAsync(s.at - clock.now(), 30_000);
    agent.record(s);
  }
  await clock.advanceAsync(t0 + hours * H + 5 * 60_000 - clock.now(), 30_000);
  await agent.closeDueWindows();
}

async function setup(t: { teardown(fn: () => Promise<void> | void): void }) {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const dir = mkdtempSync(join(tmpdir(), 'dg-policy-change-'));
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const gw = await TestGateway.start(clock);
  const policy = (version: number, fields: ReturnType<typeof allFields>) =>
    signPolicy(provider, { version, fields, issuedAt: clock.now() / 1000 + version, expiresAt: null });
  const agent = await createAgent({
    device,
    dataDir: dir,
    clock,
    logger: pino({ level: 'silent' }),
    broker: { url: gw.url, reconnectPeriodMs: 40, reconnectMaxMs: 200 },
  });
  t.teardown(async () => {
    await agent.close();
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { clock, gw, agent, device, policy };
}

const hourlySeqs = (updates: SignedUpdate[]) =>
  updates.filter((u) => u.body.cadence === 'hourly').map((u) => u.body.seq);

t.test('updates waiting under the old policy are made again under the new one', async (t) => {
  const { clock, gw, agent, device, policy } = await setup(t);
  // The device is not registered yet: it cannot connect, its updates wait in the outbox.
  await agent.receivePolicy(Buffer.from(JSON.stringify(policy(1, allFields()))));
  await feedHours(agent, clock, 2);
  // A third hour with heart rate only (the band was off the wrist for steps).
  const h3 = clock.now() - 5 * 60_000;
  for (let at = h3 + 60_000; at < h3 + H; at += 60_000) {
    await clock.advanceAsync(at - clock.now(), 30_000);
    agent.record({ hasValue: true, kind: 'heart_rate', value: 60 + (at % 7), unit: 'bpm', at });
  }
  await clock.advanceAsync(h3 + H + 5 * 60_000 - clock.now(), 30_000);
  await agent.closeDueWindows();
  t.equal(agent.status().outbox.depth, 3, 'three hourly updates wait');
  const withheldBefore = agent.status().windows.withheldByPolicy;

  // Consent narrows to hourly steps only.
  await agent.receivePolicy(Buffer.from(JSON.stringify(policy(2, { steps: ['hourly'] }))));
  t.equal(agent.status().outbox.depth, 2, 'the third hour (no consented field left) is withheld');
  t.equal(agent.status().windows.withheldByPolicy, withheldBefore + 1);

  let current = 2;
  gw.judge = (u) =>
    u.body.policyVersion === current
      ? null
      : { status: 'rejected', code: 'GW_POLICY_VERSION', message: `the current one is ${current}` };
  gw.register(device);
  await waitFor(() => agent.status().outbox.depth === 0, 'all sent and accepted');
  const accepted = [...gw.accepted.values()];
  t.same(hourlySeqs(accepted).sort(), [1, 2], 'the same seqs as first numbered');
  t.ok(
    accepted.every((u) => u.body.policyVersion === 2 && Object.keys(u.body.fields).join() === 'steps'),
    'each under policy 2 with steps only',
  );
  t.same(await agent.deadLetters(), [], 'nothing lost as a dead letter');
  current = 3;
  t.equal(gw.received.filter((r) => r.status === 'rejected').length, 0);
});

t.test('a refusal for the policy version waits for the new policy, then goes under it', async (t) => {
  const { clock, gw, agent, device, policy } = await setup(t);
  // The gateway already has policy 2; the device still has 1 and has not received 2.
  await agent.receivePolicy(Buffer.from(JSON.stringify(policy(1, allFields()))));
  gw.judge = (u) =>
    u.body.policyVersion === 2
      ? null
      : { status: 'rejected', code: 'GW_POLICY_VERSION', message: 'the current one is 2' };
  gw.acking = false;
  gw.register(device);
  await waitFor(() => agent.status().connected, 'connected');
  await feedHours(agent, clock, 2);
  const sent = agent.status().outbox.depth;
  await waitFor(() => gw.received.length >= sent, 'first sends arrived');

  // The refusals arrive: the stored copies name the device's current policy, so each goes once more...
  gw.acking = true;
  const firstIds = gw.received.map((r) => r.update.body.id).sort();
  for (const r of gw.received.splice(0))
    gw.sendAck(device.address, { id: r.update.body.id, status: 'rejected', code: 'GW_POLICY_VERSION' });
  // ...and is refused again: now it waits for the policy the gateway has.
  await waitFor(() => agent.status().outbox.heldForPolicy === sent, 'held for the newer policy');
  t.equal(agent.status().outbox.depth, sent, 'still in the outbox');
  t.same(await agent.deadLetters(), [], 'no dead letter');
  t.equal(agent.status().acks.rejected, 0, 'not counted as rejections');

  await gw.publishPolicy(device.address, policy(2, allFields()));
  await waitFor(() => agent.status().outbox.depth === 0, 'sent under policy 2 and accepted');
  t.ok([...gw.accepted.values()].every((u) => u.body.policyVersion === 2));
  t.equal(gw.accepted.size, sent);
  t.same([...gw.accepted.keys()].sort(), firstIds, 'the same update ids as first sent');
  t.equal(agent.status().outbox.heldForPolicy, 0);
});

t.test('a re-issue cut short by a crash is finished at the next start', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const dir = mkdtempSync(join(tmpdir(), 'dg-policy-change-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const gw = await TestGateway.start(clock);
  t.teardown(() => gw.close());
  const policy = (version: number) =>
    signPolicy(provider, { version, fields: allFields(), issuedAt: clock.now() / 1000 + version, expiresAt: null });
  const open = () => createAgent({ device, dataDir: dir, clock, logger: pino({ level: 'silent' }) });
  let agent = await open();
  await agent.receivePolicy(Buffer.from(JSON.stringify(policy(1))));
  await feedHours(agent, clock, 2);
  const depth = agent.status().outbox.depth;
  await agent.close();
  // As if the process died right after writing policy 2, before any outbox entry was made again.
  const store = await AgentStore.open(dir);
  await store.write([{ type: 'put', where: 'meta', key: 'policy', value: policy(2) }]);
  await store.close();

  agent = await createAgent({
    device,
    dataDir: dir,
    clock,
    logger: pino({ level: 'silent' }),
    broker: { url: gw.url, reconnectPeriodMs: 40 },
  });
  t.teardown(() => agent.close());
  gw.judge = (u) => (u.body.policyVersion === 2 ? null : { status: 'rejected', code: 'GW_POLICY_VERSION' });
  gw.register(device);
  await waitFor(() => agent.status().outbox.depth === 0, 'sent and accepted');
  t.equal(gw.accepted.size, depth);
  t.ok(
    [...gw.accepted.values()].every((u) => u.body.policyVersion === 2),
    'every update under policy 2',
  );
  t.equal(gw.received.filter((r) => r.status === 'rejected').length, 0, 'none went out under policy 1');
});
