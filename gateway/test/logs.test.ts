// Invariant 1 for logs and operations: at debug level, through accepted, duplicate and refused updates, no log
// line carries a raw value, a salt or a key; /healthz and /metrics report ingest, rejects by code and queue depths.
import { Writable } from 'node:stream';
import { generateKeyPair } from '@datagraph/protocol';
import t from 'tap';
import { loadGatewayConfig } from '../src/config/GatewayConfig.ts';
import { createGatewayLogger, startGateway } from '../src/Gateway.ts';
import { cleanup, makeUpdate, registerProvider, TestDevice, tempDir } from './helpers.ts';

t.test('no raw value in any log line; health and metrics', async (t) => {
  const dir = tempDir('logs');
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const config = loadGatewayConfig({
    flags: {
      '--data-dir': dir,
      '--mqtt-port': '0',
      '--http-port': '0',
      '--l0-url': 'http://127.0.0.1:1',
      '--l1-url': 'http://127.0.0.1:1',
      '--data-l1-url': 'http://127.0.0.1:1',
    },
  });
  Object.assign(config, { host: '127.0.0.1', logLevel: 'trace' });
  config.mqtts.port = null;
  config.vault.masterKeyHex = '44'.repeat(32);
  Object.assign(config.batch, { maxDelayMs: 50, retryBaseMs: 50, retryMaxMs: 200 });
  const gatewayKey = generateKeyPair();
  const gw = await startGateway(config, { gatewayKey, log: createGatewayLogger('trace', sink) });
  t.teardown(async () => {
    await gw.close();
    cleanup(dir);
  });
  const provider = generateKeyPair();
  const device = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [device])).status, 201);
  const d = await TestDevice.connect(gw.urls.mqtt, device);
  t.teardown(() => d.close());
  const updates = [makeUpdate(device, provider, 1, { fields: { steps: 23_456, heart_rate_avg: 187 } })];
  updates.push(makeUpdate(device, provider, 2, { fields: { steps: 23_457, calories_burned: 2_345 } })); // unconsented
  updates.push(makeUpdate(device, provider, 1, { fields: { steps: 23_458 } })); // replayed seq
  for (const u of updates) {
    await d.publish(u);
    await d.ackFor(u.body.id);
  }
  await d.publish(updates[0] as never);
  await d.ackFor(updates[0]?.body.id as string, 'duplicate');
  await d.publish(`{"steps": 29999, "salt": "${'ab'.repeat(16)}"`); // broken JSON carrying values

  const log = lines.join('');
  t.ok(lines.length > 5, 'the gateway logged');
  t.match(log, /GW_FIELD_NOT_CONSENTED/);
  // a value as a token of its own: timestamps, ids and keys in the log may hold "187" inside them by chance
  const holds = (v: number) => new RegExp(`(?<![0-9A-Za-z])${v}(?![0-9A-Za-z])`).test(log);
  for (const u of updates) {
    t.notOk(log.includes(u.body.salt), 'no salt in the logs');
    for (const v of Object.values(u.body.fields)) t.notOk(holds(v as number), `no raw value ${v} in the logs`);
  }
  t.notOk(holds(29999) || log.includes('ab'.repeat(16)), 'nothing from a broken payload');
  t.notOk(log.includes(gatewayKey.privateKey) || log.includes('44'.repeat(32)), 'no key material');

  const health = (await (await fetch(`${gw.urls.http}/healthz`)).json()) as Record<string, unknown>;
  t.match(health, { ok: true, gateway: gw.address, ledger: { queued: Number } });
  const metrics = await (await fetch(`${gw.urls.http}/metrics`)).text();
  for (const m of [
    'dg_gateway_updates_total{status="accepted"} 1',
    'dg_gateway_updates_total{status="duplicate"} 1',
    'dg_gateway_rejects_total{code="GW_SEQ_REPLAYED"} 1',
    'dg_gateway_pending_entries',
    'dg_gateway_ledger_outbox{state="queued"}',
    'dg_gateway_ingest_seconds_bucket',
    'dg_gateway_batch_entries',
    'dg_gateway_commit_seconds',
    'dg_gateway_connected_devices 1',
  ]) {
    t.ok(metrics.includes(m), `metrics: ${m}`);
  }
});
