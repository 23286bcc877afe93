// The commitments a snapshot puts on chain, in leaf order. Each snapshot's tree is built once with protocol's
// `merkleTree` when the outbox sees the snapshot, and each row's proof is stored (DESIGN.md section 3 step 5).
/** The commitments a snapshot's accepted updates put on chain, in leaf order (the metagraph's `combine`). */
export function snapshotCommitments(updates: readonly { value: { type: string } }[]): string[] {
  const out: string[] = [];
  for (const u of updates) {
    const v = u.value as { type: string; entries?: { commitment: string }[] };
    if (v.type === 'IngestBatch') for (const e of v.entries ?? []) out.push(e.commitment);
  }
  return out;
}
