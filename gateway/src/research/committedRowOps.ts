// When the outbox sees one of our IngestBatches in a snapshot, index its rows for quotes with their Merkle proofs
// against the snapshot's entriesRoot (the metagraph's `combine`: a tree over every accepted entry of the
// snapshot, in block order). The tree is built once per snapshot however many of our batches it carries.
import {
  encodeMerkleCompact,
  type IngestBatch,
  type MerkleTree,
  merkleTree,
  type SignedDataUpdate,
} from '@datagraph/protocol';
import type { ResearchStore, RowRef } from './ResearchStore.ts';
import { snapshotCommitments } from './snapshotProofs.ts';

export class CommittedRowIndexer {
  #ordinal = -1;
  #tree: MerkleTree | undefined;
  #index = new Map<string, number>();

  constructor(private readonly research: ResearchStore) {}

  ops(batch: IngestBatch, ordinal: number, snapshotUpdates: readonly SignedDataUpdate[]) {
    if (ordinal !== this.#ordinal) {
      const commitments = snapshotCommitments(snapshotUpdates);
      this.#tree = commitments.length > 0 ? merkleTree(commitments) : undefined;
      this.#index = new Map(commitments.map((c, i) => [c, i]));
      this.#ordinal = ordinal;
    }
    const tree = this.#tree;
    const rows: RowRef[] = [];
    for (const e of batch.entries) {
      const i = this.#index.get(e.commitment);
      if (tree === undefined || i === undefined) continue;
      rows.push({
        id: e.id,
        provider: e.provider,
        commitment: e.commitment,
        cadence: e.cadence,
        fields: e.fields,
        start: e.window.start,
        end: e.window.end,
        policyVersion: e.policyVersion,
        ordinal,
        merkle: encodeMerkleCompact(tree.proof(i)),
        entriesRoot: tree.root,
      });
    }
    return { ops: this.research.rowOps(rows), rows };
  }
}
