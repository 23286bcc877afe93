// A simulated BLE peripheral: a GATT table, connection state owned by the radio, and the two ways a device
// pushes data: notify (lost when nobody is subscribed, like a real strap) and indicate-with-storage (records kept
// until a subscribed central receives them, like scales and cuffs that store measurements).

export type GattProperty = 'read' | 'write' | 'writeWithoutResponse' | 'notify' | 'indicate';

export interface CharacteristicDef {
  uuid: string;
  properties: GattProperty[];
  /** Current value for reads. */
  value?: Buffer;
  /** Computes the value at each read (e.g. a clock); overrides `value`. */
  onRead?: () => Buffer;
  /** Called on a central's write; throw to answer with a GATT error. */
  onWrite?: (data: Buffer) => void;
}

interface CharacteristicState {
  def: CharacteristicDef;
  value: Buffer;
  subscribed: boolean;
  stored: Buffer[];
}

/** What the radio exposes to its peripherals. */
export interface RadioLink {
  /** Sends and returns the bytes actually put on air (a fault plan may garble them). */
  deliver(p: SimulatedPeripheral, service: string, characteristic: string, data: Buffer): Buffer;
}

export interface DeliveredPayload {
  service: string;
  characteristic: string;
  /** The bytes on air. */
  data: Buffer;
  /** True when the radio's fault plan replaced the peripheral's bytes with garbage. */
  garbled: boolean;
}

export interface SimulatedPeripheralOptions {
  /** MAC address 'aa:bb:cc:dd:ee:ff'; noble's id is the same without colons. */
  address: string;
  name?: string;
  addressType?: 'public' | 'random';
  rssi?: number;
}

export class SimulatedPeripheral {
  readonly id: string;
  readonly address: string;
  readonly name: string | undefined;
  readonly addressType: 'public' | 'random';
  rssi: number;
  /** Services put in the advertisement (others are found only by GATT discovery). */
  readonly advertisedServices: string[] = [];
  /** Every payload that went on air to a subscribed central, in order: the ground truth of deliveries. */
  readonly delivered: DeliveredPayload[] = [];
  /** Keep `delivered` (tests); turn off for long runs such as `datagraph agent run --simulate`. */
  logDeliveries = true;
  /** Notifications dropped because no central was subscribed. */
  dropped = 0;
  readonly #services = new Map<string, Map<string, CharacteristicState>>();
  #radio: RadioLink | undefined;
  #connected = false;

  constructor(opts: SimulatedPeripheralOptions) {
    this.address = opts.address.toLowerCase();
    this.id = this.address.replaceAll(':', '');
    if (!/^[0-9a-f]{12}$/.test(this.id)) throw new Error(`not a MAC address: ${opts.address}`);
    this.name = opts.name;
    this.addressType = opts.addressType ?? 'public';
    this.rssi = opts.rssi ?? -60;
  }

  addService(uuid: string, characteristics: CharacteristicDef[], opts: { advertise?: boolean } = {}): void {
    const svc = uuid.toLowerCase();
    const chars = new Map<string, CharacteristicState>();
    for (const def of characteristics) {
      chars.set(def.uuid.toLowerCase(), { def, value: def.value ?? Buffer.alloc(0), subscribed: false, stored: [] });
    }
    this.#services.set(svc, chars);
    if (opts.advertise ?? true) this.advertisedServices.push(svc);
  }

  get connected(): boolean {
    return this.#connected;
  }

  services(): string[] {
    return [...this.#services.keys()];
  }

  characteristics(service: string): Array<{ uuid: string; properties: GattProperty[] }> {
    return [...(this.#services.get(service)?.values() ?? [])].map((c) => ({
      uuid: c.def.uuid.toLowerCase(),
      properties: [...c.def.properties],
    }));
  }

  /** Update the value a central reads; also notifies when the characteristic supports it. */
  /** Returns whether a notification went on air (false when not notifiable or nobody is subscribed). */
  setValue(service: string, characteristic: string, data: Buffer): boolean {
    const c = this.#char(service, characteristic);
    c.value = data;
    return c.def.properties.includes('notify') ? this.notify(service, characteristic, data) : false;
  }

  /** Push a notification; returns false (and counts a drop) when no central is subscribed. */
  notify(service: string, characteristic: string, data: Buffer): boolean {
    const c = this.#char(service, characteristic);
    if (!this.#connected || !c.subscribed || !this.#radio) {
      this.dropped += 1;
      return false;
    }
    this.#send(service, characteristic, data);
    return true;
  }

  /** Store a record and indicate it as soon as a central is subscribed (now, or after the next reconnect). */
  indicate(service: string, characteristic: string, data: Buffer): void {
    const c = this.#char(service, characteristic);
    c.stored.push(data);
    this.#flush(service, characteristic, c);
  }

  /** Records stored and not yet delivered. */
  pending(service: string, characteristic: string): number {
    return this.#char(service, characteristic).stored.length;
  }

  // --- called by the radio ---

  _attach(radio: RadioLink): void {
    this.#radio = radio;
  }

  _setConnected(connected: boolean): void {
    this.#connected = connected;
    if (!connected) {
      // CCCDs of a non-bonded device reset on disconnect (Core spec Vol 3 Part G 3.3.3.3).
      for (const chars of this.#services.values()) for (const c of chars.values()) c.subscribed = false;
    }
  }

  _has(service: string, characteristic?: string): boolean {
    const s = this.#services.get(service);
    return s !== undefined && (characteristic === undefined || s.has(characteristic));
  }

  _properties(service: string, characteristic: string): GattProperty[] {
    return this.#char(service, characteristic).def.properties;
  }

  _read(service: string, characteristic: string): Buffer {
    const c = this.#char(service, characteristic);
    return c.def.onRead ? c.def.onRead() : c.value;
  }

  _write(service: string, characteristic: string, data: Buffer): void {
    const c = this.#char(service, characteristic);
    if (!c.def.properties.includes('write') && !c.def.properties.includes('writeWithoutResponse')) {
      throw new Error('write not permitted');
    }
    c.def.onWrite?.(data);
    c.value = data;
  }

  _subscribe(service: string, characteristic: string, on: boolean): void {
    const c = this.#char(service, characteristic);
    c.subscribed = on;
    if (on) this.#flush(service, characteristic, c);
  }

  #flush(service: string, characteristic: string, c: CharacteristicState): void {
    while (this.#connected && c.subscribed && this.#radio && c.stored.length > 0) {
      this.#send(service, characteristic, c.stored.shift() as Buffer);
    }
  }

  #send(service: string, characteristic: string, data: Buffer): void {
    const sent = this.#radio?.deliver(this, service, characteristic, data) ?? data;
    if (this.logDeliveries) this.delivered.push({ service, characteristic, data: sent, garbled: sent !== data });
  }

  #char(service: string, characteristic: string): CharacteristicState {
    const c = this.#services.get(service.toLowerCase())?.get(characteristic.toLowerCase());
    if (!c) throw new Error(`peripheral ${this.address} has no characteristic ${characteristic} in ${service}`);
    return c;
  }
}
