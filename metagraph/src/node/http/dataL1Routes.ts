// Data L1 (default port 9400), as dag4 2.8.1's MetagraphTokenDataL1Api calls it: POST /data with a
// `Signed[DataUpdate]` `{value, proofs}` -> {hash}; POST /data/estimate-fee -> {fee, address, updateHash}.
// Tessellation's fee-carrying form `{data: {value, proofs}, fee}` is accepted with fee absent or null: this
// node charges no data fees. Stateless problems are a 400 listing every code; stateful ones are decided at
// the next snapshot and shown by GET /data-application/updates/{hash}.
import { ProtocolError } from '@datagraph/protocol';
import type { FastifyInstance } from 'fastify';
import type { DataApplication } from '../DataApplication.ts';
import type { MetagraphNode } from '../MetagraphNode.ts';
import { sendJson } from './replies.ts';

function unwrap(body: unknown): unknown {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'data' in body && !('value' in body)) {
    const { data, fee, ...rest } = body as { data: unknown; fee?: unknown };
    if (fee !== undefined && fee !== null)
      throw new ProtocolError(
        'MG_BAD_REQUEST',
        'this node charges no data fees: send the update without a fee transaction',
      );
    if (Object.keys(rest).length > 0)
      throw new ProtocolError('MG_MALFORMED', `unknown keys beside data: ${Object.keys(rest).join(', ')}`);
    return data;
  }
  return body;
}

export function dataL1Routes(
  app: FastifyInstance,
  node: MetagraphNode,
  data: DataApplication,
  feeAddress: string,
): void {
  app.post('/data', async (req, reply) => sendJson(reply, { hash: await node.submitUpdate(unwrap(req.body)) }));
  app.post('/data/estimate-fee', async (req, reply) => {
    const body = unwrap(req.body);
    const problems = data.validateUpdate(body);
    if (problems.length > 0) {
      const first = problems[0] as (typeof problems)[number];
      throw new ProtocolError(first.code as never, problems.map((p) => p.message).join('; '), {
        details: { errors: problems },
      });
    }
    return sendJson(reply, { fee: 0, address: feeAddress, updateHash: data.updateHash(body as never) });
  });
}
