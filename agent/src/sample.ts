// A sample: one reading from a sensor or an SDK source, before aggregation. Samples never leave the agent.
import { z } from 'zod';

/**
 * What a sample measures, in one fixed unit each (decoders convert to these):
 * heart_rate bpm; rr_interval ms; energy_expended kJ (cumulative, as 0x2A37 reports it);
 * step_count steps (cumulative counter); steps steps (a delta); cadence steps/min; speed m/s;
 * distance m (cumulative); weight kg; height m; temperature degC; bp_systolic, bp_diastolic, bp_map mmHg;
 * pulse_rate bpm; spo2 %; battery %; age years; gender 'female' | 'male' | 'unspecified';
 * sleep_stage 'awake' | 'light' | 'deep' | 'rem' (the stage from `at` until the next sleep_stage sample);
 * calories_consumed kcal; calories_burned kcal; active_minutes min.
 * cuff_pressure mmHg (a cuff inflating, not a blood pressure); stride_length m.
 * no-contact: a heart-rate sensor that supports contact detection reports no skin contact (0x2A37 bits 1-2).
 */
export const SampleKind = z.enum([
  'heart_rate',
  'rr_interval',
  'energy_expended',
  'step_count',
  'steps',
  'cadence',
  'speed',
  'distance',
  'weight',
  'height',
  'temperature',
  'bp_systolic',
  'bp_diastolic',
  'bp_map',
  'pulse_rate',
  'spo2',
  'battery',
  'age',
  'gender',
  'sleep_stage',
  'calories_consumed',
  'calories_burned',
  'active_minutes',
  // BLE and decoders: Intermediate Cuff Pressure 0x2A36 (mmHg), stride length from RSC 0x2A53 (m)
  'cuff_pressure',
  'stride_length',
]);
export type SampleKind = z.infer<typeof SampleKind>;

/** IEEE-11073 special values and other reasons a reading has no value (never a number). */
export const NoValueReason = z.enum([
  'not-a-number',
  'error',
  'positive-infinity',
  'negative-infinity',
  'unsuccessful',
  'no-contact',
]);
export type NoValueReason = z.infer<typeof NoValueReason>;

export const Sample = z.discriminatedUnion('hasValue', [
  z.object({
    hasValue: z.literal(true),
    kind: SampleKind,
    value: z.union([z.number().finite(), z.string().max(32)]),
    unit: z.string(),
    /** Unix ms, from the agent's clock (or the device's own timestamp when it sends one). */
    at: z.number().int(),
  }),
  z.object({
    hasValue: z.literal(false),
    kind: SampleKind,
    reason: NoValueReason,
    unit: z.string(),
    at: z.number().int(),
  }),
]);
export type Sample = z.infer<typeof Sample>;
export type ValueSample = Extract<Sample, { hasValue: true }>;
