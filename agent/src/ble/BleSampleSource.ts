// The agent's view of Bluetooth: scan for devices offering a known sensor's service, keep one DeviceLink per
// device, and turn noble's events into ours ('sample', 'fault') plus a status snapshot. Adapter power loss drops
// every link (noble forgets its peripherals then); power back on rescans and reconnects from scratch.
import { EventEmitter } from 'node:events';
import { type Clock, type ErrorCode, isProtocolError, ProtocolError, type TimerHandle } from '@datagraph/protocol';
import type { Noble, Peripheral } from '@stoprocent/noble';
import type { SensorDescriptor } from '../sensors/defineSensor.ts';
import type { BackoffOptions } from './Backoff.ts';
import { DeviceLink } from './DeviceLink.ts';
import type { BleFault, BleSampleEvent, BleSensorStatus, BleStatus } from './types.ts';

export interface BleLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface BleSampleSourceOptions {
  /** Drivers to run: usually `builtinSensors` plus the device maker's own. */
  sensors: readonly SensorDescriptor[];
  clock: Clock;
  /** A noble central: `createNobleWithBindings(radio)` in simulation, `loadSystemNoble()` on hardware. */
  noble: Noble | (() => Promise<Noble>);
  /** Bound on every GATT operation, in clock ms (default 15 s). */
  timeoutMs?: number;
  backoff?: BackoffOptions;
  /** Which discovered devices to use (default all that offer a sensor's service), e.g. a paired list. */
  acceptDevice?: (device: { id: string; address: string; name: string | undefined }) => boolean;
  /** pino-compatible; only codes, addresses and sensor ids are logged, never readings. */
  logger?: BleLogger;
  /** How many recent faults status() keeps (default 50). */
  faultHistory?: number;
  /** Clock ms before scanning resumes after the bindings stopped it (HCI does, to connect). Default 2 s. */
  rescanDelayMs?: number;
}

export interface BleSampleSourceEvents {
  sample: [BleSampleEvent];
  fault: [BleFault];
}

/**
 * Samples from BLE sensors through noble, with reconnects and backoff.
 * @example
 * const radio = new SimulatedRadio({ clock });                       // or: noble: () => loadSystemNoble()
 * const ble = new BleSampleSource({ sensors: builtinSensors, clock, noble: createNobleWithBindings(radio) });
 * ble.on('sample', ({ sample, deviceAddress, sensorId }) => aggregator.add(sample));
 * await ble.start();
 * // ... later
 * await ble.stop();
 */
export class BleSampleSource extends EventEmitter<BleSampleSourceEvents> {
  readonly #opts: BleSampleSourceOptions;
  readonly #links = new Map<string, DeviceLink>();
  readonly #sensorStats = new Map<string, BleSensorStatus>();
  readonly #faults: BleFault[] = [];
  #noble: Noble | undefined;
  #running = false;
  #scanning = false;
  #rescan: TimerHandle | undefined;
  #adapter = 'unknown';
  readonly #serviceFilter: string[];

  constructor(opts: BleSampleSourceOptions) {
    super();
    this.#opts = opts;
    this.#serviceFilter = [...new Set(opts.sensors.flatMap((s) => s.match.services))];
  }

