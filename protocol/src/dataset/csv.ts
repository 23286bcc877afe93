// CSV form of a dataset (RFC 4180: comma separated, CRLF line ends, a cell holding a comma, quote, CR or LF is
// quoted and its quotes doubled). One column per requested field, empty when the row has no value for it, so a
// dataframe gets the fields as columns. Numbers are written as JavaScript writes them (the shortest text that reads
// back to the same double, as JSON does), so decoding rebuilds the body exactly and its commitment recomputes.
import { type FieldName, fieldSpec, isFieldName } from '../catalogue.ts';
import { ProtocolError } from '../errors/ProtocolError.ts';
import { describeIssues } from '../parse.ts';
import { type DatasetRow, DatasetRow as DatasetRowSchema } from './DatasetRow.ts';
import { decodeMerkleCompact, encodeMerkleCompact } from './merkleCompact.ts';
import type { DecodeOptions } from './ndjson.ts';

export const CSV_EOL = '\r\n';
const LEADING = ['row', 'id', 'provider', 'device', 'seq', 'cadence', 'window_start', 'window_end', 'policy_version'];
const TRAILING = ['salt', 'commitment', 'public_key', 'signature', 'ordinal', 'entries_root', 'merkle_proof'];

/** The column names for a dataset of these fields, in order. */
export function csvColumns(fields: readonly FieldName[]): string[] {
  if (new Set(fields).size !== fields.length) throw new ProtocolError('PR_SCHEMA', 'a field is named twice');
  for (const f of fields) if (!isFieldName(f)) throw new ProtocolError('PR_UNKNOWN_FIELD', `unknown field ${f}`);
  return [...LEADING, ...fields, ...TRAILING];
}

/** The header line, CRLF included. */
export function csvHeader(fields: readonly FieldName[]): string {
  return csvColumns(fields).join(',') + CSV_EOL;
}

/** Quote a cell when RFC 4180 requires it. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function fieldCell(name: FieldName, value: string | number | undefined): string {
  if (value === undefined) return '';
  const kind = fieldSpec(name).kind;
  // Text a reader could not turn back into the same value is refused rather than written ambiguously.
  if (kind === 'numeric' && typeof value === 'number') return String(value);
  if (kind === 'categorical' && typeof value === 'string' && value !== '') return csvCell(value);
  throw new ProtocolError('PR_FIELD_RANGE', `${name}: a ${typeof value} cannot be written in a ${kind} column`);
}

/** One row as a CSV record for a dataset of `fields` (the header's), CRLF included. */
export function rowToCsvLine(row: DatasetRow, fields: readonly FieldName[]): string {
  const b = row.body;
  for (const k in b.fields)
    if (!fields.includes(k as FieldName))
      throw new ProtocolError('PR_SCHEMA', `row ${row.row} holds ${k}, which is not a column of this dataset`);
  let out = `${row.row},${b.id},${b.provider},${b.device},${b.seq},${b.cadence},${b.window.start},${b.window.end},${b.policyVersion}`;
  for (const f of fields) out += `,${fieldCell(f, b.fields[f])}`;
  out += `,${b.salt},${row.commitment},${row.proof.id},${row.proof.signature},${row.ordinal},${row.entriesRoot},`;
  return out + encodeMerkleCompact(row.merkle) + CSV_EOL;
}

/** The fields of a dataset, read from its header cells; PR_DATASET_MALFORMED when the header is not ours. */
export function csvFieldsFromHeader(cells: readonly string[]): FieldName[] {
  const fields = cells.slice(LEADING.length, cells.length - TRAILING.length);
  const ok =
    cells.length > LEADING.length + TRAILING.length &&
    fields.every(isFieldName) &&
    csvColumns(fields as FieldName[]).join(',') === cells.join(',');
  if (!ok) throw new ProtocolError('PR_DATASET_MALFORMED', 'CSV header is not a dataset header');
  return fields as FieldName[];
}

const INT = /^(0|[1-9][0-9]*)$/;
const NUM = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?(e[+-][0-9]+)?$/;

function int(text: string, column: string): number {
  const n = Number(text);
  if (!INT.test(text) || !Number.isSafeInteger(n))
    throw new ProtocolError('PR_DATASET_MALFORMED', `${column} is not a non-negative integer`);
  return n;
}

function fieldValue(name: FieldName, text: string): number | string {
  if (fieldSpec(name).kind === 'categorical') return text;
  const n = Number(text);
  if (!NUM.test(text) || !Number.isFinite(n))
    throw new ProtocolError('PR_DATASET_MALFORMED', `${name} is not a number`);
  return n;
}

/** Rebuild a row from the cells of one record; `fields` from `csvFieldsFromHeader`. */
export function csvCellsToRow(
  cells: readonly string[],
  fields: readonly FieldName[],
  options: DecodeOptions = {},
): DatasetRow {
  const columns = LEADING.length + fields.length + TRAILING.length;
  if (cells.length !== columns)
    throw new ProtocolError('PR_DATASET_MALFORMED', `record has ${cells.length} cells, the header ${columns}`);
  const c = (i: number): string => cells[i] as string;
  const bodyFields: Record<string, number | string> = {};
  fields.forEach((f, i) => {
    const text = c(LEADING.length + i);
    if (text !== '') bodyFields[f] = fieldValue(f, text);
  });
  const t = LEADING.length + fields.length;
  const candidate = {
    row: int(c(0), 'row'),
    body: {
      v: 1,
      id: c(1),
      provider: c(2),
      device: c(3),
      seq: int(c(4), 'seq'),
      cadence: c(5),
      window: { start: int(c(6), 'window_start'), end: int(c(7), 'window_end') },
      policyVersion: int(c(8), 'policy_version'),
      fields: bodyFields,
      salt: c(t),
    },
    commitment: c(t + 1),
    proof: { id: c(t + 2), signature: c(t + 3) },
    ordinal: int(c(t + 4), 'ordinal'),
    entriesRoot: c(t + 5),
    merkle: decodeMerkleCompact(c(t + 6)),
  };
  const r = DatasetRowSchema.safeParse(candidate);
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
  if (options.strict !== false && rowToCsvLine(r.data, fields) !== cells.map(csvCell).join(',') + CSV_EOL)
    throw new ProtocolError('PR_DATASET_NOT_CANONICAL', 'record decodes, but is not written as the encoder writes it');
  return r.data;
}
