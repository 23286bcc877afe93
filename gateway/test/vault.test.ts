// The vault: values are encrypted at rest (no raw value or salt in any LevelDB file), one data key per provider,
// and erasure deletes the key and the rows so nothing of that provider can be read again.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { GatewayStore } from '../src/store/GatewayStore.ts';
import { Vault } from '../src/vault/Vault.ts';
import { cleanup, tempDir } from './helpers.ts';

t.test('encrypted at rest, crypto-shredded on erasure', async (t) => {
  const dir = tempDir('vault');
  t.teardown(() => cleanup(dir));
  const master = Buffer.alloc(32, 7);
  let store = await GatewayStore.open(join(dir, 'db'));
  let vault = new Vault(store, master);
  const secret = { steps: 8_675_309, salt: 'feedfacecafebeef0123456789abcdef' };
  await store.write([...(await vault.ensureDataKeyOps('alice')), ...(await vault.ensureDataKeyOps('bob'))]);
  await store.write([await vault.rowOp('alice', 'r1', secret), await vault.rowOp('bob', 'r2', { steps: 1 })]);
  t.same(await vault.readRow('alice', 'r1'), secret);
  await store.close();

  const bytes = readdirSync(join(dir, 'db'))
    .map((f) => readFileSync(join(dir, 'db', f)).toString('latin1'))
    .join('');
  t.notOk(bytes.includes('8675309'), 'no raw value on disk');
  t.notOk(bytes.includes(secret.salt), 'no salt on disk');

  store = await GatewayStore.open(join(dir, 'db'));
  t.teardown(() => store.close());
  await t.rejects(new Vault(store, Buffer.alloc(32, 8)).readRow('alice', 'r1'), 'another master key cannot read it');
  vault = new Vault(store, master);
  t.same(await vault.readRow('alice', 'r1'), secret, 'the right master key reads it after a restart');
  t.equal(await vault.erase('alice'), 1);
  t.equal(await vault.readRow('alice', 'r1'), undefined);
  t.equal(await vault.hasDataKey('alice'), false);
  await t.rejects(vault.rowOp('alice', 'r3', secret), { code: 'GW_VAULT_KEY_MISSING' }, 'no writes after erasure');
  t.same(await vault.readRow('bob', 'r2'), { steps: 1 }, 'other providers are untouched');
});
