// Where an earlier, interrupted download of a dataset file stopped: how many whole rows it holds and how many
// bytes they take (a cut-off last record is dropped), so the download resumes at `offset` = rows and never writes a
// row twice. The last whole row's number must be rows - 1, else the file is not a download we can continue.
import { closeSync, createReadStream, existsSync, openSync, readSync } from 'node:fs';
import { CSV_EOL, type CsvRecord, CsvRecordReader, type DatasetFormat } from '@datagraph/protocol';

export interface PartialDownload {
  rows: number;
  /** Bytes of whole records (header included); anything after them is cut off before appending. */
  bytes: number;
  /** The CSV header record as written (without its line end), if any. */
  header: string | null;
  /** The row number of the last whole row, or null when there is none. */
  lastRow: number | null;
}

export async function readPartialDownload(path: string, format: DatasetFormat): Promise<PartialDownload> {
  const out: PartialDownload = { rows: 0, bytes: 0, header: null, lastRow: null };
  if (!existsSync(path)) return out;
  return format === 'ndjson' ? readNdjson(path, out) : readCsv(path, out);
}

async function readNdjson(path: string, out: PartialDownload): Promise<PartialDownload> {
  let pos = 0;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) {
      out.rows++;
      out.bytes = pos + i + 1;
    }
    pos += buf.length;
  }
  if (out.rows === 0) return out;
  // the last whole line: read back from its end (a row line is a few kilobytes at most)
  const from = Math.max(0, out.bytes - 65536);
  const tail = Buffer.alloc(out.bytes - from);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, tail, 0, tail.length, from);
  } finally {
    closeSync(fd);
  }
  const text = tail.toString('utf8', 0, tail.length - 1);
  const last = text.slice(text.lastIndexOf('\n') + 1);
  out.lastRow = rowNumber(/^\{"row":(\d+),/.exec(last)?.[1]);
  return out;
}

async function readCsv(path: string, out: PartialDownload): Promise<PartialDownload> {
  const reader = new CsvRecordReader();
  const take = (recs: CsvRecord[], final: boolean) => {
    for (const r of recs) {
      if (final && r.eol === '') return; // the cut-off last record
      if (r.error || r.eol !== CSV_EOL)
        throw new Error(
          `line ${r.line} of ${path} is damaged (${r.error ?? 'not CRLF'}); download to a new --out file`,
        );
      out.bytes += Buffer.byteLength(r.raw) + CSV_EOL.length;
      if (out.header === null) out.header = r.raw;
      else {
        out.rows++;
        out.lastRow = rowNumber(r.cells[0]);
      }
    }
  };
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) take(reader.push(chunk as string), false);
  take(reader.end(), true);
  return out;
}

function rowNumber(text: string | undefined): number | null {
  return text !== undefined && /^(0|[1-9][0-9]*)$/.test(text) ? Number(text) : null;
}
