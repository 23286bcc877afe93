// A consent change with updates waiting on the device, through the real gateway and a real agent: the agent was
// offline under policy 1 while the provider narrowed consent to policy 2; when it comes back the gateway refuses
// version 1 (GW_POLICY_VERSION) and publishes policy 2 retained, and the agent sends the waiting updates again under
// policy 2, with only the fields policy 2 consents to. Nothing is lost as a dead letter, nothing unconsented stored.
import { join } from 'node:path';
import { type Agent, createAgent } from '@datagraph/agent';
import { generateKeyPair, ManualClock } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import type { VaultRow } from '../src/ingest/IngestPipeline.ts';
import { cleanup, policyFor, registerProvider, startTestGateway, tempDir, waitFor } from './helpers.ts';

t.test('updates made offline under the old policy reach the vault under the new one', async (t) => {
  const dir = tempDir('consent-change');
  const gw = await startTestGateway(join(dir, 'gw'));
  const provider = generateKeyPair();
  const device = generateKeyPair();
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  let agent: Agent | undefined;
  t.teardown(async () => {
    await agent?.close();
    await gw.close();
    cleanup(dir);
  });
  const open = (online: boolean) =>
    createAgent({
      device,
      dataDir: join(dir, 'agent'),
      clock,
      logger: pino({ level: 'silent' }),
      provider: provider.address,
      ...(online ? { broker: { url: gw.urls.mqtt, reconnectPeriodMs: 100 } } : {}),
    });

  t.equal(
    (
      await registerProvider(
        gw,
        provider,
        [device],
        policyFor(provider, 1, { heart_rate_avg: ['hourly'], heart_rate_max: ['hourly'] }),
      )
    ).status,
    201,
  );
  agent = await open(true);
  await waitFor(() => agent?.policy?.version === 1, 'policy 1 on the device');
  await agent.close();

  // Three hours of heart rate with no connection: three updates under policy 1 wait in the outbox.
  agent = await open(false);
  for (let m = 0; m < 3 * 60; m++) {
    agent.record({ hasValue: true, kind: 'heart_rate', value: 60 + (m % 30), unit: 'bpm', at: clock.now() });
    await clock.advanceAsync(60_000, 60_000);
  }
  await clock.advanceAsync(5 * 60_000, 60_000);
  await agent.closeDueWindows();
  t.equal(agent.status().outbox.depth, 3);
  await agent.close();

  // Meanwhile the provider narrows consent: policy 2 shares the hourly average only.
  t.equal(
    (await registerProvider(gw, provider, [device], policyFor(provider, 2, { heart_rate_avg: ['hourly'] }))).status,
    201,
  );

  agent = await open(true);
  const a = agent;
  await waitFor(() => a.policy?.version === 2 && a.status().outbox.depth === 0, 'sent under policy 2 and accepted');
  // delivered, not accepted: an `accepted` ack lost to a reconnect is made up by `duplicate` or `committed`
  t.match(a.status().acks, { delivered: 3, rejected: 0 }, 'all three taken by the gateway, none refused');
  t.same(await a.deadLetters(), [], 'no dead letter');
  t.equal(a.status().outbox.heldForPolicy, 0);

  const rows: VaultRow[] = [];
  for await (const [id, meta] of gw.store.entries<{ provider: string }>('ids'))
    rows.push((await gw.vault.readRow<VaultRow>(meta.provider, id)) as VaultRow);
  t.equal(rows.length, 3, 'three rows in the vault');
  t.ok(
    rows.every((r) => {
      const body = r.body as { policyVersion: number; fields: Record<string, unknown> };
      return body.policyVersion === 2 && Object.keys(body.fields).join() === 'heart_rate_avg';
    }),
    'each under policy 2, with the hourly average only',
  );
});
