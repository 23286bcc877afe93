// CSV from a prepared dataset's line (the codec's NDJSON line without its `{"row":N,` head), without parsing the
// whole line: JSON.parse of a 2 KB line and the garbage of its objects were most of a CSV download's main-thread
// time (about 14 us a row). Only the body is parsed; the commitment, signature, ordinal, Merkle path and root are
// read at their places in the codec's fixed layout, and the record is written by protocol's own `rowToCsvLine`.
// A line not in exactly that layout gives undefined, and the caller parses it whole.
import type { DatasetRow, FieldName, UpdateBody } from '@datagraph/protocol';
import { rowToCsvLine } from '@datagraph/protocol';

const DIGITS = /^(0|[1-9][0-9]*)$/;

/** The text between `at` and the next `end`, if `end` follows; the index after it. */
function until(line: string, at: number, end: string): [string, number] | undefined {
  const i = line.indexOf(end, at);
  return i < 0 ? undefined : [line.slice(at, i), i + end.length];
}

function integer(text: string): number | undefined {
  const n = Number(text);
  return DIGITS.test(text) && Number.isSafeInteger(n) ? n : undefined;
}

export function csvFromLine(row: number, line: string, fields: readonly FieldName[]): string | undefined {
  if (!line.startsWith('"body":{')) return undefined;
  // the body ends before the first `},"commitment":"`: inside a string its quotes would be escaped
  const bodyEnd = line.indexOf('},"commitment":"');
  if (bodyEnd < 0) return undefined;
  const body = JSON.parse(line.slice(7, bodyEnd + 1)) as UpdateBody;
  let at = bodyEnd + 16;
  const commitment = until(line, at, '","proof":{"id":"');
  if (!commitment) return undefined;
  const id = until(line, commitment[1], '","signature":"');
  if (!id) return undefined;
  const signature = until(line, id[1], '"},"ordinal":');
  if (!signature) return undefined;
  const ordinal = until(line, signature[1], ',"merkle":{"index":');
  const index = ordinal && until(line, ordinal[1], ',"size":');
  const size = index && until(line, index[1], ',"path":[');
  if (!ordinal || !index || !size) return undefined;
  const path: { hash: string; left: boolean }[] = [];
  at = size[1];
  while (line.startsWith('{"hash":"', at)) {
    const hash = line.slice(at + 9, at + 73);
    at += 73;
    if (line.startsWith('","left":true}', at)) {
      path.push({ hash, left: true });
      at += 14;
    } else if (line.startsWith('","left":false}', at)) {
      path.push({ hash, left: false });
      at += 15;
    } else return undefined;
    if (line.charCodeAt(at) === 44) at++; // ,
  }
  const root = until(line, at, '"}\n');
  const o = integer(ordinal[0]);
  const i = integer(index[0]);
  const n = integer(size[0]);
  if (!root || root[1] !== line.length || !root[0].startsWith(']},"entriesRoot":"') || o === undefined)
    return undefined;
  if (i === undefined || n === undefined) return undefined;
  const r: DatasetRow = {
    row,
    body,
    commitment: commitment[0],
    proof: { id: id[0], signature: signature[0] },
    ordinal: o,
    merkle: { index: i, size: n, path },
    entriesRoot: root[0].slice(18),
  };
  return rowToCsvLine(r, fields);
}
