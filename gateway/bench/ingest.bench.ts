// Acceptance 5: N devices over loopback MQTT against the gateway and the local node. Reports accepted updates/s,
// p50/p99 publish-to-accepted and publish-to-committed latency, beside raw aedes QoS 1 publish throughput
// measured in the same run (an aedes with no hooks, same client count, window and load generator). The gateway
// runs in its own process (`datagraph gateway`) and so does the local node (`datagraph node`), as in production.
// The simulated devices run in this process on a lean MQTT 3.1.1 client (leanMqttDevice.ts, on mqtt-packet, the
// codec mqtt.js and aedes use) rather than 50 mqtt.js clients: the devices are separate hardware in reality, and
// all three processes share this machine's cores. Each device keeps 32 QoS 1 publishes in flight (a slot frees at
// the gateway's PUBACK), PUBACKs the gateway's QoS 1 acks and reads their status; updates are signed beforehand.
// Also printed: CPU time per update of each process (gateway, node, load generator).
// Run: npx tsx gateway/bench/ingest.bench.ts [devices=50] [updatesPerDevice=800]   (DG_BENCH_RATE: below)
// 40,000 updates by default (about 15 s at these rates): long enough that the figures are the steady state, not the
// first seconds of a cold process (JIT, the first LevelDB tables), which a 10,000-update run was dominated by.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connectPassword, encryptKeystore, generateKeyPair, systemClock, topics } from '@datagraph/protocol';
import { Aedes } from 'aedes';
import { reportBench } from '../../bench/results.ts';
import { buildRegistration } from '../src/registry/providerRequests.ts';
import { cleanup, freePort, gatewayArgs, makeUpdate, policyFor, tempDir, waitFor } from '../test/helpers.ts';
import { LeanMqttDevice } from './leanMqttDevice.ts';

const DEVICES = Number(process.argv[2] ?? 50);
const PER_DEVICE = Number(process.argv[3] ?? 800);
const WINDOW = 32;
// DG_BENCH_RATE=N: offer N updates/s in all (open loop, still at most WINDOW in flight per device) instead of as fast
// as the gateway takes them, to read the latencies at a load the machine carries rather than at saturation.
const RATE = Number(process.env.DG_BENCH_RATE ?? 0);
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
    Array.from({ length: DEVICES }, (_, i) => LeanMqttDevice.connect(port, { clientId: `raw${i}` })),
  );
  const payload = Buffer.alloc(700, 0x61);
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < PER_DEVICE) {
          next++;
          await c.publish('raw/t', payload);
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, worker));
    }),
  );
  const rate = (DEVICES * PER_DEVICE) / ((performance.now() - started) / 1000);
  await Promise.all(clients.map((c) => c.close()));
  await new Promise<void>((r) => broker.close(() => r()));
  server.close();
  return rate;
}

