// `datagraph agent init | run | status` as a user runs them: init prints a pairing code that decodes to the stored
// key; run --simulate drives a persona through the simulated radio and the real noble into a real broker; status
// reports what the running agent did.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAgentCommand } from '@datagraph/agent/cli';
import { decodePairingCode, decryptKeystore, generateKeyPair, ManualClock } from '@datagraph/protocol';
import t from 'tap';
import { allFields, signPolicy } from '../helpers/policy.ts';
import { TestGateway, waitFor } from '../helpers/testGateway.ts';

function io(env: Record<string, string | undefined>, stopSignal?: Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { env, out: (l: string) => out.push(l), err: (l: string) => err.push(l), stopSignal } };
}

t.test('init creates an encrypted device key and prints its pairing code; refuses to overwrite', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = io({ DG_PASSPHRASE: 'correct horse battery' });
  t.equal(await runAgentCommand(['init', '--dir', dir], a.io), 0);
  const code =
    a.out
      .find((l) => l.startsWith('pairing code:'))
      ?.split(/\s+/)
      .pop() ?? '';
  const id = a.out
    .find((l) => l.startsWith('device id:'))
    ?.split(/\s+/)
    .pop();
  const decoded = decodePairingCode(code);
  t.equal(decoded.address, id, 'the pairing code names the device id');
  const key = await decryptKeystore(
    JSON.parse(readFileSync(join(dir, 'device.keystore.json'), 'utf8')),
    'correct horse battery',
  );
  t.equal(key.address, id, 'the keystore holds that key');
  t.notOk(a.out.join('\n').includes(key.privateKey), 'the private key is never printed');
  const again = io({ DG_PASSPHRASE: 'correct horse battery' });
  t.equal(await runAgentCommand(['init', '--dir', dir], again.io), 1);
  t.match(again.err.join('\n'), /AG_KEYSTORE_EXISTS/);
  const nopass = io({});
  t.equal(await runAgentCommand(['init', '--dir', join(dir, 'other')], nopass.io), 1);
  t.match(nopass.err.join('\n'), /AG_PASSPHRASE_MISSING/);
  const passFile = join(dir, 'pass.txt');
  writeFileSync(passFile, 'from a file 123\n');
  const viaFile = io({});
  t.equal(await runAgentCommand(['init', '--dir', join(dir, 'b'), '--passphrase-file', passFile], viaFile.io), 0);
  // a small device's keystore: opening it needs 16 MiB instead of 256
  const light = io({ DG_PASSPHRASE: 'correct horse battery' });
  t.equal(await runAgentCommand(['init', '--dir', join(dir, 'c'), '--scrypt-n', '16384'], light.io), 0);
  const lightFile = JSON.parse(readFileSync(join(dir, 'c', 'device.keystore.json'), 'utf8'));
  t.equal(lightFile.crypto.kdfparams.n, 16384, 'the keystore records the smaller N');
  t.ok(await decryptKeystore(lightFile, 'correct horse battery'), 'and opens');
  for (const bad of ['1000', 'lots']) {
    const refused = io({ DG_PASSPHRASE: 'correct horse battery' });
    t.equal(await runAgentCommand(['init', '--dir', join(dir, `d${bad}`), '--scrypt-n', bad], refused.io), 1);
    t.match(refused.err.join('\n'), /PR_KEYSTORE_PARAMS/, `--scrypt-n ${bad} refused`);
  }
});

t.test('bad options are refused with every problem listed', async (t) => {
  const a = io({ DG_PASSPHRASE: 'correct horse battery' });
  t.equal(
    await runAgentCommand(['run', '--dir', '/nonexistent', '--speed=-1', '--seed', 'x', '--broker', 'http://x'], a.io),
    1,
  );
  t.match(a.err.join('\n'), /AG_CONFIG_INVALID/);
  t.match(a.err.join('\n'), /--speed.*--seed.*--broker/s);
  const b = io({});
  t.equal(await runAgentCommand(['frobnicate'], b.io), 2);
  t.equal(await runAgentCommand(['run', '--nope'], b.io), 2);
  t.equal(await runAgentCommand(['status', '--dir', '/nonexistent'], b.io), 1);
  t.match(b.err.join('\n'), /AG_STATUS_MISSING/);
});

t.test(
  'run --simulate: a persona through the simulated radio and real noble reaches the broker; status reports it',
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-cli-run-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const env = { DG_PASSPHRASE: 'correct horse battery', DG_LOG_LEVEL: 'silent' };
    const init = io(env);
    t.equal(await runAgentCommand(['init', '--dir', dir], init.io), 0);
    const { publicKey, address } = decodePairingCode(
      init.out
        .find((l) => l.startsWith('pairing code:'))
        ?.split(/\s+/)
        .pop() ?? '',
    );
    const gw = await TestGateway.start(new ManualClock());
    t.teardown(() => gw.close());
    gw.register({ address, publicKey });
    const provider = generateKeyPair();
    const now = Math.floor(Date.now() / 1000);
    await gw.publishPolicy(
      address,
      signPolicy(provider, { version: 1, fields: allFields(), issuedAt: now, expiresAt: null }),
    );

    let stop: () => void = () => {};
    const stopped = new Promise<void>((r) => {
      stop = r;
    });
    const run = io(env, stopped);
    const exit = runAgentCommand(
      ['run', '--dir', dir, '--broker', gw.url, '--simulate', 'runner', '--speed', '1800'],
      run.io,
    );
    // At 1800x a simulated hour takes two real seconds: wait for two hourly updates to be accepted.
    await waitFor(
      () => [...gw.accepted.values()].filter((u) => u.body.cadence === 'hourly').length >= 2,
      'hourly updates from the persona',
      120_000,
    );
    // The agent writes status.json after every ack: wait until it has seen the acks too, then stop it.
    const statusAccepted = () => {
      try {
        return JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')).acks.delivered as number;
      } catch {
        return 0;
      }
    };
    await waitFor(() => statusAccepted() >= 2, 'the agent to record two acks', 120_000);
    stop();
    t.equal(await exit, 0);
    t.match(run.out.join('\n'), /simulated persona runner/);
    const first = [...gw.accepted.values()][0];
    t.equal(first?.body.device, address);
    t.ok(first && Object.keys(first.body.fields).includes('heart_rate_avg'), 'heart rate came through BLE');

    const st = io(env);
    t.equal(await runAgentCommand(['status', '--dir', dir], st.io), 0);
    const text = st.out.join('\n');
    t.match(text, new RegExp(`device\\s+${address}`));
    t.match(text, /policy\s+v1/);
    t.match(text, /acks\s+\d+ accepted, .* committed; \d+ updates delivered/);
    const json = io(env);
    await runAgentCommand(['status', '--dir', dir, '--json'], json.io);
    const s = JSON.parse(json.out.join('\n'));
    t.ok(s.acks.delivered >= 2, `delivered ${s.acks.delivered}`);
    t.equal(s.running, false, 'the last status says stopped');
    t.ok(Array.isArray(s.sensors) && s.sensors.length === 1, 'the BLE layer status is included');
  },
);
