// BleSampleSource without any simulated device: Bluetooth that cannot load or is unsupported is reported with
// AG_BLE_UNAVAILABLE. Device behaviour (connect, reconnect, faults) is tested through the simulated radio in
// simulators/test/bleResilience.test.ts and personaDay.test.ts (the simulators package depends on the agent,
// not the other way round).
import { EventEmitter } from 'node:events';
import { ManualClock, ProtocolError } from '@datagraph/protocol';
import t from 'tap';
import { type BleFault, BleSampleSource, createNobleWithBindings } from '../../src/ble/index.ts';
import { builtinSensors } from '../../src/sensors/index.ts';

t.test('a noble that cannot load: start rejects with AG_BLE_UNAVAILABLE and status says so', async (t) => {
  const ble = new BleSampleSource({
    sensors: builtinSensors,
    clock: new ManualClock(),
    noble: async () => {
      throw new Error('native module missing');
    },
  });
  const faults: BleFault[] = [];
  ble.on('fault', (f) => faults.push(f));
  await t.rejects(ble.start(), { code: 'AG_BLE_UNAVAILABLE' });
  t.equal(ble.status().adapter, 'unavailable');
  t.equal(faults[0]?.code, 'AG_BLE_UNAVAILABLE');
  await ble.stop(); // harmless
});

t.test('an adapter that reports unsupported is a fault, not a crash', async (t) => {
  // noble's own bindings contract, answered by the smallest adapter there is: one without Bluetooth.
  class NoBluetooth extends EventEmitter {
    start() {
      setImmediate(() => this.emit('stateChange', 'unsupported'));
    }
    startScanning() {
      throw new Error('must not scan');
    }
  }
  const ble = new BleSampleSource({
    sensors: builtinSensors,
    clock: new ManualClock(),
    noble: createNobleWithBindings(new NoBluetooth()),
  });
  const fault = new Promise<BleFault>((resolve) => ble.once('fault', resolve));
  await ble.start();
  t.equal((await fault).code, 'AG_BLE_UNAVAILABLE');
  t.equal(ble.status().adapter, 'unsupported');
  t.equal(ble.status().scanning, false);
  await ble.stop();
});

t.test('ProtocolError from a loader keeps its code', async (t) => {
  const ble = new BleSampleSource({
    sensors: builtinSensors,
    clock: new ManualClock(),
    noble: async () => {
      throw new ProtocolError('AG_BLE_UNAVAILABLE', 'no adapter');
    },
  });
  await t.rejects(ble.start(), { code: 'AG_BLE_UNAVAILABLE', message: 'no adapter' });
});
