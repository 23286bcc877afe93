// The artifact a device runs (agent/scripts/build.ts): the minified bundle started by its launcher with the device's
// node flags does init, run --simulate into a real broker (hourly updates accepted) and status, as the unbundled CLI.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodePairingCode, generateKeyPair, ManualClock } from '@datagraph/protocol';
import t from 'tap';
import { buildDeviceArtifact, DEVICE_ENV, DEVICE_NODE_FLAGS } from '../../scripts/build.ts';
import { allFields, signPolicy } from '../helpers/policy.ts';
import { TestGateway, waitFor } from '../helpers/testGateway.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

t.test('the built agent: launcher flags, init, run --simulate into a broker, status', async (t) => {
  // Inside the workspace, so the bundle's external native modules resolve from its node_modules.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dist = mkdtempSync(join(cache, 'dg-agent-dist-'));
  const dir = mkdtempSync(join(tmpdir(), 'dg-artifact-'));
  t.teardown(() => {
    rmSync(dist, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  await buildDeviceArtifact(dist);
  const launcher = join(dist, 'datagraph-agent');
  const script = readFileSync(launcher, 'utf8');
  t.match(script, DEVICE_NODE_FLAGS.join(' '), 'the launcher passes the device flags');
  for (const [k, v] of Object.entries(DEVICE_ENV)) t.match(script, `export ${k}=${v}`, `and sets ${k}`);
  const pkg = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));
  t.same(Object.keys(pkg.dependencies).sort(), ['@stoprocent/noble', 'classic-level', 'secp256k1']);

  const env = {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    DG_PASSPHRASE: 'correct horse battery',
    DG_LOG_LEVEL: 'warn',
  };
  const exec = promisify(execFile);
  const init = await exec(launcher, ['init', '--dir', dir], { env });
  t.equal(init.stderr, '', 'no warnings from node or the agent');
  const { publicKey, address } = decodePairingCode(/pairing code:\s+(\S+)/.exec(init.stdout)?.[1] ?? '');

  const gw = await TestGateway.start(new ManualClock());
  t.teardown(() => gw.close());
  gw.register({ address, publicKey });
  await gw.publishPolicy(
    address,
    signPolicy(generateKeyPair(), {
      version: 1,
      fields: allFields(),
      issuedAt: Math.floor(Date.now() / 1000),
      expiresAt: null,
    }),
  );
  const run = spawn(launcher, ['run', '--dir', dir, '--broker', gw.url, '--simulate', 'runner', '--speed', '1800'], {
    env,
  });
  let stderr = '';
  run.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => run.on('exit', (code) => r(code)));
  t.teardown(() => run.kill('SIGKILL'));
  await waitFor(
    () => [...gw.accepted.values()].filter((u) => u.body.cadence === 'hourly').length >= 2,
    'hourly updates from the built agent',
    120_000,
  );
  run.kill('SIGTERM');
  t.equal(await exited, 0, 'stops cleanly on SIGTERM');
  t.notMatch(stderr, /Warning|"level":(50|60)/, 'no node warnings or agent errors');
  t.equal([...gw.accepted.values()][0]?.body.device, address);

  const status = await exec(launcher, ['status', '--dir', dir, '--json'], { env });
  const s = JSON.parse(status.stdout);
  t.equal(s.deviceId, address);
  t.equal(s.policy.version, 1);
  t.equal(s.running, false);
});
