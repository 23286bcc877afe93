// Samples in, closed windows out. Pure state: no clock, no I/O. The state is plain JSON so the pipeline can
// persist it in the same LevelDB batch that writes the closed windows' updates to the outbox (no duplicate, no skip).
import { ageBand, type Cadence, type FieldName, GENDERS } from '@datagraph/protocol';
import type { Sample } from '../sample.ts';
import {
  ACTIVE_MINUTE_HEART_RATE,
  ACTIVE_MINUTE_STEPS,
  ASLEEP_STAGES,
  DAY_MS,
  HOUR_MS,
  KJ_PER_KCAL,
  MINUTE_MS,
  RESTING_BLOCK_MIN_SAMPLES,
  RESTING_BLOCK_MS,
  roundTo,
  SLEEP_STAGE_MAX_MS,
  windowStart,
} from './rules.ts';

/** What one closed window yields before consent: the fields it has data for. Windows are unix ms here. */
export interface Draft {
  cadence: Cadence;
  window: { startMs: number; endMs: number };
  fields: Partial<Record<FieldName, number | string>>;
}

interface HourAcc {
  steps?: number;
  kj?: number;
  kcalBurned?: number;
  kcalConsumed?: number;
  /** min and max are null until the first sample (not ±Infinity: the state must survive JSON). */
  hr: [sum: number, count: number, min: number | null, max: number | null];
  /** minute index in the hour -> [steps, hr sum, hr count] */
  minutes: Record<string, [number, number, number]>;
  activeReported?: number;
}

interface DayAcc {
  steps?: number;
  kj?: number;
  kcalBurned?: number;
  hr: [sum: number, count: number];
  /** block index in the day -> [hr sum, hr count] */
  blocks: Record<string, [number, number]>;
  sleepMs?: number;
  spo2: [sum: number, count: number];
  activeMinutes?: number;
}

export interface AggregatorState {
  hours: Record<string, HourAcc>;
  days: Record<string, DayAcc>;
  /** Windows ending at or before these instants are closed: their late samples are dropped. */
  hourlyClosedThrough: number;
  dailyClosedThrough: number;
  counters: { step_count?: { value: number; at: number }; energy_expended?: { value: number; at: number } };
  sleep?: { stage: string; since: number };
  profile: { age?: number; gender?: string };
  counts: { samples: number; late: number; noValue: number; outOfOrder: number };
}

export function emptyAggregatorState(): AggregatorState {
  return {
    hours: {},
    days: {},
    hourlyClosedThrough: 0,
    dailyClosedThrough: 0,
    counters: {},
    profile: {},
    counts: { samples: 0, late: 0, noValue: 0, outOfOrder: 0 },
  };
}

export class Aggregator {
  readonly state: AggregatorState;

  constructor(state: AggregatorState = emptyAggregatorState()) {
    this.state = state;
  }

  add(sample: Sample): void {
    const s = this.state;
    s.counts.samples++;
    if (!sample.hasValue) {
      s.counts.noValue++;
      return;
    }
    const { kind, value, at } = sample;
    if (kind === 'sleep_stage' && typeof value === 'string') {
      this.#sleepStage(value, at);
      return;
    }
    if (kind === 'gender' && typeof value === 'string') {
      if ((GENDERS as readonly string[]).includes(value)) s.profile.gender = value;
      return;
    }
    if (typeof value !== 'number') return;
    switch (kind) {
      case 'age':
        s.profile.age = value;
        return;
      case 'step_count':
        this.#counter('step_count', value, at, (d) => this.#steps(d, at));
        return;
      case 'steps':
        if (value >= 0) this.#steps(value, at);
        return;
      case 'energy_expended':
        this.#counter('energy_expended', value, at, (d) => this.#energy(d, 0, at));
        return;
      case 'calories_burned':
        if (value >= 0) this.#energy(0, value, at);
        return;
      case 'calories_consumed': {
        const h = this.#hour(at);
        if (h) h.kcalConsumed = (h.kcalConsumed ?? 0) + value;
        return;
      }
      case 'heart_rate':
        this.#heartRate(value, at);
        return;
      case 'spo2': {
        const d = this.#day(at);
        if (d) {
          d.spo2[0] += value;
          d.spo2[1]++;
        }
        return;
      }
      case 'active_minutes': {
        const h = this.#hour(at);
        if (h) h.activeReported = (h.activeReported ?? 0) + value;
        return;
      }
      default:
        return; // other kinds (weight, temperature, bp...) have no catalogue field yet; they stay on the device
    }
  }

