// `datagraph agent init | run | status`: config loading and wiring for the device agent. The only place in the
// agent that reads process.env and argv.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isProtocolError } from '@datagraph/protocol';

export interface CliIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `run` stops then. */
  stopSignal?: Promise<void>;
}

const USAGE = `usage: datagraph agent <command> [options]

commands:
  init     create the device key (dag4 encrypted keystore) and print the pairing code
  run      run the agent: BLE sensors (or --simulate PERSONA) -> aggregate -> consent -> sign -> outbox -> MQTT
  status   outbox depth, last ack, dead letters, sensors, policy (of the running or last run agent)

options:
  --dir DIR               agent directory (default $DG_AGENT_DIR or ~/.datagraph/agent)
  --passphrase-file FILE  keystore passphrase (default: env DG_PASSPHRASE)
  --scrypt-n N            (init) keystore scrypt work factor, a power of two from 16384 to 262144 (default 262144,
                          dag4's: opening it needs 256 MiB for a second; 16384 needs 16 MiB, see docs/agent.md)
  --broker URL            (run) mqtt://, mqtts:// or ws:// URL of the gateway (default mqtt://localhost:1883)
  --provider ADDRESS      (run) the provider this device is paired with (default: the first valid policy's)
  --simulate PERSONA      (run) a simulated wearable persona through the simulated radio and real noble
  --seed N                (run) persona seed (default 1)
  --speed N               (run) with --simulate: simulated time runs N times faster (default 1)
  --start DATE            (run) with --simulate: simulated time starts at DATE, UTC (default now), e.g. 2026-11-20
  --offline               (run) no broker: updates wait in the outbox
  --json                  (status) print the raw status JSON`;

export function defaultIo(): CliIo {
  return {
    env: process.env,
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    stopSignal: new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    }),
  };
}

export async function runAgentCommand(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        dir: { type: 'string' },
        'passphrase-file': { type: 'string' },
        'scrypt-n': { type: 'string' },
        broker: { type: 'string' },
        provider: { type: 'string' },
        simulate: { type: 'string' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        start: { type: 'string' },
        offline: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    io.err(`datagraph agent: ${(e as Error).message} (AG_CONFIG_INVALID)\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const dir = (values.dir as string | undefined) ?? io.env.DG_AGENT_DIR ?? join(homedir(), '.datagraph', 'agent');
  try {
    switch (command) {
      // Each command is loaded only when run: a device running `run` for months never holds init's or status's code.
      case 'init':
        return await (await import('./init.ts')).runInit(dir, values, io);
      case 'run':
        return await (await import('./run.ts')).runRun(dir, values, io);
      case 'status':
        return await (await import('./status.ts')).runStatus(dir, values, io);
      default:
        io.err(`datagraph agent: unknown command '${command}' (AG_CONFIG_INVALID)\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (isProtocolError(e)) {
      io.err(`datagraph agent ${command}: ${e.message} (${e.code})`);
      return 1;
    }
    throw e;
  }
}
