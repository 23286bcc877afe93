// The only place that loads @stoprocent/noble. The real module is required lazily (its import opens the HCI
// socket on Linux); simulations construct noble's own class over an injected bindings object, a private path of
// the library, hence the pinned version checked here and by agent/test/ble/nobleContract.test.ts.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { ProtocolError } from '@datagraph/protocol';
import type { Noble } from '@stoprocent/noble';

const require = createRequire(import.meta.url);

/** The exact noble version whose bindings contract the simulated radio implements. */
export const NOBLE_VERSION = '2.8.0';

export type { Noble };

export function installedNobleVersion(): string {
  return (require('@stoprocent/noble/package.json') as { version: string }).version;
}

/**
 * Build the real noble central over a bindings object (an EventEmitter implementing noble's bindings contract,
 * such as the simulators' `SimulatedRadio`). No native code is loaded.
 * @example
 * const noble = createNobleWithBindings(new SimulatedRadio({ clock }));
 */
export function createNobleWithBindings(bindings: EventEmitter): Noble {
  const version = installedNobleVersion();
  if (version !== NOBLE_VERSION) {
    throw new ProtocolError(
      'AG_BLE_UNAVAILABLE',
      `noble ${version} is installed; the bindings contract is pinned to ${NOBLE_VERSION}`,
    );
  }
  const NobleClass = require('@stoprocent/noble/lib/noble') as new (bindings: EventEmitter) => Noble;
  return new NobleClass(bindings);
}

/**
 * Load the system's Bluetooth stack through noble: 'default' picks HCI on Linux, 'dbus' uses BlueZ over D-Bus
 * (no raw-socket capability needed). Throws AG_BLE_UNAVAILABLE when the native part cannot load.
 */
export async function loadSystemNoble(binding: 'default' | 'hci' | 'dbus' = 'default'): Promise<Noble> {
  try {
    const mod = require('@stoprocent/noble') as Noble & { withBindings(name: string): Noble };
    return binding === 'default' ? mod : mod.withBindings(binding);
  } catch (cause) {
    throw new ProtocolError('AG_BLE_UNAVAILABLE', 'the noble Bluetooth module could not be loaded', { cause });
  }
}
