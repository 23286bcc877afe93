// The download's hot path: one NDJSON line per row, byte for byte what protocol's `rowToNdjsonLine` writes (the
// researcher's reader refuses anything else, so research.e2e.test.ts checks it on every download), built from
// the stored compact Merkle proof by string concatenation instead of parsing it into objects and back:
// at 1,000,000 rows the objects of a proof path are most of the garbage collector's work.
import type { SignatureProof, UpdateBody } from '@datagraph/protocol';

/** `index/size/l<hash>.r<hash>...` (protocol/src/dataset/merkleCompact.ts) as the codec's JSON object. */
export function merkleJsonFromCompact(compact: string): string {
  const a = compact.indexOf('/');
  const b = compact.indexOf('/', a + 1);
  let out = `{"index":${compact.slice(0, a)},"size":${compact.slice(a + 1, b)},"path":[`;
  let first = true;
  for (let i = b + 1; i < compact.length; i += 66) {
    out += `${first ? '' : ','}{"hash":"${compact.slice(i + 1, i + 65)}","left":${compact[i] === 'l'}}`;
    first = false;
  }
  return `${out}]}`;
}

export function ndjsonRowLine(
  row: number,
  v: { body: UpdateBody; commitment: string; proof: SignatureProof },
  ordinal: number,
  merkleCompact: string,
  entriesRoot: string,
): string {
  const b = v.body;
  const body = JSON.stringify({
    v: b.v,
    id: b.id,
    provider: b.provider,
    device: b.device,
    seq: b.seq,
    cadence: b.cadence,
    window: { start: b.window.start, end: b.window.end },
    policyVersion: b.policyVersion,
    fields: b.fields,
    salt: b.salt,
  });
  return `{"row":${row},"body":${body},"commitment":"${v.commitment}","proof":{"id":"${v.proof.id}","signature":"${v.proof.signature}"},"ordinal":${ordinal},"merkle":${merkleJsonFromCompact(merkleCompact)},"entriesRoot":"${entriesRoot}"}\n`;
}

// A vault row's text as the vault stores it: JSON.stringify({body, commitment, proof, receivedAt}) of a parsed
// update, whose keys come out in schema order. When the body and the commitment+proof part are exactly in the
// codec's order (checked here, field by field), they are spliced into the line as they are; otherwise the
// caller parses the row and writes it with ndjsonRowLine. `fields` is JSON.stringify output either way, and
// JSON.stringify(JSON.parse(s)) === s for it, so the spliced text is the codec's text.

// Each key with the text around it; a key inside a string value would have its quotes escaped, so finding them
// in this order (with the body ending in the salt, the last key) means the keys are in this order.
const BODY_KEYS = [
  '{"v":',
  ',"id":"',
  '","provider":"',
  '","device":"',
  '","seq":',
  ',"cadence":"',
  '","window":{"start":',
  ',"end":',
  '},"policyVersion":',
  ',"fields":{',
  '},"salt":"',
];
const SIGNED_KEYS = [',"commitment":"', '","proof":{"id":"', '","signature":"'];

function inOrder(text: string, keys: readonly string[]): boolean {
  let at = 0;
  for (const k of keys) {
    const i = text.indexOf(k, at);
    if (i < 0 || (at === 0 && i !== 0)) return false;
    at = i + k.length;
  }
  // the last key's value is a string (salt, signature) closed by the object's final brace, nothing after
  return text.indexOf('"', at) === text.length - 2 && text.endsWith('"}');
}
const HEAD = '{"body":';
const COMMITMENT = '},"commitment":"';
const RECEIVED = ',"receivedAt":';

/** The NDJSON line of a row from the vault row's text, or undefined when the text is not in the expected shape. */
export function ndjsonRowLineFromText(
  row: number,
  text: string,
  ordinal: number,
  merkleCompact: string,
  entriesRoot: string,
): string | undefined {
  if (!text.startsWith(HEAD)) return undefined;
  const c = text.indexOf(COMMITMENT);
  const r = text.lastIndexOf(RECEIVED);
  if (c < 0 || r < c) return undefined;
  const body = text.slice(HEAD.length, c + 1);
  const signed = text.slice(c + 1, r);
  if (!inOrder(body, BODY_KEYS) || !inOrder(signed, SIGNED_KEYS)) return undefined;
  return `{"row":${row},"body":${body}${signed},"ordinal":${ordinal},"merkle":${merkleJsonFromCompact(merkleCompact)},"entriesRoot":"${entriesRoot}"}\n`;
}

// The same check on the plaintext's bytes, for the worker thread that copies them into its output as they are.
const latin1 = (k: string) => Buffer.from(k, 'latin1');
const HEAD_BYTES = latin1(HEAD);
const COMMITMENT_BYTES = latin1(COMMITMENT);
const RECEIVED_BYTES = latin1(RECEIVED);
const BODY_KEY_BYTES = BODY_KEYS.map(latin1);
const SIGNED_KEY_BYTES = SIGNED_KEYS.map(latin1);
const QUOTE = 0x22;
const CLOSE = 0x7d;

