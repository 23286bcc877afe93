// NDJSON form of a dataset: one JSON object per line, keys always in the same order, no whitespace. Written this
// way so that a reader can tell a changed byte that still parses (a space, a different key order) from the encoder's
// own output: `ndjsonLineToRow` refuses a line that is not exactly how `rowToNdjsonLine` writes its row.
import { ProtocolError } from '../errors/ProtocolError.ts';
import { describeIssues } from '../parse.ts';
import { DatasetRow } from './DatasetRow.ts';

/**
 * One row as an NDJSON line, '\n' included: the same text as JSON.stringify of the row with its keys in schema order,
 * written piece by piece because the data route streams a million rows (about 10x faster than building an object for
 * JSON.stringify). Does not validate: rows come from the server's own typed data.
 */
export function rowToNdjsonLine(row: DatasetRow): string {
  const b = row.body;
  const q = JSON.stringify;
  let fields = '';
  for (const k in b.fields) {
    const v = b.fields[k as keyof typeof b.fields];
    if (v === undefined) continue; // JSON.stringify drops undefined members too
    fields += `${fields === '' ? '' : ','}${q(k)}:${q(v)}`;
  }
  let path = '';
  for (const s of row.merkle.path) path += `${path === '' ? '' : ','}{"hash":"${s.hash}","left":${s.left}}`;
  // ids, addresses, hex and the cadence are schema-constrained to characters JSON needs no escape for; field names
  // and values go through JSON.stringify
  return (
    `{"row":${row.row},"body":{"v":${b.v},"id":"${b.id}","provider":"${b.provider}","device":"${b.device}",` +
    `"seq":${b.seq},"cadence":"${b.cadence}","window":{"start":${b.window.start},"end":${b.window.end}},` +
    `"policyVersion":${b.policyVersion},"fields":{${fields}},"salt":"${b.salt}"},"commitment":"${row.commitment}",` +
    `"proof":{"id":"${row.proof.id}","signature":"${row.proof.signature}"},"ordinal":${row.ordinal},` +
    `"merkle":{"index":${row.merkle.index},"size":${row.merkle.size},"path":[${path}]},"entriesRoot":"${row.entriesRoot}"}\n`
  );
}

export interface DecodeOptions {
  /** Refuse a line that decodes but is not byte-for-byte the encoder's output (default true). */
  strict?: boolean;
}

/** Parse one NDJSON line (with or without its '\n') into a row; PR_DATASET_MALFORMED or PR_DATASET_NOT_CANONICAL. */
export function ndjsonLineToRow(line: string, options: DecodeOptions = {}): DatasetRow {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError('PR_DATASET_MALFORMED', 'line is not valid JSON', { cause });
  }
  const r = DatasetRow.safeParse(value);
  if (!r.success) {
    const problems = describeIssues(r.error);
    throw new ProtocolError(
      'PR_DATASET_MALFORMED',
      `row does not match the schema: ${problems.slice(0, 3).join('; ')}`,
      {
        details: { problems },
      },
    );
  }
  if (options.strict !== false && rowToNdjsonLine(r.data) !== `${text}\n`)
    throw new ProtocolError('PR_DATASET_NOT_CANONICAL', 'line decodes, but is not written as the encoder writes it');
  return r.data;
}
