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
