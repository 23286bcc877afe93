// Acceptance 5: N devices over loopback MQTT against the gateway and the local node. Reports accepted updates/s,
// p50/p99 publish-to-accepted and publish-to-committed latency, beside raw aedes QoS 1 publish throughput
// measured in the same run (an aedes with no hooks, same client count and window). The gateway runs in its own
// process (`datagraph gateway`) and so does the local node (`datagraph node`), as in production; the simulated
// devices run in this one.
// Run: npx tsx gateway/bench/ingest.bench.ts [devices=50] [updatesPerDevice=200]

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { encryptKeystore, generateKeyPair, type SignedUpdate } from '@datagraph/protocol';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { reportBench } from '../../bench/results.ts';
import { buildRegistration } from '../src/registry/providerRequests.ts';
import { cleanup, makeUpdate, policyFor, TestDevice, tempDir, waitFor } from '../test/helpers.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const DEVICES = Number(process.argv[2] ?? 50);
const PER_DEVICE = Number(process.argv[3] ?? 200);
const WINDOW = 32;
const SNAPSHOT_MS = 1000;

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux); the bench's own via cpuUsage. */
function cpuMs(pid?: number): number {
  if (pid === undefined) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function rawAedes(): Promise<number> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const clients = await Promise.all(
    Array.from({ length: DEVICES }, (_, i) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `raw${i}`, reconnectPeriod: 0 }),
    ),
  );
  const payload = Buffer.alloc(700, 0x61);
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < PER_DEVICE) {
          next++;
          await c.publishAsync('raw/t', payload, { qos: 1 });
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, worker));
    }),
  );
  const rate = (DEVICES * PER_DEVICE) / ((performance.now() - started) / 1000);
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await new Promise<void>((r) => broker.close(() => r()));
  server.close();
  return rate;
}

