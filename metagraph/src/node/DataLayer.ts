// What the node needs from the data application: the rules (metagraph/src/rules, pure) plus the calculated
// state they read. DataApplication.ts implements it over the rules; the node never re-implements a rule.
import type { SignedDataUpdate } from '@datagraph/protocol';

export interface DataProblem {
  code: string;
  message: string;
  entry?: number;
  issues?: string[];
}

export interface DataSnapshotPart {
  /** Updates the snapshot takes, in order, with their hashes. */
  accepted: { hash: string; update: SignedDataUpdate }[];
  rejected: { hash: string; problems: DataProblem[] }[];
  /** Goes into the snapshot as dataApplication.onChainState. */
  onChainState: unknown;
  /** The calculated-state change, stored beside the snapshot and applied once the snapshot is written. */
  delta: unknown;
  calculatedStateHash: string;
}

export interface DataLayer {
  /** Stateless checks (validateUpdate); empty means the update may be accepted into the pending pool. */
  validateUpdate(input: unknown): DataProblem[];
  /**
   * validateUpdate's problems, and when there are none the update hash and the update's canonical JSON text (one
   * canonical form for both: the node stores that text and writes it into the snapshot without redoing it).
   */
  checkUpdate(input: unknown): { problems: DataProblem[]; hash?: string; text?: string };
  updateHash(update: SignedDataUpdate): string;
  /**
   * validateData + combine for the snapshot `ordinal` over the pending updates, without changing state. `hashes`,
   * when given, are the updates' hashes.
   */
  prepare(ordinal: number, updates: readonly SignedDataUpdate[], hashes?: readonly string[]): DataSnapshotPart;
  /**
   * Move the calculated state on by a delta (after the snapshot is durable, and when replaying on start). `trusted`:
   * the delta is the one `prepare` just returned, so it is not parsed again.
   */
  apply(delta: unknown, trusted?: boolean): void;
  readonly calculatedStateHash: string;
}
