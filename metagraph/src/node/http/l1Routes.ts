// Currency L1 (default port 9300), as dag4 2.8.1's L1Api calls it: POST /transactions -> {hash};
// GET /transactions/{hash} -> Tessellation's TransactionView {transaction, hash, status} while pending, else
// 404 (the block explorer has it once a snapshot took it); GET /transactions/last-reference/{address}.
import type { FastifyInstance } from 'fastify';
import type { MetagraphNode } from '../MetagraphNode.ts';
import { addressParam, hashParam } from './params.ts';
import { notFound, sendJson } from './replies.ts';

export function l1Routes(app: FastifyInstance, node: MetagraphNode): void {
  app.post('/transactions', async (req, reply) => sendJson(reply, { hash: await node.submitTransaction(req.body) }));
  app.get<{ Params: { address: string } }>('/transactions/last-reference/:address', async (req, reply) =>
    sendJson(reply, node.ledger.headRef(addressParam(req.params.address))),
  );
  app.get<{ Params: { hash: string } }>('/transactions/:hash', async (req, reply) => {
    const tx = await node.pendingTransaction(hashParam(req.params.hash));
    if (!tx) throw notFound(`pending transaction ${req.params.hash}`);
    return sendJson(reply, { transaction: tx.signed.value, hash: tx.hash, status: 'Waiting' });
  });
}
