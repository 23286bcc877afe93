// The Acme Band's vendor-specific service (128-bit UUIDs): a cumulative step counter (read, notify) and
// sleep-stage records (indicate; stored while out of range). Byte layout documented in docs/sensors.md; the
// agent-side driver is agent/src/sensors/vendor/acmeBand.ts.
import type { SimulatedPeripheral } from '../radio/SimulatedPeripheral.ts';
import { Bytes } from './gattEncoding.ts';

export const ACME_BAND_UUIDS = {
  service: 'a8f200016e5d4b8c9f3a1d2c3b4a5f60',
  steps: 'a8f200026e5d4b8c9f3a1d2c3b4a5f60',
  sleep: 'a8f200036e5d4b8c9f3a1d2c3b4a5f60',
} as const;

export const ACME_STAGE_CODES = { awake: 0, light: 1, deep: 2, rem: 3 } as const;
export type AcmeStage = keyof typeof ACME_STAGE_CODES;

export function encodeAcmeSteps(total: number): Buffer {
  return new Bytes().u32(total).build();
}

export function encodeAcmeSleep(stage: AcmeStage, startMs: number): Buffer {
  return new Bytes()
    .u8(ACME_STAGE_CODES[stage])
    .u32(Math.floor(startMs / 1000))
    .build();
}

export class AcmeBandService {
  static readonly uuid = ACME_BAND_UUIDS.service;
  readonly #p: SimulatedPeripheral;
  #steps = 0;

  constructor(p: SimulatedPeripheral) {
    this.#p = p;
    p.addService(ACME_BAND_UUIDS.service, [
      { uuid: ACME_BAND_UUIDS.steps, properties: ['read', 'notify'], value: encodeAcmeSteps(0) },
      { uuid: ACME_BAND_UUIDS.sleep, properties: ['indicate'] },
    ]);
  }

  get steps(): number {
    return this.#steps;
  }

  /** Count steps; the counter notifies its new total (a missed notification loses no steps). */
  addSteps(n: number): boolean {
    if (n <= 0) return false;
    this.#steps = (this.#steps + n) >>> 0;
    return this.#p.setValue(ACME_BAND_UUIDS.service, ACME_BAND_UUIDS.steps, encodeAcmeSteps(this.#steps));
  }

  /** Record a stage change at `startMs` (whole seconds); delivered now or on reconnect. */
  sleepStage(stage: AcmeStage, startMs: number): void {
    this.#p.indicate(ACME_BAND_UUIDS.service, ACME_BAND_UUIDS.sleep, encodeAcmeSleep(stage, startMs));
  }
}
