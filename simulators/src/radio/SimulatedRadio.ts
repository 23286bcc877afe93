// A simulated BLE adapter implementing noble 2.8's bindings contract (shared/reference/gatt.md, "The bindings
// contract"), so the real noble scans, connects, discovers, reads, writes and subscribes against simulated
// peripherals. Every answer is asynchronous (noble registers its one-shot listeners after calling in); answers
// may be delayed on the injected clock, withheld, or replaced by errors and garbage, on demand.
import { EventEmitter } from 'node:events';
import { type Clock, systemClock } from '@datagraph/protocol';
import { RadioFaultPlan, type RadioFaults } from './RadioFaultPlan.ts';
import type { RadioLink, SimulatedPeripheral } from './SimulatedPeripheral.ts';

export type AdapterState = 'unknown' | 'poweredOff' | 'poweredOn' | 'unsupported' | 'unauthorized' | 'resetting';

/** HCI disconnect reasons (Core spec Vol 1 Part F). */
export const HCI = { CONNECTION_TIMEOUT: 0x08, REMOTE_USER_TERMINATED: 0x13, LOCAL_HOST_TERMINATED: 0x16 } as const;

export interface SimulatedRadioOptions {
  /** Clock for delayed answers (slow peripherals); default the system clock. */
  clock?: Clock;
  /** State reported when noble starts the bindings; default 'poweredOn'. */
  initialState?: AdapterState;
  address?: string;
  /** Behave like noble's HCI bindings, which stop scanning when a connection is being set up. */
  stopScanOnConnect?: boolean;
}

export interface RadioCounters {
  connects: number;
  connectAttempts: number;
  disconnects: number;
  notifications: number;
}

export class SimulatedRadio extends EventEmitter implements RadioLink {
  readonly #clock: Clock;
  readonly #peripherals = new Map<string, SimulatedPeripheral>();
  readonly #faults = new Map<string, RadioFaultPlan>();
  /** Bumped at each connect and drop, so a late answer for an old connection is never delivered. */
  readonly #epoch = new Map<string, number>();
  readonly #inRange = new Map<string, boolean>();
  #state: AdapterState;
  #power = 0;
  #started = false;
  #scanning = false;
  #scanFilter: string[] = [];
  #allowDuplicates = false;
  readonly #address: string;
  readonly #stopScanOnConnect: boolean;
  readonly counters: RadioCounters = { connects: 0, connectAttempts: 0, disconnects: 0, notifications: 0 };

  constructor(opts: SimulatedRadioOptions = {}) {
    super();
    this.#clock = opts.clock ?? systemClock;
    this.#state = opts.initialState ?? 'poweredOn';
    this.#address = opts.address ?? '00:1a:7d:da:71:13';
    this.#stopScanOnConnect = opts.stopScanOnConnect ?? false;
  }

  // ---------------------------------------------------------------- setup and faults (test / simulator API)

  add(p: SimulatedPeripheral): SimulatedPeripheral {
    this.#peripherals.set(p.id, p);
    this.#inRange.set(p.id, true);
    p._attach(this);
    this.#advertise(p);
    return p;
  }

  peripheral(id: string): SimulatedPeripheral | undefined {
    return this.#peripherals.get(id.replaceAll(':', '').toLowerCase());
  }

  get state(): AdapterState {
    return this.#state;
  }

  get scanning(): boolean {
    return this.#scanning;
  }

  /** Fault plan for one peripheral (by id or address): errors, silence, latency, garbage. */
  faults(idOrAddress: string): RadioFaultPlan {
    const id = idOrAddress.replaceAll(':', '').toLowerCase();
    let plan = this.#faults.get(id);
    if (!plan) {
      plan = new RadioFaultPlan();
      this.#faults.set(id, plan);
    }
    return plan;
  }

  /** Shorthand: configure several faults at once. */
  setFaults(idOrAddress: string, faults: RadioFaults): RadioFaultPlan {
    return this.faults(idOrAddress).set(faults);
  }

  /** The link drops (supervision timeout, device walked away...) while streaming. */
  dropConnection(idOrAddress: string, reason: number = HCI.CONNECTION_TIMEOUT): void {
    const p = this.#need(idOrAddress);
    if (!p.connected) return;
    this.#drop(p);
    this.#later(() => this.emit('disconnect', p.id, reason));
  }

  /** Out of range: drop any link and stop advertising until back in range. */
  setInRange(idOrAddress: string, inRange: boolean): void {
    const p = this.#need(idOrAddress);
    this.#inRange.set(p.id, inRange);
    if (!inRange) this.dropConnection(p.id, HCI.CONNECTION_TIMEOUT);
    else this.#advertise(p);
  }

