// Vectors for validateUpdate: shape, proofs, gateway authorisation and the per-entry stateless checks.
import type { IngestEntry, RegisteredDevice, RegisterProvider, SignedDataUpdate } from '@datagraph/protocol';
import {
  alice,
  aliceConsent,
  aliceRegistration,
  bobRegistration,
  config,
  gateway,
  hub,
  rogueGateway,
  sleep,
  steps,
  watch,
} from './cast.ts';
import type { Scenario } from './Scenario.ts';
import { entry, hourWindow, ingestBatch, policy, queryReceipt, registerProvider, signedBy } from './VectorWorld.ts';

const registered = [[aliceRegistration(), bobRegistration()]];

/** A JSON copy whose `edit` may do anything to it. */
// biome-ignore lint/suspicious/noExplicitAny: these vectors break the schema on purpose
function edited(update: SignedDataUpdate, edit: (u: any) => void): unknown {
  const copy = structuredClone(update);
  edit(copy);
  return copy;
}

export function statelessScenarios(): Scenario[] {
  const good = ingestBatch(gateway, 'good', [steps(1)]);
  return [
    {
      name: 'malformed-updates',
      description:
        'Bodies that are not a SignedDataUpdate in normal form: each is MG_MALFORMED and nothing else runs on it.',
      config,
      setup: registered,
      updates: [
        'not an update',
        {},
        { value: good.value, proofs: [] },
        edited(good, (u) => {
          u.value.type = 'Ingest';
        }),
        edited(good, (u) => {
          u.value.note = 'hello';
        }),
        edited(good, (u) => {
          u.value.entries[0].seq = 1.5;
        }),
        edited(good, (u) => {
          u.value.entries[0].window = { start: 100, end: 100 };
        }),
        // An unknown key in a proof: the node relays bodies as sent, so nothing may ride along.
        edited(good, (u) => {
          u.proofs[0].note = 'hello';
        }),
        // A member with a default (policy.generalisation) left out: the body is not in normal form.
        (() => {
          const { generalisation: _g, ...rest } = aliceConsent;
          return signedBy(
            {
              type: 'RegisterProvider',
              v: 1,
              provider: alice.address,
              devices: [{ address: watch.address, publicKey: watch.publicKey }],
              policy: rest,
            } as never,
            alice,
          );
        })(),
        edited(queryReceipt(gateway, 'q-number'), (u) => {
          u.value.payment.amount = 150000000;
        }),
      ],
    },
    {
      name: 'raw-values-refused',
      description:
        'Acceptance 5: no accepted update carries a raw health value. Values smuggled into entries, proofs or field names are MG_MALFORMED.',
      config,
      setup: registered,
      updates: [
        edited(good, (u) => {
          u.value.entries[0].value = 1001;
        }),
        edited(good, (u) => {
          u.value.entries[0].values = { steps: 1001 };
        }),
        edited(good, (u) => {
          u.value.entries[0].fields = { steps: 1001 };
        }),
        edited(good, (u) => {
          u.value.entries[0].fields = ['steps', 1001];
        }),
        edited(good, (u) => {
          u.value.entries[0].fields = ['steps=1001'];
        }),
        edited(good, (u) => {
          u.value.entries[0].proof.value = 1001;
        }),
        edited(good, (u) => {
          u.value.entries[0].salt = '00112233445566778899aabbccddeeff';
        }),
        edited(aliceRegistration(), (u) => {
          u.value.policy.fields.steps = 1001;
        }),
        edited(aliceRegistration(), (u) => {
          u.value.devices[0].heartRate = 72;
        }),
      ],
    },
    {
      name: 'proofs-and-signers',
      description:
        'A proof that does not verify is MG_BAD_PROOF; an update not signed by its required signer alone (gateway for batches, provider for registrations) is MG_WRONG_SIGNER.',
      config,
      setup: registered,
      updates: [
        edited(good, (u) => {
          u.value.batch = '00000000-0000-4000-8000-000000000000';
        }),
        signedBy(good.value, alice),
        signedBy(good.value, gateway, alice),
        signedBy(aliceRegistration().value, gateway),
        {
          value: good.value,
          proofs: [
            good.proofs[0],
            { ...good.proofs[0], signature: signedBy(aliceRegistration().value, gateway).proofs[0]?.signature },
          ],
        },
      ],
    },
    {
      name: 'unauthorised-gateway',
      description:
        'Gateway-signed updates from a gateway not in config.authorisedGateways are MG_GATEWAY_NOT_AUTHORISED, even when well signed.',
      config,
      setup: registered,
      updates: [ingestBatch(rogueGateway, 'rogue', [steps(1)]), queryReceipt(rogueGateway, 'rogue-query')],
    },
    {
      name: 'entry-stateless-checks',
      description:
        'One batch whose entries each break one stateless rule; every problem is reported with its entry index, and the whole batch is refused.',
      config,
      setup: registered,
      updates: [ingestBatch(gateway, 'entry-checks', entryChecks())],
    },
    {
      name: 'registration-stateless-checks',
      description:
        'A registration whose policy names another provider, lists a device twice, pairs an address with another key and consents a field at a cadence the catalogue does not offer; a receipt with more providers than rows.',
      config,
      setup: [],
      updates: [
        registerProvider(alice, [watch], policy(hub.address, 1, { steps: ['hourly'] })),
        registerProvider(alice, [watch, hub, watch], aliceConsent),
        (() => {
          const value = structuredClone(registerProvider(alice, [watch, hub], aliceConsent).value) as RegisterProvider;
          (value.devices[1] as RegisteredDevice).publicKey = watch.publicKey;
          return signedBy(value, alice);
        })(),
        registerProvider(
          alice,
          [watch],
          policy(alice.address, 1, { steps: ['daily', 'hourly'], age_band: ['hourly'] }),
        ),
        queryReceipt(gateway, 'too-many-providers', 'too-many-providers', 3, 4),
      ],
    },
  ];
}

function entryChecks(): IngestEntry[] {
  const e0 = steps(1);
  const e1 = { ...steps(2), proof: { ...steps(2).proof, signature: steps(3).proof.signature } };
  const e2 = { ...steps(3), device: hub.address };
  const twoFields = entry({
    device: watch,
    provider: alice.address,
    seq: 4,
    cadence: 'hourly',
    window: hourWindow(4),
    policyVersion: 1,
    values: { heart_rate_avg: 71, steps: 1200 },
    seed: 'two-fields',
  });
  const e3 = { ...twoFields, fields: [...twoFields.fields].reverse() };
  const e4 = { ...sleep(5, 0), fields: ['steps' as const] };
  const e5 = entry({
    device: watch,
    provider: alice.address,
    seq: 6,
    cadence: 'hourly',
    window: { start: hourWindow(6).start + 60, end: hourWindow(6).end + 60 },
    policyVersion: 1,
    values: { steps: 10 },
    seed: 'misaligned',
  });
  const e6 = entry({
    device: watch,
    provider: alice.address,
    seq: 7,
    cadence: 'daily',
    window: { start: hourWindow(0).start, end: hourWindow(0).start + 2 * 86400 },
    policyVersion: 1,
    values: { sleep_hours: 8 },
    seed: 'two-days',
  });
  return [e0, e1, e2, e3, e4, e5, e6, e0];
}
