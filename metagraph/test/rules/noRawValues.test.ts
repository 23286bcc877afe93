// Acceptance 5: no update the rules accept can carry a raw health value. The update schemas are strict and an
// entry carries a commitment and field *names*; any key added anywhere, any value where a name belongs, is refused.
import { catalogue, IngestEntry, isFieldName, type SignedDataUpdate } from '@datagraph/protocol';
import fc from 'fast-check';
import t from 'tap';
import { validateUpdate } from '../../src/rules/index.ts';
import {
  alice,
  aliceRegistration,
  config,
  gateway,
  ingestBatch,
  profile,
  queryReceipt,
  revokeConsent,
  rewardCycle,
  sleep,
  steps,
} from './world.ts';

const samples: Record<string, SignedDataUpdate> = {
  batch: ingestBatch(gateway, 'raw', [steps(1), sleep(2, 0), profile(1)]),
  registration: aliceRegistration(),
  revoke: revokeConsent(alice, 1),
  erase: revokeConsent(alice, 1, 'EraseData'),
  receipt: queryReceipt(gateway, 'raw'),
  cycle: rewardCycle(gateway, 1),
};

/** Every object node of a JSON value, with its path. */
function objectPaths(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.flatMap((x, i) => objectPaths(x, [...path, i]));
  if (v !== null && typeof v === 'object') {
    return [path, ...Object.entries(v).flatMap(([k, x]) => objectPaths(x, [...path, k]))];
  }
  return [];
}

function at(root: unknown, path: (string | number)[]): Record<string, unknown> {
  return path.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], root) as Record<string, unknown>;
}

t.test('the well-formed samples are accepted by validateUpdate', (t) => {
  for (const [name, u] of Object.entries(samples)) t.same(validateUpdate(u, config), [], name);
  t.end();
});

t.test('an IngestEntry has no member that could hold a value', (t) => {
  t.same(Object.keys(IngestEntry.shape).sort(), [
    'cadence',
    'commitment',
    'device',
    'fields',
    'id',
    'policyVersion',
    'proof',
    'provider',
    'seq',
    'window',
  ]);
  t.end();
});

t.test('a key added at any object of any update, with any value, is MG_MALFORMED', (t) => {
  const jsonValue = fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.dictionary(fc.string(), fc.integer()),
  );
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(samples)),
      fc.nat(),
      fc.oneof(
        fc.constantFrom('value', 'values', 'raw', 'salt', 'reading', 'hr', 'steps', '__proto__x', 'note'),
        fc.string({ minLength: 1, maxLength: 12 }),
      ),
      jsonValue,
      (which, pick, key, value) => {
        const copy = structuredClone(samples[which]) as unknown;
        const paths = objectPaths(copy);
        const target = at(copy, paths[pick % paths.length] as (string | number)[]);
        fc.pre(!Object.hasOwn(target, key) && key !== '__proto__');
        target[key] = value;
        const problems = validateUpdate(copy, config);
        return problems.length === 1 && problems[0]?.code === 'MG_MALFORMED';
      },
    ),
    { numRuns: 400, seed: 5 },
  );
  t.end();
});

t.test('field lists carry catalogue names only: values, numbers and maps are refused', (t) => {
  const withFields = (fields: unknown) => {
    const copy = structuredClone(samples.batch) as { value: { entries: { fields: unknown }[] } };
    (copy.value.entries[0] as { fields: unknown }).fields = fields;
    return validateUpdate(copy, config).map((p) => p.code);
  };
  for (const fields of [
    ['steps', 1200],
    [1200],
    ['1200'],
    ['steps:1200'],
    ['Steps'],
    { steps: 1200 },
    'steps',
    [],
    [['steps', 1200]],
    [{ steps: 1200 }],
  ]) {
    t.same(withFields(fields), ['MG_MALFORMED'], JSON.stringify(fields));
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 24 }), (name) => {
      // a catalogue name offered hourly would be a legitimate field list
      fc.pre(!isFieldName(name) || catalogue[name].cadence !== 'hourly');
      const codes = withFields([name]);
      return codes.length > 0 && (codes[0] === 'MG_MALFORMED' || codes[0] === 'MG_FIELD_CADENCE');
    }),
    { numRuns: 300, seed: 6 },
  );
  t.end();
});

t.test('a consent policy maps catalogue names to cadences and nothing else', (t) => {
  const withPolicyFields = (fields: unknown) => {
    const copy = structuredClone(samples.registration) as { value: { policy: { fields: unknown } } };
    copy.value.policy.fields = fields;
    return validateUpdate(copy, config).map((p) => p.code);
  };
  t.same(withPolicyFields({ steps: 1200 }), ['MG_MALFORMED']);
  t.same(withPolicyFields({ steps: ['hourly', 1200] }), ['MG_MALFORMED']);
  t.same(withPolicyFields({ '1200': ['hourly'] }), ['MG_MALFORMED']);
  t.same(withPolicyFields({ heart_rate_72: ['hourly'] }), ['MG_MALFORMED']);
  t.end();
});

t.test('a __proto__ key from JSON text is an unknown key like any other', (t) => {
  const text = JSON.stringify(samples.batch).replace('"entries":[{', '"entries":[{"__proto__":{"steps":1200},');
  t.same(
    validateUpdate(JSON.parse(text), config).map((p) => p.code),
    ['MG_MALFORMED'],
  );
  t.end();
});

t.test('problems never echo what was smuggled in', (t) => {
  const secret = 'SECRET-72bpm';
  fc.assert(
    fc.property(fc.constantFrom(...Object.keys(samples)), fc.nat(), fc.boolean(), (which, pick, replace) => {
      const copy = structuredClone(samples[which]) as unknown;
      const paths = objectPaths(copy);
      const target = at(copy, paths[pick % paths.length] as (string | number)[]);
      const keys = Object.keys(target);
      // either overwrite an existing member with the secret, or add one
      const key = replace && keys.length > 0 ? (keys[pick % keys.length] as string) : 'smuggled';
      target[key] = secret;
      return !JSON.stringify(validateUpdate(copy, config)).includes('SECRET');
    }),
    { numRuns: 300, seed: 7 },
  );
  t.end();
});
