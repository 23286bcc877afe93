// `datagraph node`: run the local metagraph node until SIGINT or SIGTERM. All configuration is read here
// (flags), validated at once (every problem listed), then handed to startNode.
import { parseArgs } from 'node:util';
import { isDagAddress, isProtocolError } from '@datagraph/protocol';
import { pino } from 'pino';
import { DEFAULT_PORTS, startNode } from '../node/startNode.ts';

export const NODE_USAGE = `usage: datagraph node --data-dir DIR --genesis FILE --snapshot-interval MS [options]

Run a local metagraph node: metagraph L0, currency L1 and data L1 in one process, state in LevelDB.
dag4's MetagraphTokenClient works against it unchanged (see docs/metagraph-node.md).

required:
  --data-dir DIR             LevelDB directory (created if missing; reuse it to keep state)
  --genesis FILE             genesis balances, JSON: {"balances": {"DAG...": "100000000000"}} (base units)
  --snapshot-interval MS     time between snapshots in milliseconds (0 = never on a timer)

options:
  --l0-port PORT             metagraph L0 and block explorer (default ${DEFAULT_PORTS.l0})
  --l1-port PORT             currency L1 (default ${DEFAULT_PORTS.l1})
  --data-l1-port PORT        data L1 (default ${DEFAULT_PORTS.dataL1})
  --host HOST                interface to listen on (default 127.0.0.1)
  --authorised-gateway ADDR  a gateway DAG address whose data updates are taken (repeatable)
  --log-level LEVEL          pino level: fatal, error, warn, info, debug, trace, silent (default info)
  -h, --help                 show this help
`;

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function port(name: string, value: string | undefined, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535) {
    problems.push(`--${name}: '${value}' is not a port number (0-65535)`);
    return undefined;
  }
  return Number(value);
}

/** Runs the node; resolves with the exit code once it has shut down (or at once on a config error). */
export async function runNodeCommand(argv: string[], signals: NodeJS.EventEmitter = process): Promise<number> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        genesis: { type: 'string' },
        'snapshot-interval': { type: 'string' },
        'l0-port': { type: 'string' },
        'l1-port': { type: 'string' },
        'data-l1-port': { type: 'string' },
        host: { type: 'string' },
        'authorised-gateway': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`datagraph node: ${(e as Error).message} (MG_BAD_CONFIG)\n\n${NODE_USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(NODE_USAGE);
    return 0;
  }
  const problems: string[] = [];
  const dataDir = values['data-dir'] as string | undefined;
  const genesis = values.genesis as string | undefined;
  const interval = values['snapshot-interval'] as string | undefined;
  if (!dataDir) problems.push('--data-dir is required');
  if (!genesis) problems.push('--genesis is required');
  if (interval === undefined) problems.push('--snapshot-interval is required');
  else if (!/^[0-9]{1,9}$/.test(interval))
    problems.push(`--snapshot-interval: '${interval}' is not a whole number of milliseconds`);
  const ports = {
    l0: port('l0-port', values['l0-port'] as string | undefined, problems),
    l1: port('l1-port', values['l1-port'] as string | undefined, problems),
    dataL1: port('data-l1-port', values['data-l1-port'] as string | undefined, problems),
  };
  const gateways = (values['authorised-gateway'] as string[] | undefined) ?? [];
  for (const g of gateways)
    if (!isDagAddress(g)) problems.push(`--authorised-gateway: '${g}' is not a valid DAG address`);
  const level = (values['log-level'] as string | undefined) ?? 'info';
  if (!LEVELS.includes(level)) problems.push(`--log-level: '${level}' is not one of ${LEVELS.join(', ')}`);
  if (problems.length > 0) {
    console.error(
      `datagraph node: invalid configuration (MG_BAD_CONFIG):\n  ${problems.join('\n  ')}\n\nRun \`datagraph node --help\` for the options.`,
    );
    return 2;
  }

  const logger = pino({ name: 'metagraph-node', level });
  let node: Awaited<ReturnType<typeof startNode>>;
  try {
    node = await startNode({
      dataDir: dataDir as string,
      genesis: genesis as string,
      snapshotIntervalMs: Number(interval),
      ports: Object.fromEntries(Object.entries(ports).filter(([, v]) => v !== undefined)),
      ...(values.host ? { host: values.host as string } : {}),
      logger,
      rules: { authorisedGateways: gateways },
    });
  } catch (e) {
    const code = isProtocolError(e) ? e.code : ((e as { code?: string }).code ?? 'MG_INTERNAL');
    console.error(`datagraph node: cannot start (${code}): ${(e as Error).message}`);
    return 1;
  }
  console.log(
    `metagraph L0 ${node.urls.l0}  currency L1 ${node.urls.l1}  data L1 ${node.urls.dataL1}  block explorer ${node.urls.be}`,
  );

  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      logger.info({ signal }, 'shutting down');
      node.close().then(
        () => resolve(0),
        (err) => {
          logger.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    signals.on('SIGINT', onInt);
    signals.on('SIGTERM', onTerm);
  });
}