function inOrderBytes(p: Buffer, start: number, end: number, keys: readonly Buffer[]): boolean {
  let at = start;
  for (const k of keys) {
    const i = p.indexOf(k, at);
    if (i < 0 || i + k.length > end || (at === start && i !== start)) return false;
    at = i + k.length;
  }
  const q = p.indexOf(QUOTE, at);
  return q === end - 2 && p[end - 1] === CLOSE;
}

/**
 * Where the body and the commitment+proof part lie in a vault row's plaintext, [start, end) as one run of bytes
 * that goes into the line as it is (`"body":` then these bytes); undefined when not in the codec's order.
 */
export function spliceRange(p: Buffer): [number, number] | undefined {
  if (p.length < HEAD_BYTES.length || p.compare(HEAD_BYTES, 0, HEAD_BYTES.length, 0, HEAD_BYTES.length) !== 0)
    return undefined;
  const c = p.indexOf(COMMITMENT_BYTES, HEAD_BYTES.length);
  const r = p.lastIndexOf(RECEIVED_BYTES);
  if (c < 0 || r < c) return undefined;
  if (!inOrderBytes(p, HEAD_BYTES.length, c + 1, BODY_KEY_BYTES)) return undefined;
  if (!inOrderBytes(p, c + 1, r, SIGNED_KEY_BYTES)) return undefined;
  return [HEAD_BYTES.length, r];
}

const ORDINAL_KEY = latin1('"ordinal":');
const MERKLE_KEY = latin1('"merkle":"');
const ROOT_KEY = latin1('"entriesRoot":"');
const COMMA = 0x2c;
const SLASH = 0x2f;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Where a committed-row record's proof members lie in its JSON text, t[from, to): into `at` the ordinal's digits
 * [at[0], at[1]), the compact Merkle proof [at[2], at[3]) and the entriesRoot's 64 characters from at[4]. As
 * proofFromText (ResearchStore.ts) reads them, searched from the end (they are the record's last members, and
 * JSON.stringify writes each key once with no quote inside a value). False when not in that shape, or when the
 * ordinal's digits are not how JSON writes a safe integer (the line must carry the number as the codec writes it).
 */
export function proofRanges(t: Buffer, from: number, to: number, at: Int32Array): boolean {
  const e = t.lastIndexOf(ROOT_KEY, to - ROOT_KEY.length);
  const m = t.lastIndexOf(MERKLE_KEY, to - MERKLE_KEY.length);
  const o = t.lastIndexOf(ORDINAL_KEY, to - ORDINAL_KEY.length);
  if (o < from || m < from || e < from) return false;
  const o0 = o + ORDINAL_KEY.length;
  let o1 = o0;
  while (o1 < to && t[o1] !== COMMA) {
    const c = t[o1] as number;
    if (c < ZERO || c > NINE) return false;
    o1++;
  }
  if (o1 === to || o1 === o0 || o1 - o0 > 15 || (t[o0] === ZERO && o1 - o0 > 1)) return false;
  const m0 = m + MERKLE_KEY.length;
  const m1 = t.indexOf(QUOTE, m0);
  const r0 = e + ROOT_KEY.length;
  if (m1 < 0 || m1 >= to || r0 + 64 >= to || t[r0 + 64] !== QUOTE) return false;
  at[0] = o0;
  at[1] = o1;
  at[2] = m0;
  at[3] = m1;
  at[4] = r0;
  return true;
}

const INDEX_BYTES = latin1('{"index":');
const SIZE_BYTES = latin1(',"size":');
const PATH_BYTES = latin1(',"path":[');
const HASH_BYTES = latin1('{"hash":"');
const LEFT_BYTES = latin1('","left":true}');
const RIGHT_BYTES = latin1('","left":false}');
const END_BYTES = latin1(']}');
const L = 0x6c;

/** Copies src[from, to) to out at `at` (short runs: a loop costs less than a native call); returns the new end. */
export function put(out: Uint8Array, at: number, src: Uint8Array, from = 0, to = src.length): number {
  for (let i = from; i < to; i++) out[at++] = src[i] as number;
  return at;
}

/**
 * merkleJsonFromCompact of the compact proof in src[from, to), written into out at `at` (which has room for
 * 1.4 times its length plus 64 bytes); returns the new end.
 */
export function writeMerkleJson(out: Uint8Array, at: number, src: Uint8Array, from: number, to: number): number {
  let a = from;
  while (a < to && src[a] !== SLASH) a++;
  let b = a + 1;
  while (b < to && src[b] !== SLASH) b++;
  at = put(out, at, INDEX_BYTES);
  at = put(out, at, src, from, a);
  at = put(out, at, SIZE_BYTES);
  at = put(out, at, src, a + 1, b);
  at = put(out, at, PATH_BYTES);
  for (let i = b + 1; i < to; i += 66) {
    if (i > b + 1) out[at++] = COMMA;
    at = put(out, at, HASH_BYTES);
    at = put(out, at, src, i + 1, Math.min(i + 65, to));
    at = put(out, at, src[i] === L ? LEFT_BYTES : RIGHT_BYTES);
  }
  return put(out, at, END_BYTES);
}
