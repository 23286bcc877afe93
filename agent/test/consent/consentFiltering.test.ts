// Consent on the device: a field the policy does not allow never appears in any byte the agent publishes;
// until a valid provider-signed policy arrives nothing is shared; forged, foreign and stale policies are ignored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Agent, createAgent, type Draft, type PrivacyStep, privacySteps, type Sample } from '@datagraph/agent';
import {
  type Cadence,
  FIELD_NAMES,
  type FieldName,
  generateKeyPair,
  ManualClock,
  signValue,
  topics,
} from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import { signPolicy } from '../helpers/policy.ts';
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
  await agent.closeDueWindows();
}

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'dg-consent-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test(
  'only consented fields, at consented cadences, generalised as asked, appear in any published byte',
  async (t) => {
    const clock = new ManualClock(Date.UTC(2026, 0, 5));
    const device = generateKeyPair();
    const provider = generateKeyPair();
    const gw = await TestGateway.start(clock);
    t.teardown(() => gw.close());
    gw.register(device);
    const allowed: Partial<Record<FieldName, Cadence[]>> = {
      steps: ['hourly'],
      sleep_hours: ['daily'],
      gender: ['profile'],
      heart_rate_avg: ['hourly'],
    };
    await gw.publishPolicy(
      device.address,
      signPolicy(provider, {
        version: 3,
        fields: { ...allowed },
        generalisation: { sleep_hours: 'coarse', heart_rate_avg: 'coarse' },
        issuedAt: clock.now() / 1000,
        expiresAt: null,
      }),
    );
    const agent = await createAgent({
      device,
      dataDir: tempDir(t),
      clock,
      logger: silent,
      provider: provider.address,
      broker: { url: gw.url, reconnectPeriodMs: 50 },
    });
    await waitFor(() => agent.policy?.version === 3, 'the policy');
    const t0 = clock.now();
    await feed(agent, clock, syntheticSamples(t0, 30, 11), t0 + 50 * H);
    await waitFor(() => agent.status().seq > 0 && agent.status().outbox.depth === 0, 'everything acked');
    await agent.close();

    const ups = gw.published.filter((p) => p.topic === topics.up(device.address));
    t.ok(ups.length >= 30, `updates were published (${ups.length})`);
    const everything = Buffer.concat(gw.published.map((p) => p.payload)).toString('utf8');
    for (const f of FIELD_NAMES) {
      if (f in allowed) continue;
      t.notOk(everything.includes(`"${f}"`), `${f} never appears in a published byte`);
    }
    t.notOk(/"age(_band)?"/.test(everything), 'nothing about age leaves the device');
    for (const { update } of gw.received) {
      const keys = Object.keys(update.body.fields);
      for (const k of keys)
        t.ok(allowed[k as FieldName]?.includes(update.body.cadence), `${k} at ${update.body.cadence} is consented`);
      t.equal(update.body.policyVersion, 3);
      t.equal(update.body.provider, provider.address);
    }
    const sleeps = gw.received.map((r) => r.update.body.fields.sleep_hours).filter((v) => v !== undefined);
    t.ok(
      sleeps.length >= 1 && sleeps.every((v) => (v as number) % 0.5 === 0),
      `sleep_hours coarse: ${sleeps.join(', ')}`,
    );
    const hrs = gw.received.map((r) => r.update.body.fields.heart_rate_avg).filter((v) => v !== undefined);
    t.ok(hrs.length >= 24 && hrs.every((v) => (v as number) % 5 === 0), 'heart_rate_avg rounded to 5 bpm');
    t.same(
      gw.received.filter((r) => r.update.body.cadence === 'profile').map((r) => r.update.body.fields),
      [{ gender: 'female' }],
    );
  },
);

