// GET /v1/queries/{id}/data (DESIGN.md section 3 step 5): the query's usage streamed from LevelDB iterators in
// chunks, each chunk one multi-get of committed-row records (for their proofs) and one of sealed vault rows, as
// text. NDJSON lines are written on a worker thread (lineWorkerThread.ts: decryption and line writing were most
// of the main thread's work): the main thread packs a chunk's texts into one buffer that moves to the worker,
// which splices each row's stored JSON and proof into the codec's line; CSV rows go through protocol's codec here. The dataset is never built in memory: Readable.from pulls the next chunk only when the socket has
// taken the previous ones, and a few chunks are read and encoded ahead (reads overlap encoding and sending). The
// first chunk is small, and encoded here, so the first byte leaves quickly. Rows of a provider who revoked or
// erased since the purchase are withheld (invariant 6): skipped and counted in the trailer. A quote keeps its
// rows in committed-row index order (QuoteService), so a download's reads stay within a few LevelDB tables.
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
import { openSealedText } from '../vault/openSealedText.ts';
import type { Vault } from '../vault/Vault.ts';
import { rowLive } from './CatalogCounts.ts';
import { lineWorker } from './LineWorker.ts';
import { encodeLineBytes, type LineJob, type LineRows, packLineJob } from './lineWorkerThread.ts';
import { proofFromText, type ResearchStore, type RowProof, type RowRef, type UsageRef } from './ResearchStore.ts';

const FIRST_CHUNK = 64;
// 250 rows (about 0.5 MB of lines): 500 or 1,000 read no faster and raised the download's anonymous memory by
// 80 to 150 MB (bigger buffers in flight on three threads; gateway/bench/download.bench.ts, 200,000 rows)
const CHUNK = 250;
const READ_AHEAD = 3;
const ENCODE_AHEAD = 2;

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
  // Readable.from pulls the generator (which starts the next reads and encodes) only while less than
  // highWaterMark is buffered: a chunk is about 0.5 MB, so with the default 64 KB the reads and the worker stood
  // still while the socket took each chunk (28,000 rows/s instead of 44,000 at 1,000,000 rows, 1,000-row chunks)
  return Readable.from(datasetChunks(d, req), { objectMode: false, highWaterMark: 1 << 20 });
}

/**
 * A chunk read and checked, its released rows not yet numbered: packed for the line worker (NDJSON) or as read
 * (CSV).
 */
type Loaded = { count: number; packed?: Omit<LineJob, 'id'>; rows?: LineRows };

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

async function load(
  d: DatasetStreamDeps,
  refs: UsageRef[],
  format: DatasetFormat,
  counts: { withheld: number },
): Promise<Loaded> {
  const [records, sealed] = await Promise.all([d.research.rowRecordTexts(refs), d.vault.sealedRows(refs)]);
  const rows: LineRows = { row: 0, sealed: [], aad: [], keyOf: [], keys: [], proof: [] };
  const keyIndex = new Map<Buffer, number>();
  for (let i = 0; i < refs.length; i++) {
    const p = records[i];
    const v = sealed[i];
    // Re-checked after the reads: a revocation processed meanwhile withholds the row all the same.
    const ref = refs[i] as UsageRef;
    if (p === undefined || !v || !rowLive(ref, d.registry.provider(ref.provider))) {
      counts.withheld++;
      continue;
    }
    let k = keyIndex.get(v.key);
    if (k === undefined) {
      k = rows.keys.push(v.key) - 1;
      keyIndex.set(v.key, k);
    }
    rows.sealed.push(v.sealed);
    rows.aad.push(v.aad);
    rows.keyOf.push(k);
    rows.proof.push(p);
  }
  const count = rows.sealed.length;
  // NDJSON: packed at once, so the chunk's texts die young instead of waiting (read ahead) to be promoted to the
  // old generation, whose collection was a good part of the download's CPU
  return format === 'csv' ? { count, rows } : { count, packed: packLineJob(rows) };
}

async function* datasetChunks(d: DatasetStreamDeps, req: DatasetStreamRequest): AsyncGenerator<string | Uint8Array> {
  const counts = { withheld: 0, skipped: 0 };
  let row = req.offset;
  if (req.format === 'csv') yield csvHeader(req.columns);
  const source = releasable(d, req, counts);
  const next = async (): Promise<Loaded | undefined> => {
    const r = await source.next();
    return r.done ? undefined : load(d, r.value, req.format, counts);
  };
  /** The chunk's released rows numbered on and encoded. */
  const encode = (loaded: Loaded): Promise<string | Uint8Array> => {
    const first = row;
    row += loaded.count;
    if (loaded.count === 0) return Promise.resolve('');
    if (loaded.rows) return Promise.resolve(csvLines({ ...loaded.rows, row: first }, req.columns));
    const job = { ...(loaded.packed as Omit<LineJob, 'id'>), row: first };
    // NDJSON lines are written on the worker thread once it is up (the first chunks on this thread meanwhile)
    const worker = lineWorker();
    return worker ? worker.lines(job) : Promise.resolve(encodeLineBytes(job));
  };
  // Up to READ_AHEAD chunks are read (LevelDB's reads run on libuv's thread pool) and up to ENCODE_AHEAD encoded
  // on the worker while one is sent.
  const ahead: Promise<Loaded | undefined>[] = [];
  const encoded: Promise<string | Uint8Array>[] = [];
  const refill = () => {
    while (ahead.length < READ_AHEAD) {
      const p = next();
      p.catch(() => {});
      ahead.push(p);
    }
  };
  const queue = (p: Promise<string | Uint8Array>) => {
    p.catch(() => {});
    encoded.push(p);
  };
  ahead.push(next()); // the small first chunk alone, so the first byte is not queued behind read-ahead
  let first = true;
  try {
    for (;;) {
      const loaded = await ahead.shift();
      if (!loaded) break;
      refill();
      queue(encode(loaded));
      if (first || encoded.length > ENCODE_AHEAD) {
        first = false;
        const out = await encoded.shift();
        if (out?.length) yield out;
      }
    }
    for (const p of encoded) {
      const out = await p;
      if (out.length) yield out;
    }
  } finally {
    // a download cut short (client gone) closes its LevelDB iterator now, not when it is collected
    source.return(undefined).catch(() => {});
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

/** CSV lines of a chunk, on this thread (CSV is the smaller path: rows parsed into objects for the codec). */
function csvLines(rows: LineRows, columns: FieldName[]): string {
  let out = '';
  for (let i = 0; i < rows.sealed.length; i++) {
    const v = JSON.parse(
      openSealedText(rows.keys[rows.keyOf[i] as number] as Buffer, rows.sealed[i] as string, rows.aad[i] as string),
    ) as VaultRow;
    const text = rows.proof[i] as string;
    const p: RowProof = proofFromText(text) ?? (JSON.parse(text) as RowRef);
    const r: DatasetRow = {
      row: rows.row + i,
      body: v.body,
      commitment: v.commitment,
      proof: v.proof,
      ordinal: p.ordinal,
      merkle: decodeMerkleCompact(p.merkle),
      entriesRoot: p.entriesRoot,
    };
    out += rowToCsvLine(r, columns);
  }
  return out;
}
