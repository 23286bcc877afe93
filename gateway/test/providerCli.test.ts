// `datagraph provider`: a provider registers a paired device, adds another, changes consent and revokes, all from
// a keystore at the terminal, against a running gateway; the device sees each new signed policy.
import { join } from 'node:path';
import { encodePairingCode, generateKeyPair } from '@datagraph/protocol';
import t from 'tap';
import { runProviderCommand } from '../src/cli/runProviderCommand.ts';
import { cleanup, startTestGateway, TestDevice, tempDir, waitFor } from './helpers.ts';

async function cli(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    return { code: await runProviderCommand(argv, env), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

t.test('init, register, pair, consent, status, revoke', async (t) => {
  const dir = tempDir('pcli');
  const gw = await startTestGateway(join(dir, 'gw'));
  t.teardown(async () => {
    await gw.close();
    cleanup(dir);
  });
  const env = { DG_PASSPHRASE: 'correct horse battery staple' };
  const base = ['--keystore', join(dir, 'provider.json'), '--gateway', gw.urls.http];
  const init = await cli(['init', ...base], env);
  t.equal(init.code, 0, init.err);
  const { address } = JSON.parse(init.out) as { address: string };
  t.equal((await cli(['init', ...base], env)).code, 1, 'never overwrites a key');
  t.equal((await cli(['status', ...base], { DG_PASSPHRASE: 'wrong passphrase!' })).code, 1, 'wrong passphrase refused');

  const watch = generateKeyPair();
  const band = generateKeyPair();
  const reg = await cli(
    ['register', ...base, '--code', encodePairingCode(watch.publicKey), '--share', 'steps:hourly,sleep_hours:daily'],
    env,
  );
  t.equal(reg.code, 0, reg.err);
  t.equal(gw.registry.device(watch.address)?.provider, address);
  const device = await TestDevice.connect(gw.urls.mqtt, watch);
  t.teardown(() => device.close());
  await waitFor(() => device.policies.length === 1, 'retained policy');

  t.equal(
    (await cli(['register', ...base, '--code', 'DG1-NOPE', '--share', 'steps:hourly'], env)).code,
    1,
    'bad pairing code refused',
  );
  t.equal((await cli(['consent', ...base, '--share', 'not_a_field:hourly'], env)).code, 1, 'unknown field refused');

  t.equal((await cli(['pair', ...base, '--code', encodePairingCode(band.publicKey)], env)).code, 0);
  t.equal(gw.registry.device(band.address)?.provider, address);
  t.equal((await cli(['consent', ...base, '--share', 'steps:hourly', '--coarse', 'steps'], env)).code, 0);
  const status = await cli(['status', ...base], env);
  const s = JSON.parse(status.out) as { policyVersion: number; fields: Record<string, string[]>; devices: unknown[] };
  t.equal(s.policyVersion, 3);
  t.same(s.fields, { steps: ['hourly'] });
  t.equal(s.devices.length, 2);
  await waitFor(() => device.policies.length >= 3, 'each new policy reaches the device');
  t.equal((device.policies.at(-1) as { policy: { version: number } }).policy.version, 3);

  t.equal((await cli(['consent', ...base, '--revoke'], env)).code, 0);
  t.equal(gw.registry.provider(address)?.status, 'revoked');
  await waitFor(() => !device.client.connected, 'device disconnected on revocation');
});