// The node and gateway go down with the bench however it ends (a failed run must not leave them loading the machine).
const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

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
  children.push(nodeChild);
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
      // DG_BENCH_GATEWAY_FLAGS: node flags for the gateway process (e.g. V8 heap flags), space separated.
      ...(process.env.DG_BENCH_GATEWAY_FLAGS?.split(' ').filter(Boolean) ?? []),
      'bin/datagraph.mjs',
      ...gatewayArgs({ config, dataDir: gwDir, mqttPort, httpPort, ledger: node.urls }),
    ],
    {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, DG_VAULT_MASTER_KEY: '33'.repeat(32) },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  children.push(child);
  const http = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => (await fetch(`${http}/healthz`).catch(() => null))?.ok, 'gateway up', 120_000);
  const sentAt = new Map<string, number>();
  const acceptedAt = new Map<string, number>();
  const committedAt = new Map<string, number>();
  // Any ack but accepted/committed means the bench itself is wrong (every update is valid and in order): stop.
  const refused: string[] = [];
  const total = DEVICES * PER_DEVICE;
  const settled = (n: number): boolean => {
    if (refused.length > 0) throw new Error(`the gateway refused ${refused.length} updates, first: ${refused[0]}`);
    return n >= total;
  };
  const devices: { conn: LeanMqttDevice; topic: string; updates: { id: string; payload: Buffer }[] }[] = [];
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
    for (const k of keys) {
      const conn = await LeanMqttDevice.connect(mqttPort, {
        clientId: `bench-${k.address.slice(-12)}`,
        username: k.address,
        password: connectPassword(k, systemClock),
        subscribe: [topics.ack(k.address)],
      });
      conn.onMessage = (_t, payload) => {
        const a = JSON.parse(payload.toString()) as { id: string; status: string };
        if (a.status === 'accepted') acceptedAt.set(a.id, performance.now());
        else if (a.status === 'committed') committedAt.set(a.id, performance.now());
        else refused.push(JSON.stringify(a));
      };
      devices.push({
        conn,
        topic: topics.up(k.address),
        updates: Array.from({ length: PER_DEVICE }, (_, i) => {
          const u = makeUpdate(k, provider, i + 1);
          return { id: u.body.id, payload: Buffer.from(JSON.stringify(u)) };
        }),
      });
    }
  }
  const cpu = (): number[] => [cpuMs(child.pid), cpuMs(nodeChild.pid), cpuMs()];
  const cpuStart = cpu();
  const started = performance.now();
  await Promise.all(
    devices.map(async (d, di) => {
      if (RATE) {
        // Open loop: the device's k-th update is due at k / (RATE / DEVICES) s (devices spread over the period), sent
        // in seq order by one loop, at most WINDOW awaiting their PUBACK.
        const inFlight = new Set<Promise<void>>();
        for (const [k, u] of d.updates.entries()) {
          const wait = started + ((k + di / DEVICES) * DEVICES * 1000) / RATE - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          while (inFlight.size >= WINDOW) await Promise.race(inFlight);
          sentAt.set(u.id, performance.now());
          const p: Promise<void> = d.conn.publish(d.topic, u.payload).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        await Promise.all(inFlight);
        return;
      }
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < d.updates.length) {
          const u = d.updates[next++] as { id: string; payload: Buffer };
          sentAt.set(u.id, performance.now());
          await d.conn.publish(d.topic, u.payload);
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, worker));
    }),
  );
  await waitFor(() => settled(acceptedAt.size), 'all accepted', 600_000);
  const acceptedRate = total / ((Math.max(...acceptedAt.values()) - started) / 1000);
  const cpuAccepted = cpu();
  await waitFor(() => settled(committedAt.size), 'all committed', 600_000);
  const cpuCommitted = cpu();
  if (process.env.DG_BENCH_METRICS) {
    const m = await (await fetch(`${http}/metrics`)).text();
    console.log(
      m
        .split('\n')
        .filter((l) => /_(sum|count)\b/.test(l) && /batch|commit/.test(l))
        .join('\n'),
    );
  }
  const perUpdate = (i: number, end: number[]): number =>
    Math.round((((end[i] as number) - (cpuStart[i] as number)) / total) * 1000);
  console.log(
    `  CPU us/update until all accepted: gateway ${perUpdate(0, cpuAccepted)}, node ${perUpdate(1, cpuAccepted)}, ` +
      `load generator ${perUpdate(2, cpuAccepted)}; until all committed: gateway ${perUpdate(0, cpuCommitted)}, ` +
      `node ${perUpdate(1, cpuCommitted)}, load generator ${perUpdate(2, cpuCommitted)}`,
  );
  const lat = (m: Map<string, number>): number[] => [...m].map(([id, t]) => t - (sentAt.get(id) ?? t));
  const acceptedToCommitted = [...committedAt].map(([id, t]) => t - (acceptedAt.get(id) ?? t));
  console.log(
    `  accepted-to-committed p50 ${Math.round(pct(acceptedToCommitted, 50))} ms, p99 ${Math.round(pct(acceptedToCommitted, 99))} ms`,
  );
  reportBench('gateway-ingest', [
    {
      name: `accepted updates/s (${DEVICES} devices${RATE ? `, ${RATE}/s offered` : ''})`,
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
    { name: 'accepted-to-committed p99', value: pct(acceptedToCommitted, 99), unit: 'ms' },
    // CPU time from the first publish until every update is committed, divided by the updates.
    { name: 'CPU per update: gateway (all threads)', value: perUpdate(0, cpuCommitted), unit: 'us' },
    { name: 'CPU per update: node', value: perUpdate(1, cpuCommitted), unit: 'us' },
    { name: 'CPU per update: load generator', value: perUpdate(2, cpuCommitted), unit: 'us' },
  ]);
  for (const d of devices) await d.conn.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  nodeChild.kill('SIGTERM');
  await new Promise((r) => nodeChild.once('exit', r));
  cleanup(dir);
}

await main();
