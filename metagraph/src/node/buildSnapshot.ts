// Build snapshot `ordinal` and the one atomic batch that stores it with everything it changes: balances and
// references (current and by ordinal), confirmed transactions and their address index, each data update's
// verdict, the data application's state delta, and the removal of the pending items it took.
import { canonicalJson } from '@datagraph/protocol';
import type { ConfirmPlan, CurrencyLedger } from './CurrencyLedger.ts';
import type { DataSnapshotPart } from './DataLayer.ts';
import type { ConfirmedTransaction, UpdateStatus } from './MetagraphNode.ts';
import { type BatchOp, keys, ord } from './NodeStore.ts';
import {
  mapProof,
  type SignedSnapshot,
  SNAPSHOT_VERSION,
  type SnapshotInfo,
  type SnapshotValue,
  sha256Hex,
  signedSnapshotText,
  snapshotText,
} from './Snapshot.ts';
import { signHash } from './verifyTransactionSignature.ts';

export interface SnapshotInput {
  ordinal: number;
  lastSnapshotHash: string;
  /** ISO 8601, from the node's clock. */
  timestamp: string;
  /** The confirmed state before this snapshot; not changed here. */
  ledger: CurrencyLedger;
  plan: ConfirmPlan;
  supply: bigint;
  data: DataSnapshotPart;
  nodeKey: { privateKey: string; publicKey: string };
  /** Store keys of the pending transactions and updates this snapshot took. */
  pendingKeys: string[];
  /** Canonical JSON texts of data updates by update hash, as checked at POST (others are written out here). */
  updateTexts?: ReadonlyMap<string, string>;
}

export function buildSnapshot(input: SnapshotInput): { hash: string; signed: SignedSnapshot; ops: BatchOp[] } {
  const { ordinal, plan, supply, data, timestamp } = input;
  const allBalances = new Map(input.ledger.balances);
  for (const [a, b] of plan.balances) allBalances.set(a, b);
  const allRefs = new Map(input.ledger.lastRefs);
  for (const [a, r] of plan.refs) allRefs.set(a, r);
  const block = { height: ordinal, transactions: plan.accepted.map((t) => t.signed) };
  const blockHash = sha256Hex(canonicalJson(block));
  const value: SnapshotValue = {
    ordinal,
    height: ordinal,
    subHeight: 0,
    lastSnapshotHash: input.lastSnapshotHash,
    timestamp,
    epochProgress: ordinal,
    blocks: plan.accepted.length > 0 ? [{ block: { value: block }, usageCount: 0 }] : [],
    rewards: [],
    tips: { deprecated: [], remainedActive: [] },
    stateProof: {
      balancesProof: mapProof(allBalances),
      lastTxRefsProof: mapProof(allRefs),
      totalSupply: supply.toString(),
    },
    dataApplication: {
      onChainState: data.onChainState,
      blocks: data.accepted.map((a) => a.update),
      calculatedStateProof: data.calculatedStateHash,
    },
    version: SNAPSHOT_VERSION,
  };
  const valueText = snapshotText(
    value,
    data.accepted.map((a) => input.updateTexts?.get(a.hash) ?? canonicalJson(a.update)),
  );
  const hash = sha256Hex(valueText);
  const signed: SignedSnapshot = {
    value,
    proofs: [{ id: input.nodeKey.publicKey, signature: signHash(input.nodeKey.privateKey, hash) }],
  };

  const info: SnapshotInfo = { hash, balances: {}, lastTxRefs: {}, totalSupply: supply.toString() };
  const ops: BatchOp[] = [
    // Its canonical text, written from the updates' texts: the node serves it as stored (GET /snapshots/{n}).
    {
      type: 'put',
      key: keys.snapshot(ordinal),
      value: signedSnapshotText(valueText, signed.proofs),
      valueEncoding: 'utf8',
    },
    { type: 'put', key: keys.delta(ordinal), value: data.delta },
    { type: 'put', key: keys.latest, value: { ordinal, hash } },
  ];
  for (const [a, b] of plan.balances) {
    info.balances[a] = b.toString();
    ops.push(
      { type: 'put', key: keys.balance(a), value: b.toString() },
      { type: 'put', key: keys.balanceAt(a, ordinal), value: b.toString() },
    );
  }
  for (const [a, r] of plan.refs) {
    info.lastTxRefs[a] = r;
    ops.push({ type: 'put', key: keys.ref(a), value: r });
  }
  ops.push({ type: 'put', key: keys.info(ordinal), value: info });
  plan.accepted.forEach((t, i) => {
    const v = t.signed.value;
    const record: ConfirmedTransaction = {
      hash: t.hash,
      ordinal: t.ordinal,
      source: t.source,
      destination: t.destination,
      amount: Number(t.amount),
      fee: Number(t.fee),
      parent: v.parent,
      salt: String(v.salt),
      blockHash,
      snapshotHash: hash,
      snapshotOrdinal: ordinal,
      transactionOriginal: t.signed,
      timestamp,
    };
    const pos = String(i).padStart(6, '0');
    ops.push(
      { type: 'put', key: keys.tx(t.hash), value: record },
      { type: 'put', key: `atx!${t.source}!${ord(ordinal)}!${pos}`, value: t.hash },
      { type: 'put', key: `atx!${t.destination}!${ord(ordinal)}!${pos}`, value: t.hash },
    );
  });
  for (const a of data.accepted)
    ops.push({
      type: 'put',
      key: keys.update(a.hash),
      value: { hash: a.hash, status: 'accepted', ordinal, snapshotHash: hash } satisfies UpdateStatus,
    });
  for (const r of data.rejected)
    ops.push({
      type: 'put',
      key: keys.update(r.hash),
      value: { hash: r.hash, status: 'rejected', ordinal, problems: r.problems } satisfies UpdateStatus,
    });
  for (const key of input.pendingKeys) ops.push({ type: 'del', key });
  return { hash, signed, ops };
}
