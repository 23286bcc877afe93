// GET /v1/queries/{id}/data (DESIGN.md section 3 step 5): the query's usage streamed from LevelDB iterators in
// chunks, each chunk one multi-get of proofs (their JSON text scanned, not parsed) and one of sealed vault rows.
// NDJSON lines are written on a worker thread (lineWorkerThread.ts: decryption and line writing were most of the
// main thread's work), splicing each row's stored JSON into the codec's line; CSV rows go through protocol's
// codec here. The dataset is never built in memory: Readable.from pulls the next chunk only when the socket has
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
import { encodeLines, type LineJob } from './lineWorkerThread.ts';
import type { ResearchStore, RowProof, UsageRef } from './ResearchStore.ts';

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

type Sealed = { sealed: string; key: Buffer; aad: string };
type Loaded = { refs: UsageRef[]; proofs: (RowProof | undefined)[]; rows: (Sealed | undefined)[] };

/** The usage, skipping rows withheld before `offset` is reached, in chunks of refs to release. */
async function* releasable(
  d: DatasetStreamDeps,
  req: { queryId: string; offset: number },
  counts: ReleaseCounts,
): AsyncGenerator<UsageRef[]> {
  // A provider whose data key is gone has nothing readable left (erasure deletes the key first): their rows are
  // withheld here too, so the rows an `offset` skips are rows that would have been released.
  const keyed = new Map<string, boolean>();
  let skip = req.offset;
  let pending: UsageRef[] = [];
  let want = FIRST_CHUNK;
  for await (const chunk of d.research.usageChunks(req.queryId, CHUNK)) {
    for (const ref of chunk) {
      let hasKey = keyed.get(ref.provider);
      if (hasKey === undefined) {
        hasKey = (await d.vault.dataKey(ref.provider)) !== undefined;
        keyed.set(ref.provider, hasKey);
      }
      if (!hasKey || !rowLive(ref, d.registry.provider(ref.provider))) {
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
  const [proofs, rows] = await Promise.all([d.research.rowProofs(refs), d.vault.sealedRows(refs)]);
  return { refs, proofs, rows };
}

/** Rows released so far and rows withheld or skipped (a resumed download's offset). */
export interface ReleaseCounts {
  row: number;
  withheld: number;
  skipped: number;
}

/**
 * The query's released rows from `offset` on, in chunks, each chunk's rows as `encode` turns a line job into bytes
 * (in order). Up to READ_AHEAD chunks are read (LevelDB's reads run on libuv's thread pool) and up to ENCODE_AHEAD
 * encoded on the worker while one is sent. `blocksOf` makes blocks jobs for that query (a prepared dataset).
 */
export async function* encodedChunks(
  d: DatasetStreamDeps,
  req: { queryId: string; offset: number },
  counts: ReleaseCounts,
  encode: (job: Omit<LineJob, 'id'>) => Promise<string | Uint8Array>,
  blocksOf?: string,
): AsyncGenerator<string | Uint8Array> {
  const source = releasable(d, req, counts);
  const next = async (): Promise<Loaded | undefined> => {
    const r = await source.next();
    return r.done ? undefined : load(d, r.value);
  };
  /** The chunk's released rows as a line job, numbered on; withheld rows counted. */
  const released = (loaded: Loaded): Omit<LineJob, 'id'> => {
    const job: Omit<LineJob, 'id'> = {
      row: counts.row,
      sealed: [],
      aad: [],
      keyOf: [],
      keys: [],
      ordinal: [],
      merkle: [],
      entriesRoot: [],
      ...(blocksOf === undefined ? {} : { blocks: { queryId: blocksOf, providers: [], policy: [] } }),
    };
    const keyIndex = new Map<Buffer, number>();
    for (let i = 0; i < loaded.refs.length; i++) {
      const p = loaded.proofs[i];
      const v = loaded.rows[i];
      // Re-checked after the reads: a revocation processed meanwhile withholds the row all the same.
      const ref = loaded.refs[i] as UsageRef;
      if (!p || !v || !rowLive(ref, d.registry.provider(ref.provider))) {
        counts.withheld++;
        continue;
      }
      let k = keyIndex.get(v.key);
      if (k === undefined) {
        k = job.keys.push(v.key) - 1;
        keyIndex.set(v.key, k);
        job.blocks?.providers.push(ref.provider);
      }
      job.sealed.push(v.sealed);
      job.aad.push(v.aad);
      job.keyOf.push(k);
      job.ordinal.push(p.ordinal);
      job.merkle.push(p.merkle);
      job.entriesRoot.push(p.entriesRoot);
      job.blocks?.policy.push(ref.policyVersion ?? 1); // rowLive's reading of a row without one
    }
    counts.row += job.sealed.length;
    return job;
  };
  const encodeLoaded = (loaded: Loaded): Promise<string | Uint8Array> => {
    const job = released(loaded);
    return job.sealed.length === 0 ? Promise.resolve('') : encode(job);
  };
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
      queue(encodeLoaded(loaded));
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
}

async function* datasetChunks(d: DatasetStreamDeps, req: DatasetStreamRequest): AsyncGenerator<string | Uint8Array> {
  const counts: ReleaseCounts = { row: req.offset, withheld: 0, skipped: 0 };
  if (req.format === 'csv') yield csvHeader(req.columns);
  // NDJSON lines are written on the worker thread once it is up (the first chunks on this thread meanwhile)
  const encode = (job: Omit<LineJob, 'id'>): Promise<string | Uint8Array> => {
    if (req.format === 'csv') return Promise.resolve(csvLines(job, req.columns));
    const worker = lineWorker();
    return worker ? worker.encode(job) : Promise.resolve(encodeLines(job));
  };
  yield* encodedChunks(d, req, counts, encode);
  const trailer: DatasetTrailer = {
    queryId: req.queryId,
    released: counts.row - req.offset,
    withheld: counts.withheld,
    nextOffset: counts.row,
  };
  req.onEnd?.(trailer);
  if (req.format === 'ndjson') yield `${JSON.stringify({ trailer })}\n`;
}

/** CSV lines of a job, on this thread (CSV is the smaller path: rows parsed into objects for the codec). */
function csvLines(job: Omit<LineJob, 'id'>, columns: FieldName[]): string {
  let out = '';
  for (let i = 0; i < job.sealed.length; i++) {
    const v = JSON.parse(
      openSealedText(job.keys[job.keyOf[i] as number] as Buffer, job.sealed[i] as string, job.aad[i] as string),
    ) as VaultRow;
    const r: DatasetRow = {
      row: job.row + i,
      body: v.body,
      commitment: v.commitment,
      proof: v.proof,
      ordinal: job.ordinal[i] as number,
      merkle: decodeMerkleCompact(job.merkle[i] as string),
      entriesRoot: job.entriesRoot[i] as string,
    };
    out += rowToCsvLine(r, columns);
  }
  return out;
}
