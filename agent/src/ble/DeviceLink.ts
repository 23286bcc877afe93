// One BLE device's connection lifecycle: connect, discover, run sensor setup, subscribe and read, then on any
// disconnect or timeout drop every listener and retry with exponential backoff. Listeners are attached once per
// connection to the characteristic objects of that connection only, so a reconnect never doubles deliveries.
import { type Clock, type ErrorCode, isProtocolError, ProtocolError, type TimerHandle } from '@datagraph/protocol';
import type { Characteristic, Peripheral, Service } from '@stoprocent/noble';
import { Sample } from '../sample.ts';
import type { Decoder, SensorDescriptor, SensorDevice } from '../sensors/defineSensor.ts';
import { normalizeUuid } from '../sensors/uuid.ts';
import { Backoff, type BackoffOptions } from './Backoff.ts';
import type { BleDeviceStatus, BleFault, BleSampleEvent, DeviceLinkState } from './types.ts';
import { withTimeout } from './withTimeout.ts';

export interface DeviceLinkDeps {
  clock: Clock;
  sensors: readonly SensorDescriptor[];
  timeoutMs: number;
  backoff: BackoffOptions;
  onSample(event: BleSampleEvent): void;
  onFault(fault: Omit<BleFault, 'at'>): BleFault;
}

type Listener = (data: Buffer, isNotification: boolean) => void;

export class DeviceLink {
  readonly #p: Peripheral;
  readonly #deps: DeviceLinkDeps;
  readonly #backoff: Backoff;
  #state: DeviceLinkState = 'waiting';
  #gen = 0;
  #retry: TimerHandle | undefined;
  #retryAt: number | undefined;
  #listeners: Array<[Characteristic, Listener]> = [];
  #active: string[] = [];
  #connections = 0;
  #lastError: BleFault | undefined;
  readonly #onDisconnect = (reason: unknown) => this.#disconnected(reason);

