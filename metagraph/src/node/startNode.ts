// startNode: the local metagraph node in one process, three listeners (metagraph L0, currency L1, data L1)
// on Euclid's usual ports unless told otherwise (0 = ephemeral), one LevelDB under dataDir, a snapshot every
// snapshotIntervalMs. The block explorer subset is served on the L0 listener (urls.be === urls.l0).
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { type Clock, systemClock } from '@datagraph/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { RulesConfig } from '../rules/index.ts';
import { DataApplication } from './DataApplication.ts';
import { type Genesis, loadGenesisFile, parseGenesis } from './Genesis.ts';
import { blockExplorerRoutes } from './http/blockExplorerRoutes.ts';
import { clusterRoutes } from './http/clusterRoutes.ts';
import { dataApplicationRoutes } from './http/dataApplicationRoutes.ts';
import { dataL1Routes } from './http/dataL1Routes.ts';
import { l0Routes } from './http/l0Routes.ts';
import { l1Routes } from './http/l1Routes.ts';
import { installReplies } from './http/replies.ts';
import { MetagraphNode } from './MetagraphNode.ts';
import { NodeStore } from './NodeStore.ts';

export const DEFAULT_PORTS = { l0: 9200, l1: 9300, dataL1: 9400 } as const;
export const NODE_VERSION = '0.1.0';

/** Request body limits: a transaction is under 1 KiB; an IngestBatch of 5,000 entries is about 5 MB. */
export const BODY_LIMITS = { l0: 64 * 1024, l1: 64 * 1024, dataL1: 16 * 1024 * 1024 } as const;

export interface StartNodeOptions {
  dataDir: string;
  /** A genesis object, or the path of a genesis JSON file. */
  genesis: Genesis | string;
  /** Time between snapshots; 0 = only when snapshotNow() is called. */
  snapshotIntervalMs: number;
  ports?: { l0?: number; l1?: number; dataL1?: number };
  host?: string;
  logger?: Logger;
  rules?: { authorisedGateways: string[] };
  clock?: Clock;
}

export interface RunningNode {
  urls: { l0: string; l1: string; dataL1: string; be: string };
  /** The node's peer id (public key) and the address that signs its snapshots. */
  nodeId: string;
  /** Cut a snapshot now from everything pending; resolves with its ordinal once it is durable. */
  snapshotNow(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Start the local metagraph node. Resolves once all three listeners are up.
 *
 * @example
 * ```ts
 * import { startNode } from '@datagraph/metagraph';
 * const node = await startNode({
 *   dataDir: '/tmp/dg-node',
 *   genesis: { balances: { DAG4...: '100000000000' } }, // or a path to a genesis JSON file
 *   snapshotIntervalMs: 1000,
 *   ports: { l0: 0, l1: 0, dataL1: 0 },                  // 0 = ephemeral
 *   rules: { authorisedGateways: ['DAG...gateway'] },
 * });
 * // point dag4 at node.urls.l0 / l1 / dataL1 / be ...
 * const ordinal = await node.snapshotNow();
 * await node.close();
 * ```
 */
export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  const log = options.logger ?? pino({ name: 'metagraph-node' });
  const clock = options.clock ?? systemClock;
  const host = options.host ?? '127.0.0.1';
  const genesis =
    typeof options.genesis === 'string' ? await loadGenesisFile(options.genesis) : parseGenesis(options.genesis);
  const rules = RulesConfig.parse({ authorisedGateways: options.rules?.authorisedGateways ?? [] });
  if (!Number.isInteger(options.snapshotIntervalMs) || options.snapshotIntervalMs < 0) {
    throw new RangeError('snapshotIntervalMs must be a non-negative integer');
  }

  await mkdir(options.dataDir, { recursive: true });
  const store = await NodeStore.open(options.dataDir);
  const data = new DataApplication(rules);
  let node: MetagraphNode;
  try {
    node = await MetagraphNode.open({ store, genesis, clock, logger: log.child({ component: 'ledger' }), data });
  } catch (e) {
    await store.close();
    throw e;
  }

  const session = randomUUID();
  const servers: FastifyInstance[] = [];
  const listen = async (name: 'l0' | 'l1' | 'dataL1', register: (app: FastifyInstance) => void): Promise<string> => {
    const app = Fastify({ logger: false, bodyLimit: BODY_LIMITS[name] });
    installReplies(app, log.child({ component: `http-${name}` }));
    clusterRoutes(app, {
      id: node.nodeId,
      host,
      port: () => (app.server.address() as { port: number }).port,
      session,
      version: NODE_VERSION,
    });
    register(app);
    servers.push(app);
    await app.listen({ port: options.ports?.[name] ?? DEFAULT_PORTS[name], host });
    const port = (app.server.address() as { port: number }).port;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  };

  let urls: RunningNode['urls'];
  try {
    const l0 = await listen('l0', (app) => {
      l0Routes(app, node);
      blockExplorerRoutes(app, node);
      dataApplicationRoutes(app, node, data);
    });
    const l1 = await listen('l1', (app) => l1Routes(app, node));
    const dataL1 = await listen('dataL1', (app) => {
      dataL1Routes(app, node, data, node.nodeAddress);
      dataApplicationRoutes(app, node, data);
    });
    urls = { l0, l1, dataL1, be: l0 };
  } catch (e) {
    await Promise.allSettled(servers.map((s) => s.close()));
    await store.close();
    throw e;
  }

  let closed = false;
  let timer: { cancel(): void } | undefined;
  const schedule = (): void => {
    if (closed || options.snapshotIntervalMs === 0) return;
    timer = clock.setTimeout(() => {
      node
        .cutSnapshot()
        .catch((err) => log.error({ err }, 'snapshot failed; will retry at the next interval'))
        .finally(schedule);
    }, options.snapshotIntervalMs);
  };
  schedule();
  log.info(
    { urls, dataDir: options.dataDir, ordinal: node.latest.ordinal, snapshotIntervalMs: options.snapshotIntervalMs },
    'metagraph node listening',
  );

  return {
    urls,
    nodeId: node.nodeId,
    snapshotNow: () => node.cutSnapshot(),
    async close() {
      if (closed) return;
      closed = true;
      timer?.cancel();
      await Promise.allSettled(servers.map((s) => s.close()));
      await node.whenIdle();
      await store.close();
      log.info('metagraph node stopped');
    },
  };
}
