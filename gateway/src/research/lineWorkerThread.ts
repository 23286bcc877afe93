// The download's worker thread: decrypts vault rows and writes their NDJSON lines, so the main thread only reads
// LevelDB and sends bytes (on the main thread, decryption and the garbage of each row's cipher objects and texts
// were most of a download's CPU). Imports nothing of the gateway but these two small modules.
import { parentPort } from 'node:worker_threads';
import { openSealed, openSealedText } from '../vault/openSealedText.ts';
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

/**
 * The job's NDJSON lines as UTF-8 bytes, written into one buffer: each row's body and signature copied from its
 * decrypted bytes (spliceRange), the rest written around them. No per-row text is made, nor one big string to
 * encode at the end. A row not in the codec's order is parsed and written by ndjsonRowLine.
 */
export function encodeLineBytes(job: Omit<LineJob, 'id'>): Uint8Array {
  let buf = Buffer.allocUnsafeSlow(job.sealed.length * 2200 + 4096);
  let at = 0;
  const room = (n: number) => {
    if (at + n <= buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, at + n));
    buf.copy(bigger, 0, 0, at);
    buf = bigger;
  };
  for (let i = 0; i < job.sealed.length; i++) {
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
      const line = ndjsonRowLine(row, JSON.parse(plain.toString('utf8')), ordinal, merkle, root);
      room(line.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
      at += buf.write(line, at, 'utf8');
      continue;
    }
    // ASCII only around the copied bytes: numbers, hex and the compact proof's digits
    const head = `{"row":${row},"body":`;
    const tail = `,"ordinal":${ordinal},"merkle":${merkleJsonFromCompact(merkle)},"entriesRoot":"${root}"}\n`;
    room(head.length + range[1] - range[0] + tail.length);
    at += buf.write(head, at, 'latin1');
    at += plain.copy(buf, at, range[0], range[1]);
    at += buf.write(tail, at, 'latin1');
  }
  return buf.subarray(0, at);
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
