// Config: defaults < file < env < flags, and every invalid path reported at once with a stable code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runGatewayCommand } from '../src/cli/runGatewayCommand.ts';
import { loadGatewayConfig } from '../src/config/GatewayConfig.ts';
import { cleanup, tempDir } from './helpers.ts';

t.test('defaults are DESIGN.md section 7 ports and Euclid URLs', async (t) => {
  const c = loadGatewayConfig();
  t.equal(c.mqtt.port, 1883);
  t.equal(c.mqtts.port, 8883);
  t.equal(c.http.port, 8080);
  t.equal(c.ledger.l0Url, 'http://127.0.0.1:9200');
  t.equal(c.ledger.dataL1Url, 'http://127.0.0.1:9400');
});

t.test('file < env < flags', async (t) => {
  const dir = tempDir('cfg');
  t.teardown(() => cleanup(dir));
  const file = join(dir, 'gw.json');
  writeFileSync(file, JSON.stringify({ mqtt: { port: 1000 }, http: { port: 2000 }, batch: { maxEntries: 50 } }));
  const c = loadGatewayConfig({
    file,
    env: { DG_MQTT_PORT: '3000', DG_HTTP_PORT: '4000' },
    flags: { '--http-port': '0' },
  });
  t.equal(c.mqtt.port, 3000, 'env over file');
  t.equal(c.http.port, 0, 'flag over env');
  t.equal(c.batch.maxEntries, 50, 'file over default');
});

t.test('every invalid path is listed at once', async (t) => {
  const dir = tempDir('cfg');
  t.teardown(() => cleanup(dir));
  const file = join(dir, 'bad.json');
  writeFileSync(
    file,
    JSON.stringify({ mqtt: { port: 70000 }, ledger: { l0Url: 'nope' }, batch: { maxEntries: 0 }, surprise: 1 }),
  );
  try {
    loadGatewayConfig({ file, env: { DG_VAULT_MASTER_KEY: 'short' } });
    t.fail('should throw');
  } catch (e) {
    const err = e as { code: string; details: { problems: string[] } };
    t.equal(err.code, 'GW_CONFIG_INVALID');
    const paths = err.details.problems.map((p) => p.split(':')[0]);
    for (const p of ['mqtt.port', 'ledger.l0Url', 'batch.maxEntries', 'vault.masterKeyHex', '(root)'])
      t.ok(paths.includes(p), `${p} reported`);
  }
});

t.test('`datagraph gateway` with a bad config exits non-zero and names the paths', async (t) => {
  const dir = tempDir('cfg');
  t.teardown(() => cleanup(dir));
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ http: { port: -1 } }));
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(' '));
  try {
    t.equal(await runGatewayCommand(['--config', file, '--mqtt-port', 'x'], {}), 2);
    t.equal(await runGatewayCommand(['--bogus', '1'], {}), 2);
  } finally {
    console.error = orig;
  }
  t.match(errors[0], /http\.port/);
  t.match(errors[0], /mqtt\.port/);
  t.match(errors[0], /GW_CONFIG_INVALID/);
  t.match(errors[1], /unknown option --bogus/);
});
