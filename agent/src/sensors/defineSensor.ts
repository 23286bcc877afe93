// A sensor driver is data: which services it matches, one pure decoder per characteristic, and an optional
// setup step run after each connection (e.g. writing Current Time). Built-in drivers and device makers' drivers
// use this same function; the BLE layer (agent/src/ble) does all the I/O.
import { ProtocolError } from '@datagraph/protocol';
import type { Sample } from '../sample.ts';
import { normalizeUuid } from './uuid.ts';

export interface DecodeContext {
  /** Unix ms at which the payload arrived (from the agent's injected clock). */
  at: number;
}

/** A pure decoder: bytes in, samples out. Throw `ProtocolError('AG_BLE_TRUNCATED' | 'AG_BLE_MALFORMED')` on bad bytes. */
export type Decoder = (data: Buffer, ctx: DecodeContext) => Sample[];

/** What a sensor's `setup` may do on a freshly connected device. Every call is bounded by the agent's timeouts. */
export interface SensorDevice {
  readonly address: string;
  readonly name: string | undefined;
  /** Unix ms from the agent's clock. */
  now(): number;
  /** Whether the device has this characteristic (optionally with this GATT property, e.g. 'write'). */
  has(service: string, characteristic: string, property?: string): boolean;
  read(service: string, characteristic: string): Promise<Buffer>;
  write(service: string, characteristic: string, data: Buffer): Promise<void>;
}

export interface SensorMatch {
  /** GATT services; a device that has any of them (advertised or discovered) gets this sensor. */
  services: string[];
  /** Optional local-name filter, for vendor services shared by several models. */
  name?: string | RegExp;
}

export interface SensorDefinition {
  /** Stable id, lowercase: 'heart-rate', 'acme-band'. Appears in status and in the samples' provenance. */
  id: string;
  match: SensorMatch;
  /** Characteristic UUID -> decoder. Notifiable ones are subscribed, readable ones are read on each connection. */
  characteristics: Record<string, Decoder>;
  /** Runs after connection and discovery, before subscriptions. */
  setup?: (device: SensorDevice) => Promise<void>;
}

export interface SensorDescriptor {
  readonly id: string;
  readonly match: { readonly services: readonly string[]; readonly name?: string | RegExp };
  readonly characteristics: ReadonlyMap<string, Decoder>;
  readonly setup?: (device: SensorDevice) => Promise<void>;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * Describe a BLE sensor: the services that identify it and a pure decoder per characteristic. UUIDs may be
 * given in any usual spelling; they are normalised to noble's form.
 * @example
 * import { defineSensor, decodeHeartRate } from '@datagraph/agent/sensors';
 * const strap = defineSensor({ id: 'my-strap', match: { services: ['180d'] }, characteristics: { '2a37': decodeHeartRate } });
 * strap.characteristics.get('2a37')?.(Buffer.from([0x00, 64]), { at: Date.now() }); // one heart_rate sample, 64 bpm
 */
export function defineSensor(def: SensorDefinition): SensorDescriptor {
  if (typeof def?.id !== 'string' || !ID.test(def.id)) {
    throw new ProtocolError('AG_SENSOR_INVALID', `sensor id must match ${ID}: ${JSON.stringify(def?.id)}`);
  }
  const services = def.match?.services;
  if (!Array.isArray(services) || services.length === 0) {
    throw new ProtocolError('AG_SENSOR_INVALID', `sensor ${def.id}: match.services must list at least one service`);
  }
  const characteristics = new Map<string, Decoder>();
  for (const [uuid, decode] of Object.entries(def.characteristics ?? {})) {
    if (typeof decode !== 'function') {
      throw new ProtocolError('AG_SENSOR_INVALID', `sensor ${def.id}: decoder for ${uuid} is not a function`);
    }
    characteristics.set(normalizeUuid(uuid), decode);
  }
  if (characteristics.size === 0 && !def.setup) {
    throw new ProtocolError('AG_SENSOR_INVALID', `sensor ${def.id}: needs at least one characteristic or a setup step`);
  }
  if (def.setup !== undefined && typeof def.setup !== 'function') {
    throw new ProtocolError('AG_SENSOR_INVALID', `sensor ${def.id}: setup must be a function`);
  }
  const match = Object.freeze({ services: Object.freeze(services.map(normalizeUuid)), name: def.match.name });
  return Object.freeze({ id: def.id, match, characteristics, setup: def.setup });
}
