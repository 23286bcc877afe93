// Acceptance 3: the broker is unreachable for a simulated 7 days and the agent is restarted twice meanwhile; when the
// broker returns, every update produced is delivered in seq order and accepted exactly once (the test gateway
// dedupes by id). Then the outbox's disk cap: oldest hourly updates go first, daily and profile ones are kept.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, createAgent, type Sample } from '@datagraph/agent';
import { generateKeyPair, ManualClock } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import { allFields, signPolicy } from '../helpers/policy.ts';
import { syntheticSamples } from '../helpers/syntheticDay.ts';
import { TestGateway, waitFor } from '../helpers/testGateway.ts';

const H = 3_600_000;
const silent = pino({ level: 'silent' });

async function feed(agent: Agent, clock: ManualClock, samples: Sample[], untilMs: number): Promise<void> {
  for (const s of samples) {
    if (s.at > clock.now()) await clock.advanceAsync(s.at - clock.now(), 30_000);
    agent.record(s);
  }
  if (untilMs > clock.now()) await clock.advanceAsync(untilMs - clock.now(), 30_000);
  await agent.closeDueWindows(); // queued after every tick's close: when it resolves, all due windows are in the outbox
}

async function setup(t: { teardown(fn: () => Promise<void>): void }, capBytes = 16 * 1024 * 1024) {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const dir = mkdtempSync(join(tmpdir(), 'dg-agent-'));
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const gw = await TestGateway.start(clock);
  gw.register(device);
  await gw.publishPolicy(
    device.address,
    signPolicy(provider, { version: 1, fields: allFields(), issuedAt: clock.now() / 1000, expiresAt: null }),
  );
  const start = () =>
    createAgent({
      device,
      dataDir: dir,
      clock,
      logger: silent,
      provider: provider.address,
      broker: { url: gw.url, reconnectPeriodMs: 50 },
      outboxCapBytes: capBytes,
    });
  t.teardown(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { clock, dir, device, provider, gw, start };
}

t.test(
  '7 days offline with two restarts: everything arrives in order, each update accepted exactly once',
  async (t) => {
    const { clock, gw, start } = await setup(t);
    let agent = await start();
    await waitFor(() => agent.policy !== undefined, 'the retained policy');
    const t0 = clock.now();

    // A first hour online: delivered and acked.
    await feed(agent, clock, syntheticSamples(t0, 1, 1, 60_000), t0 + H + 3 * 60_000);
    await waitFor(() => agent.status().outbox.depth === 0 && gw.accepted.size === 1, 'the first hour accepted');

    // The broker goes away for 7 simulated days. The agent is restarted twice, once after a while switched off.
    await gw.down();
    await waitFor(() => !agent.status().connected, 'the agent to notice');
    const week = syntheticSamples(t0 + H, 7 * 24, 2, 120_000);
    const part = (from: number, to: number) => week.filter((s) => s.at >= t0 + from * H && s.at < t0 + to * H);
    await feed(agent, clock, part(1, 50), t0 + 50 * H);
    await agent.close();
    await clock.advanceAsync(2 * H, 60_000); // switched off for two hours: the device records nothing
    agent = await start();
    await feed(agent, clock, part(52, 120), t0 + 120 * H);
    await agent.close();
    agent = await start();
    await feed(agent, clock, part(120, 24 * 7 + 1), t0 + (24 * 7 + 1) * H + 24 * H);
    const produced = agent.status().seq;
    t.ok(produced > 150, `many updates waited in the outbox (${produced})`);
    t.equal(agent.status().outbox.depth, produced - 1, 'all but the first are still in the outbox');
    t.equal(gw.received.length, 1, 'nothing reached the gateway while it was down');

    // The broker returns.
    await gw.up();
    await waitFor(() => agent.status().outbox.depth === 0, 'the outbox to drain');
    const acceptedSeqs = [...gw.accepted.values()].map((u) => u.body.seq);
    t.same(
      acceptedSeqs,
      Array.from({ length: produced }, (_, i) => i + 1),
      'every seq 1..N accepted, in order of arrival',
    );
    const acceptedPerId = new Map<string, number>();
    for (const r of gw.received)
      if (r.status === 'accepted') acceptedPerId.set(r.update.body.id, (acceptedPerId.get(r.update.body.id) ?? 0) + 1);
    t.ok(
      [...acceptedPerId.values()].every((n) => n === 1),
      'no update accepted twice',
    );
    const firstArrival = [...new Set(gw.received.map((r) => r.update.body.seq))];
    t.same(
      firstArrival,
      [...firstArrival].sort((a, b) => a - b),
      'first arrivals are in seq order',
    );

    // No window twice, none skipped: one hourly update per hour that had samples, one daily per day.
    const hourly = [...gw.accepted.values()].filter((u) => u.body.cadence === 'hourly').map((u) => u.body.window.start);
    t.equal(new Set(hourly).size, hourly.length, 'no hourly window twice');
    const hoursWithData = new Set(
      [...syntheticSamples(t0, 1, 1, 60_000), ...part(1, 50), ...part(52, 24 * 7 + 1)]
        .filter(
          (s) =>
            s.hasValue &&
            [
              'heart_rate',
              'step_count',
              'energy_expended',
              'calories_consumed',
              'calories_burned',
              'active_minutes',
            ].includes(s.kind),
        )
        .map((s) => (Math.floor(s.at / H) * H) / 1000),
    );
    // The first counter reading after a restart is a new baseline, not a gap: every hour with data has its update.
    t.same(
      [...new Set(hourly)].sort(),
      [...hoursWithData].sort(),
      'every hour with data has exactly one hourly update',
    );
    const daily = [...gw.accepted.values()].filter((u) => u.body.cadence === 'daily').map((u) => u.body.window.start);
    t.equal(daily.length, 8, 'one daily update per UTC day touched');
    t.equal(
      [...gw.accepted.values()].filter((u) => u.body.cadence === 'profile').length,
      1,
      'the profile once (it did not change)',
    );
    t.equal(agent.status().acks.lastAck?.status, 'accepted');
    await agent.close();
  },
);

t.test('disk cap: oldest hourly updates are dropped first, daily and profile kept, drops counted', async (t) => {
  const { clock, gw, start } = await setup(t, 40_000);
  await gw.down();
  const agent = await start();
  const t0 = clock.now();
  await gw.up();
  await waitFor(() => agent.policy !== undefined, 'the retained policy');
  await gw.down();
  await feed(agent, clock, syntheticSamples(t0, 3 * 24, 5, 120_000), t0 + 4 * 24 * H);
  const s = agent.status();
  t.ok(s.outbox.bytes <= 40_000, `stored bytes ${s.outbox.bytes} stay under the cap`);
  t.ok(s.outbox.dropped.hourly > 0, `hourly updates dropped: ${s.outbox.dropped.hourly}`);
  t.equal(s.outbox.dropped.daily, 0);
  t.equal(s.outbox.dropped.profile, 0);
  t.equal(
    s.outbox.depth + s.outbox.dropped.hourly,
    s.seq,
    'every produced update is either waiting or counted as dropped',
  );
  const pending = await agent.pending();
  t.equal(pending.filter((u) => u.body.cadence === 'daily').length, 3, 'every daily kept');
  t.equal(pending.filter((u) => u.body.cadence === 'profile').length, 1, 'the profile kept');
  const hourlySeqs = pending.filter((u) => u.body.cadence === 'hourly').map((u) => u.body.seq);
  const maxSeq = s.seq;
  t.ok(
    hourlySeqs.every((q) => q > maxSeq - hourlySeqs.length - 5),
    'the newest hourly updates are the ones kept',
  );
  await gw.up();
  await waitFor(() => agent.status().outbox.depth === 0, 'the outbox to drain');
  t.same(
    [...gw.accepted.values()].map((u) => u.body.seq),
    pending.map((u) => u.body.seq),
    'what was kept arrives, in order',
  );
  await agent.close();
});
