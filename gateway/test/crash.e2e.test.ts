// Acceptance 3: kill -9 the gateway process under load and restart it: zero accepted updates lost, zero
// duplicates on the ledger. Devices behave like agents: an update is resent until an application ack arrives.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startNode } from '@datagraph/metagraph';
import { encryptKeystore, generateKeyPair, type IngestBatch, type KeyPair } from '@datagraph/protocol';
import pino from 'pino';
import t from 'tap';
import { buildRegistration } from '../src/registry/providerRequests.ts';
import { cleanup, freePort, gatewayArgs, makeUpdate, policyFor, TestDevice, tempDir, waitFor } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');

t.test('kill -9 under load: nothing accepted is lost, nothing is duplicated on the ledger', async (t) => {
  const dir = tempDir('crash');
  const gwDir = join(dir, 'gw');
  mkdirSync(gwDir, { recursive: true });
  const gatewayKey = generateKeyPair();
  writeFileSync(join(gwDir, 'gateway-keystore.pass'), 'crash-test-passphrase\n');
  writeFileSync(
    join(gwDir, 'gateway-keystore.json'),
    JSON.stringify(await encryptKeystore(gatewayKey.privateKey, 'crash-test-passphrase')),
  );
  const node = await startNode({
    dataDir: join(dir, 'node'),
    genesis: { balances: {} },
    snapshotIntervalMs: 300,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
    rules: { authorisedGateways: [gatewayKey.address] },
  });
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const args = [
    'bin/datagraph.mjs',
    ...gatewayArgs({ dataDir: gwDir, mqttPort, httpPort, ledger: node.urls, extra: ['--mqtts-port', '0'] }),
  ];
  const env = { ...process.env, DG_VAULT_MASTER_KEY: '22'.repeat(32), DG_LOG_LEVEL: 'warn' };
  const http = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  const startChild = async (): Promise<void> => {
    child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    await waitFor(async () => (await fetch(`${http}/healthz`).catch(() => null))?.ok, 'gateway up', 90_000);
  };
  t.teardown(async () => {
    child?.kill('SIGKILL');
    await node.close();
    cleanup(dir);
  });
  await startChild();

  const provider = generateKeyPair();
  const keys = Array.from({ length: 8 }, () => generateKeyPair());
  const reg = buildRegistration(
    provider,
    keys.map((k) => ({ address: k.address, publicKey: k.publicKey })),
    policyFor(provider),
  );
  t.equal(
    (
      await fetch(`${http}/v1/providers`, {
        method: 'POST',
        body: JSON.stringify(reg),
        headers: { 'content-type': 'application/json' },
      })
    ).status,
    201,
  );

  const acked = new Set<string>();
  const rejected: string[] = [];
  let stop = false;
  const runDevice = async (key: KeyPair): Promise<void> => {
    let conn: TestDevice | undefined;
    let seq = 1;
    let u = makeUpdate(key, provider, seq);
    while (!stop) {
      if (!conn?.client.connected) {
        conn?.client.end(true);
        conn = await TestDevice.connect(`mqtt://127.0.0.1:${mqttPort}`, key).catch(() => undefined);
        if (!conn) {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
      }
      const c = conn;
      const before = c.acks.length;
      // Not awaited: a QoS 1 publish in flight when the gateway dies would wait for a reconnect that never comes.
      c.publish(u).catch(() => {});
      const ack = await waitFor(
        () =>
          c.acks.slice(before).find((a) => a.id === u.body.id) ?? (!c.client.connected && { status: 'lost' as const }),
        'ack',
        10_000,
      ).catch(() => undefined);
      if (ack?.status === 'accepted' || ack?.status === 'duplicate') {
        acked.add(u.body.id);
        u = makeUpdate(key, provider, ++seq);
      } else if (ack?.status === 'rejected') {
        rejected.push(`${ack.code}`);
        u = makeUpdate(key, provider, ++seq);
      }
    }
    conn?.client.end(true);
  };
  const load = Promise.all(keys.map(runDevice));

  for (const threshold of [150, 400]) {
    await waitFor(() => acked.size >= threshold, `${threshold} acks`, 120_000);
    child?.kill('SIGKILL');
    await new Promise((r) => child?.once('exit', r));
    await startChild();
  }
  await waitFor(() => acked.size >= 600, '600 acks', 120_000);
  stop = true;
  await load;
  await waitFor(
    async () => {
      const h = (await (await fetch(`${http}/healthz`)).json()) as {
        pendingEntries: number;
        ledger: { queued: number; sent: number };
      };
      return h.pendingEntries === 0 && h.ledger.queued === 0 && h.ledger.sent === 0;
    },
    'everything committed',
    120_000,
  );

  const latest = ((await (await fetch(`${node.urls.l0}/snapshots/latest/ordinal`)).json()) as { value: number }).value;
  const onLedger: string[] = [];
  for (let ord = 0; ord <= latest; ord++) {
    const r = await fetch(`${node.urls.l0}/snapshots/${ord}`);
    if (!r.ok) continue;
    const snap = (await r.json()) as { value: { dataApplication: { blocks: { value: IngestBatch }[] } | null } };
    for (const b of snap.value.dataApplication?.blocks ?? [])
      if (b.value.type === 'IngestBatch') onLedger.push(...b.value.entries.map((e) => e.id));
  }
  const ledgerSet = new Set(onLedger);
  t.same(rejected, [], 'no update was rejected');
  t.equal(onLedger.length, ledgerSet.size, 'no entry is on the ledger twice');
  t.equal(
    [...acked].filter((id) => !ledgerSet.has(id)).length,
    0,
    `every one of ${acked.size} acked updates is on the ledger`,
  );
});
