// The download's worker thread: decrypts vault rows and writes their NDJSON lines, so the main thread only reads
// LevelDB and sends bytes (on the main thread, decryption and the garbage of each row's cipher objects and texts
// were most of a download's CPU). Imports nothing of the gateway but these two small modules.
import { parentPort } from 'node:worker_threads';
import { openSealed, openSealedText } from '../vault/openSealedText.ts';
import { sealBlocks } from './datasetFile.ts';
import { merkleJsonFromCompact, ndjsonRowLine, ndjsonRowLineFromText, spliceRange } from './ndjsonRowLine.ts';

/** One chunk of released rows, numbered from `row`; per row its sealed text, its key (index into `keys`)... */
export interface LineJob {
  id: number;
  row: number;
  sealed: string[];
  aad: string[];
  keyOf: number[];
  keys: Uint8Array[];
  ordinal: number[];
  merkle: string[];
  entriesRoot: string[];
  /** A prepared dataset's blocks instead of lines (datasetFile.ts): its query, each key's provider, each row's policy version. */
  blocks?: { queryId: string; providers: string[]; policy: number[] };
}

export type LineResult = { id: number; bytes: Uint8Array } | { id: number; error: string };

function lineOf(job: Omit<LineJob, 'id'>, i: number): string {
  const text = openSealedText(
    job.keys[job.keyOf[i] as number] as Uint8Array,
    job.sealed[i] as string,
    job.aad[i] as string,
  );
  const row = job.row + i;
  const ordinal = job.ordinal[i] as number;
  const merkle = job.merkle[i] as string;
  const root = job.entriesRoot[i] as string;
  return (
    ndjsonRowLineFromText(row, text, ordinal, merkle, root) ??
    ndjsonRowLine(row, JSON.parse(text), ordinal, merkle, root)
  );
}

/** The job's NDJSON lines as text (the main thread's path while the worker starts). */
export function encodeLines(job: Omit<LineJob, 'id'>): string {
  let out = '';
  for (let i = 0; i < job.sealed.length; i++) out += lineOf(job, i);
  return out;
}

/** The job's NDJSON lines as UTF-8 bytes in one buffer (writeLines). */
export function encodeLineBytes(job: Omit<LineJob, 'id'>): Uint8Array {
  return writeLines(job);
}

/**
 * The lines written into one buffer: each row's body and signature copied from its decrypted bytes (spliceRange),
 * the rest written around them. No per-row text is made, nor one big string to encode at the end. A row not in
 * the codec's order is parsed and written by ndjsonRowLine. With `lens`, each line goes without its `{"row":N,`
 * head and its length is pushed (a prepared dataset's lines).
 */
function writeLines(job: Omit<LineJob, 'id'>, lens?: number[]): Buffer {
  let buf = Buffer.allocUnsafeSlow(job.sealed.length * 2200 + 4096);
  let at = 0;
  const room = (n: number) => {
    if (at + n <= buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, at + n));
    buf.copy(bigger, 0, 0, at);
    buf = bigger;
  };
  for (let i = 0; i < job.sealed.length; i++) {
    const start = at;
    const plain = openSealed(
      job.keys[job.keyOf[i] as number] as Uint8Array,
      job.sealed[i] as string,
      job.aad[i] as string,
    );
    const row = job.row + i;
    const ordinal = job.ordinal[i] as number;
    const merkle = job.merkle[i] as string;
    const root = job.entriesRoot[i] as string;
    const range = spliceRange(plain);
    if (!range) {
      let line = ndjsonRowLine(row, JSON.parse(plain.toString('utf8')), ordinal, merkle, root);
      if (lens) line = line.slice(line.indexOf(',') + 1); // `{"row":N,` holds no other comma
      room(line.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
      at += buf.write(line, at, 'utf8');
    } else {
      // ASCII only around the copied bytes: numbers, hex and the compact proof's digits
      const head = lens ? '"body":' : `{"row":${row},"body":`;
      const tail = `,"ordinal":${ordinal},"merkle":${merkleJsonFromCompact(merkle)},"entriesRoot":"${root}"}\n`;
      room(head.length + range[1] - range[0] + tail.length);
      at += buf.write(head, at, 'latin1');
      at += plain.copy(buf, at, range[0], range[1]);
      at += buf.write(tail, at, 'latin1');
    }
    lens?.push(at - start);
  }
  return buf.subarray(0, at);
}

/** A prepared dataset's blocks of the job's rows (datasetFile.ts), in one buffer. */
export function encodeBlocks(job: Omit<LineJob, 'id'>): Uint8Array {
  const b = job.blocks;
  if (!b) throw new Error('not a blocks job');
  const lens: number[] = [];
  const lines = writeLines(job, lens);
  const rows = job.keyOf.map((k, i) => ({
    provider: b.providers[k] as string,
    key: job.keys[k] as Uint8Array,
    policy: b.policy[i] as number,
  }));
  const parts = sealBlocks(b.queryId, job.row, lines, lens, rows);
  let size = 0;
  for (const p of parts) size += p.length;
  const out = recycled(size) ?? Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const p of parts) at += p.copy(out, at);
  return out.subarray(0, size);
}

// Buffers the main thread has written to the prepared file and handed back (LineWorker.recycle): a preparation's
// output buffers go round instead of piling up in the main thread as external memory until a full collection.
const pool: ArrayBuffer[] = [];
const POOL = 8;

function recycled(size: number): Buffer | undefined {
  const i = pool.findIndex((ab) => ab.byteLength >= size);
  if (i < 0) return undefined;
  const [ab] = pool.splice(i, 1);
  return Buffer.from(ab as ArrayBuffer);
}

parentPort?.on('message', (job: LineJob | { recycle: ArrayBuffer }) => {
  if ('recycle' in job) {
    if (pool.length < POOL) pool.push(job.recycle);
    return;
  }
  let result: LineResult;
  try {
    // a buffer of its own (allocUnsafeSlow never pools), handed over to the main thread without a copy
    result = { id: job.id, bytes: job.blocks ? encodeBlocks(job) : encodeLineBytes(job) };
  } catch (e) {
    result = { id: job.id, error: (e as Error).message };
  }
  parentPort?.postMessage(result, 'bytes' in result ? [result.bytes.buffer as ArrayBuffer] : []);
});
parentPort?.postMessage({ ready: true });
