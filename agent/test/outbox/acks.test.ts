// What each application ack does to the outbox: accepted and duplicate delete, rejected moves the update to the
// dead-letter store with the gateway's code (never resent), committed is recorded (and deletes an update whose
// accepted ack was lost); a PUBACK alone deletes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, createAgent, type Sample } from '@datagraph/agent';
import { generateKeyPair, ManualClock } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import { AgentStore } from '../../src/store/AgentStore.ts';
import { allFields, signPolicy } from '../helpers/policy.ts';
import { syntheticSamples } from '../helpers/syntheticDay.ts';
import { TestGateway, waitFor } from '../helpers/testGateway.ts';

const H = 3_600_000;

async function feed(agent: Agent, clock: ManualClock, samples: Sample[], untilMs: number): Promise<void> {
  for (const s of samples) {
    if (s.at > clock.now()) await clock.advanceAsync(s.at - clock.now(), 30_000);
    agent.record(s);
  }
  if (untilMs > clock.now()) await clock.advanceAsync(untilMs - clock.now(), 30_000);
  await agent.closeDueWindows();
}

async function setup(
  t: { teardown(fn: () => Promise<void> | void): void },
  ackTimeoutMs = 60_000,
  before?: (dir: string) => Promise<void>,
) {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const dir = mkdtempSync(join(tmpdir(), 'dg-acks-'));
  await before?.(dir);
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const gw = await TestGateway.start(clock);
  gw.register(device);
  await gw.publishPolicy(
    device.address,
    signPolicy(provider, { version: 1, fields: allFields(), issuedAt: clock.now() / 1000, expiresAt: null }),
  );
  const agent = await createAgent({
    device,
    dataDir: dir,
    clock,
    logger: pino({ level: 'silent' }),
    broker: { url: gw.url, reconnectPeriodMs: 50 },
    ackTimeoutMs,
  });
  t.teardown(async () => {
    await agent.close();
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(() => agent.policy !== undefined, 'the policy');
  return { clock, gw, agent, device };
}

t.test('rejected updates go to the dead-letter store with their code and are never resent', async (t) => {
  const { clock, gw, agent } = await setup(t);
  gw.judge = (u) =>
    u.body.seq === 2 ? { status: 'rejected', code: 'GW_FIELD_NOT_CONSENTED', message: 'steps not consented' } : null;
  const t0 = clock.now();
  await feed(agent, clock, syntheticSamples(t0, 3, 4), t0 + 3 * H + 5 * 60_000);
  await waitFor(() => agent.status().outbox.depth === 0, 'all settled');
  t.equal(gw.accepted.size, 2, 'the other two accepted');
  const dead = await agent.deadLetters();
  t.same(
    dead.map((d) => [d.seq, d.code, d.message]),
    [[2, 'GW_FIELD_NOT_CONSENTED', 'steps not consented']],
  );
  t.equal(agent.status().deadLetters, 1);
  t.equal(agent.status().acks.rejected, 1);
  t.equal(gw.received.filter((r) => r.update.body.seq === 2).length, 1, 'sent once, not again');
});

t.test('committed acks are recorded; acks for settled or unknown ids and invalid acks change nothing', async (t) => {
  const { clock, gw, agent, device } = await setup(t);
  const t0 = clock.now();
  await feed(agent, clock, syntheticSamples(t0, 1, 4), t0 + H + 5 * 60_000);
  await waitFor(() => agent.status().outbox.depth === 0, 'accepted');
  const [id] = [...gw.accepted.keys()];
  gw.sendAck(device.address, { id: id as string, status: 'committed', ordinal: 42 });
  await waitFor(() => agent.status().acks.lastCommitted?.ordinal === 42, 'committed recorded');
  gw.sendAck(device.address, { id: '00000000-0000-4000-8000-000000000000', status: 'accepted' });
  await waitFor(() => agent.status().acks.unknownAcks === 1, 'unknown ack counted');
  gw.aedes.publish(
    {
      cmd: 'publish',
      topic: `dg/v1/ack/${device.address}`,
      payload: Buffer.from('{"nope":1}'),
      qos: 1,
      retain: false,
      dup: false,
    } as never,
    () => {},
  );
  gw.sendAck(device.address, { id: id as string, status: 'duplicate' });
  await waitFor(() => agent.status().acks.unknownAcks === 2, 'later acks still handled');
  t.equal(agent.status().acks.accepted, 1, 'only the ack that settled an update counts as accepted');
  t.equal(agent.status().acks.duplicate, 0);
  t.equal(agent.status().acks.delivered, 1, 'the update counted delivered once');
});

t.test('a committed ack settles an update whose accepted ack was lost, counted delivered once', async (t) => {
  const { clock, gw, agent, device } = await setup(t);
  gw.acking = false; // the gateway takes the update, but its `accepted` ack never reaches the agent
  const t0 = clock.now();
  await feed(agent, clock, syntheticSamples(t0, 1, 4), t0 + H + 5 * 60_000);
  await waitFor(() => gw.accepted.size === 1, 'the update at the gateway');
  t.equal(agent.status().outbox.depth, 1, 'still in the outbox without an application ack');
  const [id] = [...gw.accepted.keys()];
  gw.sendAck(device.address, { id: id as string, status: 'committed', ordinal: 7 });
  await waitFor(() => agent.status().outbox.depth === 0, 'settled by the committed ack');
  t.match(agent.status().acks, { accepted: 0, duplicate: 0, committed: 1, delivered: 1, unknownAcks: 0 });
  gw.sendAck(device.address, { id: id as string, status: 'accepted' }); // the lost ack, arriving late after all
  await waitFor(() => agent.status().acks.unknownAcks === 1, 'the late ack handled');
  t.match(agent.status().acks, { accepted: 0, delivered: 1 }, 'not counted twice');
});

t.test('without an application ack nothing is deleted (PUBACK proves nothing); the update is sent again', async (t) => {
  const { clock, gw, agent } = await setup(t, 300);
  gw.acking = false;
  const t0 = clock.now();
  await feed(agent, clock, syntheticSamples(t0, 1, 4), t0 + H + 5 * 60_000);
  await waitFor(() => gw.received.length >= 3, 'the update sent again after the ack timeout');
  t.equal(agent.status().outbox.depth, 1, 'still in the outbox after PUBACKs');
  gw.acking = true;
  await waitFor(() => agent.status().outbox.depth === 0, 'deleted once acked');
  t.equal(gw.accepted.size, 1, 'accepted once');
  t.ok(
    gw.received.slice(1).every((r) => r.status === 'duplicate'),
    'the resends are duplicates',
  );
});

t.test('ack counters persisted by an agent that had no delivered counter: it starts at zero', async (t) => {
  const older = { accepted: 5, duplicate: 1, rejected: 0, committed: 6, unknownAcks: 0, deadLettered: 0 };
  const { clock, agent } = await setup(t, 60_000, async (dir) => {
    const store = await AgentStore.open(dir);
    await store.write([
      { type: 'put', where: 'meta', key: 'acks', value: { ...older, lastAck: null, lastCommitted: null } },
    ]);
    await store.close();
  });
  t.match(agent.status().acks, { ...older, delivered: 0 }, 'the counters it had, and delivered at zero');
  const t0 = clock.now();
  await feed(agent, clock, syntheticSamples(t0, 1, 4), t0 + H + 5 * 60_000);
  await waitFor(() => agent.status().outbox.depth === 0, 'accepted');
  t.match(agent.status().acks, { accepted: 6, delivered: 1 }, 'a number, counting on');
});
