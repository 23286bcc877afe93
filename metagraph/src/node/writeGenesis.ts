// Genesis: snapshot 0 with the genesis balances (lastSnapshotHash = 64 zeros, as Tessellation's Hash.empty),
// the node's signing key, and the genesis file's hash, so a data dir can refuse a different genesis later.
import { type Clock, canonicalJson, generateKeyPair } from '@datagraph/protocol';
import { type Genesis, genesisBalances } from './Genesis.ts';
import { type BatchOp, keys, type NodeStore } from './NodeStore.ts';
import {
  GENESIS_PARENT_HASH,
  mapProof,
  SNAPSHOT_VERSION,
  type SnapshotInfo,
  type SnapshotValue,
  sha256Hex,
  snapshotHash,
} from './Snapshot.ts';
import { signHash } from './verifyTransactionSignature.ts';

export function genesisHash(genesis: Genesis): string {
  return sha256Hex(canonicalJson(genesis));
}

export async function writeGenesis(store: NodeStore, genesis: Genesis, clock: Clock): Promise<void> {
  const balances = genesisBalances(genesis);
  let supply = 0n;
  for (const b of balances.values()) supply += b;
  const value: SnapshotValue = {
    ordinal: 0,
    height: 0,
    subHeight: 0,
    lastSnapshotHash: GENESIS_PARENT_HASH,
    timestamp: new Date(clock.now()).toISOString(),
    epochProgress: 0,
    blocks: [],
    rewards: [],
    tips: { deprecated: [], remainedActive: [] },
    stateProof: { balancesProof: mapProof(balances), lastTxRefsProof: mapProof([]), totalSupply: supply.toString() },
    dataApplication: null,
    version: SNAPSHOT_VERSION,
  };
  const hash = snapshotHash(value);
  const key = generateKeyPair();
  const info: SnapshotInfo = {
    hash,
    balances: Object.fromEntries([...balances].map(([a, b]) => [a, b.toString()])),
    lastTxRefs: {},
    totalSupply: supply.toString(),
  };
  const ops: BatchOp[] = [
    { type: 'put', key: keys.nodeKey, value: key.privateKey },
    {
      type: 'put',
      key: keys.snapshot(0),
      value: { value, proofs: [{ id: key.publicKey, signature: signHash(key.privateKey, hash) }] },
    },
    { type: 'put', key: keys.info(0), value: info },
    { type: 'put', key: keys.latest, value: { ordinal: 0, hash } },
    // Last: a store holding meta!genesis is a complete genesis (all of this is one atomic batch anyway).
    { type: 'put', key: keys.genesis, value: genesisHash(genesis) },
  ];
  for (const [a, b] of balances)
    ops.push(
      { type: 'put', key: keys.balance(a), value: b.toString() },
      { type: 'put', key: keys.balanceAt(a, 0), value: b.toString() },
    );
  await store.batch(ops);
}
