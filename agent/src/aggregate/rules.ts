// The aggregation rules in one place: how raw samples become the catalogue's hourly, daily and profile fields.
// docs/agent.md "What each field means" explains each rule; tests compute the same figures independently.

/** GATT 0x2A37 reports energy expended in kilojoules; the catalogue publishes kilocalories (thermochemical). */
export const KJ_PER_KCAL = 4.184;

/** A UTC minute is active when at least this many steps fall in it (a brisk walk is 100+ steps/min)... */
export const ACTIVE_MINUTE_STEPS = 60;
/** ...or when the mean of its heart-rate samples is at least this (moderate effort for most adults). */
export const ACTIVE_MINUTE_HEART_RATE = 110;

/** Resting heart rate is the lowest mean over aligned UTC blocks of this length... */
export const RESTING_BLOCK_MS = 5 * 60_000;
/** ...counting only blocks with at least this many heart-rate samples, so one stray low reading does not decide it. */
export const RESTING_BLOCK_MIN_SAMPLES = 3;

/** A sleep stage lasts until the next sleep_stage sample, but never longer than this (a device that went silent). */
export const SLEEP_STAGE_MAX_MS = 12 * 3_600_000;
/** Stages that count as sleep for sleep_hours. */
export const ASLEEP_STAGES: readonly string[] = ['light', 'deep', 'rem'];

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** Start (unix ms) of the UTC window of `lengthMs` that holds `atMs`. */
export function windowStart(atMs: number, lengthMs: number): number {
  return Math.floor(atMs / lengthMs) * lengthMs;
}

/** Round to `decimals` places, half away from zero as Math.round does for positives. */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