  /**
   * Close every window whose end plus `graceMs` is at or before `nowMs`: hourly windows first (their active minutes
   * feed the day), then daily ones, each day also yielding the profile as it stands.
   */
  closeDue(nowMs: number, graceMs: number): Draft[] {
    const s = this.state;
    const out: Draft[] = [];
    const hourlyThrough = windowStart(nowMs - graceMs, HOUR_MS);
    for (const key of Object.keys(s.hours)
      .map(Number)
      .sort((a, b) => a - b)) {
      if (key + HOUR_MS > hourlyThrough) break;
      out.push(...this.#closeHour(key));
    }
    s.hourlyClosedThrough = Math.max(s.hourlyClosedThrough, hourlyThrough);
    const dailyThrough = windowStart(nowMs - graceMs, DAY_MS);
    // A sleep stage still running at a day's end is credited to that day up to its end before the day closes.
    if (s.sleep && s.sleep.since < dailyThrough) this.#creditSleep(dailyThrough);
    for (const key of Object.keys(s.days)
      .map(Number)
      .sort((a, b) => a - b)) {
      if (key + DAY_MS > dailyThrough) break;
      out.push(...this.#closeDay(key));
    }
    s.dailyClosedThrough = Math.max(s.dailyClosedThrough, dailyThrough);
    return out;
  }

  #hour(at: number): HourAcc | null {
    const start = windowStart(at, HOUR_MS);
    if (start < this.state.hourlyClosedThrough) {
      this.state.counts.late++;
      return null;
    }
    this.#day(at, false); // a sample opens its day too, so a day with data always closes
    this.state.hours[start] ??= { hr: [0, 0, null, null], minutes: {} };
    return this.state.hours[start];
  }

  #day(at: number, countLate = true): DayAcc | null {
    const start = windowStart(at, DAY_MS);
    if (start < this.state.dailyClosedThrough) {
      if (countLate) this.state.counts.late++;
      return null;
    }
    this.state.days[start] ??= { hr: [0, 0], blocks: {}, spo2: [0, 0] };
    return this.state.days[start];
  }

