// `datagraph researcher download` resumes an interrupted download without writing a row twice or skipping one.
// The server here is a SMALL REAL HTTP SERVER IN THIS TEST (not the gateway): it serves real signed rows with the
// data route's contract (offset in rows, CSV header on every response, NDJSON trailer line) and cuts the
// connection mid-row when told to. The same flow against the gateway's own server is in e2e.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { csvHeader, type DatasetRow, rowToCsvLine, rowToNdjsonLine } from '@datagraph/protocol';
import t from 'tap';
import { ResearcherState } from '../../src/cli/research/ResearcherState.ts';
import { researcher } from './cliHarness.ts';
import { FIELDS, ledgerDataset } from './ledgerDataset.ts';

const QUERY = '0b6c3f8e-4a57-4d7e-9f35-2c8a1b7e9d01';
const TOKEN = 'secret-token';

interface DataServer {
  url: string;
  server: Server;
  /** Bytes of the next response after which the socket is destroyed (one-shot). */
  cutAfter: number | null;
  offsets: number[];
}

async function dataServer(rows: DatasetRow[]): Promise<DataServer> {
  const s: DataServer = { url: '', server: createServer(), cutAfter: null, offsets: [] };
  s.server.on('request', (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== `/v1/queries/${QUERY}/data` || req.headers.authorization !== `Bearer ${TOKEN}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 401, code: 'GW_QUERY_UNAUTHORIZED', error: 'Unauthorized', message: 'no' }));
      return;
    }
    const format = u.searchParams.get('format');
    const offset = Number(u.searchParams.get('offset') ?? 0);
    s.offsets.push(offset);
    const slice = rows.slice(offset);
    const body =
      format === 'csv'
        ? csvHeader(FIELDS) + slice.map((r) => rowToCsvLine(r, FIELDS)).join('')
        : slice.map(rowToNdjsonLine).join('') +
          `${JSON.stringify({ trailer: { queryId: QUERY, released: slice.length, withheld: 0, nextOffset: rows.length } })}\n`;
    res.writeHead(200, { 'content-type': 'text/plain', 'x-dg-rows': String(rows.length) });
    const cut = s.cutAfter;
    s.cutAfter = null;
    if (cut === null) return void res.end(body);
    res.write(Buffer.from(body).subarray(0, cut), () => setImmediate(() => res.socket?.destroy()));
  });
  await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
  return s;
}

t.test('download resumes after the connection is cut mid-row, in both formats', async (t) => {
  const ds = await ledgerDataset(3, 4);
  const srv = await dataServer(ds.rows);
  t.teardown(async () => {
    srv.server.closeAllConnections();
    await new Promise((r) => srv.server.close(r));
    await ds.close();
  });
  const stateFile = join(ds.dir, 'state.json');
  new ResearcherState(stateFile).saveQuery({
    queryId: QUERY,
    quoteId: QUERY,
    token: TOKEN,
    gateway: srv.url,
    fields: FIELDS,
  });
  const base = ['--state', stateFile, '--gateway', srv.url];
  const l0 = ['--l0-url', ds.node.urls.l0];

  for (const format of ['ndjson', 'csv'] as const) {
    const full =
      format === 'csv'
        ? csvHeader(FIELDS) + ds.rows.map((r) => rowToCsvLine(r, FIELDS)).join('')
        : ds.rows.map(rowToNdjsonLine).join('');
    // cut inside row 5: rows 0..4 are whole, row 5 is half written
    const header = format === 'csv' ? Buffer.byteLength(csvHeader(FIELDS)) : 0;
    const row = (r: DatasetRow) => (format === 'csv' ? rowToCsvLine(r, FIELDS) : rowToNdjsonLine(r));
    const cut = header + ds.rows.slice(0, 5).reduce((n, r) => n + Buffer.byteLength(row(r)), 0) + 40;
    const out = join(ds.dir, `data.${format}`);
    srv.offsets.length = 0;
    srv.cutAfter = cut;
    const first = await researcher(['download', QUERY, '--format', format, '--out', out, ...base]);
    t.equal(first.code, 1, 'an interrupted download exits non-zero');
    t.match(first.err, /download interrupted after 5 rows .*run the same command again to resume/);
    t.match(first.err, /\] 5\/12 rows/, 'the progress bar shows rows/total');
    const wholeRows = (format === 'csv' ? csvHeader(FIELDS) : '') + ds.rows.slice(0, 5).map(row).join('');
    t.equal(readFileSync(out, 'utf8'), wholeRows, 'only whole rows were written');

    // an interrupted write can also leave half a row in the file: it is cut off before resuming
    writeFileSync(out, Buffer.concat([readFileSync(out), Buffer.from(row(ds.rows[5] as DatasetRow).slice(0, 17))]));
    const second = await researcher(['download', QUERY, '--format', format, '--out', out, ...base]);
    t.equal(second.code, 0, second.err);
    t.same(srv.offsets, [0, 5], 'the resumed request asks from row 5');
    t.match(JSON.parse(second.out), { rows: 12, added: 7, format });
    t.equal(readFileSync(out, 'utf8'), full, 'the file is exactly the full dataset: nothing twice, nothing missing');
    t.match(second.err, /\] 12\/12 rows/);

    const again = await researcher(['download', QUERY, '--format', format, '--out', out, ...base]);
    t.equal(again.code, 0, 'downloading a complete file again adds nothing');
    t.match(JSON.parse(again.out), { rows: 12, added: 0 });
    t.equal(readFileSync(out, 'utf8'), full);

    const v = await researcher(['verify', out, ...l0]);
    t.equal(v.code, 0, v.out);
  }

  // a file that is not a prefix of this query's rows is refused, never appended to
  const other = join(ds.dir, 'other.ndjson');
  writeFileSync(other, rowToNdjsonLine({ ...(ds.rows[3] as DatasetRow), row: 3 }));
  const refused = await researcher(['download', QUERY, '--format', 'ndjson', '--out', other, ...base]);
  t.equal(refused.code, 1);
  t.match(refused.err, /PR_DATASET_ROW_ORDER/);
  t.equal(readFileSync(other, 'utf8'), rowToNdjsonLine({ ...(ds.rows[3] as DatasetRow), row: 3 }), 'left untouched');

  const unknown = await researcher(['download', '9b6c3f8e-4a57-4d7e-9f35-2c8a1b7e9d01', ...base]);
  t.equal(unknown.code, 1);
  t.match(unknown.err, /GW_QUERY_NOT_FOUND/);
});
