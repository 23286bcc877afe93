// `datagraph researcher download`: stream a query's rows into a file with a progress bar, resuming an interrupted
// download. Resuming asks the data route for `offset` = whole rows already in the file (a cut-off last record is
// removed first), and every row that arrives must carry the next row number, so no row is ever written twice or
// skipped. Only whole records are written; the NDJSON trailer line is not (it is not a row).
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { CSV_EOL, CsvRecordReader, type DatasetFormat, DatasetTrailer, ProtocolError } from '@datagraph/protocol';
import { ProgressBar, type TextSink } from './ProgressBar.ts';
import type { ResearchApi } from './ResearchApi.ts';
import { readPartialDownload } from './readPartialDownload.ts';

export interface DownloadResult {
  file: string;
  format: DatasetFormat;
  /** Rows in the file now. */
  rows: number;
  /** Rows this run added. */
  added: number;
  /** Rows recorded for the query but withheld (provider revoked or erased since), when the server said. */
  withheld?: number;
  /** Where the gateway read the rows: its prepared dataset or the vault (the same bytes; `x-dg-source`). */
  source?: string;
}

export interface DownloadRequest {
  queryId: string;
  token: string;
  format: DatasetFormat;
  file: string;
  stderr: TextSink;
  signal?: AbortSignal;
}

export async function downloadDataset(api: ResearchApi, req: DownloadRequest): Promise<DownloadResult> {
  const partial = await readPartialDownload(req.file, req.format);
  if (partial.rows > 0 && partial.lastRow !== partial.rows - 1)
    throw new ProtocolError(
      'PR_DATASET_ROW_ORDER',
      `${req.file} holds ${partial.rows} rows but its last is numbered ${partial.lastRow}: not a download to resume`,
    );
  const res = await api.data(req.queryId, req.token, req.format, partial.rows, req.signal);
  const total = Number.parseInt(res.headers.get('x-dg-rows') ?? '', 10);
  const source = res.headers.get('x-dg-source');
  const fd = openSync(req.file, partial.bytes > 0 || partial.rows > 0 ? 'r+' : 'w', 0o644);
  ftruncateSync(fd, partial.bytes);
  let position = partial.bytes;
  const write = (text: string) => {
    if (text === '') return;
    const buf = Buffer.from(text);
    writeSync(fd, buf, 0, buf.length, position);
    position += buf.length;
  };
  let next = partial.rows;
  const bar = new ProgressBar(req.stderr, Number.isFinite(total) ? total : null);
  const expect = (rowText: string | undefined, line: string) => {
    if (rowText !== String(next))
      throw new ProtocolError(
        'PR_DATASET_ROW_ORDER',
        `the gateway sent row ${rowText ?? `'${line.slice(0, 20)}'`} where ${next} belongs`,
      );
    next++;
  };
  let trailer: DatasetTrailer | undefined;
  let header = partial.header;
  const csv = req.format === 'csv' ? new CsvRecordReader() : null;
  let pending = '';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const take = (text: string, final: boolean) => {
    let out = '';
    if (csv) {
      for (const rec of final ? csv.end() : csv.push(text)) {
        if (final && rec.eol === '') throw new Error('the download ended inside a record');
        if (rec.error || rec.eol !== CSV_EOL)
          throw new ProtocolError('PR_DATASET_MALFORMED', `record ${rec.line}: ${rec.error ?? 'not CRLF'}`);
        if (rec.line === 1) {
          // the data route starts every response with the header; write it once, and only if it is the same
          if (header === null) out += rec.raw + CSV_EOL;
          else if (header !== rec.raw)
            throw new ProtocolError('PR_DATASET_MALFORMED', `${req.file} has other columns than this query`);
          header = rec.raw;
          continue;
        }
        expect(rec.cells[0], rec.raw);
        out += rec.raw + CSV_EOL;
      }
    } else {
      pending += text;
      let start = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
        const line = pending.slice(start, nl + 1);
        start = nl + 1;
        if (trailer) throw new ProtocolError('PR_DATASET_MALFORMED', 'the gateway sent a row after its trailer');
        if (line.startsWith('{"trailer":')) {
          trailer = DatasetTrailer.parse((JSON.parse(line) as { trailer: unknown }).trailer);
          continue;
        }
        expect(/^\{"row":(\d+),/.exec(line)?.[1], line);
        out += line;
      }
      pending = pending.slice(start);
      if (final && pending !== '') throw new Error('the download ended inside a line');
    }
    write(out);
    bar.update(next);
  };
  try {
    if (!res.body) throw new Error('the gateway sent no body');
    for await (const chunk of res.body) take(decoder.decode(chunk as Uint8Array, { stream: true }), false);
    take(decoder.decode(), true);
    if (req.format === 'ndjson' && !trailer) throw new Error('the download ended before the trailer line');
  } catch (cause) {
    bar.finish(next);
    if (cause instanceof ProtocolError) throw cause; // the data itself is wrong: resuming would not help
    throw new Error(
      `download interrupted after ${next} rows (${(cause as Error).message}); run the same command again to resume`,
      { cause },
    );
  } finally {
    closeSync(fd);
  }
  bar.finish(next);
  return {
    file: req.file,
    format: req.format,
    rows: next,
    added: next - partial.rows,
    ...(trailer ? { withheld: trailer.withheld } : {}),
    ...(source ? { source } : {}),
  };
}
