// GET /v1/queries/{id}/data (DESIGN.md section 3 step 5): the query's usage streamed from LevelDB iterators in
// chunks, each chunk one multi-get of proofs and one of vault rows, encoded with protocol's dataset codec. The
// dataset is never built in memory: Readable.from pulls the next chunk only when the socket has taken the
// previous ones, and at most one chunk is read ahead (reads overlap encoding and sending). The first chunk is
// small so the first byte leaves quickly. Rows of a provider who revoked or erased since the purchase are
// withheld (invariant 6): skipped and counted in the trailer.
import { Readable } from 'node:stream';
import {
  csvHeader,
  type DatasetFormat,
  type DatasetRow,
  type DatasetTrailer,
  decodeMerkleCompact,
  type FieldName,
  rowToCsvLine,
  type SignatureProof,
  type UpdateBody,
} from '@datagraph/protocol';
import type { Registry } from '../registry/Registry.ts';
import type { Vault } from '../vault/Vault.ts';
import { rowLive } from './CatalogCounts.ts';
import { ndjsonRowLine } from './ndjsonRowLine.ts';
import type { ResearchStore, RowRef, UsageRef } from './ResearchStore.ts';

const FIRST_CHUNK = 64;
const CHUNK = 1000;
const READ_AHEAD = 2;

interface VaultRow {
  body: UpdateBody;
  commitment: string;
  proof: SignatureProof;
}

export interface DatasetStreamDeps {
  research: ResearchStore;
  vault: Vault;
  registry: Registry;
}

export interface DatasetStreamRequest {
  queryId: string;
  format: DatasetFormat;
  columns: FieldName[];
  /** Released rows to skip (a resumed download); row numbers continue from it. */
  offset: number;
  /** Called once the last row is out, with the trailer (NDJSON also writes it as its last line). */
  onEnd?: (t: DatasetTrailer) => void;
}

export function datasetStream(d: DatasetStreamDeps, req: DatasetStreamRequest): Readable {
  return Readable.from(datasetChunks(d, req), { objectMode: false, highWaterMark: 1 << 16 });
}

type Loaded = { refs: UsageRef[]; proofs: (RowRef | undefined)[]; rows: (VaultRow | undefined)[] };

/** The usage, skipping rows withheld before `offset` is reached, in chunks of refs to release. */
async function* releasable(
  d: DatasetStreamDeps,
  req: DatasetStreamRequest,
  counts: { withheld: number; skipped: number },
): AsyncGenerator<UsageRef[]> {
  const active = (ref: UsageRef) => rowLive(ref, d.registry.provider(ref.provider));
  let skip = req.offset;
  let pending: UsageRef[] = [];
  let want = FIRST_CHUNK;
  for await (const chunk of d.research.usageChunks(req.queryId, CHUNK)) {
    for (const ref of chunk) {
      if (!active(ref)) {
        counts.withheld++;
        continue;
      }
      if (skip > 0) {
        skip--;
        counts.skipped++;
        continue;
      }
      pending.push(ref);
      if (pending.length >= want) {
        yield pending;
        pending = [];
        want = CHUNK;
      }
    }
  }
  if (pending.length > 0) yield pending;
}

async function load(d: DatasetStreamDeps, refs: UsageRef[]): Promise<Loaded> {
  const [proofs, rows] = await Promise.all([d.research.rowRefs(refs), d.vault.readRows<VaultRow>(refs)]);
  return { refs, proofs, rows };
}

async function* datasetChunks(d: DatasetStreamDeps, req: DatasetStreamRequest): AsyncGenerator<string> {
  const counts = { withheld: 0, skipped: 0 };
  let row = req.offset;
  if (req.format === 'csv') yield csvHeader(req.columns);
  const source = releasable(d, req, counts);
  const next = async (): Promise<Loaded | undefined> => {
    const r = await source.next();
    return r.done ? undefined : load(d, r.value);
  };
  // Up to READ_AHEAD chunks are read while one is encoded and sent: LevelDB's reads run on libuv's thread pool.
  const ahead: Promise<Loaded | undefined>[] = [];
  const refill = () => {
    while (ahead.length < READ_AHEAD) {
      const p = next();
      p.catch(() => {});
      ahead.push(p);
    }
  };
  ahead.push(next()); // the small first chunk alone, so the first byte is not queued behind read-ahead
  for (;;) {
    const loaded = await ahead.shift();
    if (!loaded) break;
    refill();
    let out = '';
    for (let i = 0; i < loaded.refs.length; i++) {
      const p = loaded.proofs[i];
      const v = loaded.rows[i];
      // Re-checked after the reads: a revocation processed meanwhile withholds the row all the same.
      const ref = loaded.refs[i] as UsageRef;
      if (!p || !v || !rowLive(ref, d.registry.provider(ref.provider))) {
        counts.withheld++;
        continue;
      }
      if (req.format === 'ndjson') {
        out += ndjsonRowLine(row++, v, p.ordinal, p.merkle, p.entriesRoot);
        continue;
      }
      const r: DatasetRow = {
        row: row++,
        body: v.body,
        commitment: v.commitment,
        proof: v.proof,
        ordinal: p.ordinal,
        merkle: decodeMerkleCompact(p.merkle),
        entriesRoot: p.entriesRoot,
      };
      out += rowToCsvLine(r, req.columns);
    }
    if (out) yield out;
  }
  const trailer: DatasetTrailer = {
    queryId: req.queryId,
    released: row - req.offset,
    withheld: counts.withheld,
    nextOffset: row,
  };
  req.onEnd?.(trailer);
  if (req.format === 'ndjson') yield `${JSON.stringify({ trailer })}\n`;
}