  /**
   * A stale advertisement: the controller reports the device again (even while connected, from its cache),
   * as some adapters do. Delivered only while scanning.
   */
  staleAdvertisement(idOrAddress: string): void {
    const p = this.#need(idOrAddress);
    this.#later(() => {
      if (!this.#scanning) return;
      const adv = {
        localName: p.name,
        serviceData: [],
        serviceUuids: [...p.advertisedServices],
        solicitationServiceUuids: [],
      };
      this.emit('discover', p.id, p.address, p.addressType, true, adv, p.rssi, true);
    });
  }

  /** The adapter goes off (rfkill, USB dongle unplugged): links vanish; noble cleans up its own state. */
  powerOff(): void {
    this.#power += 1;
    for (const p of this.#peripherals.values()) {
      if (p.connected) this.#drop(p);
      else this.#bump(p.id); // a pending connect answer must not arrive after noble forgot the device
    }
    this.#scanning = false;
    this.#setState('poweredOff');
  }

  powerOn(): void {
    this.#setState('poweredOn');
  }

  // ---------------------------------------------------------------- noble bindings contract

  start(): void {
    this.#started = true;
    this.#later(() => {
      this.emit('addressChange', this.#address);
      this.emit('stateChange', this.#state);
    });
  }

  stop(): void {
    this.#scanning = false;
    for (const p of this.#peripherals.values()) if (p.connected) this.#drop(p);
  }

  reset(): void {
    this.stop();
  }

  setScanParameters(_interval: number, _window: number): void {
    this.#later(() => this.emit('scanParametersSet'));
  }

  startScanning(serviceUuids: string[] | undefined, allowDuplicates: boolean): void {
    if (this.#state !== 'poweredOn') return;
    this.#scanFilter = (serviceUuids ?? []).map((u) => u.toLowerCase());
    this.#allowDuplicates = Boolean(allowDuplicates);
    this.#scanning = true;
    this.#later(() => {
      this.emit('scanStart', !this.#allowDuplicates);
      for (const p of this.#peripherals.values()) this.#advertise(p);
    });
  }

  stopScanning(): void {
    this.#scanning = false;
    this.#later(() => this.emit('scanStop'));
  }

  addressToId(address: string): string | null {
    const id = address.replaceAll(':', '').toLowerCase();
    return this.#peripherals.has(id) ? id : null;
  }

  connect(id: string, _parameters?: unknown): void {
    this.counters.connectAttempts += 1;
    const p = this.#peripherals.get(id);
    // An LE Create Connection to an absent device just pends until the central cancels it.
    if (!p || this.#state !== 'poweredOn' || !this.#inRange.get(id)) return;
    if (this.#stopScanOnConnect && this.#scanning) this.stopScanning();
    const plan = this.#faults.get(id);
    if (plan?.takeSilence('connect')) return;
    const epoch = this.#bump(id);
    this.#answer(id, epoch, 'connect', () => {
      if (plan?.takeConnectError()) {
        this.emit('connect', id, new Error('connection failed to be established (HCI 0x3e)'));
        return;
      }
      p._setConnected(true);
      this.counters.connects += 1;
      this.emit('connect', id);
    });
  }

  cancelConnect(id: string, _parameters?: unknown): void {
    this.#bump(id); // drop a pending connect answer
  }

  disconnect(id: string): void {
    const p = this.#peripherals.get(id);
    if (!p) return;
    if (p.connected) this.#drop(p);
    this.#later(() => this.emit('disconnect', id, HCI.LOCAL_HOST_TERMINATED));
  }

  updateRssi(id: string): void {
    this.#gatt(id, 'updateRssi', (p) => this.emit('rssiUpdate', id, p.rssi));
  }

  discoverServices(id: string, uuids: string[] = []): void {
    this.#gatt(id, 'discoverServices', (p) => {
      const want = uuids.map((u) => u.toLowerCase());
      this.emit(
        'servicesDiscover',
        id,
        p.services().filter((s) => want.length === 0 || want.includes(s)),
      );
    });
  }

  discoverIncludedServices(id: string, service: string, _uuids: string[]): void {
    this.#gatt(id, 'discoverIncludedServices', () => this.emit('includedServicesDiscover', id, service, []));
  }

  discoverCharacteristics(id: string, service: string, uuids: string[] = []): void {
    this.#gatt(id, 'discoverCharacteristics', (p) => {
      const want = uuids.map((u) => u.toLowerCase());
      const list = p.characteristics(service).filter((c) => want.length === 0 || want.includes(c.uuid));
      this.emit('characteristicsDiscover', id, service, list);
    });
  }

  read(id: string, service: string, characteristic: string): void {
    this.#gatt(id, 'read', (p) => {
      if (!p._has(service, characteristic) || !p._properties(service, characteristic).includes('read')) {
        this.emit('read', id, service, characteristic, Buffer.alloc(0), false, new Error('read not permitted'));
        return;
      }
      this.emit('read', id, service, characteristic, Buffer.from(p._read(service, characteristic)), false);
    });
  }

  write(id: string, service: string, characteristic: string, data: Buffer, _withoutResponse: boolean): void {
    this.#gatt(id, 'write', (p) => {
      try {
        p._write(service, characteristic, Buffer.from(data));
        this.emit('write', id, service, characteristic);
      } catch (err) {
        this.emit('write', id, service, characteristic, err);
      }
    });
  }

  broadcast(id: string, service: string, characteristic: string, state: boolean): void {
    this.#gatt(id, 'broadcast', () => this.emit('broadcast', id, service, characteristic, state));
  }

  notify(id: string, service: string, characteristic: string, on: boolean): void {
    this.#gatt(id, 'notify', (p) => {
      const props = p._has(service, characteristic) ? p._properties(service, characteristic) : [];
      if (!props.includes('notify') && !props.includes('indicate')) {
        this.emit('notify', id, service, characteristic, false, new Error('notifications not supported'));
        return;
      }
      this.emit('notify', id, service, characteristic, on);
      p._subscribe(service, characteristic, on); // stored indications follow the CCCD write's answer
    });
  }

  discoverDescriptors(id: string, service: string, characteristic: string): void {
    this.#gatt(id, 'discoverDescriptors', (p) => {
      const props = p._has(service, characteristic) ? p._properties(service, characteristic) : [];
      const cccd = props.includes('notify') || props.includes('indicate') ? ['2902'] : [];
      this.emit('descriptorsDiscover', id, service, characteristic, cccd);
    });
  }

  readValue(id: string, service: string, characteristic: string, descriptor: string): void {
    this.#gatt(id, 'readValue', () => this.emit('valueRead', id, service, characteristic, descriptor, Buffer.alloc(2)));
  }

  writeValue(id: string, service: string, characteristic: string, descriptor: string, _data: Buffer): void {
    this.#gatt(id, 'writeValue', () => this.emit('valueWrite', id, service, characteristic, descriptor));
  }

  readHandle(id: string, handle: number): void {
    this.#gatt(id, 'readHandle', () =>
      this.emit('handleRead', id, handle, Buffer.alloc(0), new Error('no such handle')),
    );
  }

  writeHandle(id: string, handle: number, _data: Buffer, _withoutResponse: boolean): void {
    this.#gatt(id, 'writeHandle', () => this.emit('handleWrite', id, handle, new Error('no such handle')));
  }

  // ---------------------------------------------------------------- RadioLink (peripherals push data here)

  /**
   * Put a notification on air. It reaches noble before any disconnect that happens later (events keep their
   * order), so the peripheral's `delivered` log is exactly what the central receives; only an adapter power-off
   * in between discards it (noble has dropped the device by then).
   */
  deliver(p: SimulatedPeripheral, service: string, characteristic: string, data: Buffer): Buffer {
    const payload = this.#faults.get(p.id)?.takeGarbage() ?? data;
    const power = this.#power;
    this.counters.notifications += 1;
    setImmediate(() => {
      if (this.#power === power) this.emit('read', p.id, service, characteristic, Buffer.from(payload), true);
    });
    return payload;
  }

  // ---------------------------------------------------------------- internals

  #need(idOrAddress: string): SimulatedPeripheral {
    const p = this.peripheral(idOrAddress);
    if (!p) throw new Error(`no simulated peripheral ${idOrAddress}`);
    return p;
  }

  #setState(state: AdapterState): void {
    this.#state = state;
    if (this.#started) this.#later(() => this.emit('stateChange', state));
  }

  #bump(id: string): number {
    const e = (this.#epoch.get(id) ?? 0) + 1;
    this.#epoch.set(id, e);
    return e;
  }

  #drop(p: SimulatedPeripheral): void {
    p._setConnected(false);
    this.#bump(p.id);
    this.counters.disconnects += 1;
    this.#advertise(p);
  }

  #advertise(p: SimulatedPeripheral): void {
    if (!this.#scanning || p.connected || !this.#inRange.get(p.id) || this.#state !== 'poweredOn') return;
    if (this.#scanFilter.length > 0 && !p.advertisedServices.some((s) => this.#scanFilter.includes(s))) return;
    const advertisement = {
      localName: p.name,
      txPowerLevel: undefined,
      manufacturerData: undefined,
      serviceData: [],
      serviceUuids: [...p.advertisedServices],
      solicitationServiceUuids: [],
    };
    this.#later(() => {
      if (this.#scanning) this.emit('discover', p.id, p.address, p.addressType, true, advertisement, p.rssi, true);
    });
  }

  /** Answer a GATT request on the current connection, unless the plan withholds it or the link is gone. */
  #gatt(id: string, op: string, respond: (p: SimulatedPeripheral) => void): void {
    const p = this.#peripherals.get(id);
    if (!p?.connected) return; // no link, no ATT answer: noble's caller times out
    if (this.#faults.get(id)?.takeSilence(op)) return;
    this.#answer(id, this.#epoch.get(id) ?? 0, op, () => respond(p));
  }

  #answer(id: string, epoch: number, op: string, fn: () => void): void {
    const latency = this.#faults.get(id)?.latencyFor(op) ?? 0;
    const run = () => {
      if ((this.#epoch.get(id) ?? 0) === epoch) fn();
    };
    if (latency > 0) this.#clock.setTimeout(() => setImmediate(run), latency);
    else setImmediate(run);
  }

  #later(fn: () => void): void {
    setImmediate(fn);
  }
}