t.test('until a valid policy arrives nothing is shared; forged, foreign and stale policies are ignored', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const stranger = generateKeyPair();
  const agent = await createAgent({ device, dataDir: tempDir(t), clock, logger: silent, provider: provider.address });
  t.teardown(() => agent.close());
  const t0 = clock.now();
  await feed(agent, clock, syntheticSamples(t0, 2, 1), t0 + 2 * H + 5 * 60_000);
  t.equal(agent.status().seq, 0, 'no update without a policy');
  t.equal(agent.status().windows.withheldNoPolicy, 2, 'both hours withheld');

  const good = signPolicy(provider, {
    version: 2,
    fields: { steps: ['hourly'] },
    issuedAt: t0 / 1000,
    expiresAt: null,
  });
  const cases: [string, Buffer, string][] = [
    ['garbage', Buffer.from('{not json'), 'AG_POLICY_INVALID'],
    ['wrong shape', Buffer.from(JSON.stringify({ policy: {} })), 'AG_POLICY_INVALID'],
    [
      'forged signature',
      Buffer.from(
        JSON.stringify({
          ...good,
          policy: { ...good.policy, fields: { steps: ['hourly'], heart_rate_avg: ['hourly'] } },
        }),
      ),
      'AG_POLICY_BAD_SIGNATURE',
    ],
    [
      'another provider',
      Buffer.from(
        JSON.stringify(
          signPolicy(stranger, { version: 9, fields: { steps: ['hourly'] }, issuedAt: t0 / 1000, expiresAt: null }),
        ),
      ),
      'AG_POLICY_WRONG_PROVIDER',
    ],
    [
      'signed by one key, naming another provider',
      Buffer.from(
        JSON.stringify({ policy: good.policy, proof: signValue(stranger.privateKey, stranger.publicKey, good.policy) }),
      ),
      'AG_POLICY_WRONG_PROVIDER',
    ],
  ];
  for (const [what, payload, code] of cases) {
    await agent.receivePolicy(payload);
    t.equal(agent.policy, undefined, `${what}: not in force`);
    t.equal(agent.status().policyProblem?.code, code, `${what}: ${code}`);
  }
  await agent.receivePolicy(Buffer.from(JSON.stringify(good)));
  t.equal(agent.policy?.version, 2);
  t.equal(agent.status().policyProblem, null);
  await agent.receivePolicy(
    Buffer.from(
      JSON.stringify(
        signPolicy(provider, {
          version: 1,
          fields: { steps: ['hourly'], heart_rate_avg: ['hourly'] },
          issuedAt: t0 / 1000,
          expiresAt: null,
        }),
      ),
    ),
  );
  t.equal(agent.policy?.version, 2, 'an older version (a replayed retained copy) is ignored');
  t.equal(agent.status().policyProblem?.code, 'AG_POLICY_STALE');

  await feed(
    agent,
    clock,
    syntheticSamples(clock.now(), 1, 2).map((s) => ({ ...s, at: s.at + 1 })),
    clock.now() + H + 5 * 60_000,
  );
  const pending = await agent.pending();
  t.equal(pending.length, 1, 'the next hour is shared');
  t.same(Object.keys(pending[0]?.body.fields ?? {}), ['steps']);

  await agent.receivePolicy(Buffer.alloc(0));
  t.equal(agent.policy, undefined, 'an empty retained message withdraws the policy');
});

t.test('expiry: windows ending after expiresAt are withheld', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const agent = await createAgent({ device, dataDir: tempDir(t), clock, logger: silent });
  t.teardown(() => agent.close());
  const t0 = clock.now();
  await agent.receivePolicy(
    Buffer.from(
      JSON.stringify(
        signPolicy(provider, {
          version: 1,
          fields: { steps: ['hourly'] },
          issuedAt: t0 / 1000,
          expiresAt: (t0 + 2 * H) / 1000,
        }),
      ),
    ),
  );
  t.equal(agent.status().provider, provider.address, 'the first valid policy pins the provider');
  await feed(agent, clock, syntheticSamples(t0, 4, 3), t0 + 4 * H + 5 * 60_000);
  t.same(
    (await agent.pending()).map((u) => u.body.window.start),
    [t0 / 1000, (t0 + H) / 1000],
    'only the hours before expiry',
  );
  t.equal(agent.status().windows.withheldByPolicy, 2);
});

t.test('fail closed: a privacy step that lets a non-catalogue field through yields no update', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const device = generateKeyPair();
  const provider = generateKeyPair();
  const leaky: PrivacyStep = (d: Draft) => ({ ...d, fields: { ...d.fields, raw_heart_rate: 61 } as Draft['fields'] });
  const agent = await createAgent({
    device,
    dataDir: tempDir(t),
    clock,
    logger: silent,
    privacySteps: [...privacySteps, leaky],
  });
  t.teardown(() => agent.close());
  const t0 = clock.now();
  await agent.receivePolicy(
    Buffer.from(
      JSON.stringify(
        signPolicy(provider, { version: 1, fields: { steps: ['hourly'] }, issuedAt: t0 / 1000, expiresAt: null }),
      ),
    ),
  );
  await feed(agent, clock, syntheticSamples(t0, 1, 3), t0 + H + 5 * 60_000);
  t.equal((await agent.pending()).length, 0);
  t.equal(agent.status().windows.invalid, 1, 'counted as AG_UPDATE_INVALID');
});
