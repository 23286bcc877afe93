// Test helpers: a gateway on ephemeral ports in a temp dir, providers and devices with real keys, real MQTT clients.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningNode, startNode } from '@datagraph/metagraph';
import {
  type Ack,
  type ConsentPolicy,
  connectPassword,
  generateKeyPair,
  type KeyPair,
  makeSalt,
  type SignedUpdate,
  signUpdate,
  systemClock,
  topics,
  type UpdateBody,
} from '@datagraph/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { type GatewayConfig, loadGatewayConfig } from '../src/config/GatewayConfig.ts';
import { createGatewayLogger, type RunningGateway, startGateway } from '../src/Gateway.ts';
import { buildRegistration } from '../src/registry/providerRequests.ts';

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `dg-${name}-`));
}

export async function startTestGateway(
  dir: string,
  opts: {
    ledger?: { l0Url: string; l1Url: string; dataL1Url: string };
    gatewayKey?: KeyPair;
    batch?: Record<string, number>;
    tls?: boolean;
    logLevel?: string;
  } = {},
): Promise<RunningGateway> {
  const ledger = opts.ledger ?? {
    l0Url: 'http://127.0.0.1:1',
    l1Url: 'http://127.0.0.1:1',
    dataL1Url: 'http://127.0.0.1:1',
  };
  const config = loadGatewayConfig({
    flags: {
      '--data-dir': dir,
      '--mqtt-port': '0',
      '--http-port': '0',
      '--l0-url': ledger.l0Url,
      '--l1-url': ledger.l1Url,
      '--data-l1-url': ledger.dataL1Url,
    },
  });
  config.host = '127.0.0.1';
  config.mqtts.port = opts.tls ? 0 : null;
  config.vault.masterKeyHex = '11'.repeat(32);
  Object.assign(
    config.batch,
    { maxDelayMs: 100, commitPollMs: 100, retryBaseMs: 100, retryMaxMs: 1000 },
    opts.batch ?? {},
  );
  return startGateway(config, {
    gatewayKey: opts.gatewayKey ?? generateKeyPair(),
    log: createGatewayLogger(opts.logLevel ?? 'silent'),
  });
}

/**
 * A local metagraph node (genesis funds `researcher` with 1,000 tokens, `gatewayKey` authorised, snapshots every
 * 300 ms) and a gateway on it, all on ephemeral ports under `dir`. `configure` adjusts the gateway config (research,
 * rewards, treasury) before it starts. If the gateway fails to start, the node is closed.
 */
export async function startLedgerAndGateway(
  dir: string,
  opts: {
    researcher: KeyPair;
    gatewayKey: KeyPair;
    treasuryKey?: KeyPair;
    masterKeyHex: string;
    configure?: (config: GatewayConfig) => void;
  },
): Promise<{ node: RunningNode; gw: RunningGateway }> {
  const node = await startNode({
    dataDir: join(dir, 'node'),
    genesis: { balances: { [opts.researcher.address]: (1000n * 100_000_000n).toString() } },
    snapshotIntervalMs: 300,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
    rules: { authorisedGateways: [opts.gatewayKey.address] },
  });
  const config = loadGatewayConfig({
    flags: {
      '--data-dir': join(dir, 'gw'),
      '--mqtt-port': '0',
      '--http-port': '0',
      '--l0-url': node.urls.l0,
      '--l1-url': node.urls.l1,
      '--data-l1-url': node.urls.dataL1,
    },
  });
  config.host = '127.0.0.1';
  config.mqtts.port = null;
  config.vault.masterKeyHex = opts.masterKeyHex;
  Object.assign(config.batch, { maxDelayMs: 100, commitPollMs: 100, retryBaseMs: 100, retryMaxMs: 1000 });
  opts.configure?.(config);
  try {
    const gw = await startGateway(config, {
      gatewayKey: opts.gatewayKey,
      treasuryKey: opts.treasuryKey,
      log: createGatewayLogger('silent'),
    });
    return { node, gw };
  } catch (e) {
    await node.close();
    throw e;
  }
}

