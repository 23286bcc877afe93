// The block-explorer subset dag4 2.8.1's MetagraphTokenNetwork uses (BlockExplorerV2Api), served on the L0
// listener: `/currency/{metagraphId}/transactions/{hash}` (dag4's confirmation check), `.../addresses/{a}/
// transactions` (history), `.../snapshots/latest`, `.../addresses/{a}/balance`. Responses are `{data}`
// (and `meta.next` for lists) as the real block explorer sends. This node serves one metagraph: any id works.
// (`:p` is the metagraph id: find-my-way wants one parameter name per path position, see l0Routes.ts.)
import { canonicalJson } from '@datagraph/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MetagraphNode } from '../MetagraphNode.ts';
import { sha256Hex } from '../Snapshot.ts';
import { addressParam, hashParam, limitParam } from './params.ts';
import { notFound, sendJson } from './replies.ts';

export function blockExplorerRoutes(app: FastifyInstance, node: MetagraphNode): void {
  app.get<{ Params: { p: string; hash: string } }>('/currency/:p/transactions/:hash', async (req, reply) => {
    const tx = await node.confirmedTransaction(hashParam(req.params.hash));
    if (!tx) throw notFound(`transaction ${req.params.hash}`);
    return sendJson(reply, { data: tx });
  });
  // dag4 sends limit, search_after, search_before or next (mutually exclusive): BlockExplorerV2Api.buildRequestParams.
  type H = {
    Params: { p: string; address: string };
    Querystring: { limit?: string; search_after?: string; search_before?: string; next?: string };
  };
  const history = (filter: 'all' | 'sent' | 'received') => async (req: FastifyRequest<H>, reply: FastifyReply) => {
    const address = addressParam(req.params.address);
    const q = req.query;
    const { items, next } = await node.addressTransactions(address, {
      limit: limitParam(q.limit, 10, 1000),
      filter,
      ...(q.search_after ? { olderThan: q.search_after } : {}),
      ...(q.search_before ? { newerThan: q.search_before } : {}),
      ...(q.next ? { after: Buffer.from(q.next, 'base64url').toString('utf8') } : {}),
    });
    return sendJson(
      reply,
      next ? { data: items, meta: { next: Buffer.from(next, 'utf8').toString('base64url') } } : { data: items },
    );
  };
  app.get<H>('/currency/:p/addresses/:address/transactions', history('all'));
  app.get<H>('/currency/:p/addresses/:address/transactions/sent', history('sent'));
  app.get<H>('/currency/:p/addresses/:address/transactions/received', history('received'));
  app.get<{ Params: { p: string; address: string } }>('/currency/:p/addresses/:address/balance', async (req, reply) => {
    const address = addressParam(req.params.address);
    const b = await node.balance(address);
    return sendJson(reply, { data: { address, balance: b?.balance ?? 0n, ordinal: b?.ordinal ?? 0 } });
  });
  app.get<{ Params: { p: string } }>('/currency/:p/snapshots/latest', async (_req, reply) => {
    const { ordinal, hash } = node.latest;
    const s = await node.snapshot(ordinal);
    if (!s) throw notFound('latest snapshot');
    return sendJson(reply, {
      data: {
        hash,
        ordinal,
        height: s.value.height,
        subHeight: s.value.subHeight,
        lastSnapshotHash: s.value.lastSnapshotHash,
        blocks: s.value.blocks.map((b) => sha256Hex(canonicalJson(b.block.value))),
        epochProgress: s.value.epochProgress,
        timestamp: s.value.timestamp,
      },
    });
  });
}
