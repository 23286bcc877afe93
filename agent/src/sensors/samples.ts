// Small constructors so decoders read as the spec tables they implement.
import type { NoValueReason, Sample, SampleKind } from '../sample.ts';
import type { MedFloat } from './ieee11073.ts';

export function valueSample(kind: SampleKind, value: number | string, unit: string, at: number): Sample {
  return { hasValue: true, kind, value, unit, at };
}

export function noValueSample(kind: SampleKind, reason: NoValueReason, unit: string, at: number): Sample {
  return { hasValue: false, kind, reason, unit, at };
}

/** A sample from an 11073 value: special values become a no-value sample, numbers go through `convert`. */
export function medSample(
  kind: SampleKind,
  med: MedFloat,
  unit: string,
  at: number,
  convert: (v: number) => number = (v) => v,
): Sample {
  return med.ok ? valueSample(kind, convert(med.value), unit, at) : noValueSample(kind, med.reason, unit, at);
}

/** Round to `decimals` places, for unit conversions whose float noise would otherwise leak (98.6 F -> 37 C). */
export function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
