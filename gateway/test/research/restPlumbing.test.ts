// The REST plumbing of issue 6 without a ledger: per-IP rate limits with the one error shape (health and
// metrics exempt), and MQTT over WebSocket at /mqtt still served on the same HTTP server after the restructure.
import { connectPassword, generateKeyPair, systemClock } from '@datagraph/protocol';
import mqtt from 'mqtt';
import t from 'tap';
import { loadGatewayConfig } from '../../src/config/GatewayConfig.ts';
import { createGatewayLogger, startGateway } from '../../src/Gateway.ts';
import { cleanup, registerProvider, tempDir } from '../helpers.ts';

t.test('rate limit per IP, health exempt; MQTT over WebSocket at /mqtt', async (t) => {
  const dir = tempDir('rest');
  const dead = 'http://127.0.0.1:9';
  const config = loadGatewayConfig({
    flags: {
      '--data-dir': dir,
      '--mqtt-port': '0',
      '--http-port': '0',
      '--l0-url': dead,
      '--l1-url': dead,
      '--data-l1-url': dead,
    },
  });
  config.host = '127.0.0.1';
  config.mqtts.port = null;
  config.vault.masterKeyHex = '55'.repeat(32);
  config.rewards.intervalMs = 0;
  config.http.rateLimit = { max: 5, windowMs: 60_000 };
  const gw = await startGateway(config, {
    gatewayKey: generateKeyPair(),
    log: createGatewayLogger(process.env.DG_TEST_LOG ?? 'silent'),
  });
  t.teardown(async () => {
    await gw.close();
    cleanup(dir);
  });

  // MQTT over WebSocket: a registered device connects (before the limit is used up by the checks below)
  const provider = generateKeyPair();
  const device = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [device])).status, 201);
  const client = await mqtt.connectAsync(gw.urls.ws, {
    username: device.address,
    password: connectPassword(device, systemClock),
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  t.ok(client.connected, 'device connected over ws://.../mqtt');
  await client.endAsync(true);

  const statuses: number[] = [];
  let last: { statusCode?: number; code?: string; error?: string; message?: string } = {};
  for (let i = 0; i < 8; i++) {
    const r = await fetch(`${gw.urls.http}/v1/catalog`);
    statuses.push(r.status);
    last = (await r.json()) as typeof last;
  }
  t.ok(statuses.includes(429), `refused once over the limit (${statuses.join(',')})`);
  t.match(last, { statusCode: 429, code: 'GW_RATE_LIMITED', error: 'Too Many Requests', message: /rate limit/ });
  t.equal((await fetch(`${gw.urls.http}/healthz`)).status, 200, '/healthz is not limited');
  t.equal((await fetch(`${gw.urls.http}/metrics`)).status, 200, '/metrics is not limited');
});