/** A TCP port free on 127.0.0.1 right now (for a child process that must be told its ports). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** `gateway ...` as an operator types it (sources' `datagraph` or the built launcher), on the given ports and ledger. */
export function gatewayArgs(o: {
  config?: string;
  dataDir: string;
  mqttPort: number;
  httpPort: number;
  ledger: { l0: string; l1: string; dataL1: string };
  extra?: string[];
}): string[] {
  return [
    'gateway',
    ...(o.config === undefined ? [] : ['--config', o.config]),
    ...['--data-dir', o.dataDir, '--mqtt-port', String(o.mqttPort), '--http-port', String(o.httpPort)],
    ...['--l0-url', o.ledger.l0, '--l1-url', o.ledger.l1, '--data-l1-url', o.ledger.dataL1],
    ...(o.extra ?? []),
  ];
}

/**
 * A small REST client for end-to-end tests: GET without a body, POST with one; a bearer token or a whole
 * authorization header; the answer's status, its text, and its JSON when it is JSON.
 */
export function restClient(baseUrl: string) {
  return async (path: string, body?: unknown, token?: string, authorization?: string) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(authorization ? { authorization } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: res.status, json, text };
  };
}

export const HOUR = 3600;

export function policyFor(
  provider: KeyPair,
  version = 1,
  fields: ConsentPolicy['fields'] = { steps: ['hourly'], heart_rate_avg: ['hourly'], sleep_hours: ['daily'] },
): ConsentPolicy {
  return {
    v: 1,
    provider: provider.address,
    version,
    fields,
    generalisation: {},
    issuedAt: Math.floor(Date.now() / 1000),
    expiresAt: null,
  };
}

export async function registerProvider(
  gw: RunningGateway,
  provider: KeyPair,
  devices: KeyPair[],
  policy = policyFor(provider),
): Promise<Response> {
  const req = buildRegistration(
    provider,
    devices.map((d) => ({ address: d.address, publicKey: d.publicKey })),
    policy,
  );
  return fetch(`${gw.urls.http}/v1/providers`, {
    method: 'POST',
    body: JSON.stringify(req),
    headers: { 'content-type': 'application/json' },
  });
}

export function makeUpdate(
  device: KeyPair,
  provider: KeyPair,
  seq: number,
  over: Partial<UpdateBody> = {},
): SignedUpdate {
  const start = (Math.floor(Date.now() / 1000 / HOUR) - 1 - (seq % 1000)) * HOUR;
  const body: UpdateBody = {
    v: 1,
    id: randomUUID(),
    provider: provider.address,
    device: device.address,
    seq,
    cadence: 'hourly',
    window: { start, end: start + HOUR },
    policyVersion: 1,
    fields: { steps: 1000 + seq, heart_rate_avg: 70 },
    salt: makeSalt(),
    ...over,
  };
  return signUpdate(body, device);
}

/** A device over real MQTT, collecting its acks. */
export class TestDevice {
  readonly acks: Ack[] = [];
  readonly policies: unknown[] = [];
  constructor(
    readonly key: KeyPair,
    readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload) => {
      if (topic === topics.ack(key.address)) this.acks.push(JSON.parse(payload.toString()) as Ack);
      else if (topic === topics.policy(key.address) && payload.length > 0)
        this.policies.push(JSON.parse(payload.toString()));
    });
  }

  static async connect(
    url: string,
    key: KeyPair,
    opts: { password?: string; subscribe?: boolean; rejectUnauthorized?: boolean } = {},
  ): Promise<TestDevice> {
    const client = await mqtt.connectAsync(url, {
      username: key.address,
      password: opts.password ?? connectPassword(key, systemClock),
      clientId: `t-${key.address.slice(-12)}-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 0,
      protocolVersion: 4,
      rejectUnauthorized: opts.rejectUnauthorized ?? true,
    });
    const d = new TestDevice(key, client);
    if (opts.subscribe !== false)
      await client.subscribeAsync([topics.ack(key.address), topics.policy(key.address)], { qos: 1 });
    return d;
  }

  async publish(update: SignedUpdate | Buffer | string, topic = topics.up(this.key.address)): Promise<void> {
    await this.client.publishAsync(
      topic,
      typeof update === 'string' || Buffer.isBuffer(update) ? update : JSON.stringify(update),
      { qos: 1 },
    );
  }

  async ackFor(id: string, status?: Ack['status']): Promise<Ack> {
    return waitFor(
      () => this.acks.find((a) => a.id === id && (status === undefined || a.status === status)),
      `ack for ${id}`,
    );
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** Poll until `fn` returns a value (generous deadline: the machine is shared). */
/** Polls until `check` gives a truthy value; a throw counts as not yet, and the last one is named on timeout. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export { generateKeyPair };
