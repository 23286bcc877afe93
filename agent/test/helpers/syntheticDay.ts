// Deterministic raw samples for tests: a wearable's day and a bit, with sleep across midnight, counter resets,
// meals, missing values and an SDK-reported workout. Seeded, so every run sees the same bytes.
import type { Sample } from '@datagraph/agent';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const H = 3_600_000;

/** Heart rate every `stepMs` (15 s by default); counters each minute when `stepMs` divides a minute, else each step. */
export function syntheticSamples(start: number, hours: number, seed = 1, stepMs = 15_000): Sample[] {
  const rnd = mulberry32(seed);
  const out: Sample[] = [];
  const v = (kind: Sample['kind'], value: number | string, unit: string, at: number): Sample => ({
    hasValue: true,
    kind,
    value,
    unit,
    at,
  });
  out.push(v('age', 37, 'years', start + 1000), v('gender', 'female', '', start + 1000));
  let steps = 12_000;
  let kj = 400;
  for (let t = start; t < start + hours * H; t += stepMs) {
    const hourOfDay = new Date(t).getUTCHours();
    const asleep = hourOfDay < 7 || hourOfDay >= 23;
    const workout = hourOfDay === 9;
    const base = asleep ? 52 : workout ? 135 : 72;
    if (rnd() < 0.02) out.push({ hasValue: false, kind: 'heart_rate', reason: 'not-a-number', unit: 'bpm', at: t });
    else out.push(v('heart_rate', Math.round(base + rnd() * 14 - 4), 'bpm', t));
    if (t % Math.max(60_000, stepMs) === 0) {
      if (hourOfDay === 13 && t % H === 0) steps = 0; // the wearable's counter reset
      steps += asleep ? 0 : workout ? 100 + Math.floor(rnd() * 40) : Math.floor(rnd() * 70);
      out.push(v('step_count', steps, 'steps', t + 500));
      if (hourOfDay === 15 && t % H === 0) kj = 3; // energy expended reset
      kj += asleep ? 3 : workout ? 40 : 6 + Math.floor(rnd() * 8);
      out.push(v('energy_expended', kj, 'kJ', t + 700));
    }
    if (t % Math.max(30 * 60_000, stepMs) === 0) out.push(v('spo2', 94 + Math.round(rnd() * 50) / 10, '%', t + 900));
  }
  const at = (h: number, m = 0) => start + h * H + m * 60_000;
  const stages: [number, number, string][] = [
    [0, 0, 'light'],
    [1, 10, 'deep'],
    [2, 30, 'rem'],
    [3, 0, 'light'],
    [5, 0, 'deep'],
    [6, 30, 'awake'],
    [23, 0, 'light'],
    [24, 30, 'deep'],
    [25, 45, 'awake'],
  ];
  for (const [h, m, s] of stages) if (at(h, m) < start + hours * H) out.push(v('sleep_stage', s, '', at(h, m) + 300));
  for (const [h, kcal] of [
    [8, 450],
    [12.5, 800],
    [19, 700],
  ] as const)
    out.push(v('calories_consumed', kcal, 'kcal', at(h) + 1234));
  out.push(v('active_minutes', 10, 'min', at(17, 5)));
  out.push(v('calories_burned', 120, 'kcal', at(17, 6)));
  out.push(v('battery', 81, '%', at(10)));
  return out.filter((s) => s.at < start + hours * H).sort((a, b) => a.at - b.at);
}