  constructor(peripheral: Peripheral, deps: DeviceLinkDeps) {
    this.#p = peripheral;
    this.#deps = deps;
    this.#backoff = new Backoff(deps.backoff);
    peripheral.on('disconnect', this.#onDisconnect);
  }

  get address(): string {
    const a = this.#p.address;
    return a && a !== 'unknown' ? a : this.#p.id;
  }

  start(): void {
    void this.#attempt();
  }

  /** Stop for good. `disconnect` is false when the adapter went away (noble has already dropped the link). */
  close(disconnect = true): void {
    const wasLive = this.#state === 'streaming' || this.#state === 'setting-up' || this.#state === 'connecting';
    this.#state = 'closed';
    this.#gen += 1;
    this.#retry?.cancel();
    this.#retry = undefined;
    this.#detach();
    this.#p.removeListener('disconnect', this.#onDisconnect);
    if (disconnect && wasLive) {
      try {
        if (this.#p.state === 'connecting') this.#p.cancelConnect();
        else if (this.#p.state === 'connected') this.#p.disconnect();
      } catch {
        // best effort on shutdown
      }
    }
  }

  #closed(): boolean {
    return this.#state === 'closed';
  }

  status(): BleDeviceStatus {
    return {
      id: this.#p.id,
      address: this.address,
      name: this.#p.advertisement?.localName,
      state: this.#state,
      sensors: [...this.#active],
      connections: this.#connections,
      retryAt: this.#state === 'waiting' ? this.#retryAt : undefined,
      lastError: this.#lastError,
    };
  }

  #fault(code: ErrorCode, message: string, sensorId?: string): void {
    this.#lastError = this.#deps.onFault({ code, message, deviceAddress: this.address, sensorId });
  }

  #timed<T>(op: Promise<T>, what: string, onTimeout?: () => void): Promise<T> {
    return withTimeout(this.#deps.clock, this.#deps.timeoutMs, op, what, onTimeout);
  }

  async #attempt(): Promise<void> {
    const gen = ++this.#gen;
    this.#retry = undefined;
    this.#state = 'connecting';
    const p = this.#p;
    try {
      await this.#timed(p.connectAsync(), 'connect', () => p.cancelConnect());
      if (gen !== this.#gen) {
        if (this.#closed() && p.state === 'connected') p.disconnect(); // closed while connecting
        return;
      }
      this.#state = 'setting-up';
      const useful = await this.#setUp(gen);
      if (gen !== this.#gen) return;
      if (!useful) {
        // Advertised a known service but offers no driver's characteristics: let it go, do not retry.
        this.#state = 'ignored';
        this.#gen += 1;
        if (p.state === 'connected') p.disconnect();
        return;
      }
      this.#state = 'streaming';
      this.#connections += 1;
      this.#backoff.reset();
    } catch (err) {
      if (gen !== this.#gen) return; // a disconnect or close already took over
      const connecting = this.#state === 'connecting';
      const code: ErrorCode = isProtocolError(err)
        ? err.code
        : connecting
          ? 'AG_BLE_CONNECT_FAILED'
          : 'AG_BLE_GATT_FAILED';
      this.#fault(code, err instanceof Error ? err.message : String(err));
      this.#scheduleRetry();
      if (!connecting && p.state === 'connected') p.disconnect();
    }
  }

  /** Returns false when no driver is active on the device. */
  async #setUp(gen: number): Promise<boolean> {
    const p = this.#p;
    const services: Service[] = await this.#timed(p.discoverServicesAsync([]), 'discover services');
    const name = p.advertisement?.localName;
    const present = new Set(services.map((s) => normalizeUuid(s.uuid)));
    const active = this.#deps.sensors.filter(
      (s) => s.match.services.some((u) => present.has(u)) && nameMatches(s.match.name, name),
    );
    this.#active = active.map((s) => s.id);
    const chars = new Map<string, Map<string, Characteristic>>();
    const wanted = new Set(active.flatMap((s) => s.match.services));
    for (const svc of services) {
      const uuid = normalizeUuid(svc.uuid);
      if (!wanted.has(uuid)) continue;
      const list = await this.#timed(svc.discoverCharacteristicsAsync([]), `discover characteristics of ${uuid}`);
      chars.set(uuid, new Map(list.map((c) => [normalizeUuid(c.uuid), c])));
      if (gen !== this.#gen) return true;
    }
    const find = (svc: string, chr: string) => chars.get(normalizeUuid(svc))?.get(normalizeUuid(chr));
    const offered = active.some((s) =>
      [...s.characteristics.keys()].some((c) => s.match.services.some((v) => find(v, c))),
    );
    if (!offered) return false;
    for (const sensor of active) {
      if (!sensor.setup) continue;
      try {
        await sensor.setup(this.#deviceApi(find));
      } catch (err) {
        if (isProtocolError(err) && err.code === 'AG_BLE_TIMEOUT') throw err;
        if (gen !== this.#gen) return true;
        this.#fault('AG_BLE_GATT_FAILED', `setup of ${sensor.id} failed: ${(err as Error)?.message ?? err}`, sensor.id);
      }
      if (gen !== this.#gen) return true;
    }
    const reads: Array<[SensorDescriptor, Decoder, Characteristic]> = [];
    for (const sensor of active) {
      for (const [chrUuid, decode] of sensor.characteristics) {
        const c = sensor.match.services.map((s) => find(s, chrUuid)).find((x) => x !== undefined);
        if (!c) continue;
        const props = c.properties as string[];
        if (props.includes('notify') || props.includes('indicate')) {
          const listener: Listener = (data, isNotification) => {
            if (isNotification) this.#deliver(sensor.id, decode, data);
          };
          c.on('data', listener);
          this.#listeners.push([c, listener]);
          await this.#timed(c.subscribeAsync(), `subscribe ${chrUuid}`);
          if (gen !== this.#gen) return true;
        }
        if (props.includes('read')) reads.push([sensor, decode, c]);
      }
    }
    for (const [sensor, decode, c] of reads) {
      const data = await this.#timed(c.readAsync(), `read ${c.uuid}`);
      if (gen !== this.#gen) return true;
      this.#deliver(sensor.id, decode, data);
    }
    return true;
  }

  #deviceApi(find: (svc: string, chr: string) => Characteristic | undefined): SensorDevice {
    const need = (svc: string, chr: string) => {
      const c = find(svc, chr);
      if (!c) throw new ProtocolError('AG_BLE_GATT_FAILED', `device has no characteristic ${chr} in service ${svc}`);
      return c;
    };
    return {
      address: this.address,
      name: this.#p.advertisement?.localName,
      now: () => this.#deps.clock.now(),
      has: (svc, chr, property) => {
        const c = find(svc, chr);
        return c !== undefined && (property === undefined || (c.properties as string[]).includes(property));
      },
      read: (svc, chr) => this.#timed(need(svc, chr).readAsync(), `read ${chr}`),
      write: (svc, chr, data) => this.#timed(need(svc, chr).writeAsync(data, false), `write ${chr}`),
    };
  }

  /** Decode at the trust boundary: bad bytes or a decoder bug become a fault with a code, never a crash. */
  #deliver(sensorId: string, decode: Decoder, data: Buffer): void {
    let samples: unknown[];
    try {
      samples = decode(data, { at: this.#deps.clock.now() });
      if (!Array.isArray(samples)) throw new Error('decoder did not return an array');
    } catch (err) {
      const code: ErrorCode = isProtocolError(err) ? err.code : 'AG_BLE_DECODER_FAILED';
      this.#fault(code, err instanceof Error ? err.message : 'decoder failed', sensorId);
      return;
    }
    for (const s of samples) {
      const parsed = Sample.safeParse(s);
      if (!parsed.success) {
        this.#fault('AG_BLE_DECODER_FAILED', `decoder of ${sensorId} returned an invalid sample`, sensorId);
        continue;
      }
      this.#deps.onSample({ sample: parsed.data, deviceAddress: this.address, sensorId });
    }
  }

  #disconnected(reason: unknown): void {
    if (this.#state === 'closed' || this.#state === 'waiting' || this.#state === 'ignored') return;
    this.#gen += 1; // abandon any setup in flight
    this.#fault('AG_BLE_DISCONNECTED', `device disconnected (reason ${String(reason)})`);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    this.#detach();
    this.#retry?.cancel();
    this.#state = 'waiting';
    const delay = this.#backoff.next();
    this.#retryAt = this.#deps.clock.now() + delay;
    this.#retry = this.#deps.clock.setTimeout(() => void this.#attempt(), delay);
  }

  #detach(): void {
    for (const [c, l] of this.#listeners) c.removeListener('data', l);
    this.#listeners = [];
  }
}

function nameMatches(filter: string | RegExp | undefined, name: string | undefined): boolean {
  if (filter === undefined) return true;
  if (name === undefined) return false;
  return typeof filter === 'string' ? name === filter : filter.test(name);
}
