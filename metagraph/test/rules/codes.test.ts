// Table-driven: each rule code, raised by the smallest update that breaks exactly that rule.
import type { SignedDataUpdate } from '@datagraph/protocol';
import t from 'tap';
import { type Problem, RULE_CODES, type RuleCode, validateData, validateUpdate } from '../../src/rules/index.ts';
import {
  alice,
  aliceConsent,
  aliceRegistration,
  bob,
  bobWatch,
  carol,
  config,
  EPOCH,
  entry,
  gateway,
  hourWindow,
  hub,
  ingestBatch,
  policy,
  queryReceipt,
  registeredState,
  registerProvider,
  revokeConsent,
  rewardCycle,
  signedBy,
  sleep,
  snapshot,
  steps,
  strayDevice,
  watch,
} from './world.ts';

const stateless = (u: unknown): Problem[] => validateUpdate(u, config);

/** validateUpdate must pass, then validateData on a state where Alice and Bob are registered (plus `before`). */
function stateful(u: SignedDataUpdate, before: SignedDataUpdate[][] = []): Problem[] {
  const state = registeredState();
  for (const snap of before) snapshot(state, snap);
  const s = validateUpdate(u, config);
  if (s.length > 0) return s;
  return validateData(state, [u], config).rejected[0]?.problems ?? [];
}

const batch = (...entries: ReturnType<typeof steps>[]) => ingestBatch(gateway, 'table', entries);
const good = batch(steps(1));

