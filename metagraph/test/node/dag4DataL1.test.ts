// Acceptance 2 (issue 3, node side): a gateway-signed IngestBatch sent with dag4's data L1 call
// (MetagraphTokenClient.sendDataTransaction, unchanged) is in the next snapshot and each entry is provable by
// the Merkle route against that snapshot's entries root. Forged signature and malformed body are refused at
// POST time (400 + code); replayed or out-of-order seq, unregistered device and unconsented field are decided
// by the next snapshot and shown, each with its own code, by the status route.
import { generateKeyPair, type KeyPair, MerkleProof, verifyMerkleProof } from '@datagraph/protocol';
import { dag4 } from '@stardust-collective/dag4';
import t from 'tap';
import { verifyHashSignature } from '../../src/index.ts';
import { snapshotHash } from '../../src/node/Snapshot.ts';
import {
  entry,
  hourWindow,
  ingestBatch,
  policy,
  registerProvider,
  signedBy,
} from '../../src/rules/vectors/VectorWorld.ts';
import { getJson, postJson, startTestNode } from './helpers.ts';

/** dag4 throws Error(responseText) on a non-200: the node's JSON error body. */
async function refused(p: Promise<unknown>): Promise<{ code: string; errors: { code: string }[] }> {
  try {
    await p;
  } catch (e) {
    return JSON.parse((e as Error).message);
  }
  throw new Error('expected the node to refuse the update');
}

