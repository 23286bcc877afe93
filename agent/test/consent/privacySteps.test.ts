// The privacy steps one by one: pure functions of (draft, policy), table-driven.
import {
  applyPrivacySteps,
  type Draft,
  dropAfterExpiry,
  dropOutOfRange,
  dropUnconsentedFields,
  generaliseCoarse,
} from '@datagraph/agent';
import { type ConsentPolicy, generateKeyPair } from '@datagraph/protocol';
import t from 'tap';

const H = 3_600_000;
const start = Date.UTC(2026, 0, 5, 10);
const policy = (p: Partial<ConsentPolicy>): ConsentPolicy => ({
  v: 1,
  provider: generateKeyPair().address,
  version: 1,
  fields: {},
  generalisation: {},
  issuedAt: start / 1000 - 86400,
  expiresAt: null,
  ...p,
});
const hourly = (fields: Draft['fields']): Draft => ({
  cadence: 'hourly',
  window: { startMs: start, endMs: start + H },
  fields,
});

t.test('dropUnconsentedFields keeps a field only at a consented cadence it is offered at', async (t) => {
  const p = policy({ fields: { steps: ['hourly'], heart_rate_avg: ['daily'], sleep_hours: ['daily'] } });
  t.same(dropUnconsentedFields(hourly({ steps: 10, heart_rate_avg: 70, calories_consumed: 500 }), p)?.fields, {
    steps: 10,
  });
  const daily: Draft = {
    cadence: 'daily',
    window: { startMs: start, endMs: start + 24 * H },
    fields: { sleep_hours: 7.5, steps: 10 } as Draft['fields'],
  };
  t.same(dropUnconsentedFields(daily, p)?.fields, { sleep_hours: 7.5 }, 'steps is an hourly field, not daily');
});

t.test('dropAfterExpiry withholds windows ending after expiresAt', async (t) => {
  t.ok(
    dropAfterExpiry(hourly({ steps: 1 }), policy({ expiresAt: (start + H) / 1000 })),
    'ends exactly at expiry: kept',
  );
  t.equal(dropAfterExpiry(hourly({ steps: 1 }), policy({ expiresAt: (start + H) / 1000 - 1 })), null);
  t.ok(dropAfterExpiry(hourly({ steps: 1 }), policy({ expiresAt: null })));
});

t.test('generaliseCoarse rounds only the fields marked coarse, to the catalogue step', async (t) => {
  const p = policy({ generalisation: { steps: 'coarse', heart_rate_avg: 'exact' } });
  t.same(generaliseCoarse(hourly({ steps: 1249, heart_rate_avg: 73 }), p)?.fields, { steps: 1200, heart_rate_avg: 73 });
  t.same(generaliseCoarse(hourly({ steps: 1250 }), p)?.fields, { steps: 1300 });
});

t.test('dropOutOfRange drops values outside the catalogue instead of clamping them', async (t) => {
  t.same(dropOutOfRange(hourly({ heart_rate_min: 12, heart_rate_max: 140, steps: 40000 }), policy({}))?.fields, {
    heart_rate_max: 140,
  });
});

t.test('the list: nothing consented -> null; the input is never modified', async (t) => {
  const d = hourly({ steps: 1249, calories_consumed: 640 });
  const copy = structuredClone(d);
  t.equal(applyPrivacySteps(d, policy({ fields: { heart_rate_avg: ['hourly'] } })), null);
  t.same(applyPrivacySteps(d, policy({ fields: { steps: ['hourly'] }, generalisation: { steps: 'coarse' } }))?.fields, {
    steps: 1200,
  });
  t.same(d, copy);
});
