// A dataset backed by a real ledger, independent of the gateway's server side: a local metagraph node
// (startNode), a provider registered through dag4's data L1 call, real device-signed updates sent as gateway
// IngestBatches with dag4's sendDataTransaction, and each row's Merkle proof read from the node's own proof route.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningNode, startNode } from '@datagraph/metagraph';
import {
  type DatasetRow,
  type FieldName,
  generateKeyPair,
  type KeyPair,
  MerkleProof,
  makeSalt,
  signUpdate,
  signValue,
  toIngestEntry,
  type UpdateBody,
} from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import pino from 'pino';

export const EPOCH = 1767225600; // 2026-01-01T00:00:00Z
export const FIELDS: FieldName[] = ['heart_rate_avg', 'steps'];

export interface LedgerDataset {
  node: RunningNode;
  rows: DatasetRow[];
  dir: string;
  close(): Promise<void>;
}

function signed(value: unknown, key: KeyPair) {
  return { value, proofs: [signValue(key.privateKey, key.publicKey, value)] };
}

/** `perSnapshot` rows in each of `snapshots` snapshots, from two devices of one provider. */
export async function ledgerDataset(snapshots = 2, perSnapshot = 4, funded: KeyPair[] = []): Promise<LedgerDataset> {
  const dir = mkdtempSync(join(tmpdir(), 'dg-rcli-'));
  const gateway = generateKeyPair();
  const provider = generateKeyPair();
  const devices = [generateKeyPair(), generateKeyPair()];
  const node = await startNode({
    dataDir: join(dir, 'node'),
    genesis: { balances: Object.fromEntries(funded.map((k) => [k.address, '1000000000000'])) },
    snapshotIntervalMs: 0,
    ports: { l0: 0, l1: 0, dataL1: 0 },
    logger: pino({ level: 'silent' }),
    rules: { authorisedGateways: [gateway.address] },
  });
  const account = dag4.createAccount();
  account.loginPrivateKey(gateway.privateKey);
  const client = account.createMetagraphTokenClient({
    id: 'dg',
    metagraphId: 'dg',
    l0Url: node.urls.l0,
    l1Url: node.urls.l1,
    dl1Url: node.urls.dataL1,
    beUrl: node.urls.be,
  } as never);
  const policy = {
    v: 1,
    provider: provider.address,
    version: 1,
    fields: { heart_rate_avg: ['hourly'], steps: ['hourly'] },
    generalisation: {},
    issuedAt: EPOCH - 86400,
    expiresAt: null,
  };
  const register = {
    type: 'RegisterProvider',
    v: 1,
    provider: provider.address,
    devices: devices.map((d) => ({ address: d.address, publicKey: d.publicKey })),
    policy,
  };
  await client.sendDataTransaction(signed(register, provider) as never);
  await node.snapshotNow();
  const seq = [0, 0];
  const rows: DatasetRow[] = [];
  for (let s = 0; s < snapshots; s++) {
    const updates = Array.from({ length: perSnapshot }, (_, i) => {
      const d = i % 2;
      seq[d] = (seq[d] as number) + 1;
      const n = seq[d] as number;
      const hour = s * perSnapshot + i;
      const fields: UpdateBody['fields'] = { steps: 100 + hour * 7, heart_rate_avg: 60 + (hour % 30) };
      if (i % 3 === 0) delete fields.heart_rate_avg; // an absent field: an empty CSV cell
      const body: UpdateBody = {
        v: 1,
        id: crypto.randomUUID(),
        provider: provider.address,
        device: (devices[d] as KeyPair).address,
        seq: n,
        cadence: 'hourly',
        window: { start: EPOCH + hour * 3600, end: EPOCH + (hour + 1) * 3600 },
        policyVersion: 1,
        fields,
        salt: makeSalt(),
      };
      return signUpdate(body, devices[d] as KeyPair);
    });
    const batch = {
      type: 'IngestBatch',
      v: 1,
      gateway: gateway.address,
      batch: crypto.randomUUID(),
      entries: updates.map(toIngestEntry),
    };
    await client.sendDataTransaction(signed(batch, gateway) as never);
    const ordinal = await node.snapshotNow();
    for (const u of updates) {
      const res = await fetch(`${node.urls.l0}/data-application/entries/${u.commitment}/proof`);
      const p = (await res.json()) as { ordinal: number; entriesRoot: string; proof: unknown };
      if (p.ordinal !== ordinal) throw new Error(`entry in snapshot ${p.ordinal}, expected ${ordinal}`);
      rows.push({
        row: rows.length,
        body: u.body,
        commitment: u.commitment,
        proof: u.proof,
        ordinal,
        merkle: MerkleProof.parse(p.proof),
        entriesRoot: p.entriesRoot,
      });
    }
  }
  return {
    node,
    rows,
    dir,
    close: async () => {
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
