// Vectors for validateData: registry, consent, seq and replay, revocation, receipts.
import {
  alice,
  aliceRegistration,
  bob,
  bobRegistration,
  bobWatch,
  carol,
  config,
  gateway,
  hub,
  steps,
  strayDevice,
  watch,
} from './cast.ts';
import type { Scenario } from './Scenario.ts';
import {
  entry,
  hourWindow,
  ingestBatch,
  policy,
  queryReceipt,
  registerProvider,
  revokeConsent,
  rewardCycle,
} from './VectorWorld.ts';

const registered = [aliceRegistration(), bobRegistration()];

function bobSteps(seq: number, hour: number) {
  return entry({
    device: bobWatch,
    provider: bob.address,
    seq,
    cadence: 'hourly',
    window: hourWindow(hour),
    policyVersion: 1,
    values: { steps: 500 },
    seed: `bob/${seq}/${hour}`,
  });
}

export function statefulScenarios(): Scenario[] {
  const first = ingestBatch(gateway, 'first', [steps(1), steps(2), steps(3)]);
  return [
    {
      name: 'unknown-provider-and-device',
      description:
        "Entries from a device nobody registered, from a provider nobody registered, and from another provider's device; a revocation by an unknown provider.",
      config,
      setup: [registered],
      updates: [
        ingestBatch(gateway, 'stray', [steps(1, { device: strayDevice })]),
        ingestBatch(gateway, 'carol', [
          entry({
            device: watch,
            provider: carol.address,
            seq: 1,
            cadence: 'hourly',
            window: hourWindow(1),
            policyVersion: 1,
            values: { steps: 1 },
            seed: 'carol',
          }),
        ]),
        ingestBatch(gateway, 'bob-device', [steps(1, { device: bobWatch })]),
        revokeConsent(carol, 1),
      ],
    },
    {
      name: 'consent-checks',
      description:
        'An entry under a policy version that is not the current one, an entry with a field not consented at its cadence, and an entry whose window ends after the policy expired.',
      config,
      setup: [registered],
      updates: [
        ingestBatch(gateway, 'version', [steps(1, { version: 2 })]),
        ingestBatch(gateway, 'unconsented', [
          entry({
            device: watch,
            provider: alice.address,
            seq: 2,
            cadence: 'hourly',
            window: hourWindow(2),
            policyVersion: 1,
            values: { calories_burned: 90, steps: 300 },
            seed: 'unconsented',
          }),
        ]),
        ingestBatch(gateway, 'expired', [bobSteps(1, 24 * 10 - 1), bobSteps(2, 24 * 10)]),
      ],
    },
    {
      name: 'seq-replay-and-order',
      description:
        'After seqs 1-3 of a device are on chain: the same batch again is MG_SEQ_REPLAYED; a new entry with an old seq is MG_SEQ_OUT_OF_ORDER; ' +
        'an old commitment under a new seq is MG_COMMITMENT_EXISTS; an old id under a new seq is MG_ENTRY_ID_EXISTS; seq 4 is accepted, ' +
        'after which another seq 4 in the same snapshot is out of order; inside one batch seqs must rise too.',
      config,
      setup: [registered, [first]],
      updates: [
        first,
        ingestBatch(gateway, 'old-seq', [steps(2, { hour: 30 })]),
        ingestBatch(gateway, 'old-commitment', [{ ...steps(3), seq: 5 }]),
        ingestBatch(gateway, 'old-id', [{ ...steps(6, { hour: 31 }), id: steps(1).id }]),
        ingestBatch(gateway, 'next', [steps(4)]),
        ingestBatch(gateway, 'next-again', [steps(4, { hour: 32 })]),
        ingestBatch(gateway, 'falling', [steps(8), steps(7)]),
      ],
    },
    {
      name: 'partial-batch-rejected-whole',
      description:
        'One unconsented entry makes the whole batch refused (its problem names entry 1); no seq moves. The gateway drops that entry and re-batches the rest, which is accepted.',
      config,
      setup: [registered],
      updates: [
        ingestBatch(gateway, 'mixed', [
          steps(1),
          entry({
            device: watch,
            provider: alice.address,
            seq: 2,
            cadence: 'hourly',
            window: hourWindow(2),
            policyVersion: 1,
            values: { calories_consumed: 400 },
            seed: 'eaten',
          }),
          steps(3),
        ]),
        ingestBatch(gateway, 'mixed-retry', [steps(1), steps(3)]),
      ],
    },
    {
      name: 'registry-changes',
      description:
        'A re-registration must raise the policy version; a device of another provider cannot be claimed; a new registration that drops a device releases it, ' +
        'after which its entries are refused and another provider may claim it.',
      config,
      setup: [registered],
      updates: [
        aliceRegistration(1),
        registerProvider(bob, [bobWatch, watch], policy(bob.address, 2, { steps: ['hourly'] })),
        aliceRegistration(2, [watch]),
        ingestBatch(gateway, 'released-hub', [steps(1, { device: hub, version: 2 })]),
        ingestBatch(gateway, 'kept-watch', [steps(1, { version: 2 })]),
        registerProvider(bob, [bobWatch, hub], policy(bob.address, 2, { steps: ['hourly'] })),
      ],
    },
    {
      name: 'revoke-and-erase',
      description:
        'A revocation naming an older policy version is stale; revocation and erasure stop ingest at once, with their own codes.',
      config,
      setup: [registered, [aliceRegistration(2)]],
      updates: [
        revokeConsent(alice, 1),
        revokeConsent(alice, 2),
        ingestBatch(gateway, 'after-revoke', [steps(1, { version: 2 })]),
        revokeConsent(bob, 1, 'EraseData'),
        ingestBatch(gateway, 'after-erase', [bobSteps(1, 1)]),
      ],
    },
    {
      name: 'reregister-after-revoke',
      description:
        'After revoking up to version 3, a registration must exceed 3; a new version-4 policy re-activates ingest under version 4 only.',
      config,
      setup: [registered, [revokeConsent(alice, 3)]],
      updates: [
        aliceRegistration(3),
        aliceRegistration(4),
        ingestBatch(gateway, 'v4', [steps(1, { version: 4 })]),
        ingestBatch(gateway, 'v1', [steps(2)]),
      ],
    },
    {
      name: 'receipts-and-cycles',
      description:
        'A query has one receipt; a payment funds one query (also within one snapshot); a gateway records each reward cycle once.',
      config,
      setup: [[queryReceipt(gateway, 'q1', 'tx1'), rewardCycle(gateway, 0)]],
      updates: [
        queryReceipt(gateway, 'q1', 'tx2'),
        queryReceipt(gateway, 'q2', 'tx1'),
        queryReceipt(gateway, 'q3', 'tx3'),
        queryReceipt(gateway, 'q4', 'tx3'),
        rewardCycle(gateway, 0),
        rewardCycle(gateway, 1),
      ],
    },
  ];
}