  readonly #onState = (state: string) => this.#stateChanged(state);
  // HCI bindings stop scanning while they set up a connection (noble's discoverAsync works around the same):
  // resume after a pause, or devices that appear later would never be found.
  readonly #onScanStop = () => {
    this.#scanning = false;
    if (!this.#running || this.#adapter !== 'poweredOn' || this.#rescan) return;
    this.#rescan = this.#opts.clock.setTimeout(() => {
      this.#rescan = undefined;
      if (this.#running && this.#adapter === 'poweredOn' && !this.#scanning) void this.#scan();
    }, this.#opts.rescanDelayMs ?? 2000);
  };
  readonly #onDiscover = (p: Peripheral) => this.#discovered(p);

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const n = this.#opts.noble;
    try {
      this.#noble = typeof n === 'function' ? await n() : n;
    } catch (cause) {
      this.#running = false;
      this.#adapter = 'unavailable';
      const message = `Bluetooth could not be loaded: ${(cause as Error)?.message ?? cause}`;
      this.#fault({ code: 'AG_BLE_UNAVAILABLE', message });
      throw isProtocolError(cause) ? cause : new ProtocolError('AG_BLE_UNAVAILABLE', message, { cause });
    }
    this.#noble.on('discover', this.#onDiscover);
    this.#noble.on('scanStop', this.#onScanStop);
    this.#noble.on('stateChange', this.#onState); // first listener starts the bindings (noble 2.x)
    if (this.#noble.state === 'poweredOn') this.#stateChanged('poweredOn');
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const noble = this.#noble;
    for (const link of this.#links.values()) link.close(true);
    this.#links.clear();
    if (!noble) return;
    this.#rescan?.cancel();
    this.#rescan = undefined;
    noble.removeListener('discover', this.#onDiscover);
    noble.removeListener('scanStop', this.#onScanStop);
    noble.removeListener('stateChange', this.#onState);
    if (this.#scanning && noble.state === 'poweredOn') {
      this.#scanning = false;
      await noble.stopScanningAsync().catch(() => undefined);
    }
    this.#scanning = false;
  }

  status(): BleStatus {
    return {
      adapter: this.#adapter,
      scanning: this.#scanning,
      devices: [...this.#links.values()].map((l) => l.status()),
      sensors: [...this.#sensorStats.values()].map((s) => ({ ...s })),
      faults: [...this.#faults],
    };
  }

  #fault(f: Omit<BleFault, 'at'>): BleFault {
    const fault: BleFault = { ...f, at: this.#opts.clock.now() };
    this.#faults.push(fault);
    if (this.#faults.length > (this.#opts.faultHistory ?? 50)) this.#faults.shift();
    this.#opts.logger?.warn({ code: f.code, device: f.deviceAddress, sensor: f.sensorId }, f.message);
    this.emit('fault', fault);
    return fault;
  }

  #stateChanged(state: string): void {
    if (!this.#running) return;
    const was = this.#adapter;
    this.#adapter = state;
    if (state === 'poweredOn') {
      if (!this.#scanning) void this.#scan();
      return;
    }
    // noble has dropped every peripheral (lib/noble.js _onStateChange): forget our links too.
    this.#scanning = false;
    for (const link of this.#links.values()) link.close(false);
    this.#links.clear();
    if (state === 'poweredOff' || state === 'resetting') {
      if (was !== state) this.#fault({ code: 'AG_BLE_ADAPTER_OFF', message: `adapter is ${state}` });
    } else if (state === 'unsupported' || state === 'unauthorized') {
      this.#fault({ code: 'AG_BLE_UNAVAILABLE', message: `adapter is ${state}` });
    }
  }

  async #scan(): Promise<void> {
    const noble = this.#noble;
    if (!noble) return;
    this.#scanning = true;
    try {
      await noble.startScanningAsync(this.#serviceFilter, false);
    } catch (err) {
      this.#scanning = false;
      const code: ErrorCode = 'AG_BLE_UNAVAILABLE';
      this.#fault({ code, message: `scan failed: ${(err as Error).message}` });
    }
  }

  #discovered(p: Peripheral): void {
    if (!this.#running || this.#links.has(p.id)) return;
    const adv = p.advertisement ?? {};
    const advertised = new Set((adv.serviceUuids ?? []).map((u) => u.toLowerCase().replaceAll('-', '')));
    const name = adv.localName;
    const relevant = this.#opts.sensors.some(
      (s) =>
        s.match.services.some((u) => advertised.has(u)) ||
        (s.match.name !== undefined &&
          name !== undefined &&
          (typeof s.match.name === 'string' ? s.match.name === name : s.match.name.test(name))),
    );
    const address = p.address && p.address !== 'unknown' ? p.address : p.id;
    if (!relevant || (this.#opts.acceptDevice && !this.#opts.acceptDevice({ id: p.id, address, name }))) return;
    this.#opts.logger?.info({ device: address }, 'BLE device found');
    const link = new DeviceLink(p, {
      clock: this.#opts.clock,
      sensors: this.#opts.sensors,
      timeoutMs: this.#opts.timeoutMs ?? 15_000,
      backoff: this.#opts.backoff ?? {},
      onSample: (e) => this.#sample(e),
      onFault: (f) => this.#fault(f),
    });
    this.#links.set(p.id, link);
    link.start();
  }

  #sample(e: BleSampleEvent): void {
    const key = `${e.deviceAddress}|${e.sensorId}`;
    let s = this.#sensorStats.get(key);
    if (!s) {
      s = { sensorId: e.sensorId, deviceAddress: e.deviceAddress, samples: 0, lastSampleAt: undefined };
      this.#sensorStats.set(key, s);
    }
    s.samples += 1;
    s.lastSampleAt = e.sample.at;
    this.emit('sample', e);
  }
}
