// Acceptance 5: N devices over loopback MQTT against the gateway and the local node. Reports accepted updates/s,
// p50/p99 publish-to-accepted and publish-to-committed latency, beside raw aedes QoS 1 publish throughput
// measured in the same run (an aedes with no hooks, same client count and window).
// Run: npx tsx gateway/bench/ingest.bench.ts [devices=50] [updatesPerDevice=200]
import { join } from 'node:path';
import { startNode } from '@datagraph/metagraph';
import { generateKeyPair, type SignedUpdate } from '@datagraph/protocol';
import { Aedes } from 'aedes';
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import pino from 'pino';
import { reportBench } from '../../bench/results.ts';
import { cleanup, makeUpdate, registerProvider, startTestGateway, TestDevice, tempDir, waitFor } from '../test/helpers.ts';

const DEVICES = Number(process.argv[2] ?? 50);
const PER_DEVICE = Number(process.argv[3] ?? 200);
const WINDOW = 32;
const SNAPSHOT_MS = 1000;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function rawAedes(): Promise<number> {
  const broker = await Aedes.createBroker();
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const clients = await Promise.all(Array.from({ length: DEVICES }, (_, i) => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `raw${i}`, reconnectPeriod: 0 })));
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
  const node = await startNode({ dataDir: join(dir, 'node'), genesis: { balances: {} }, snapshotIntervalMs: SNAPSHOT_MS, ports: { l0: 0, l1: 0, dataL1: 0 }, logger: pino({ level: 'silent' }), rules: { authorisedGateways: [gatewayKey.address] } });
  const gw = await startTestGateway(join(dir, 'gw'), { ledger: { l0Url: node.urls.l0, l1Url: node.urls.l1, dataL1Url: node.urls.dataL1 }, gatewayKey, batch: { maxEntries: 2000, maxDelayMs: 200, commitPollMs: 50 } });
  const devices: { conn: TestDevice; updates: SignedUpdate[] }[] = [];
  for (let p = 0; p < Math.ceil(DEVICES / 5); p++) {
    const provider = generateKeyPair();
    const keys = Array.from({ length: Math.min(5, DEVICES - p * 5) }, () => generateKeyPair());
    await registerProvider(gw, provider, keys);
    for (const k of keys) devices.push({ conn: await TestDevice.connect(gw.urls.mqtt, k), updates: Array.from({ length: PER_DEVICE }, (_, i) => makeUpdate(k, provider, i + 1)) });
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
  await waitFor(() => committedAt.size >= total, 'all committed', 600_000);
  const lat = (m: Map<string, number>): number[] => [...m].map(([id, t]) => t - (sentAt.get(id) ?? t));
  reportBench('gateway-ingest', [
    { name: `accepted updates/s (${DEVICES} devices)`, value: Math.round(acceptedRate), unit: 'updates/s', reference: { name: 'raw aedes QoS 1', value: Math.round(raw), unit: 'msgs/s' }, target: '>= 5,000' },
    { name: 'publish-to-accepted p50', value: pct(lat(acceptedAt), 50), unit: 'ms' },
    { name: 'publish-to-accepted p99', value: pct(lat(acceptedAt), 99), unit: 'ms' },
    { name: 'publish-to-committed p50', value: pct(lat(committedAt), 50), unit: 'ms' },
    { name: 'publish-to-committed p99', value: pct(lat(committedAt), 99), unit: 'ms', target: `<= ${2 * SNAPSHOT_MS} ms (two snapshot intervals)` },
  ]);
  for (const d of devices) await d.conn.close();
  await gw.close();
  await node.close();
  cleanup(dir);
}

await main();
