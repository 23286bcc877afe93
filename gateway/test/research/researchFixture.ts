// A local node and a real gateway with k = 10 and providers whose rows are committed, populated over real MQTT
// with signed updates (gateway/test/helpers.ts), and a genesis-funded researcher wallet paying with dag4.
import { randomUUID } from 'node:crypto';
import type { startNode } from '@datagraph/metagraph';
import {
  type ConsentPolicy,
  type KeyPair,
  makeSalt,
  type QueryStatus,
  type SignedUpdate,
  signUpdate,
  type UpdateBody,
} from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import type { RunningGateway } from '../../src/Gateway.ts';
import { buildProviderAction } from '../../src/registry/providerRequests.ts';
import {
  cleanup,
  generateKeyPair,
  HOUR,
  makeUpdate,
  policyFor,
  registerProvider,
  startLedgerAndGateway,
  TestDevice,
  tempDir,
  waitFor,
} from '../helpers.ts';

export const PROVIDERS = 12;
export const HOURLY_PER_PROVIDER = 3;
export const PER_ROW = 100_000n;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read loosely in tests
type Json = any;

export interface Fixture {
  node: Awaited<ReturnType<typeof startNode>>;
  gw: RunningGateway;
  researcher: KeyPair;
  treasury: KeyPair;
  providers: { key: KeyPair; device: KeyPair; gender: string; policyVersion: number }[];
  /** dag4 transfer from the researcher wallet: the tx hash. */
  pay(to: string, baseUnits: bigint): Promise<string>;
  api(
    path: string,
    init?: { method?: string; body?: unknown; token?: string },
  ): Promise<{
    status: number;
    body: Json;
    headers: Headers;
    text: string;
  }>;
  /** POST /v1/queries, then GET until the query is no longer pending. */
  buyAndSettle(quoteId: string, txHash: string): Promise<{ first: number; status: QueryStatus; token: string }>;
  stop(i: number, action: 'RevokeConsent' | 'EraseData'): Promise<void>;
  close(): Promise<void>;
}

const policy = (p: KeyPair): ConsentPolicy =>
  policyFor(p, 1, { steps: ['hourly'], heart_rate_avg: ['hourly'], gender: ['profile'], age_band: ['profile'] });

export async function startFixture(): Promise<Fixture> {
  const dir = tempDir('research');
  const researcher = generateKeyPair();
  const treasury = generateKeyPair();
  const gatewayKey = generateKeyPair();
  let started: Awaited<ReturnType<typeof startLedgerAndGateway>>;
  try {
    started = await startLedgerAndGateway(dir, {
      researcher,
      gatewayKey,
      masterKeyHex: '22'.repeat(32),
      configure: (config) => {
        config.treasury.address = treasury.address;
        Object.assign(config.research, { minProviders: 10, paymentWaitMs: 1500, paymentPollMs: 150 });
      },
    });
  } catch (e) {
    cleanup(dir);
    throw e;
  }
  const { node, gw } = started;

  const providers: Fixture['providers'] = [];
  const devices: TestDevice[] = [];
  const ids: { device: TestDevice; id: string }[] = [];
  const base = (Math.floor(Date.now() / 1000 / HOUR) - 48) * HOUR;
  for (let i = 0; i < PROVIDERS; i++) {
    const key = generateKeyPair();
    const device = generateKeyPair();
    const res = await registerProvider(gw, key, [device], policy(key));
    if (res.status !== 201) throw new Error(`registration: ${res.status} ${await res.text()}`);
    const gender = i % 2 === 0 ? 'female' : 'male';
    providers.push({ key, device, gender, policyVersion: 1 });
    const d = await TestDevice.connect(gw.urls.mqtt, device);
    devices.push(d);
    const profile: UpdateBody = {
      v: 1,
      id: randomUUID(),
      provider: key.address,
      device: device.address,
      seq: 1,
      cadence: 'profile',
      window: { start: base, end: base + 1 },
      policyVersion: 1,
      fields: { gender, age_band: '25-34' },
      salt: makeSalt(),
    };
    const updates: SignedUpdate[] = [signUpdate(profile, device)];
    for (let h = 0; h < HOURLY_PER_PROVIDER; h++) {
      const start = base + h * HOUR;
      updates.push(
        makeUpdate(device, key, h + 2, {
          window: { start, end: start + HOUR },
          fields: { steps: 100 * i + h, heart_rate_avg: 60 + h },
        }),
      );
    }
    for (const u of updates) {
      await d.publish(u);
      ids.push({ device: d, id: u.body.id });
    }
  }
  for (const { device, id } of ids) await device.ackFor(id, 'committed');
  for (const d of devices) await d.close();

  const account = dag4.createAccount();
  account.loginPrivateKey(researcher.privateKey);
  const client = account.createMetagraphTokenClient({
    id: 'datagraph-local',
    metagraphId: 'datagraph',
    l0Url: node.urls.l0,
    l1Url: node.urls.l1,
    dl1Url: node.urls.dataL1,
    beUrl: node.urls.be,
  } as never);

  const api: Fixture['api'] = async (path, init = {}) => {
    const res = await fetch(`${gw.urls.http}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body, headers: res.headers, text };
  };

  return {
    node,
    gw,
    researcher,
    treasury,
    providers,
    api,
    async pay(to, baseUnits) {
      const pending = await client.transfer(to, Number(baseUnits) / 1e8, 0);
      return (pending as { hash: string }).hash;
    },
    async buyAndSettle(quoteId, txHash) {
      const first = await api('/v1/queries', { body: { quoteId, txHash } });
      if (first.status !== 201 && first.status !== 202)
        throw new Error(`POST /v1/queries: ${first.status} ${first.text}`);
      const token = first.body.token as string;
      const status = await waitFor(async () => {
        const r = await api(`/v1/queries/${first.body.queryId}`, { token });
        return r.body.status !== 'pending' ? (r.body as QueryStatus) : undefined;
      }, 'query to settle');
      return { first: first.status, status, token };
    },
    async stop(i, action) {
      const p = providers[i] as Fixture['providers'][number];
      const path = action === 'RevokeConsent' ? 'revoke' : 'erase';
      const body = buildProviderAction(p.key, action, p.policyVersion, Math.floor(Date.now() / 1000));
      const r = await api(`/v1/providers/${p.key.address}/${path}`, { body });
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    },
    async close() {
      await gw.close();
      await node.close();
      cleanup(dir);
    },
  };
}