const rows: { code: RuleCode; problems: () => Problem[]; entry?: number }[] = [
  { code: 'MG_MALFORMED', problems: () => stateless({ value: good.value }) },
  {
    code: 'MG_BAD_PROOF',
    problems: () => stateless({ ...good, value: { ...good.value, batch: '00000000-0000-4000-8000-000000000000' } }),
  },
  { code: 'MG_WRONG_SIGNER', problems: () => stateless(signedBy(good.value, gateway, bob)) },
  { code: 'MG_GATEWAY_NOT_AUTHORISED', problems: () => validateUpdate(good, { authorisedGateways: [] }) },
  {
    code: 'MG_BAD_DEVICE_SIGNATURE',
    entry: 0,
    problems: () =>
      stateless(batch({ ...steps(1), proof: { ...steps(1).proof, signature: steps(2).proof.signature } })),
  },
  { code: 'MG_DEVICE_KEY_MISMATCH', entry: 0, problems: () => stateless(batch({ ...steps(1), device: hub.address })) },
  {
    code: 'MG_FIELDS_NOT_SORTED',
    entry: 0,
    problems: () => {
      const e = entry({
        device: watch,
        provider: alice.address,
        seq: 1,
        cadence: 'hourly',
        window: hourWindow(1),
        policyVersion: 1,
        values: { heart_rate_avg: 60, steps: 5 },
        seed: 'x',
      });
      return stateless(batch({ ...e, fields: ['steps', 'heart_rate_avg'] }));
    },
  },
  { code: 'MG_FIELD_CADENCE', entry: 0, problems: () => stateless(batch({ ...sleep(1, 0), fields: ['steps'] })) },
  {
    code: 'MG_BAD_WINDOW',
    entry: 0,
    problems: () => stateless(batch({ ...steps(1), window: { start: EPOCH + 1, end: EPOCH + 3601 } })),
  },
  {
    code: 'MG_DUPLICATE_IN_BATCH',
    entry: 1,
    problems: () => stateless(batch(steps(1), { ...steps(2), id: steps(1).id })),
  },
  {
    code: 'MG_DUPLICATE_DEVICE',
    entry: 1,
    problems: () => stateless(registerProvider(alice, [watch, watch], aliceConsent)),
  },
  {
    code: 'MG_POLICY_PROVIDER_MISMATCH',
    problems: () => stateless(registerProvider(alice, [watch], { ...aliceConsent, provider: bob.address })),
  },
  { code: 'MG_BAD_RECEIPT', problems: () => stateless(queryReceipt(gateway, 'q', 'q', 1, 2)) },
  {
    code: 'MG_PROVIDER_UNKNOWN',
    problems: () => stateful(revokeConsent(carol, 1)),
  },
  { code: 'MG_DEVICE_NOT_REGISTERED', entry: 0, problems: () => stateful(batch(steps(1, { device: strayDevice }))) },
  { code: 'MG_CONSENT_REVOKED', entry: 0, problems: () => stateful(good, [[revokeConsent(alice, 1)]]) },
  { code: 'MG_PROVIDER_ERASED', entry: 0, problems: () => stateful(good, [[revokeConsent(alice, 1, 'EraseData')]]) },
  { code: 'MG_POLICY_VERSION_MISMATCH', entry: 0, problems: () => stateful(batch(steps(1, { version: 2 }))) },
  {
    code: 'MG_FIELD_NOT_CONSENTED',
    entry: 0,
    problems: () =>
      stateful(
        batch(
          entry({
            device: watch,
            provider: alice.address,
            seq: 1,
            cadence: 'hourly',
            window: hourWindow(1),
            policyVersion: 1,
            values: { calories_burned: 50 },
            seed: 'y',
          }),
        ),
      ),
  },
  {
    code: 'MG_CONSENT_EXPIRED',
    entry: 0,
    problems: () =>
      stateful(
        ingestBatch(gateway, 'late', [
          entry({
            device: bobWatch,
            provider: bob.address,
            seq: 1,
            cadence: 'hourly',
            window: hourWindow(24 * 10),
            policyVersion: 1,
            values: { steps: 1 },
            seed: 'z',
          }),
        ]),
      ),
  },
  { code: 'MG_SEQ_REPLAYED', entry: 0, problems: () => stateful(good, [[good]]) },
  { code: 'MG_SEQ_OUT_OF_ORDER', entry: 0, problems: () => stateful(batch(steps(1, { hour: 9 })), [[good]]) },
  {
    code: 'MG_COMMITMENT_EXISTS',
    entry: 0,
    problems: () => stateful(batch({ ...steps(1), seq: 2, id: steps(2).id }), [[good]]),
  },
  { code: 'MG_ENTRY_ID_EXISTS', entry: 0, problems: () => stateful(batch({ ...steps(2), id: steps(1).id }), [[good]]) },
  { code: 'MG_POLICY_VERSION_NOT_INCREASING', problems: () => stateful(aliceRegistration(1)) },
  {
    code: 'MG_DEVICE_OWNED',
    entry: 0,
    problems: () => stateful(registerProvider(carol, [watch], policy(carol.address, 1, { steps: ['hourly'] }))),
  },
  { code: 'MG_REVOKE_VERSION_STALE', problems: () => stateful(revokeConsent(alice, 1), [[aliceRegistration(2)]]) },
  {
    code: 'MG_RECEIPT_EXISTS',
    problems: () => stateful(queryReceipt(gateway, 'q', 'tx-b'), [[queryReceipt(gateway, 'q', 'tx-a')]]),
  },
  {
    code: 'MG_PAYMENT_REUSED',
    problems: () => stateful(queryReceipt(gateway, 'q2', 'tx'), [[queryReceipt(gateway, 'q1', 'tx')]]),
  },
  { code: 'MG_CYCLE_EXISTS', problems: () => stateful(rewardCycle(gateway, 4), [[rewardCycle(gateway, 4)]]) },
];

t.test('every rule code has a row', (t) => {
  t.same(
    rows.map((r) => r.code),
    [...RULE_CODES],
  );
  t.end();
});

for (const row of rows) {
  t.test(row.code, (t) => {
    const problems = row.problems();
    t.same(
      problems.map((p) => p.code),
      [row.code],
      'exactly this problem',
    );
    t.equal(problems[0]?.entry, row.entry, 'about the right entry');
    t.ok((problems[0]?.message.length ?? 0) > 0, 'with a message');
    t.end();
  });
}

t.test('the row inputs differ from an accepted update in one rule only', (t) => {
  t.same(stateless(good), []);
  t.same(stateful(good), []);
  t.end();
});
