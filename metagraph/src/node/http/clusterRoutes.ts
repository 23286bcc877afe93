// GET /cluster/info and /node/info, on every listener, shaped as Tessellation answers them: a one-node
// cluster in state Ready. dag4's processClusterInfo maps these fields without failing on them.
import type { FastifyInstance } from 'fastify';
import { sendJson } from './replies.ts';

export interface NodeIdentity {
  /** Public key (128 hex chars): Tessellation's peer id. */
  id: string;
  host: string;
  /** This listener's port, read after listen (0 = ephemeral in tests). */
  port: () => number;
  session: string;
  version: string;
}

export function clusterRoutes(app: FastifyInstance, node: NodeIdentity): void {
  const info = () => ({
    id: node.id,
    ip: node.host,
    publicPort: node.port(),
    p2pPort: node.port(),
    session: node.session,
    state: 'Ready',
  });
  app.get('/cluster/info', async (_req, reply) => sendJson(reply, [info()]));
  app.get('/node/info', async (_req, reply) =>
    sendJson(reply, { ...info(), host: node.host, clusterSession: node.session, version: node.version }),
  );
}
