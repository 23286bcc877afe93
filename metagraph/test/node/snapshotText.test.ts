// The node writes a snapshot's canonical text from the texts of the updates it checked at POST, stores that
// text and serves it as stored: it must be exactly canonicalJson of the snapshot, and hash to its hash.
import { canonicalJson, generateKeyPair, hashCanonical } from '@datagraph/protocol';
import t from 'tap';
import { type SnapshotValue, snapshotText } from '../../src/node/Snapshot.ts';
import { entry, hourWindow, ingestBatch, policy, registerProvider } from '../../src/rules/vectors/VectorWorld.ts';
import { getJson, postJson, startTestNode, tempDir } from './helpers.ts';

t.test('snapshotText puts the update texts in place: canonicalJson of the whole value', (t) => {
  const gateway = generateKeyPair();
  const provider = generateKeyPair();
  const device = generateKeyPair();
  const blocks = [
    registerProvider(provider, [device], policy(provider.address, 1, { steps: ['hourly'] })),
    ingestBatch(gateway, 'b', [
      entry({
        device,
        provider: provider.address,
        seq: 1,
        cadence: 'hourly',
        window: hourWindow(1),
        policyVersion: 1,
        values: { steps: 1 },
        seed: 's',
      }),
    ]),
  ];
  const value = {
    ordinal: 3,
    height: 3,
    subHeight: 0,
    lastSnapshotHash: '0'.repeat(64),
    timestamp: '2026-01-01T00:00:00.000Z',
    epochProgress: 3,
    blocks: [],
    rewards: [],
    tips: { deprecated: [], remainedActive: [] },
    stateProof: { balancesProof: 'a', lastTxRefsProof: 'b', totalSupply: '1' },
    dataApplication: { onChainState: { v: 1, blocks: [] }, blocks, calculatedStateProof: 'c' },
    version: '0.0.1',
  } as unknown as SnapshotValue;
  const texts = blocks.map((b) => canonicalJson(b));
  t.equal(snapshotText(value, texts), canonicalJson(value));
  t.equal(snapshotText(value, texts.slice(1)), canonicalJson(value), 'texts that do not match: written out');
  const empty = { ...value, dataApplication: { onChainState: {}, blocks: [], calculatedStateProof: 'c' } };
  t.equal(snapshotText(empty, []), canonicalJson(empty));
  t.end();
});

t.test('GET /snapshots/{n} serves the canonical text the snapshot hash covers, also after a restart', async (t) => {
  const gateway = generateKeyPair();
  const provider = generateKeyPair();
  const device = generateKeyPair();
  const tmp = await tempDir();
  t.teardown(tmp.remove);
  const tn = await startTestNode({ wallets: 1, dataDir: tmp.dir, rules: { authorisedGateways: [gateway.address] } });
  const { urls } = tn.node;
  const reg = registerProvider(provider, [device], policy(provider.address, 1, { steps: ['hourly'] }));
  t.equal((await postJson(`${urls.dataL1}/data`, reg)).status, 200);
  await tn.node.snapshotNow();
  const batch = ingestBatch(
    gateway,
    'b',
    [1, 2, 3].map((seq) =>
      entry({
        device,
        provider: provider.address,
        seq,
        cadence: 'hourly',
        window: hourWindow(seq),
        policyVersion: 1,
        values: { steps: seq },
        seed: `s${seq}`,
      }),
    ),
  );
  const posted = await postJson(`${urls.dataL1}/data`, batch);
  t.equal(posted.status, 200);
  const ordinal = await tn.node.snapshotNow();
  const res = await fetch(`${urls.l0}/snapshots/${ordinal}`);
  t.match(res.headers.get('content-type'), /^application\/json/);
  const text = await res.text();
  const snap = JSON.parse(text);
  t.equal(text, canonicalJson(snap), 'canonical JSON text');
  t.same(snap.value.dataApplication.blocks, [batch], 'carrying the update as signed');
  const status = (await getJson(`${urls.dataL1}/data-application/updates/${posted.body.hash}`)).body;
  t.equal(status.snapshotHash, hashCanonical(snap.value), 'the snapshot hash is the hash of its canonical value');
  t.same((await getJson(`${urls.l0}/snapshots/${ordinal}`)).body, snap);

  await tn.close();
  const again = await startTestNode({ dataDir: tmp.dir, funded: tn.funded });
  t.teardown(() => again.close());
  t.equal(
    await (await fetch(`${again.node.urls.l0}/snapshots/${ordinal}`)).text(),
    text,
    'the same text after restart',
  );
  t.equal((await getJson(`${again.node.urls.l0}/snapshots/${ordinal + 7}`)).status, 404);
});
