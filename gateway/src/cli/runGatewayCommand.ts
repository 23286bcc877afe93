// `datagraph gateway [--config FILE] [--mqtt-port N] [--mqtts-port N] [--http-port N] [--l0-url U] [--l1-url U]
//  [--data-l1-url U] [--data-dir DIR]`: run the gateway until SIGINT/SIGTERM.
import { isProtocolError } from '@datagraph/protocol';
import { FLAG_OVERRIDES, loadGatewayConfig } from '../config/GatewayConfig.ts';
import { startGateway } from '../Gateway.ts';
import { parseFlags } from './parseFlags.ts';

const USAGE = `usage: datagraph gateway [options]

Runs the edge gateway: MQTT broker (TCP, TLS, WebSocket at /mqtt), ingest, vault, batcher, REST API.

options (each overrides the config file and the environment; 0 = any free port):
  --config FILE        JSON config file (see docs/gateway.md)
  --mqtt-port N        MQTT over TCP (default 1883)
  --mqtts-port N       MQTT over TLS (default 8883)
  --http-port N        REST, /metrics, /healthz and MQTT over WebSocket at /mqtt (default 8080)
  --l0-url URL         metagraph L0 (default http://127.0.0.1:9200)
  --l1-url URL         currency L1 (default http://127.0.0.1:9300)
  --data-l1-url URL    data L1 (default http://127.0.0.1:9400)
  --data-dir DIR       LevelDB, keys and certificates (default .datagraph/gateway)
`;

export async function runGatewayCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const args = parseFlags(argv);
  if (args.flags['--help'] || args.flags['-h']) {
    console.log(USAGE);
    return 0;
  }
  const unknown = Object.keys(args.flags).filter((f) => f !== '--config' && !(f in FLAG_OVERRIDES));
  if (unknown.length > 0 || args.positional.length > 0) {
    console.error(
      `datagraph gateway: unknown option ${[...unknown, ...args.positional].join(', ')} (GW_CONFIG_INVALID)\n\n${USAGE}`,
    );
    return 2;
  }
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    const config = loadGatewayConfig({ file: args.flags['--config'], env, flags: args.flags });
    gateway = await startGateway(config);
  } catch (e) {
    if (isProtocolError(e)) {
      console.error(`datagraph gateway: ${e.message} (${e.code})`);
      return 2;
    }
    console.error(`datagraph gateway: could not start: ${(e as Error).message}`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await gateway.close();
  return 0;
}
