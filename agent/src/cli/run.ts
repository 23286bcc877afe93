// `datagraph agent run`: load the device key, build the sample sources (real BLE through noble, or a simulated
// persona through the simulated radio and the same real noble), start the agent, stop on SIGINT/SIGTERM.
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, isDagAddress, ProtocolError, systemClock } from '@datagraph/protocol';
import type { PersonaWorld } from '@datagraph/simulators';
import pino from 'pino';
import { createAgent } from '../Agent.ts';
import type { AgentStatus } from '../AgentStatus.ts';
import { BleSampleSource } from '../ble/index.ts';
import { loadSystemNoble } from '../ble/loadNoble.ts';
import { loadDeviceKey, readPassphrase } from '../keys/deviceKey.ts';
import { acmeBandSensor, builtinSensors } from '../sensors/index.ts';
import type { CliIo } from './index.ts';
import { ScaledClock } from './ScaledClock.ts';
import { STATUS_FILE } from './status.ts';

export async function runRun(dir: string, values: Record<string, unknown>, io: CliIo): Promise<number> {
  const problems: string[] = [];
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!Number.isFinite(speed) || speed <= 0 || speed > 100_000)
    problems.push('--speed must be a number in (0, 100000]');
  if (values.speed !== undefined && values.simulate === undefined)
    problems.push('--speed needs --simulate (real sensors run in real time)');
  const start = values.start === undefined ? undefined : Date.parse(values.start as string);
  if (start !== undefined && !Number.isFinite(start))
    problems.push('--start must be a date such as 2026-11-20 or 2026-11-20T06:00Z (UTC)');
  if (values.start !== undefined && values.simulate === undefined)
    problems.push('--start needs --simulate (real sensors read the present)');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) problems.push('--seed must be an integer');
  const provider = values.provider as string | undefined;
  if (provider !== undefined && !isDagAddress(provider)) problems.push('--provider must be a DAG address');
  const broker = (values.broker as string | undefined) ?? io.env.DG_BROKER ?? 'mqtt://localhost:1883';
  if (!/^(mqtts?|wss?):\/\//.test(broker)) problems.push('--broker must be an mqtt://, mqtts://, ws:// or wss:// URL');
  if (problems.length)
    throw new ProtocolError('AG_CONFIG_INVALID', `invalid options: ${problems.join('; ')}`, { details: { problems } });

  const passphrase = await readPassphrase({
    env: io.env,
    passphraseFile: values['passphrase-file'] as string | undefined,
  });
  const device = await loadDeviceKey(dir, passphrase);
  const logger = pino({ name: 'datagraph-agent', level: io.env.DG_LOG_LEVEL ?? 'info' }, pino.destination(2));
  const clock: Clock =
    values.simulate !== undefined && (speed !== 1 || start !== undefined) ? new ScaledClock(speed, start) : systemClock;

  let world: PersonaWorld | undefined;
  let ble: BleSampleSource;
  if (values.simulate !== undefined) {
    // Loaded lazily: the simulators package is for development and demos, never needed on a real device.
    const sim = await import('@datagraph/simulators');
    const persona = values.simulate as string;
    try {
      sim.getPersona(persona);
    } catch (cause) {
      throw new ProtocolError('AG_CONFIG_INVALID', (cause as Error).message, { cause });
    }
    const simulation = sim.createPersonaSimulation({ persona, seed, clock, keepLogs: false });
    world = simulation.world;
    // GATT timeouts run on the agent's clock; a sped-up clock would shrink 15 s to a few real milliseconds, less
    // than the simulated radio needs to answer on a busy machine. Keep them 15 s of real time.
    ble = new BleSampleSource({
      sensors: [...builtinSensors, acmeBandSensor],
      clock,
      noble: simulation.noble,
      logger,
      timeoutMs: 15_000 * speed,
    });
  } else {
    ble = new BleSampleSource({
      sensors: [...builtinSensors, acmeBandSensor],
      clock,
      noble: () => loadSystemNoble(),
      logger,
    });
  }

  const statusFile = join(dir, STATUS_FILE);
  let pendingStatus: AgentStatus | null = null;
  let writing: Promise<void> = Promise.resolve();
  const writeStatus = (s: AgentStatus) => {
    pendingStatus = s;
    writing = writing.then(async () => {
      const next = pendingStatus;
      if (!next) return;
      pendingStatus = null;
      await writeFile(`${statusFile}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
      await rename(`${statusFile}.tmp`, statusFile);
    });
  };

  const agent = await createAgent({
    device,
    dataDir: join(dir, 'data'),
    clock,
    logger,
    provider,
    broker: values.offline ? undefined : { url: broker },
    sources: [ble],
    onStatus: writeStatus,
  });
  world?.on('meal', (r) => agent.record(r.sample));
  world?.start();
  io.out(
    `agent ${agent.deviceId} running${values.simulate ? ` (simulated persona ${values.simulate}, speed ${speed}x)` : ''}; broker ${values.offline ? 'none (offline)' : broker}`,
  );
  io.out(`status: datagraph agent status --dir ${dir}`);
  const statusTimer = setInterval(() => writeStatus(agent.status()), 5000);
  await (io.stopSignal ?? new Promise<void>(() => {}));
  clearInterval(statusTimer);
  world?.stop();
  await agent.close();
  await writing;
  io.out('agent stopped; unacked updates stay in the outbox for the next run');
  return 0;
}
