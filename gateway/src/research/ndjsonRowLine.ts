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
