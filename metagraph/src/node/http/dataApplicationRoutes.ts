// Custom data-application routes (Tessellation serves a metagraph's own routes under /data-application/),
// on the L0 and data L1 listeners: entries by commitment with a Merkle inclusion proof against the entries
// root in their snapshot's on-chain state, the registry (providers, devices), receipts, reward cycles, and
// the status of a data update by its hash (pending / accepted in snapshot N / rejected with codes).
import { merkleProof } from '@datagraph/protocol';
import type { FastifyInstance } from 'fastify';
import type { StateDelta } from '../../rules/index.ts';
import type { DataApplication } from '../DataApplication.ts';
import type { MetagraphNode } from '../MetagraphNode.ts';
import { addressParam, hashParam, ordinalParam } from './params.ts';
import { notFound, sendJson } from './replies.ts';

export function dataApplicationRoutes(app: FastifyInstance, node: MetagraphNode, data: DataApplication): void {
  const state = data.state;
  app.get('/data-application/state', async (_req, reply) =>
    sendJson(reply, {
      ordinal: state.ordinal,
      calculatedStateHash: state.hash,
      totals: state.totals(),
      snapshot: node.latest,
    }),
  );
  app.get<{ Params: { hash: string } }>('/data-application/updates/:hash', async (req, reply) => {
    const status = await node.updateStatus(hashParam(req.params.hash));
    if (!status) throw notFound(`data update ${req.params.hash}`);
    return sendJson(reply, status);
  });
  app.get<{ Params: { commitment: string } }>('/data-application/entries/:commitment', async (req, reply) => {
    const entry = state.entry(hashParam(req.params.commitment));
    if (!entry) throw notFound(`entry ${req.params.commitment}`);
    return sendJson(reply, entry);
  });
  app.get<{ Params: { commitment: string } }>('/data-application/entries/:commitment/proof', async (req, reply) => {
    const commitment = hashParam(req.params.commitment);
    const entry = state.entry(commitment);
    if (!entry) throw notFound(`entry ${commitment}`);
    const [delta, snapshot, info] = await Promise.all([
      node.storedDelta<StateDelta>(entry.ordinal),
      node.snapshot(entry.ordinal),
      node.snapshotInfo(entry.ordinal),
    ]);
    if (!delta || !snapshot || !info) throw notFound(`snapshot ${entry.ordinal}`);
    const commitments = delta.entries.map((e) => e.commitment);
    const onChain = snapshot.value.dataApplication?.onChainState as { entriesRoot: string } | undefined;
    return sendJson(reply, {
      commitment,
      ordinal: entry.ordinal,
      snapshotHash: info.hash,
      entriesRoot: onChain?.entriesRoot,
      proof: merkleProof(commitments, entry.index),
    });
  });
  app.get<{ Params: { address: string } }>('/data-application/providers/:address', async (req, reply) => {
    const p = state.provider(addressParam(req.params.address));
    if (!p) throw notFound(`provider ${req.params.address}`);
    return sendJson(reply, p);
  });
  app.get<{ Params: { address: string } }>('/data-application/devices/:address', async (req, reply) => {
    const d = state.device(addressParam(req.params.address));
    if (!d) throw notFound(`device ${req.params.address}`);
    return sendJson(reply, d);
  });
  app.get<{ Params: { query: string } }>('/data-application/receipts/:query', async (req, reply) => {
    const r = state.queryReceipt(req.params.query);
    if (!r) throw notFound(`receipt for query ${req.params.query}`);
    return sendJson(reply, r);
  });
  app.get<{ Params: { gateway: string; cycle: string } }>(
    '/data-application/reward-cycles/:gateway/:cycle',
    async (req, reply) => {
      const r = state.rewardCycle(addressParam(req.params.gateway), ordinalParam(req.params.cycle));
      if (!r) throw notFound(`reward cycle ${req.params.cycle} of ${req.params.gateway}`);
      return sendJson(reply, r);
    },
  );
}
