// A device maker's driver, written only with the public SDK: the "Acme Band" wrist wearable exposes a
// vendor-specific GATT service (128-bit UUIDs) with a cumulative step counter and sleep-stage records.
// This file is the worked example of docs/sensors.md.
import { ByteReader, type DecodeContext, defineSensor, type Sample } from '../index.ts';

/** Acme Band service and characteristics (vendor-allocated 128-bit UUIDs, noble form). */
export const ACME_BAND = {
  service: 'a8f200016e5d4b8c9f3a1d2c3b4a5f60',
  /** Notify, read: uint32 LE total steps since the band was reset. */
  steps: 'a8f200026e5d4b8c9f3a1d2c3b4a5f60',
  /** Indicate: one record per sleep-stage change, uint8 stage + uint32 LE start (Unix seconds, UTC). */
  sleep: 'a8f200036e5d4b8c9f3a1d2c3b4a5f60',
} as const;

/** Stage codes of the Acme Band firmware. */
export const ACME_SLEEP_STAGES = ['awake', 'light', 'deep', 'rem'] as const;

/**
 * Step counter: the band counts steps since reset; the agent turns the counter into per-window steps.
 * @example decodeAcmeSteps(Buffer.from([0x10, 0x27, 0, 0]), { at: 0 }) // step_count 10000
 */
export function decodeAcmeSteps(data: Buffer, ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, 'acme-band steps');
  const total = r.u32();
  r.end();
  return [{ hasValue: true, kind: 'step_count', value: total, unit: 'steps', at: ctx.at }];
}

/**
 * Sleep record: the band stores stage changes while out of range and indicates them on reconnect, each with its
 * own start time, so `at` is the band's time, not the arrival time.
 * @example decodeAcmeSleep(Buffer.from([2, 0x50, 0x45, 0x5b, 0x69]), { at: 0 }) // deep sleep from 2026-01-05T05:00Z
 */
export function decodeAcmeSleep(data: Buffer, _ctx: DecodeContext): Sample[] {
  const r: ByteReader = new ByteReader(data, 'acme-band sleep');
  const code = r.u8();
  const startSeconds = r.u32();
  r.end();
  const stage = ACME_SLEEP_STAGES[code];
  if (stage === undefined) r.malformed(`unknown sleep stage ${code}`);
  return [{ hasValue: true, kind: 'sleep_stage', value: stage, unit: '', at: startSeconds * 1000 }];
}

export const acmeBandSensor = defineSensor({
  id: 'acme-band',
  match: { services: [ACME_BAND.service] },
  characteristics: { [ACME_BAND.steps]: decodeAcmeSteps, [ACME_BAND.sleep]: decodeAcmeSleep },
});
