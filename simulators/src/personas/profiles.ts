// Named wearable personas: who they are and how their days go. Times are minutes after 00:00 UTC.
export type Activity = 'sleep' | 'rest' | 'desk' | 'walk' | 'run' | 'active-work';

export interface PersonaProfile {
  name: string;
  description: string;
  age: number;
  gender: 'female' | 'male' | 'unspecified';
  /** Body weight, kg, a multiple of 0.05 so scale readings decode exactly. */
  weightKg: number;
  restingHr: number;
  maxHr: number;
  /** Bedtime (minute of day, may be past midnight as >= 1440) and sleep length in minutes. */
  sleep: { start: number; minutes: number };
  /** Awake blocks (minute of day, [from, to)); everything else awake is 'rest'. */
  blocks: Array<{
    from: number;
    to: number;
    activity: Activity /** probability the block happens on a day */;
    chance?: number;
  }>;
  meals: Array<{ minute: number; kcal: number }>;
  /** Extra devices besides the wrist band. */
  devices: Array<'scale' | 'bp-cuff' | 'thermometer' | 'foot-pod'>;
  /** Minute of day of the morning measurements (scale, cuff, thermometer) relative to waking. */
  morningCheckAfterWake: number;
}

const h = (hours: number, minutes = 0) => hours * 60 + minutes;

export const PERSONAS: readonly PersonaProfile[] = Object.freeze([
  {
    name: 'runner',
    description: 'early riser who runs most mornings, desk job, weighs in daily, foot pod on runs',
    age: 31,
    gender: 'female',
    weightKg: 58.5,
    restingHr: 48,
    maxHr: 189,
    sleep: { start: h(22, 30), minutes: 465 },
    blocks: [
      { from: h(6, 30), to: h(7, 15), activity: 'run', chance: 0.85 },
      { from: h(8, 30), to: h(9), activity: 'walk' },
      { from: h(9), to: h(12, 30), activity: 'desk' },
      { from: h(12, 30), to: h(13), activity: 'walk' },
      { from: h(13), to: h(17, 30), activity: 'desk' },
      { from: h(17, 30), to: h(18), activity: 'walk' },
    ],
    meals: [
      { minute: h(7, 45), kcal: 520 },
      { minute: h(12, 45), kcal: 680 },
      { minute: h(19, 15), kcal: 750 },
    ],
    devices: ['scale', 'foot-pod'],
    morningCheckAfterWake: 10,
  },
  {
    name: 'office-worker',
    description: 'sedentary office day, short walks, evening snack, checks blood pressure each morning',
    age: 47,
    gender: 'male',
    weightKg: 88.2,
    restingHr: 66,
    maxHr: 173,
    sleep: { start: h(23, 30), minutes: 420 },
    blocks: [
      { from: h(8), to: h(8, 30), activity: 'walk' },
      { from: h(8, 30), to: h(12, 30), activity: 'desk' },
      { from: h(12, 30), to: h(12, 50), activity: 'walk', chance: 0.6 },
      { from: h(13), to: h(17, 30), activity: 'desk' },
      { from: h(17, 30), to: h(18), activity: 'walk' },
    ],
    meals: [
      { minute: h(7, 30), kcal: 450 },
      { minute: h(12, 50), kcal: 850 },
      { minute: h(19, 30), kcal: 950 },
      { minute: h(21, 30), kcal: 300 },
    ],
    devices: ['scale', 'bp-cuff'],
    morningCheckAfterWake: 20,
  },
  {
    name: 'night-shift',
    description: 'nurse on nights: on her feet 22:00-06:00, sleeps through the late morning, takes her temperature',
    age: 38,
    gender: 'female',
    weightKg: 71.4,
    restingHr: 61,
    maxHr: 182,
    sleep: { start: h(8), minutes: 450 },
    blocks: [
      { from: h(21, 30), to: h(22), activity: 'walk' },
      { from: h(22), to: h(24), activity: 'active-work' },
      { from: h(0), to: h(6), activity: 'active-work' },
      { from: h(6), to: h(6, 30), activity: 'walk' },
    ],
    meals: [
      { minute: h(16, 30), kcal: 700 },
      { minute: h(21), kcal: 600 },
      { minute: h(2), kcal: 550 },
    ],
    devices: ['thermometer', 'bp-cuff'],
    morningCheckAfterWake: 15,
  },
]);

/** Names of the built-in personas. */
export function listPersonas(): Array<{ name: string; description: string }> {
  return PERSONAS.map((p) => ({ name: p.name, description: p.description }));
}

export function getPersona(name: string): PersonaProfile {
  const p = PERSONAS.find((x) => x.name === name);
  if (!p) throw new Error(`unknown persona ${JSON.stringify(name)}; known: ${PERSONAS.map((x) => x.name).join(', ')}`);
  return p;
}
