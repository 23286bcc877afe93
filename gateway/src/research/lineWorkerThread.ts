// The download's worker thread: decrypts vault rows and writes their NDJSON lines, so the main thread only reads
// LevelDB and sends bytes (on the main thread, decryption and the garbage of each row's cipher objects and texts
// were most of a download's CPU). A chunk comes as one buffer the main thread packed (packLineJob: the sealed rows'
// bytes, their associated data and committed-row records' JSON text) and moved here, not as arrays of strings to
// copy across; the lines go back as one buffer, also moved. Imports nothing of the gateway but these small modules.
import { parentPort } from 'node:worker_threads';
import { openSealedBytes } from '../vault/openSealedText.ts';
import { ndjsonRowLine, proofRanges, put, spliceRange, writeMerkleJson } from './ndjsonRowLine.ts';
import { proofFromText, type RowProof, type RowRef } from './ResearchStore.ts';

/** One chunk's released rows as the main thread reads them, numbered from `row` (also the CSV path's input). */
export interface LineRows {
  row: number;
  /** Per row: the sealed vault row as stored (base64 of IV, tag and ciphertext; JSON quotes around it or not). */
  sealed: string[];
  /** Its associated data, `row:{provider}:{id}`. */
  aad: string[];
  /** Its provider's data key, as an index into `keys`. */
  keyOf: number[];
  keys: Uint8Array[];
  /** Its committed-row record (RowRef) as stored: JSON text. */
  proof: string[];
}

/**
 * LineRows packed into one buffer: the data keys first (32 bytes each), then per row i the sealed row's raw bytes
 * from bounds[3i], its associated data (UTF-8) from bounds[3i+1] and its committed-row record's text (UTF-8) from
 * bounds[3i+2] to bounds[3i+3].
 */
export interface LineJob {
  id: number;
  row: number;
  data: Uint8Array;
  bounds: Uint32Array;
  keyOf: Uint16Array;
}

export type LineResult = { id: number; bytes: Uint8Array } | { id: number; error: string };

const KEY = 32;

/**
 * The buffers are the job's own (allocUnsafeSlow never pools), so LineWorker moves them to the worker without a
 * copy. Base64 is decoded here, straight into the buffer (node's decoder skips the JSON quotes).
 */
export function packLineJob(r: LineRows): Omit<LineJob, 'id'> {
  const n = r.sealed.length;
  // the texts are ASCII (base64 takes 3/4 of its length), with room for a write's worst case at the end
  let size = r.keys.length * KEY;
  let longest = 0;
  for (let i = 0; i < n; i++) {
    const texts = (r.aad[i] as string).length + (r.proof[i] as string).length;
    size += Math.ceil(((r.sealed[i] as string).length * 3) / 4) + texts;
    longest = Math.max(longest, texts, (r.sealed[i] as string).length);
  }
  size += 3 * longest;
  let data = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const k of r.keys) {
    if (k.length !== KEY) throw new Error('a data key is not 32 bytes');
    data.set(k, at);
    at += KEY;
  }
  const bounds = new Uint32Array(3 * n + 1);
  const keyOf = new Uint16Array(n);
  // UTF-8 takes at most 3 bytes per UTF-16 unit: the texts are ASCII, and the buffer grows if one is not
  const write = (s: string, encoding: 'utf8' | 'base64') => {
    if (at + s.length * 3 > data.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(data.length * 2, at + s.length * 3));
      data.copy(bigger, 0, 0, at);
      data = bigger;
    }
    at += data.write(s, at, encoding);
  };
  for (let i = 0; i < n; i++) {
    keyOf[i] = r.keyOf[i] as number;
    bounds[3 * i] = at;
    write(r.sealed[i] as string, 'base64');
    bounds[3 * i + 1] = at;
    write(r.aad[i] as string, 'utf8');
    bounds[3 * i + 2] = at;
    write(r.proof[i] as string, 'utf8');
  }
  bounds[3 * n] = at;
  return { row: r.row, data, bounds, keyOf };
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const ROW_BYTES = latin1('{"row":');
const BODY_BYTES = latin1(',"body":');
const ORDINAL_BYTES = latin1(',"ordinal":');
const MERKLE_BYTES = latin1(',"merkle":');
const ROOT_BYTES = latin1(',"entriesRoot":"');
const LINE_END_BYTES = latin1('"}\n');
const ZERO = 0x30;

