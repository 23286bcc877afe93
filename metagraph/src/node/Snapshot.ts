// The metagraph's incremental snapshot, shaped after Tessellation's `Signed[CurrencyIncrementalSnapshot]`:
// ordinal, lastSnapshotHash chain, blocks of transactions, state proofs, and the data application part
// (its on-chain state and the data updates it took). Blocks and data-application parts are JSON here, not
// Tessellation's binary serialisation (docs/metagraph-node.md, "production differences").
import { createHash } from 'node:crypto';
import { canonicalJson, type SignatureProof, type SignedDataUpdate } from '@datagraph/protocol';
import type { SignedTransaction, TransactionReference } from './CurrencyTransaction.ts';
import { EMPTY_HASH } from './CurrencyTransaction.ts';

export interface SnapshotValue {
  ordinal: number;
  height: number;
  subHeight: number;
  lastSnapshotHash: string;
  /** ISO 8601, from the node's clock. */
  timestamp: string;
  epochProgress: number;
  /** One block per snapshot here: the transactions it accepted, in pool order. */
  blocks: { block: { value: { height: number; transactions: SignedTransaction[] } }; usageCount: number }[];
  rewards: never[];
  tips: { deprecated: never[]; remainedActive: never[] };
  stateProof: { balancesProof: string; lastTxRefsProof: string; totalSupply: string };
  dataApplication: { onChainState: unknown; blocks: SignedDataUpdate[]; calculatedStateProof: string } | null;
  version: string;
}

export interface SignedSnapshot {
  value: SnapshotValue;
  proofs: SignatureProof[];
}

/** What the node keeps beside each snapshot (Tessellation's SnapshotInfo, changed entries only). */
export interface SnapshotInfo {
  hash: string;
  balances: Record<string, string>;
  lastTxRefs: Record<string, TransactionReference>;
  totalSupply: string;
}

export const GENESIS_PARENT_HASH = EMPTY_HASH;
export const SNAPSHOT_VERSION = '0.0.1';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The snapshot hash that the next snapshot's lastSnapshotHash names: SHA-256 of the canonical JSON of its value. */
export function snapshotHash(value: SnapshotValue): string {
  return sha256Hex(canonicalJson(value));
}

const DATA_BLOCKS = '"dataApplication":{"blocks":[]';

/**
 * Exactly canonicalJson(value), given `blockTexts`, the canonical texts of value.dataApplication.blocks in order
 * (each update's, written when it was checked at POST): they are put in place rather than written out again, as
 * they are nearly all of a snapshot's text. RFC 8785 puts `blocks` first among dataApplication's members.
 */
export function snapshotText(value: SnapshotValue, blockTexts: readonly string[]): string {
  const data = value.dataApplication;
  if (data === null || data.blocks.length === 0 || blockTexts.length !== data.blocks.length)
    return canonicalJson(value);
  const shell = canonicalJson({ ...value, dataApplication: { ...data, blocks: [] } });
  // Quotes inside a JSON string are escaped, so this text can only be the member itself; it must be there once.
  const at = shell.indexOf(DATA_BLOCKS);
  if (at < 0 || shell.indexOf(DATA_BLOCKS, at + 1) >= 0) return canonicalJson(value);
  const cut = at + DATA_BLOCKS.length - 1;
  return `${shell.slice(0, cut)}${blockTexts.join(',')}${shell.slice(cut)}`;
}

/** Canonical JSON of a signed snapshot `{value, proofs}` from the canonical text of its value. */
export function signedSnapshotText(valueText: string, proofs: readonly SignatureProof[]): string {
  return `{"proofs":${canonicalJson(proofs)},"value":${valueText}}`;
}

/** Hash of a string map in key order (the balances / references proofs). */
export function mapProof(entries: Iterable<[string, unknown]>): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(canonicalJson(sorted.map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v])));
}
