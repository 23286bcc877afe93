// The agent's MQTT link keeps trying: after a refused CONNECT (mqtt.js on its own gives up for good after one) and
// after the gateway goes away, with delays that grow from reconnectPeriodMs to reconnectMaxMs, each jittered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '@datagraph/agent';
import { generateKeyPair, ManualClock } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import { TestGateway, waitFor } from '../helpers/testGateway.ts';

t.test('refused, then registered: the agent backs off and connects; after an outage it comes back', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const dir = mkdtempSync(join(tmpdir(), 'dg-reconnect-'));
  const device = generateKeyPair();
  const gw = await TestGateway.start(clock);
  // CONNECT attempts as the broker sees them, in wall time.
  const attempts: number[] = [];
  const authenticate = gw.aedes.authenticate;
  gw.aedes.authenticate = (client, username, password, done) => {
    attempts.push(performance.now());
    authenticate.call(gw.aedes, client, username, password, done);
  };
  const agent = await createAgent({
    device,
    dataDir: dir,
    clock,
    logger: pino({ level: 'silent' }),
    broker: { url: gw.url, reconnectPeriodMs: 40, reconnectMaxMs: 320 },
  });
  t.teardown(async () => {
    await agent.close();
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Not registered yet: every CONNECT is refused (CONNACK 5), and the agent keeps trying.
  await waitFor(() => gw.refusedConnects >= 6, 'six refused attempts');
  t.equal(gw.connects, 0);
  t.notOk(agent.status().connected);
  const gaps = attempts.slice(1, 6).map((at, i) => at - (attempts[i] as number));
  // Delays drawn from [d/2, d] for d = 40, 80, 160, 320, 320 ms (plus the connect itself).
  t.ok(gaps[0] !== undefined && gaps[0] >= 20, `first retry after at least 20 ms (${gaps[0]?.toFixed(0)})`);
  t.ok(
    (gaps[3] as number) >= 160,
    `fourth retry after at least 160 ms: the delay grew (${gaps.map((g) => g.toFixed(0))})`,
  );
  t.ok(
    gaps.every((g) => g < 320 + 1000),
    'never more than reconnectMaxMs (with a generous allowance for a loaded machine)',
  );

  gw.register(device);
  await waitFor(() => agent.status().connected, 'connected once registered');
  t.equal(gw.connects, 1);

  // The gateway goes away and comes back on the same port: the agent reconnects by itself.
  await gw.down();
  await waitFor(() => !agent.status().connected, 'disconnected');
  await gw.up();
  await waitFor(() => agent.status().connected, 'connected again');
  t.equal(gw.connects, 2);
});

t.test('reconnect delays that would spin or never grow are refused with AG_CONFIG_INVALID', async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const gw = await TestGateway.start(clock);
  t.teardown(() => gw.close());
  for (const broker of [
    { url: gw.url, reconnectPeriodMs: 0 },
    { url: gw.url, reconnectPeriodMs: Number.NaN },
    { url: gw.url, reconnectPeriodMs: 1000, reconnectMaxMs: 500 },
  ]) {
    const dir = mkdtempSync(join(tmpdir(), 'dg-reconnect-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    await t.rejects(
      createAgent({ device: generateKeyPair(), dataDir: dir, clock, logger: pino({ level: 'silent' }), broker }),
      { code: 'AG_CONFIG_INVALID' },
      JSON.stringify(broker),
    );
  }
});
