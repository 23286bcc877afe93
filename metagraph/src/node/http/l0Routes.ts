// Metagraph L0 (default port 9200): snapshots, balances and total supply, as dag4 2.8.1's
// MetagraphTokenL0Api calls them (`/currency/{address}/balance`, `/currency/{ordinal}/{address}/balance`,
// `/currency/total-supply`, `/currency/{ordinal}/total-supply`) plus Tessellation's snapshot routes.
import type { FastifyInstance } from 'fastify';
import type { MetagraphNode } from '../MetagraphNode.ts';
import { addressParam, ordinalParam } from './params.ts';
import { notFound, sendJson } from './replies.ts';

export function l0Routes(app: FastifyInstance, node: MetagraphNode): void {
  app.get('/snapshots/latest', async (_req, reply) => sendJson(reply, await node.snapshot(node.latest.ordinal)));
  app.get('/snapshots/latest/ordinal', async (_req, reply) => sendJson(reply, { value: node.latest.ordinal }));
  app.get('/snapshots/latest/combined', async (_req, reply) => {
    const ordinal = node.latest.ordinal;
    const balances = Object.fromEntries([...node.ledger.balances].sort(([a], [b]) => (a < b ? -1 : 1)));
    const lastTxRefs = Object.fromEntries([...node.ledger.lastRefs].sort(([a], [b]) => (a < b ? -1 : 1)));
    return sendJson(reply, [await node.snapshot(ordinal), { balances, lastTxRefs }]);
  });
  // The gateway reads every new snapshot here to learn what was committed: the stored JSON text is sent as is
  // (a snapshot holds no bigints, so it is what sendJson would write, up to member order).
  app.get<{ Params: { ordinal: string } }>('/snapshots/:ordinal', async (req, reply) => {
    const text = await node.snapshotText(ordinalParam(req.params.ordinal));
    if (text === undefined) throw notFound(`snapshot ${req.params.ordinal}`);
    return reply.code(200).type('application/json; charset=utf-8').send(text);
  });

  app.get('/currency/total-supply', async (_req, reply) =>
    sendJson(reply, { ordinal: node.latest.ordinal, total: node.totalSupply }),
  );
  // One parameter name per path position (find-my-way): `:p` is an address or an ordinal by route.
  app.get<{ Params: { p: string } }>('/currency/:p/total-supply', async (req, reply) => {
    const ordinal = ordinalParam(req.params.p);
    const info = await node.snapshotInfo(ordinal);
    if (!info) throw notFound(`snapshot ${ordinal}`);
    return sendJson(reply, { ordinal, total: BigInt(info.totalSupply) });
  });
  app.get<{ Params: { p: string } }>('/currency/:p/balance', async (req, reply) => {
    const b = await node.balance(addressParam(req.params.p));
    return sendJson(reply, { ordinal: b?.ordinal, balance: b?.balance ?? 0n });
  });
  app.get<{ Params: { p: string; address: string } }>('/currency/:p/:address/balance', async (req, reply) => {
    const ordinal = ordinalParam(req.params.p);
    const b = await node.balance(addressParam(req.params.address), ordinal);
    if (!b) throw notFound(`snapshot ${ordinal}`);
    return sendJson(reply, { ordinal: b.ordinal, balance: b.balance });
  });
  app.get('/metric', async (_req, reply) =>
    reply
      .type('text/plain; version=0.0.4')
      .send(`# TYPE datagraph_snapshot_ordinal gauge\ndatagraph_snapshot_ordinal ${node.latest.ordinal}\n`),
  );
}