async function main(): Promise<void> {
  const raw = await rawAedes();
  const dir = tempDir('bench');
  const gatewayKey = generateKeyPair();
  const ROOT = join(import.meta.dirname, '..', '..');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'genesis.json'), JSON.stringify({ balances: {} }));
  const nodePorts = { l0: await freePort(), l1: await freePort(), dataL1: await freePort() };
  // DG_BENCH_PROFILE=DIR writes CPU profiles of the node and gateway processes there.
  const profile = process.env.DG_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.DG_BENCH_PROFILE}`] : [];
  const nodeChild = spawn(
    process.execPath,
    [
      ...profile,
      'bin/datagraph.mjs',
      'node',
      '--data-dir',
      join(dir, 'node'),
      '--genesis',
      join(dir, 'genesis.json'),
      '--snapshot-interval',
      String(SNAPSHOT_MS),
      '--l0-port',
      String(nodePorts.l0),
      '--l1-port',
      String(nodePorts.l1),
      '--data-l1-port',
      String(nodePorts.dataL1),
      '--authorised-gateway',
      gatewayKey.address,
      '--log-level',
      'warn',
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const node = {
    urls: {
      l0: `http://127.0.0.1:${nodePorts.l0}`,
      l1: `http://127.0.0.1:${nodePorts.l1}`,
      dataL1: `http://127.0.0.1:${nodePorts.dataL1}`,
    },
  };
  await waitFor(async () => (await fetch(`${node.urls.l0}/cluster/info`).catch(() => null))?.ok, 'node up', 120_000);
  const gwDir = join(dir, 'gw');
  mkdirSync(gwDir, { recursive: true });
  writeFileSync(join(gwDir, 'gateway-keystore.pass'), 'bench-passphrase\n');
  writeFileSync(
    join(gwDir, 'gateway-keystore.json'),
    JSON.stringify(await encryptKeystore(gatewayKey.privateKey, 'bench-passphrase')),
  );
  const config = join(gwDir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      batch: { maxEntries: 2000, maxDelayMs: 200, commitPollMs: 50 },
      mqtts: { port: null },
      logLevel: 'warn',
      host: '127.0.0.1',
    }),
  );
  const [mqttPort, httpPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      'bin/datagraph.mjs',
      'gateway',
      '--config',
      config,
      '--data-dir',
      gwDir,
      '--mqtt-port',
      String(mqttPort),
      '--http-port',
      String(httpPort),
      '--l0-url',
      node.urls.l0,
      '--l1-url',
      node.urls.l1,
      '--data-l1-url',
      node.urls.dataL1,
    ],
    {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, DG_VAULT_MASTER_KEY: '33'.repeat(32) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const http = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => (await fetch(`${http}/healthz`).catch(() => null))?.ok, 'gateway up', 120_000);
  const devices: { conn: TestDevice; updates: SignedUpdate[] }[] = [];
  for (let p = 0; p < Math.ceil(DEVICES / 5); p++) {
    const provider = generateKeyPair();
    const keys = Array.from({ length: Math.min(5, DEVICES - p * 5) }, () => generateKeyPair());
    const reg = buildRegistration(
      provider,
      keys.map((k) => ({ address: k.address, publicKey: k.publicKey })),
      policyFor(provider),
    );
    await fetch(`${http}/v1/providers`, {
      method: 'POST',
      body: JSON.stringify(reg),
      headers: { 'content-type': 'application/json' },
    });
    for (const k of keys)
      devices.push({
        conn: await TestDevice.connect(`mqtt://127.0.0.1:${mqttPort}`, k),
        updates: Array.from({ length: PER_DEVICE }, (_, i) => makeUpdate(k, provider, i + 1)),
      });
  }
  const sentAt = new Map<string, number>();
  const acceptedAt = new Map<string, number>();
  const committedAt = new Map<string, number>();
  for (const d of devices) {
    d.conn.client.on('message', (_t, payload) => {
      const a = JSON.parse(payload.toString()) as { id: string; status: string };
      if (a.status === 'accepted') acceptedAt.set(a.id, performance.now());
      if (a.status === 'committed') committedAt.set(a.id, performance.now());
    });
  }
  const cpu = (): number[] => [cpuMs(child.pid), cpuMs(nodeChild.pid), cpuMs()];
  const cpuStart = cpu();
  const started = performance.now();
  await Promise.all(
    devices.map(async (d) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < d.updates.length) {
          const u = d.updates[next++] as SignedUpdate;
          sentAt.set(u.body.id, performance.now());
          await d.conn.publish(u);
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, worker));
    }),
  );
  const total = DEVICES * PER_DEVICE;
  await waitFor(() => acceptedAt.size >= total, 'all accepted', 600_000);
  const acceptedRate = total / ((Math.max(...acceptedAt.values()) - started) / 1000);
  const cpuAccepted = cpu();
  await waitFor(() => committedAt.size >= total, 'all committed', 600_000);
  const cpuCommitted = cpu();
  const perUpdate = (i: number, end: number[]): number =>
    Math.round((((end[i] as number) - (cpuStart[i] as number)) / total) * 1000);
  console.log(
    `  CPU us/update until all accepted: gateway ${perUpdate(0, cpuAccepted)}, node ${perUpdate(1, cpuAccepted)}, ` +
      `load generator ${perUpdate(2, cpuAccepted)}; until all committed: gateway ${perUpdate(0, cpuCommitted)}, ` +
      `node ${perUpdate(1, cpuCommitted)}, load generator ${perUpdate(2, cpuCommitted)}`,
  );
  const lat = (m: Map<string, number>): number[] => [...m].map(([id, t]) => t - (sentAt.get(id) ?? t));
  reportBench('gateway-ingest', [
    {
      name: `accepted updates/s (${DEVICES} devices)`,
      value: Math.round(acceptedRate),
      unit: 'updates/s',
      reference: { name: 'raw aedes QoS 1', value: Math.round(raw), unit: 'msgs/s' },
      target: '>= 5,000',
    },
    { name: 'publish-to-accepted p50', value: pct(lat(acceptedAt), 50), unit: 'ms' },
    { name: 'publish-to-accepted p99', value: pct(lat(acceptedAt), 99), unit: 'ms' },
    { name: 'publish-to-committed p50', value: pct(lat(committedAt), 50), unit: 'ms' },
    {
      name: 'publish-to-committed p99',
      value: pct(lat(committedAt), 99),
      unit: 'ms',
      target: `<= ${2 * SNAPSHOT_MS} ms (two snapshot intervals)`,
    },
  ]);
  for (const d of devices) await d.conn.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  nodeChild.kill('SIGTERM');
  await new Promise((r) => nodeChild.once('exit', r));
  cleanup(dir);
}

await main();
