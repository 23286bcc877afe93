// Privacy steps: each a pure `(draft, policy) => draft | null`, run in one ordered list. The pipeline parses the
// result again against the outbound `UpdateBody` schema, so a step that lets something odd through fails closed.
import {
  type ConsentPolicy,
  catalogue,
  checkFieldValue,
  coarsen,
  type FieldName,
  isFieldName,
} from '@datagraph/protocol';
import type { Draft } from '../aggregate/Aggregator.ts';

export type PrivacyStep = (draft: Draft, policy: ConsentPolicy) => Draft | null;

function withFields(draft: Draft, entries: [string, number | string][]): Draft {
  return { ...draft, fields: Object.fromEntries(entries) as Draft['fields'] };
}

/** A field leaves the device only if the policy lists it at this cadence (and the catalogue offers it there). */
export const dropUnconsentedFields: PrivacyStep = (draft, policy) =>
  withFields(
    draft,
    Object.entries(draft.fields).filter(
      ([name]) =>
        isFieldName(name) &&
        catalogue[name].cadence === draft.cadence &&
        (policy.fields[name] ?? []).includes(draft.cadence),
    ) as [string, number | string][],
  );

/** After `expiresAt` nothing is shared: a window ending after the expiry is withheld whole. */
export const dropAfterExpiry: PrivacyStep = (draft, policy) =>
  policy.expiresAt !== null && draft.window.endMs > policy.expiresAt * 1000 ? null : draft;

/** Numeric fields the provider asked to generalise are rounded to the catalogue's coarse step. */
export const generaliseCoarse: PrivacyStep = (draft, policy) =>
  withFields(
    draft,
    Object.entries(draft.fields).map(([name, value]) =>
      typeof value === 'number' && policy.generalisation[name as FieldName] === 'coarse'
        ? [name, coarsen(name as FieldName, value)]
        : [name, value],
    ),
  );

/** A value outside its catalogue range (a sensor fault) is dropped rather than clamped into a plausible lie. */
export const dropOutOfRange: PrivacyStep = (draft) =>
  withFields(
    draft,
    Object.entries(draft.fields).filter(([name, value]) => checkFieldValue(name as FieldName, value) === null),
  );

/** Nothing left to share: no update. */
export const dropEmpty: PrivacyStep = (draft) => (Object.keys(draft.fields).length === 0 ? null : draft);

/** The ordered list the pipeline runs. */
export const privacySteps: readonly PrivacyStep[] = [
  dropAfterExpiry,
  dropUnconsentedFields,
  generaliseCoarse,
  dropOutOfRange,
  dropEmpty,
];

/** Run the steps in order; null as soon as one withholds the window. */
export function applyPrivacySteps(
  draft: Draft,
  policy: ConsentPolicy,
  steps: readonly PrivacyStep[] = privacySteps,
): Draft | null {
  let cur: Draft | null = draft;
  for (const step of steps) {
    if (cur === null) return null;
    cur = step(cur, policy);
  }
  return cur;
}