/** A non-negative safe integer's decimal digits. */
function putNumber(out: Uint8Array, at: number, n: number): number {
  if (n < 10) {
    out[at] = ZERO + n;
    return at + 1;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  for (let i = at + digits - 1, x = n; i >= at; i--, x = Math.floor(x / 10)) out[i] = ZERO + (x % 10);
  return at + digits;
}

const ranges = new Int32Array(5);

/**
 * The job's NDJSON lines as UTF-8 bytes, written into one buffer: each row's body and signature copied from its
 * decrypted bytes (spliceRange), its proof members from its record's text (proofRanges), the rest written around
 * them. No per-row text is made. A row not in the codec's order is parsed and written by ndjsonRowLine.
 */
export function encodeLineBytes(job: Omit<LineJob, 'id'>): Uint8Array {
  // a moved buffer arrives as a plain Uint8Array
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
  const { bounds, keyOf } = job;
  const n = keyOf.length;
  const keys: Buffer[] = [];
  let out = Buffer.allocUnsafeSlow(2 * (bounds[3 * n] as number) + 256 * n + 4096);
  let at = 0;
  const room = (need: number) => {
    if (at + need <= out.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, at + need));
    out.copy(bigger, 0, 0, at);
    out = bigger;
  };
  for (let i = 0; i < n; i++) {
    const s = bounds[3 * i] as number;
    const a = bounds[3 * i + 1] as number;
    const p = bounds[3 * i + 2] as number;
    const e = bounds[3 * i + 3] as number;
    const k = keyOf[i] as number;
    keys[k] ??= data.subarray(k * KEY, k * KEY + KEY);
    const plain = openSealedBytes(keys[k] as Buffer, data.subarray(s, a), data.subarray(a, p));
    const row = job.row + i;
    const range = spliceRange(plain);
    if (!range || !proofRanges(data, p, e, ranges)) {
      const t = data.toString('utf8', p, e);
      const proof: RowProof = proofFromText(t) ?? (JSON.parse(t) as RowRef);
      const line = ndjsonRowLine(
        row,
        JSON.parse(plain.toString('utf8')),
        proof.ordinal,
        proof.merkle,
        proof.entriesRoot,
      );
      room(line.length * 3);
      at += out.write(line, at, 'utf8');
      continue;
    }
    // ASCII only around the copied bytes: numbers, hex and the compact proof's digits
    room(64 + range[1] - range[0] + 2 * (e - p));
    at = put(out, at, ROW_BYTES);
    at = putNumber(out, at, row);
    at = put(out, at, BODY_BYTES);
    at += plain.copy(out, at, range[0], range[1]);
    at = put(out, at, ORDINAL_BYTES);
    at = put(out, at, data, ranges[0], ranges[1]);
    at = put(out, at, MERKLE_BYTES);
    at = writeMerkleJson(out, at, data, ranges[2] as number, ranges[3] as number);
    at = put(out, at, ROOT_BYTES);
    at = put(out, at, data, ranges[4], (ranges[4] as number) + 64);
    at = put(out, at, LINE_END_BYTES);
  }
  return out.subarray(0, at);
}

parentPort?.on('message', (job: LineJob) => {
  let result: LineResult;
  try {
    // a buffer of its own (allocUnsafeSlow never pools), handed over to the main thread without a copy
    result = { id: job.id, bytes: encodeLineBytes(job) };
  } catch (e) {
    result = { id: job.id, error: (e as Error).message };
  }
  parentPort?.postMessage(result, 'bytes' in result ? [result.bytes.buffer as ArrayBuffer] : []);
});
parentPort?.postMessage({ ready: true });
