// Acceptance 4: a standard MQTT client that is not ours (Debian's mosquitto_pub / mosquitto_sub) gets the same
// treatment as the agent: refused without credentials, accepted with them, over TCP and TLS. Also: the
// WebSocket listener at /mqtt on the HTTP port takes the same devices (mqtt.js, as a browser would).
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { connectPassword, generateKeyPair, topics } from '@datagraph/protocol';
import t from 'tap';
import { cleanup, makeUpdate, registerProvider, startTestGateway, TestDevice, tempDir } from './helpers.ts';

execFileSync('bash', [join(import.meta.dirname, '..', 'scripts', 'ensure-mosquitto-clients.sh')], { stdio: 'inherit' });

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

t.test('mosquitto clients: refused without credentials, accepted with them', async (t) => {
  const dir = tempDir('mosq');
  const gw = await startTestGateway(dir, { tls: true });
  t.teardown(async () => {
    await gw.close();
    cleanup(dir);
  });
  const provider = generateKeyPair();
  const device = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [device])).status, 201);
  const port = String(gw.ports.mqtt);

  const anonymous = await run('mosquitto_pub', [
    '-h',
    '127.0.0.1',
    '-p',
    port,
    '-q',
    '1',
    '-t',
    topics.up(device.address),
    '-m',
    '{}',
  ]);
  t.not(anonymous.code, 0, 'no credentials: refused');
  t.match(anonymous.out, /not authori[sz]ed/i);
  const sub = await run('mosquitto_sub', [
    '-h',
    '127.0.0.1',
    '-p',
    port,
    '-t',
    topics.ack(device.address),
    '-C',
    '1',
    '-W',
    '10',
  ]);
  t.not(sub.code, 0, 'mosquitto_sub without credentials: refused');
  t.match(sub.out, /not authori[sz]ed/i);
  const wrong = await run('mosquitto_pub', [
    '-h',
    '127.0.0.1',
    '-p',
    port,
    '-q',
    '1',
    '-u',
    device.address,
    '-P',
    '123:abcdef0123456789',
    '-t',
    topics.up(device.address),
    '-m',
    '{}',
  ]);
  t.not(wrong.code, 0, 'bad password: refused');

  for (const transport of ['tcp', 'tls'] as const) {
    const conn =
      transport === 'tcp'
        ? ['-h', '127.0.0.1', '-p', port]
        : ['-h', 'localhost', '-p', String(gw.ports.mqtts), '--cafile', join(dir, 'tls-dev-cert.pem')];
    const now = Date.now() + (transport === 'tls' ? 10_000 : 0);
    // Our own subscriber watches the device's acks; mosquitto_pub publishes with a token for another second
    // (a token is accepted only once).
    const watcher = await TestDevice.connect(gw.urls.mqtt, device, {
      password: connectPassword(device, { now: () => now - 3000 }),
    });
    const u = makeUpdate(device, provider, transport === 'tcp' ? 1 : 2);
    const pub = await run('mosquitto_pub', [
      ...conn,
      '-q',
      '1',
      '-u',
      device.address,
      '-P',
      connectPassword(device, { now: () => now }),
      '-t',
      topics.up(device.address),
      '-m',
      JSON.stringify(u),
    ]);
    t.equal(pub.code, 0, `${transport}: mosquitto_pub accepted with credentials ${pub.out}`);
    t.same(
      await watcher.ackFor(u.body.id),
      { id: u.body.id, status: 'accepted' },
      `${transport}: the update was ingested`,
    );
    t.ok(await gw.vault.readRow(provider.address, u.body.id), `${transport}: the vault holds it`);
    await watcher.close();
  }
});

t.test('MQTT over WebSocket at /mqtt on the HTTP port', async (t) => {
  const dir = tempDir('ws');
  const gw = await startTestGateway(dir);
  t.teardown(async () => {
    await gw.close();
    cleanup(dir);
  });
  const provider = generateKeyPair();
  const device = generateKeyPair();
  t.equal((await registerProvider(gw, provider, [device])).status, 201);
  await t.rejects(TestDevice.connect(gw.urls.ws, generateKeyPair()), 'unknown device refused over WebSocket');
  const d = await TestDevice.connect(gw.urls.ws, device);
  const u = makeUpdate(device, provider, 1);
  await d.publish(u);
  t.same(await d.ackFor(u.body.id), { id: u.body.id, status: 'accepted' });
  await d.close();
});
