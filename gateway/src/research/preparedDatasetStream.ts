// GET /v1/queries/{id}/data from a prepared dataset (DatasetPreparer.ts, layout in datasetFile.ts): the file read
// in 1 MB pieces, each block opened with its provider's data key and its lines written out behind their row
// numbers (CSV: each line's body parsed and the record written by protocol's codec, csvFromLine.ts). The same
// bytes as the vault's path (datasetStream.ts): rows of a provider who revoked or erased since are withheld (their
// policy versions are checked against the registry now, invariant 6, and an erased provider's key is gone),
// numbering and `offset` count released rows only, and the trailer counts what was withheld.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { csvHeader, type DatasetRow, type DatasetTrailer, rowToCsvLine } from '@datagraph/protocol';
import { rowLive } from './CatalogCounts.ts';
import { csvFromLine } from './csvFromLine.ts';
import { type DatasetBlock, type DatasetEnd, DatasetFileError, MAGIC, openBlock, parseFrame } from './datasetFile.ts';
import type { DatasetStreamDeps, DatasetStreamRequest } from './datasetStream.ts';

const READ = 1 << 20;
/** Bytes of lines gathered before they are handed to the socket. */
const OUT = 96 << 10;

export function preparedDatasetStream(d: DatasetStreamDeps, req: DatasetStreamRequest, file: string): Readable {
  return Readable.from(preparedChunks(d, req, file), { objectMode: false, highWaterMark: 1 << 20 });
}

async function* preparedChunks(d: DatasetStreamDeps, req: DatasetStreamRequest, file: string): AsyncGenerator<Buffer> {
  const fh = await open(file, 'r');
  const csv = req.format === 'csv' ? req.columns : undefined;
  try {
    if (csv) yield Buffer.from(csvHeader(csv), 'utf8');
    let buf: Buffer = Buffer.allocUnsafeSlow(READ);
    let have = 0;
    let at = MAGIC.length;
    let pos = 0;
    let first = 0; // rows the blocks so far hold
    let row = req.offset;
    let skip = req.offset;
    let withheld = 0;
    let out: Buffer = Buffer.allocUnsafeSlow(OUT + (16 << 10));
    let outAt = 0;
    let end: DatasetEnd | undefined;
    const lines = async (b: DatasetBlock) => {
      const record = d.registry.provider(b.provider);
      if (!record) throw new DatasetFileError(`block of rows from ${b.first} names no known provider`);
      const key = await d.vault.dataKey(b.provider);
      if (!key) {
        withheld += b.lens.length; // erased or revoked: the key is gone, and with it every row of theirs
        return;
      }
      let wanted = 0;
      const live = b.policy.map((p) => {
        if (p < 1) throw new DatasetFileError(`block of rows from ${b.first} holds policy version ${p}`);
        const l = rowLive({ policyVersion: p }, record);
        if (l) wanted++;
        return l;
      });
      withheld += live.length - wanted;
      // A block none of whose rows is sent is not opened: a provider who shares again after revoking has a new key,
      // and their older blocks no longer open. Its header is only read then; changed on disk, it could withhold
      // rows but never send or alter one (a sent row's block is opened, and its tag covers the header).
      if (wanted <= skip) {
        skip -= wanted;
        return;
      }
      const plain = openBlock(key, b);
      for (let i = 0, s = 0; i < b.lens.length; s += b.lens[i] as number, i++) {
        if (!live[i]) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        const len = b.lens[i] as number;
        if (csv) {
          const text = plain.toString('utf8', s, s + len);
          const n = row++;
          const line = csvFromLine(n, text, csv) ?? rowToCsvLine(JSON.parse(`{"row":${n},${text}`) as DatasetRow, csv);
          if (outAt + line.length * 3 > out.length) out = grow(out, outAt, line.length * 3);
          outAt += out.write(line, outAt, 'utf8');
          continue;
        }
        if (outAt + len + 24 > out.length) out = grow(out, outAt, len + 24);
        outAt = writeHead(out, outAt, row++);
        outAt += plain.copy(out, outAt, s, s + len);
      }
    };
    for (;;) {
      const { bytesRead } = await fh.read(buf, have, buf.length - have, pos);
      pos += bytesRead;
      have += bytesRead;
      if (pos === bytesRead && !buf.subarray(0, MAGIC.length).equals(MAGIC))
        throw new DatasetFileError('not a prepared dataset');
      let need = 0;
      while (!end) {
        const f = parseFrame(req.queryId, first, buf, at, have);
        if ('need' in f) {
          need = f.need;
          break;
        }
        at = f.next;
        if ('end' in f) end = f.end;
        else {
          await lines(f.block);
          first += f.block.lens.length;
        }
        if (outAt >= OUT) {
          yield out.subarray(0, outAt);
          out = Buffer.allocUnsafeSlow(OUT + (16 << 10));
          outAt = 0;
        }
      }
      if (end) {
        if (outAt > 0) yield out.subarray(0, outAt);
        break;
      }
      if (bytesRead === 0) throw new DatasetFileError('prepared dataset ends before its end frame');
      // keep the unread part at the front (and make room for a frame bigger than the buffer)
      const rest = have - at;
      const bigger = rest + need > buf.length ? Buffer.allocUnsafeSlow(rest + need) : buf;
      buf.copy(bigger, 0, at, have);
      buf = bigger;
      have = rest;
      at = 0;
    }
    if (end.released !== first) throw new DatasetFileError('prepared dataset holds other rows than its end frame says');
    const trailer: DatasetTrailer = {
      queryId: req.queryId,
      released: row - req.offset,
      withheld: withheld + end.withheld,
      nextOffset: row,
    };
    req.onEnd?.(trailer);
    if (!csv) yield Buffer.from(`${JSON.stringify({ trailer })}\n`, 'latin1');
  } finally {
    await fh.close();
  }
}

const HEAD = Buffer.from('{"row":', 'latin1');

/** `{"row":N,` at `at`, digits written in place: no string made per row (a million rows, a million strings). */
export function writeHead(out: Buffer, at: number, row: number): number {
  at += HEAD.copy(out, at);
  let digits = 1;
  for (let n = row; n >= 10; n = Math.floor(n / 10)) digits++;
  for (let i = digits - 1, n = row; i >= 0; i--, n = Math.floor(n / 10)) out[at + i] = 48 + (n % 10);
  out[at + digits] = 44; // ,
  return at + digits + 1;
}

function grow(buf: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, used + more));
  buf.copy(bigger, 0, 0, used);
  return bigger;
}
