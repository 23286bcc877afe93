// Running Speed and Cadence 0x1814: RSC Measurement 0x2A53 (notify), RSC Feature 0x2A54 (read).
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import { Bytes } from './gattEncoding.ts';

export interface RscMeasurement {
  /** Speed in 1/256 m/s units. */
  speed256: number;
  cadence: number;
  strideCm?: number;
  /** Total distance in 1/10 m units. */
  distanceDm?: number;
  running?: boolean;
}

/** Encode per GATT 0x2A53 (gatt.md B.5). */
export function encodeRscMeasurement(m: RscMeasurement): Buffer {
  let flags = 0;
  if (m.strideCm !== undefined) flags |= 0x01;
  if (m.distanceDm !== undefined) flags |= 0x02;
  if (m.running) flags |= 0x04;
  const b = new Bytes().u8(flags).u16(m.speed256).u8(m.cadence);
  if (m.strideCm !== undefined) b.u16(m.strideCm);
  if (m.distanceDm !== undefined) b.u32(m.distanceDm);
  return b.build();
}

export class RunningSpeedCadenceService {
  static readonly uuid = '1814';
  readonly #p: SimulatedPeripheral;

  constructor(p: SimulatedPeripheral) {
    this.#p = p;
    p.addService(RunningSpeedCadenceService.uuid, [
      { uuid: '2a53', properties: ['notify'] },
      { uuid: '2a54', properties: ['read'], value: Buffer.from([0x03, 0x00]) }, // stride + distance supported
    ]);
  }

  measure(m: RscMeasurement): boolean {
    return this.#p.notify(RunningSpeedCadenceService.uuid, '2a53', encodeRscMeasurement(m));
  }
}
