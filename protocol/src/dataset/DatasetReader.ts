// Reads a dataset file as it streams in (NDJSON, or CSV with its header) and turns each record into a row or the
// problems that stop it being one: undecodable, not in the encoder's exact form, out of order (rows are numbered from
// 0 without gaps), or a commitment seen before. The ledger checks come after, in `verifyDatasetRow`.
import type { FieldName } from '../catalogue.ts';
import { isProtocolError } from '../errors/ProtocolError.ts';
import { DatasetTrailer } from '../schemas/Research.ts';
import { CsvRecordReader } from './CsvRecordReader.ts';
import { CSV_EOL, csvCell, csvCellsToRow, csvFieldsFromHeader } from './csv.ts';
import type { DatasetFormat, DatasetRow } from './DatasetRow.ts';
import { ndjsonLineToRow } from './ndjson.ts';
import type { DatasetProblem } from './verifyDatasetRow.ts';

export interface DatasetRecord {
  /** The row number this record should carry: its position among the file's records, from 0. */
  position: number;
  /** 1-based line where the record starts. */
  line: number;
  row?: DatasetRow;
  problems: DatasetProblem[];
}

export class DatasetReader {
  private readonly csv: CsvRecordReader | null;
  private fields: FieldName[] | null = null;
  private pending = '';
  private line = 1;
  private position = 0;
  private readonly seen = new Set<string>();
  /** A problem with the file as a whole (a CSV header that is not ours). */
  headerProblem: DatasetProblem | null = null;

  constructor(readonly format: DatasetFormat) {
    this.csv = format === 'csv' ? new CsvRecordReader() : null;
  }

  /** The CSV's field columns, once the header is read. */
  get csvFields(): FieldName[] | null {
    return this.fields;
  }

  push(chunk: string): DatasetRecord[] {
    return this.csv ? this.fromCsv(this.csv.push(chunk)) : this.fromNdjson(chunk, false);
  }

  end(): DatasetRecord[] {
    return this.csv ? this.fromCsv(this.csv.end()) : this.fromNdjson('', true);
  }

  private fromNdjson(chunk: string, final: boolean): DatasetRecord[] {
    this.pending += chunk;
    const out: DatasetRecord[] = [];
    let start = 0;
    for (let nl = this.pending.indexOf('\n'); nl !== -1; nl = this.pending.indexOf('\n', start)) {
      const text = this.pending.slice(start, nl + 1);
      start = nl + 1;
      // the server's closing `{"trailer": ...}` line (schemas/Research.ts DatasetTrailer) is not a row
      if (isTrailerLine(text)) {
        this.line++;
        continue;
      }
      out.push(this.record(this.line++, () => ndjsonLineToRow(text)));
    }
    this.pending = this.pending.slice(start);
    if (final && this.pending !== '') {
      this.pending = '';
      // a last line without '\n' is how an interrupted download ends: it is named, never trusted
      out.push(this.record(this.line++, () => malformed('the last line is cut short (no line end)')));
    }
    return out;
  }

  private fromCsv(records: ReturnType<CsvRecordReader['push']>): DatasetRecord[] {
    const out: DatasetRecord[] = [];
    for (const rec of records) {
      if (this.fields === null && this.headerProblem === null) {
        try {
          if (rec.error || rec.eol !== CSV_EOL) throw new Error('bad header');
          this.fields = csvFieldsFromHeader(rec.cells);
        } catch {
          this.headerProblem = { code: 'PR_DATASET_MALFORMED', message: 'the first line is not a dataset CSV header' };
        }
        continue;
      }
      const fields = this.fields;
      out.push(
        this.record(rec.line, () => {
          if (fields === null) throw new Error('no header');
          if (rec.error) return malformed(rec.error);
          const row = csvCellsToRow(rec.cells, fields);
          if (rec.raw !== rec.cells.map(csvCell).join(',') || rec.eol !== CSV_EOL) return notCanonical();
          return row;
        }),
      );
    }
    return out;
  }

  private record(line: number, decode: () => DatasetRow | DatasetProblem): DatasetRecord {
    const position = this.position++;
    let result: DatasetRow | DatasetProblem;
    try {
      result = decode();
    } catch (e) {
      result = isProtocolError(e)
        ? { code: e.code, message: e.message }
        : { code: 'PR_DATASET_MALFORMED', message: e instanceof Error ? e.message : String(e) };
    }
    if ('code' in result) return { position, line, problems: [result] };
    const problems: DatasetProblem[] = [];
    if (result.row !== position)
      problems.push({ code: 'PR_DATASET_ROW_ORDER', message: `row number ${result.row} where ${position} belongs` });
    if (this.seen.has(result.commitment))
      problems.push({ code: 'PR_DATASET_DUPLICATE', message: 'this commitment appeared in an earlier row' });
    this.seen.add(result.commitment);
    return { position, line, row: result, problems };
  }
}

/** Whether an NDJSON line is the data route's trailer rather than a row. */
export function isTrailerLine(line: string): boolean {
  if (!line.startsWith('{"trailer":')) return false;
  try {
    return DatasetTrailer.safeParse((JSON.parse(line) as { trailer?: unknown }).trailer).success;
  } catch {
    return false;
  }
}

function malformed(message: string): DatasetProblem {
  return { code: 'PR_DATASET_MALFORMED', message };
}
function notCanonical(): DatasetProblem {
  return { code: 'PR_DATASET_NOT_CANONICAL', message: 'record decodes, but is not written as the encoder writes it' };
}
