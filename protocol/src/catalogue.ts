// The field catalogue: what can be shared, in which unit, at which cadence, within which range.
// Adding a field is one entry here plus tests (see CONTRIBUTING.md). Names are public API.
import { z } from 'zod';

export const Cadence = z.enum(['profile', 'daily', 'hourly']);
export type Cadence = z.infer<typeof Cadence>;

export interface NumericField {
  kind: 'numeric';
  cadence: Cadence;
  unit: string;
  label: string;
  min: number;
  max: number;
  /** Decimal places kept; 0 means an integer. */
  decimals: number;
  /** Rounding step used when the provider asks for coarse values. */
  coarseStep: number;
  loinc?: string;
}

export interface CategoricalField {
  kind: 'categorical';
  cadence: Cadence;
  unit: null;
  label: string;
  values: readonly string[];
  loinc?: string;
}

export type FieldSpec = NumericField | CategoricalField;

/** Age bands (years) for the `age_band` field; an exact age never leaves the device. */
export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65-74', '75+'] as const;
export const GENDERS = ['female', 'male', 'unspecified'] as const;

const hr = (label: string, cadence: Cadence): NumericField => ({
  kind: 'numeric',
  cadence,
  unit: 'bpm',
  label,
  min: 25,
  max: 250,
  decimals: 0,
  coarseStep: 5,
  loinc: '8867-4',
});

export const catalogue = {
  // profile: changes rarely
  age_band: {
    kind: 'categorical',
    cadence: 'profile',
    unit: null,
    label: 'Age band',
    values: AGE_BANDS,
    loinc: '30525-0',
  },
  gender: { kind: 'categorical', cadence: 'profile', unit: null, label: 'Gender', values: GENDERS, loinc: '76691-5' },
  // daily: one value per UTC day
  sleep_hours: {
    kind: 'numeric',
    cadence: 'daily',
    unit: 'h',
    label: 'Sleep duration',
    min: 0,
    max: 24,
    decimals: 2,
    coarseStep: 0.5,
    loinc: '93832-4',
  },
  resting_heart_rate: { ...hr('Resting heart rate', 'daily'), loinc: '40443-4' },
  avg_heart_rate: hr('Average heart rate', 'daily'),
  steps_total: {
    kind: 'numeric',
    cadence: 'daily',
    unit: 'steps',
    label: 'Steps in the day',
    min: 0,
    max: 150000,
    decimals: 0,
    coarseStep: 500,
    loinc: '41950-7',
  },
  calories_burned_total: {
    kind: 'numeric',
    cadence: 'daily',
    unit: 'kcal',
    label: 'Energy burned in the day',
    min: 0,
    max: 20000,
    decimals: 0,
    coarseStep: 50,
    loinc: '41981-2',
  },
  active_minutes_total: {
    kind: 'numeric',
    cadence: 'daily',
    unit: 'min',
    label: 'Active minutes in the day',
    min: 0,
    max: 1440,
    decimals: 0,
    coarseStep: 10,
    loinc: '55411-3',
  },
  spo2_avg: {
    kind: 'numeric',
    cadence: 'daily',
    unit: '%',
    label: 'Average SpO2',
    min: 50,
    max: 100,
    decimals: 1,
    coarseStep: 1,
    loinc: '59408-5',
  },
  // hourly: one value per UTC hour
  steps: {
    kind: 'numeric',
    cadence: 'hourly',
    unit: 'steps',
    label: 'Steps in the hour',
    min: 0,
    max: 30000,
    decimals: 0,
    coarseStep: 100,
    loinc: '55423-8',
  },
  calories_burned: {
    kind: 'numeric',
    cadence: 'hourly',
    unit: 'kcal',
    label: 'Energy burned in the hour',
    min: 0,
    max: 3000,
    decimals: 0,
    coarseStep: 10,
    loinc: '41981-2',
  },
  calories_consumed: {
    kind: 'numeric',
    cadence: 'hourly',
    unit: 'kcal',
    label: 'Energy eaten in the hour',
    min: 0,
    max: 10000,
    decimals: 0,
    coarseStep: 50,
    loinc: '9052-2',
  },
  heart_rate_avg: hr('Average heart rate in the hour', 'hourly'),
  heart_rate_min: hr('Lowest heart rate in the hour', 'hourly'),
  heart_rate_max: hr('Highest heart rate in the hour', 'hourly'),
  active_minutes: {
    kind: 'numeric',
    cadence: 'hourly',
    unit: 'min',
    label: 'Active minutes in the hour',
    min: 0,
    max: 60,
    decimals: 0,
    coarseStep: 5,
    loinc: '55411-3',
  },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof catalogue;
export const FIELD_NAMES = Object.keys(catalogue).sort() as FieldName[];
export const FieldName = z.enum(FIELD_NAMES as [FieldName, ...FieldName[]]);

export function fieldSpec(name: FieldName): FieldSpec {
  return catalogue[name];
}

export function isFieldName(name: string): name is FieldName {
  return Object.hasOwn(catalogue, name);
}

export function fieldsForCadence(cadence: Cadence): FieldName[] {
  return FIELD_NAMES.filter((f) => catalogue[f].cadence === cadence);
}

/** Length of a window of each cadence in seconds; a profile has no fixed window. */
export const WINDOW_SECONDS = { hourly: 3600, daily: 86400 } as const;

/** Why a value does not fit its field, or null when it does. */
export function checkFieldValue(name: FieldName, value: unknown): string | null {
  const spec: FieldSpec = catalogue[name];
  if (spec.kind === 'categorical') {
    return typeof value === 'string' && spec.values.includes(value)
      ? null
      : `${name} must be one of ${spec.values.join(', ')}`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${name} must be a finite number`;
  if (value < spec.min || value > spec.max) return `${name} must be within ${spec.min}..${spec.max} ${spec.unit}`;
  const scaled = value * 10 ** spec.decimals;
  if (Math.abs(scaled - Math.round(scaled)) > 1e-6) return `${name} has more than ${spec.decimals} decimal places`;
  return null;
}

/** Round a numeric value to the catalogue's precision (what a device publishes). */
export function roundToCatalogue(name: FieldName, value: number): number {
  const spec: FieldSpec = catalogue[name];
  if (spec.kind !== 'numeric') return value;
  const f = 10 ** spec.decimals;
  return Math.min(spec.max, Math.max(spec.min, Math.round(value * f) / f));
}

/** Coarsen a numeric value to the field's coarse step (a consent generalisation). */
export function coarsen(name: FieldName, value: number): number {
  const spec: FieldSpec = catalogue[name];
  if (spec.kind !== 'numeric') return value;
  return roundToCatalogue(name, Math.round(value / spec.coarseStep) * spec.coarseStep);
}

/** The age band of an exact age in years, or null under 18 (minors are not accepted as providers). */
export function ageBand(age: number): (typeof AGE_BANDS)[number] | null {
  if (!Number.isFinite(age) || age < 18) return null;
  if (age < 25) return '18-24';
  if (age >= 75) return '75+';
  const lo = Math.floor((age - 25) / 10) * 10 + 25;
  return `${lo}-${lo + 9}` as (typeof AGE_BANDS)[number];
}
