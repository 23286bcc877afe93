// One call to get a persona's world wired to the real noble: what `datagraph agent run --simulate PERSONA` and
// the end-to-end tests need.
import { createNobleWithBindings, type Noble } from '@datagraph/agent/ble';
import type { Clock } from '@datagraph/protocol';
import { SimulatedRadio } from '../radio/SimulatedRadio.ts';
import { PersonaWorld } from './PersonaWorld.ts';

export interface PersonaSimulation {
  radio: SimulatedRadio;
  world: PersonaWorld;
  /** The real noble central over the simulated radio: pass it as `BleSampleSource`'s `noble`. */
  noble: Noble;
}

/**
 * @example
 * const { noble, world } = createPersonaSimulation({ persona: 'runner', seed: 1, clock });
 * const ble = new BleSampleSource({ sensors: [...builtinSensors, acmeBandSensor], clock, noble });
 * world.on('meal', (m) => agent.record(m.sample)); // meals come from an app, not BLE
 * await ble.start();
 * world.start();
 */
export function createPersonaSimulation(o: {
  persona: string;
  seed?: number;
  clock: Clock;
  tickMs?: number;
  keepLogs?: boolean;
}): PersonaSimulation {
  const radio = new SimulatedRadio({ clock: o.clock });
  const world = new PersonaWorld({ ...o, radio });
  return { radio, world, noble: createNobleWithBindings(radio) };
}