  #minute(h: HourAcc, at: number): [number, number, number] {
    const m = String(Math.floor((at % HOUR_MS) / MINUTE_MS));
    h.minutes[m] ??= [0, 0, 0];
    return h.minutes[m];
  }

  // Cumulative counters: the delta since the previous reading; a smaller reading means the counter was reset,
  // and then the reading itself is the delta. The first reading only sets the baseline.
  #counter(name: 'step_count' | 'energy_expended', value: number, at: number, onDelta: (d: number) => void): void {
    const prev = this.state.counters[name];
    if (prev && at < prev.at) {
      this.state.counts.outOfOrder++;
      return;
    }
    this.state.counters[name] = { value, at };
    if (!prev) return;
    onDelta(value >= prev.value ? value - prev.value : value);
  }

  #steps(delta: number, at: number): void {
    // A sample too late for its hour is dropped for its day too, so a day's totals are its hours' sums.
    const h = this.#hour(at);
    if (!h) return;
    h.steps = (h.steps ?? 0) + delta;
    this.#minute(h, at)[0] += delta;
    const d = this.#day(at);
    if (d) d.steps = (d.steps ?? 0) + delta;
  }

  #energy(kj: number, kcal: number, at: number): void {
    const h = this.#hour(at);
    if (!h) return;
    h.kj = (h.kj ?? 0) + kj;
    h.kcalBurned = (h.kcalBurned ?? 0) + kcal;
    const d = this.#day(at);
    if (!d) return;
    d.kj = (d.kj ?? 0) + kj;
    d.kcalBurned = (d.kcalBurned ?? 0) + kcal;
  }

  #heartRate(bpm: number, at: number): void {
    const h = this.#hour(at);
    if (!h) return;
    h.hr[0] += bpm;
    h.hr[1]++;
    h.hr[2] = h.hr[2] === null ? bpm : Math.min(h.hr[2], bpm);
    h.hr[3] = h.hr[3] === null ? bpm : Math.max(h.hr[3], bpm);
    const m = this.#minute(h, at);
    m[1] += bpm;
    m[2]++;
    const d = this.#day(at);
    if (!d) return;
    d.hr[0] += bpm;
    d.hr[1]++;
    const b = String(Math.floor((at % DAY_MS) / RESTING_BLOCK_MS));
    d.blocks[b] ??= [0, 0];
    d.blocks[b][0] += bpm;
    d.blocks[b][1]++;
  }

  #sleepStage(stage: string, at: number): void {
    const cur = this.state.sleep;
    if (cur && at < cur.since) {
      this.state.counts.outOfOrder++;
      return;
    }
    if (cur) this.#creditSleep(at);
    this.state.sleep = { stage, since: at };
    this.#day(at);
  }

  // Credit the running stage from its start up to `untilMs` (capped), split over the UTC days it spans.
  #creditSleep(untilMs: number): void {
    const cur = this.state.sleep;
    if (!cur) return;
    const end = Math.min(untilMs, cur.since + SLEEP_STAGE_MAX_MS);
    if (ASLEEP_STAGES.includes(cur.stage)) {
      for (let t = cur.since; t < end; ) {
        const dayEnd = windowStart(t, DAY_MS) + DAY_MS;
        const partEnd = Math.min(end, dayEnd);
        const d = this.#day(t, false);
        if (d) d.sleepMs = (d.sleepMs ?? 0) + (partEnd - t);
        t = partEnd;
      }
    }
    if (untilMs >= cur.since + SLEEP_STAGE_MAX_MS) this.state.sleep = undefined;
    else cur.since = untilMs;
  }

  #closeHour(start: number): Draft[] {
    const h = this.state.hours[start] as HourAcc;
    delete this.state.hours[start];
    const fields: Draft['fields'] = {};
    if (h.steps !== undefined) fields.steps = Math.round(h.steps);
    if (h.kj !== undefined || h.kcalBurned !== undefined)
      fields.calories_burned = Math.round((h.kj ?? 0) / KJ_PER_KCAL + (h.kcalBurned ?? 0));
    if (h.kcalConsumed !== undefined) fields.calories_consumed = Math.round(h.kcalConsumed);
    if (h.hr[1] > 0) {
      fields.heart_rate_avg = Math.round(h.hr[0] / h.hr[1]);
      fields.heart_rate_min = Math.round(h.hr[2] ?? 0);
      fields.heart_rate_max = Math.round(h.hr[3] ?? 0);
    }
    const hasActivityData = h.steps !== undefined || h.hr[1] > 0 || h.activeReported !== undefined;
    if (hasActivityData) {
      const measured = Object.values(h.minutes).filter(
        ([steps, hrSum, hrCount]) =>
          steps >= ACTIVE_MINUTE_STEPS || (hrCount > 0 && hrSum / hrCount >= ACTIVE_MINUTE_HEART_RATE),
      ).length;
      const active = Math.min(60, measured + Math.round(h.activeReported ?? 0));
      fields.active_minutes = active;
      const d = this.#day(start, false);
      if (d) d.activeMinutes = (d.activeMinutes ?? 0) + active;
    }
    return Object.keys(fields).length
      ? [{ cadence: 'hourly', window: { startMs: start, endMs: start + HOUR_MS }, fields }]
      : [];
  }

  #closeDay(start: number): Draft[] {
    const d = this.state.days[start] as DayAcc;
    delete this.state.days[start];
    const fields: Draft['fields'] = {};
    if (d.sleepMs !== undefined) fields.sleep_hours = roundTo(d.sleepMs / HOUR_MS, 2);
    const blocks = Object.values(d.blocks).filter(([, n]) => n >= RESTING_BLOCK_MIN_SAMPLES);
    if (blocks.length) fields.resting_heart_rate = Math.round(Math.min(...blocks.map(([sum, n]) => sum / n)));
    if (d.hr[1] > 0) fields.avg_heart_rate = Math.round(d.hr[0] / d.hr[1]);
    if (d.steps !== undefined) fields.steps_total = Math.round(d.steps);
    if (d.kj !== undefined || d.kcalBurned !== undefined)
      fields.calories_burned_total = Math.round((d.kj ?? 0) / KJ_PER_KCAL + (d.kcalBurned ?? 0));
    if (d.activeMinutes !== undefined) fields.active_minutes_total = d.activeMinutes;
    if (d.spo2[1] > 0) fields.spo2_avg = roundTo(d.spo2[0] / d.spo2[1], 1);
    const window = { startMs: start, endMs: start + DAY_MS };
    const out: Draft[] = Object.keys(fields).length ? [{ cadence: 'daily', window, fields }] : [];
    const profile: Draft['fields'] = {};
    const band = this.state.profile.age === undefined ? null : ageBand(this.state.profile.age);
    if (band) profile.age_band = band;
    if (this.state.profile.gender !== undefined) profile.gender = this.state.profile.gender;
    if (Object.keys(profile).length) out.push({ cadence: 'profile', window, fields: profile });
    return out;
  }
}
