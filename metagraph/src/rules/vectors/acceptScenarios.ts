// Vectors where the rules accept: registration, ingest at every cadence, order within one snapshot.
import { aliceRegistration, bobRegistration, config, gateway, hub, profile, sleep, steps, watch } from './cast.ts';
import type { Scenario } from './Scenario.ts';
import { ingestBatch } from './VectorWorld.ts';

export function acceptScenarios(): Scenario[] {
  const firstBatch = ingestBatch(gateway, 'first', [steps(1), steps(1, { device: hub, hour: 0 })]);
  return [
    {
      name: 'register-providers',
      description: 'Two providers register their devices and consent policies on an empty ledger; both are accepted.',
      config,
      setup: [],
      updates: [aliceRegistration(), bobRegistration()],
    },
    {
      name: 'ingest-every-cadence',
      description:
        "A gateway batch with hourly, daily and profile entries from two of the provider's devices is accepted; " +
        "entriesRoot is the Merkle root of the commitments in batch order and each device's lastSeq moves on.",
      config,
      setup: [[aliceRegistration()]],
      updates: [
        ingestBatch(gateway, 'every-cadence', [
          steps(1),
          sleep(2, 0),
          profile(1, hub),
          steps(2, { device: hub, hour: 5 }),
        ]),
      ],
    },
    {
      name: 'two-batches-one-snapshot',
      description:
        'Two batches in one snapshot; the second continues the seqs of the first (judged against the state the first left).',
      config,
      setup: [[aliceRegistration()]],
      updates: [
        ingestBatch(gateway, 'first', [steps(1), steps(2)]),
        ingestBatch(gateway, 'second', [steps(3), steps(4, { device: watch, hour: 40 })]),
      ],
    },
    {
      name: 'register-then-ingest-same-snapshot',
      description:
        "Order matters within a snapshot: a batch before its provider's registration is refused, the same batch after it is accepted.",
      config,
      setup: [],
      updates: [firstBatch, aliceRegistration(), firstBatch],
    },
    {
      name: 'empty-snapshot',
      description:
        "A snapshot with no data updates: nothing changes but the ordinal and the hash chain; entriesRoot is the empty tree's.",
      config,
      setup: [[aliceRegistration()]],
      updates: [],
    },
  ];
}
