// Rewards configuration (docs/rewards.md "Configuration"): defaults, environment overrides, every invalid path
// listed; the treasury key generated once for development and kept, a keystore from config, the treasury.address
// cross-check, and the operator token.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encryptKeystore, generateKeyPair } from '@datagraph/protocol';
import { pino } from 'pino';
import t from 'tap';
import { loadGatewayConfig } from '../../src/config/GatewayConfig.ts';
import { loadOperatorToken } from '../../src/rewards/loadOperatorToken.ts';
import { loadTreasuryKey } from '../../src/rewards/loadTreasuryKey.ts';
import { tempDir } from './helpers.ts';

function capture() {
  const lines: string[] = [];
  return { log: pino({ level: 'info' }, { write: (s: string) => lines.push(s) }), lines };
}

t.test('defaults and environment overrides', async (t) => {
  const c = loadGatewayConfig({});
  t.match(c.rewards, { intervalMs: 600_000, feeBps: 500, minPayoutBaseUnits: '100000' });
  const e = loadGatewayConfig({
    env: {
      DG_REWARDS_INTERVAL_MS: '60000',
      DG_REWARDS_FEE_BPS: '250',
      DG_REWARDS_MIN_PAYOUT: '7',
      DG_TREASURY_KEYSTORE: '/k.json',
      DG_TREASURY_PASSPHRASE_FILE: '/k.pass',
    },
  });
  t.match(e.rewards, { intervalMs: 60_000, feeBps: 250, minPayoutBaseUnits: '7' });
  t.match(e.treasury, { keystoreFile: '/k.json', passphraseFile: '/k.pass' });
});

t.test('every invalid rewards path is listed at once', async (t) => {
  const err = (() => {
    try {
      loadGatewayConfig({
        env: { DG_REWARDS_FEE_BPS: '10001', DG_REWARDS_MIN_PAYOUT: '0', DG_REWARDS_INTERVAL_MS: '-1' },
      });
    } catch (e) {
      return e as { code: string; details: { problems: string[] } };
    }
  })();
  t.equal(err?.code, 'GW_CONFIG_INVALID');
  const paths = err?.details.problems.map((p) => p.split(':')[0]).sort();
  t.same(paths, ['rewards.feeBps', 'rewards.intervalMs', 'rewards.minPayoutBaseUnits']);
});

t.test('treasury key: generated once with a warning, then reused; never logged', async (t) => {
  const tmp = await tempDir('dg-treasury-');
  t.teardown(tmp.remove);
  const config = loadGatewayConfig({ flags: { '--data-dir': tmp.dir } });
  const a = capture();
  const k1 = await loadTreasuryKey(config, a.log);
  t.ok(k1);
  t.equal(a.lines.length, 1);
  t.match(a.lines[0], /generated a development treasury key/);
  t.notMatch(a.lines.join(''), k1?.privateKey as string, 'the private key is not logged');
  t.equal(statSync(join(tmp.dir, 'treasury-keystore.json')).mode & 0o077, 0, 'keystore readable by the owner only');
  const b = capture();
  const k2 = await loadTreasuryKey(config, b.log);
  t.equal(k2?.address, k1?.address, 'the same key after a restart');
  t.equal(b.lines.length, 0, 'no warning the second time');
});

t.test('treasury key from a configured keystore; treasury.address must match it', async (t) => {
  const tmp = await tempDir('dg-treasury-');
  t.teardown(tmp.remove);
  const key = generateKeyPair();
  const ks = join(tmp.dir, 'ks.json');
  writeFileSync(ks, JSON.stringify(await encryptKeystore(key.privateKey, 'pass-phrase')));
  writeFileSync(join(tmp.dir, 'pass'), 'pass-phrase\n');
  const base = { DG_DATA_DIR: tmp.dir, DG_TREASURY_KEYSTORE: ks };
  const { log } = capture();
  const viaFile = await loadTreasuryKey(
    loadGatewayConfig({ env: { ...base, DG_TREASURY_PASSPHRASE_FILE: join(tmp.dir, 'pass') } }),
    log,
  );
  t.equal(viaFile?.address, key.address);
  const viaEnv = await loadTreasuryKey(
    loadGatewayConfig({ env: { ...base, DG_TREASURY_PASSPHRASE: 'pass-phrase', DG_TREASURY_ADDRESS: key.address } }),
    log,
  );
  t.equal(viaEnv?.address, key.address);
  await t.rejects(
    loadTreasuryKey(loadGatewayConfig({ env: base }), log),
    { code: 'GW_CONFIG_INVALID' },
    'no passphrase',
  );
  await t.rejects(
    loadTreasuryKey(
      loadGatewayConfig({
        env: { ...base, DG_TREASURY_PASSPHRASE: 'pass-phrase', DG_TREASURY_ADDRESS: generateKeyPair().address },
      }),
      log,
    ),
    { code: 'GW_CONFIG_INVALID', message: /is not the address of treasury.keystoreFile/ },
  );
  const addressOnly = capture();
  const none = await loadTreasuryKey(
    loadGatewayConfig({ env: { DG_DATA_DIR: tmp.dir, DG_TREASURY_ADDRESS: key.address } }),
    addressOnly.log,
  );
  t.equal(none, undefined, 'treasury.address alone: the key is held elsewhere, no payouts here');
  t.match(addressOnly.lines.join(''), /cannot pay rewards/);
});

t.test('operator token: from env, or generated once into the data dir', async (t) => {
  const tmp = await tempDir('dg-operator-');
  t.teardown(tmp.remove);
  const { log } = capture();
  t.equal(loadOperatorToken(loadGatewayConfig({ env: { DG_OPERATOR_TOKEN: 'x'.repeat(20) } }), log), 'x'.repeat(20));
  const config = loadGatewayConfig({ flags: { '--data-dir': tmp.dir } });
  const a = loadOperatorToken(config, log);
  t.match(a, /^[0-9a-f]{64}$/);
  t.equal(readFileSync(join(tmp.dir, 'operator.token'), 'utf8').trim(), a);
  t.equal(loadOperatorToken(config, log), a, 'the same token after a restart');
  t.throws(() => loadGatewayConfig({ env: { DG_OPERATOR_TOKEN: 'short' } }), { code: 'GW_CONFIG_INVALID' });
});