t.test(
  'IngestBatch through dag4 sendDataTransaction: snapshot, Merkle proof, and each rejection with its code',
  async (t) => {
    const gateway = generateKeyPair();
    const provider = generateKeyPair();
    const device = generateKeyPair();
    const stranger = generateKeyPair();
    const tn = await startTestNode({ wallets: 1, rules: { authorisedGateways: [gateway.address] } });
    t.teardown(() => tn.close());
    const { urls } = tn.node;
    const account = dag4.createAccount();
    account.loginPrivateKey(gateway.privateKey);
    const client = account.createMetagraphTokenClient({
      id: 'dg',
      metagraphId: 'dg',
      l0Url: urls.l0,
      l1Url: urls.l1,
      dl1Url: urls.dataL1,
      beUrl: urls.be,
    } as never);
    const status = async (hash: string) => (await getJson(`${urls.dataL1}/data-application/updates/${hash}`)).body;

    // The provider registers the device with consent to hourly steps and heart rate.
    const reg = registerProvider(
      provider,
      [device],
      policy(provider.address, 1, { steps: ['hourly'], heart_rate_avg: ['hourly'] }),
    );
    const regRes = (await client.sendDataTransaction(reg)) as { hash: string };
    t.match(regRes, { hash: /^[0-9a-f]{64}$/ });
    t.same(await status(regRes.hash), { hash: regRes.hash, status: 'pending' }, 'pending before the snapshot');
    const o1 = await tn.node.snapshotNow();
    t.match(await status(regRes.hash), { status: 'accepted', ordinal: o1 });
    t.match((await getJson(`${urls.l0}/data-application/devices/${device.address}`)).body, {
      address: device.address,
      provider: provider.address,
    });
    t.match((await getJson(`${urls.l0}/data-application/providers/${provider.address}`)).body, {
      address: provider.address,
      policyVersion: 1,
    });

    const mk = (dev: KeyPair, seq: number, hour: number, values: Record<string, number>, seed: string) =>
      entry({
        device: dev,
        provider: provider.address,
        seq,
        cadence: 'hourly',
        window: hourWindow(hour),
        policyVersion: 1,
        values,
        seed: `${seed}-${Math.random()}`,
      });
    const entries = [1, 2, 3, 4, 5].map((seq) =>
      mk(device, seq, seq, { steps: 400 + seq, heart_rate_avg: 70 + seq }, `e${seq}`),
    );
    const batch = ingestBatch(gateway, `b-${Math.random()}`, entries);

    const estimate = (await client.getDataFeeEstimate(batch)) as { fee: number; updateHash: string };
    t.equal(estimate.fee, 0, 'no data fees on this node');
    const sent = (await client.sendDataTransaction(batch)) as { hash: string };
    t.equal(sent.hash, estimate.updateHash, 'estimate names the same update hash');
    t.same(await client.sendDataTransaction(batch), { hash: sent.hash }, 'resending the same update is idempotent');
    t.same(
      (await postJson(`${urls.dataL1}/data`, { data: batch, fee: null })).body,
      { hash: sent.hash },
      "Tessellation's {data, fee: null} form names the same update",
    );
    const withFee = await postJson(`${urls.dataL1}/data`, { data: batch, fee: { value: {}, proofs: [] } });
    t.equal(withFee.status, 400, 'a data fee transaction is refused: this node charges none');
    const o2 = await tn.node.snapshotNow();
    t.match(await status(sent.hash), { status: 'accepted', ordinal: o2 }, 'in the next snapshot');

    const snap = (await getJson(`${urls.l0}/snapshots/${o2}`)).body;
    t.same(snap.value.dataApplication.blocks, [batch], 'the snapshot carries the update as signed');
    t.equal(snap.proofs[0].id, tn.node.nodeId, 'snapshot signed by the node key');
    t.ok(
      verifyHashSignature(snap.proofs[0].id, snapshotHash(snap.value), snap.proofs[0].signature),
      'snapshot proof verifies',
    );
    const prev = (await getJson(`${urls.l0}/snapshots/${o2 - 1}`)).body;
    t.equal(snap.value.lastSnapshotHash, snapshotHash(prev.value), 'chains to the previous snapshot');
    const root = snap.value.dataApplication.onChainState.entriesRoot as string;
    for (const e of entries) {
      const r = (await getJson(`${urls.l0}/data-application/entries/${e.commitment}/proof`)).body;
      t.equal(r.ordinal, o2);
      t.equal(r.entriesRoot, root, 'proof is against the root in the snapshot');
      t.equal(r.snapshotHash, snapshotHash(snap.value), 'and names that snapshot by its hash');
      t.ok(verifyMerkleProof(e.commitment, MerkleProof.parse(r.proof), root), 'entry is provable');
      t.notOk(
        verifyMerkleProof(
          entries[0] === e ? (entries[1] as typeof e).commitment : (entries[0] as typeof e).commitment,
          MerkleProof.parse(r.proof),
          root,
        ),
        'a proof does not fit another commitment',
      );
    }
    t.match((await getJson(`${urls.l0}/data-application/entries/${entries[2]?.commitment}`)).body, {
      provider: provider.address,
      device: device.address,
      seq: 3,
      ordinal: o2,
    });

    // Stateless problems: 400 at POST with the code.
    const forged = {
      value: batch.value,
      proofs: [{ id: gateway.publicKey, signature: signedBy(batch.value, stranger).proofs[0]?.signature }],
    };
    const f = await refused(client.sendDataTransaction(forged));
    t.ok(
      f.errors.some((x) => x.code === 'MG_BAD_PROOF'),
      `forged signature: MG_BAD_PROOF (${f.code})`,
    );
    const m = await postJson(`${urls.dataL1}/data`, { value: { type: 'IngestBatch', v: 1 }, proofs: [] });
    t.equal(m.status, 400);
    t.equal(m.body.code, 'MG_MALFORMED', 'malformed body: MG_MALFORMED');
    const unauth = await refused(
      client.sendDataTransaction(ingestBatch(stranger, `s-${Math.random()}`, [mk(device, 9, 9, { steps: 1 }, 'x')])),
    );
    t.equal(unauth.code, 'MG_GATEWAY_NOT_AUTHORISED', 'unauthorised gateway: refused at POST');

    // Stateful problems: accepted into the pool, rejected by the next snapshot, visible via the status route.
    const stranger2 = generateKeyPair();
    const cases = {
      replayed: ingestBatch(gateway, `r-${Math.random()}`, [entries[1] as (typeof entries)[number]]),
      outOfOrder: ingestBatch(gateway, `o-${Math.random()}`, [mk(device, 4, 40, { steps: 1 }, 'ooo')]),
      unregistered: ingestBatch(gateway, `u-${Math.random()}`, [mk(stranger2, 1, 41, { steps: 1 }, 'unreg')]),
      unconsented: ingestBatch(gateway, `c-${Math.random()}`, [
        mk(device, 10, 42, { calories_burned: 100, steps: 5 }, 'unc'),
      ]),
    };
    const hashes: Record<string, string> = {};
    for (const [name, u] of Object.entries(cases))
      hashes[name] = ((await client.sendDataTransaction(u)) as { hash: string }).hash;
    const o3 = await tn.node.snapshotNow();
    const expected: Record<string, string> = {
      replayed: 'MG_SEQ_REPLAYED',
      outOfOrder: 'MG_SEQ_OUT_OF_ORDER',
      unregistered: 'MG_DEVICE_NOT_REGISTERED',
      unconsented: 'MG_FIELD_NOT_CONSENTED',
    };
    for (const [name, code] of Object.entries(expected)) {
      const s = await status(hashes[name] as string);
      t.equal(s.status, 'rejected', `${name}: rejected`);
      t.equal(s.ordinal, o3, `${name}: by snapshot ${o3}`);
      t.ok(
        s.problems.some((p: { code: string }) => p.code === code),
        `${name}: ${code} (got ${s.problems.map((p: { code: string }) => p.code).join(', ')})`,
      );
    }
    t.same(
      (await getJson(`${urls.l0}/snapshots/${o3}`)).body.value.dataApplication.blocks,
      [],
      'nothing rejected goes on chain',
    );
    t.equal(
      (await getJson(`${urls.dataL1}/data-application/updates/${'ab'.repeat(32)}`)).status,
      404,
      'unknown update hash: 404',
    );
  },
);
