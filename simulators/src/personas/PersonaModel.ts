// A persona's body as a pure function of time: for any minute, what they do, their heart rate, steps, energy,
// sleep stage and SpO2. Deterministic from (profile, seed); no clock, no state, so any speed replays the same week.
import { draw } from './prng.ts';
import type { Activity, PersonaProfile } from './profiles.ts';

export type SleepStage = 'awake' | 'light' | 'deep' | 'rem';

export interface MinuteState {
  /** Minutes since the Unix epoch. */
  minute: number;
  activity: Activity;
  /** Stage while in bed, 'awake' otherwise. */
  sleepStage: SleepStage;
  heartRate: number;
  steps: number;
  kcal: number;
  spo2: number;
}

const DAY = 1440;

const KCAL_PER_MIN: Record<Activity, number> = {
  sleep: 0.95,
  rest: 1.25,
  desk: 1.4,
  walk: 4.2,
  run: 11,
  'active-work': 2.6,
};

export class PersonaModel {
  readonly profile: PersonaProfile;
  readonly seed: number;

  constructor(profile: PersonaProfile, seed: number) {
    this.profile = profile;
    this.seed = seed >>> 0;
  }

  /** The sleep period that starts on UTC day `day`, in epoch minutes [start, end). */
  sleepOf(day: number): { start: number; end: number } {
    const jitterStart = Math.round((draw(this.seed, 'sleep-start', day) - 0.5) * 60);
    const jitterLength = Math.round((draw(this.seed, 'sleep-length', day) - 0.5) * 80);
    const start = day * DAY + this.profile.sleep.start + jitterStart;
    return { start, end: start + this.profile.sleep.minutes + jitterLength };
  }

  /** The sleep period containing epoch minute `m`, if any. */
  sleepAt(m: number): { start: number; end: number } | undefined {
    const day = Math.floor(m / DAY);
    for (const d of [day - 1, day]) {
      const s = this.sleepOf(d);
      if (m >= s.start && m < s.end) return s;
    }
    return undefined;
  }

  /** Epoch minutes at which the persona wakes during UTC day `day` (the end of a sleep period). */
  wakesOn(day: number): number[] {
    return [day - 1, day].map((d) => this.sleepOf(d).end).filter((e) => Math.floor(e / DAY) === day);
  }

  stageAt(m: number): SleepStage {
    const s = this.sleepAt(m);
    if (!s) return 'awake';
    const k = m - s.start;
    const cycle = Math.floor(k / 90);
    const pos = k % 90;
    if (pos >= 86 && draw(this.seed, 'wake-blip', s.start + cycle) < 0.25) return 'awake';
    const deep = Math.max(5, 35 - cycle * 8);
    if (pos < 20) return 'light';
    if (pos < 20 + deep) return 'deep';
    if (pos < 70) return 'light';
    return 'rem';
  }

  activityAt(m: number): Activity {
    if (this.sleepAt(m)) return 'sleep';
    const day = Math.floor(m / DAY);
    const mod = m - day * DAY;
    for (const [i, b] of this.profile.blocks.entries()) {
      if (mod >= b.from && mod < b.to && draw(this.seed, `block-${i}`, day) < (b.chance ?? 1)) return b.activity;
    }
    return 'rest';
  }

  /** Everything about minute `m` (epoch minutes). */
  minute(m: number): MinuteState {
    const p = this.profile;
    const activity = this.activityAt(m);
    const stage = this.stageAt(m);
    const noise = (what: string) => draw(this.seed, what, m);
    const dayFactor = 0.85 + 0.3 * draw(this.seed, 'day-steps', Math.floor(m / DAY));
    let hr: number;
    let steps = 0;
    switch (activity) {
      case 'sleep':
        hr = p.restingHr - 4 + (stage === 'deep' ? -4 : stage === 'rem' ? 3 : stage === 'awake' ? 8 : 0);
        break;
      case 'rest':
        hr = p.restingHr + 12;
        if (noise('fidget') < 0.3) steps = Math.floor(noise('rest-steps') * 20);
        break;
      case 'desk':
        hr = p.restingHr + 8;
        if (noise('fidget') < 0.1) steps = Math.floor(noise('desk-steps') * 15);
        break;
      case 'walk':
        hr = p.restingHr + 40;
        steps = 95 + Math.floor(noise('walk-steps') * 26);
        break;
      case 'run':
        hr = Math.round(p.restingHr + 0.75 * (p.maxHr - p.restingHr));
        steps = 155 + Math.floor(noise('run-steps') * 21);
        break;
      case 'active-work':
        hr = p.restingHr + 28;
        steps = 12 + Math.floor(noise('work-steps') * 24);
        break;
    }
    hr = Math.max(35, Math.min(p.maxHr, Math.round(hr + (noise('hr') - 0.5) * 8)));
    steps = Math.round(steps * (activity === 'walk' || activity === 'run' ? 1 : dayFactor));
    const kcal = (KCAL_PER_MIN[activity] * p.weightKg) / 70;
    const spo2 = activity === 'sleep' ? 93 + Math.floor(noise('spo2') * 5) : 96 + Math.floor(noise('spo2') * 4);
    return { minute: m, activity, sleepStage: stage, heartRate: hr, steps, kcal, spo2 };
  }
}
