// An independent, batch computation of the catalogue aggregates from raw samples, written from docs/agent.md
// ("What each field means") rather than from the Aggregator, to check the streaming implementation against.
import type { Sample } from '@datagraph/agent';

const H = 3_600_000;
const D = 86_400_000;
type Fields = Record<string, number | string>;
export interface RefWindow {
  cadence: 'hourly' | 'daily';
  start: number;
  fields: Fields;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const floorTo = (t: number, len: number) => Math.floor(t / len) * len;

/**
 * Samples must all fall in windows that close after the last of them. A sleep stage still running at the end is
 * credited up to `stageUntilMs` (the end of the last day closed), as a day's close credits it.
 */
export function referenceAggregates(samples: Sample[], stageUntilMs = Number.NEGATIVE_INFINITY): RefWindow[] {
  const vals = samples.filter((s): s is Extract<Sample, { hasValue: true }> => s.hasValue).sort((a, b) => a.at - b.at);
  // Step and energy deltas (a smaller counter reading is a reset: the reading is the delta; the first is a baseline).
  const stepDeltas: [number, number][] = [];
  const kjDeltas: [number, number][] = [];
  const kcalBurned: [number, number][] = [];
  for (const [kind, out] of [
    ['step_count', stepDeltas],
    ['energy_expended', kjDeltas],
  ] as const) {
    const series = vals.filter((s) => s.kind === kind);
    for (let i = 1; i < series.length; i++) {
      const prev = series[i - 1]?.value as number;
      const cur = series[i]?.value as number;
      out.push([series[i]?.at as number, cur >= prev ? cur - prev : cur]);
    }
  }
  for (const s of vals) if (s.kind === 'steps') stepDeltas.push([s.at, s.value as number]);
  for (const s of vals) if (s.kind === 'calories_burned') kcalBurned.push([s.at, s.value as number]);
  const hr = vals.filter((s) => s.kind === 'heart_rate').map((s) => [s.at, s.value as number] as const);
  const consumed = vals.filter((s) => s.kind === 'calories_consumed');
  const reportedActive = vals.filter((s) => s.kind === 'active_minutes');
  const spo2 = vals.filter((s) => s.kind === 'spo2');
  const stages = vals.filter((s) => s.kind === 'sleep_stage');

  const hourStarts = new Set<number>();
  for (const [at] of [...stepDeltas, ...kjDeltas, ...kcalBurned, ...hr]) hourStarts.add(floorTo(at, H));
  for (const s of [...consumed, ...reportedActive]) hourStarts.add(floorTo(s.at, H));

  const out: RefWindow[] = [];
  const activeByHour = new Map<number, number>();
  for (const start of [...hourStarts].sort((a, b) => a - b)) {
    const inH = (at: number) => at >= start && at < start + H;
    const f: Fields = {};
    const st = stepDeltas.filter(([at]) => inH(at));
    const kj = kjDeltas.filter(([at]) => inH(at));
    const kc = kcalBurned.filter(([at]) => inH(at));
    const hrs = hr.filter(([at]) => inH(at)).map(([, v]) => v);
    const eaten = consumed.filter((s) => inH(s.at));
    const rep = reportedActive.filter((s) => inH(s.at));
    if (st.length) f.steps = Math.round(st.reduce((a, [, v]) => a + v, 0));
    if (kj.length || kc.length)
      f.calories_burned = Math.round(kj.reduce((a, [, v]) => a + v, 0) / 4.184 + kc.reduce((a, [, v]) => a + v, 0));
    if (eaten.length) f.calories_consumed = Math.round(eaten.reduce((a, s) => a + (s.value as number), 0));
    if (hrs.length) {
      f.heart_rate_avg = Math.round(mean(hrs));
      f.heart_rate_min = Math.round(Math.min(...hrs));
      f.heart_rate_max = Math.round(Math.max(...hrs));
    }
    if (st.length || hrs.length || rep.length) {
      let active = 0;
      for (let m = 0; m < 60; m++) {
        const inM = (at: number) => at >= start + m * 60_000 && at < start + (m + 1) * 60_000;
        const steps = st.filter(([at]) => inM(at)).reduce((a, [, v]) => a + v, 0);
        const mh = hr.filter(([at]) => inM(at)).map(([, v]) => v);
        if (steps >= 60 || (mh.length > 0 && mean(mh) >= 110)) active++;
      }
      f.active_minutes = Math.min(60, active + Math.round(rep.reduce((a, s) => a + (s.value as number), 0)));
      activeByHour.set(start, f.active_minutes);
    }
    if (Object.keys(f).length) out.push({ cadence: 'hourly', start, fields: f });
  }

  const dayStarts = new Set<number>([...hourStarts].map((h) => floorTo(h, D)));
  for (const s of [...spo2, ...stages]) dayStarts.add(floorTo(s.at, D));
  const sleepByDay = new Map<number, number>();
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i] as (typeof stages)[number];
    const next = stages[i + 1];
    if (!['light', 'deep', 'rem'].includes(s.value as string)) continue;
    const end = Math.min(next ? next.at : stageUntilMs, s.at + 12 * H);
    for (let day = floorTo(s.at, D); day < end; day += D) {
      const ms = Math.min(end, day + D) - Math.max(s.at, day);
      if (ms > 0) sleepByDay.set(day, (sleepByDay.get(day) ?? 0) + ms);
    }
  }
  for (const start of [...dayStarts].sort((a, b) => a - b)) {
    const inD = (at: number) => at >= start && at < start + D;
    const f: Fields = {};
    if (sleepByDay.has(start)) f.sleep_hours = Math.round(((sleepByDay.get(start) as number) / H) * 100) / 100;
    const hrs = hr.filter(([at]) => inD(at));
    const blocks: number[] = [];
    for (let b = 0; b < 288; b++) {
      const inB = hrs.filter(([at]) => at >= start + b * 300_000 && at < start + (b + 1) * 300_000).map(([, v]) => v);
      if (inB.length >= 3) blocks.push(mean(inB));
    }
    if (blocks.length) f.resting_heart_rate = Math.round(Math.min(...blocks));
    if (hrs.length) f.avg_heart_rate = Math.round(mean(hrs.map(([, v]) => v)));
    const st = stepDeltas.filter(([at]) => inD(at));
    if (st.length) f.steps_total = Math.round(st.reduce((a, [, v]) => a + v, 0));
    const kj = kjDeltas.filter(([at]) => inD(at));
    const kc = kcalBurned.filter(([at]) => inD(at));
    if (kj.length || kc.length)
      f.calories_burned_total = Math.round(
        kj.reduce((a, [, v]) => a + v, 0) / 4.184 + kc.reduce((a, [, v]) => a + v, 0),
      );
    const hoursOfDay = [...activeByHour].filter(([h]) => inD(h));
    if (hoursOfDay.length) f.active_minutes_total = hoursOfDay.reduce((a, [, v]) => a + v, 0);
    const ox = spo2.filter((s) => inD(s.at)).map((s) => s.value as number);
    if (ox.length) f.spo2_avg = Math.round(mean(ox) * 10) / 10;
    if (Object.keys(f).length) out.push({ cadence: 'daily', start, fields: f });
  }
  return out;
}
