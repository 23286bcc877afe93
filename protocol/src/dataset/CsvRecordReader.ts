// Incremental RFC 4180 record splitter: feed it text chunks as they arrive, get whole records back. A quoted cell may
// hold CR or LF, so records are not lines. A record that breaks the grammar (a quote inside an unquoted cell, text
// after a closing quote, a quote never closed) comes back with an `error`, and reading goes on at the next line end,
// so one damaged row is named without losing the rest.

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  /** The record's text without its line end. */
  raw: string;
  /** What ended it: '\r\n', '\n', or '' at the end of input. */
  eol: string;
  cells: string[];
  error?: string;
}

export class CsvRecordReader {
  private buf = '';
  private line = 1;

  /** Records completed by this chunk. */
  push(chunk: string): CsvRecord[] {
    this.buf += chunk;
    return this.drain(false);
  }

  /** The last record, if the input did not end with a line end. */
  end(): CsvRecord[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    let start = 0;
    for (;;) {
      const rec = scan(this.buf, start, final);
      if (rec === null) break;
      const raw = this.buf.slice(start, rec.end);
      const eol = this.buf.slice(rec.end, rec.next);
      out.push({ line: this.line, raw, eol, cells: rec.cells, ...(rec.error ? { error: rec.error } : {}) });
      this.line += countNewlines(raw) + (eol === '' ? 0 : 1);
      start = rec.next;
      if (start >= this.buf.length) break;
    }
    this.buf = this.buf.slice(start);
    return out;
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

interface Scanned {
  end: number;
  next: number;
  cells: string[];
  error?: string;
}

/** One record from `start`, or null when the buffer does not yet hold all of it. */
function scan(s: string, start: number, final: boolean): Scanned | null {
  if (start >= s.length) return null;
  const cells: string[] = [];
  let i = start;
  for (;;) {
    let cell = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q === -1) {
          if (!final) return null;
          return { end: s.length, next: s.length, cells, error: 'a quoted cell is never closed' };
        }
        cell += s.slice(i, q);
        if (s[q + 1] === '"') {
          cell += '"';
          i = q + 2;
          continue;
        }
        if (q + 1 >= s.length && !final) return null;
        i = q + 1;
        break;
      }
      if (i < s.length && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n')
        return skipLine(s, start, i, final, 'text after a closing quote');
    } else {
      let j = i;
      while (j < s.length && s[j] !== ',' && s[j] !== '\r' && s[j] !== '\n') {
        if (s[j] === '"') return skipLine(s, start, j, final, 'a quote inside an unquoted cell');
        j++;
      }
      cell = s.slice(i, j);
      i = j;
    }
    cells.push(cell);
    if (i >= s.length) return final ? { end: i, next: i, cells } : null;
    if (s[i] === ',') {
      i++;
      continue;
    }
    if (s[i] === '\n') return { end: i, next: i + 1, cells };
    // '\r': a record ends at CRLF; a lone CR is kept as part of the raw text and flagged
    if (i + 1 >= s.length && !final) return null;
    if (s[i + 1] === '\n') return { end: i, next: i + 2, cells };
    return skipLine(s, start, i, final, 'a CR without LF');
  }
}

function skipLine(s: string, start: number, from: number, final: boolean, error: string): Scanned | null {
  const nl = s.indexOf('\n', from);
  if (nl === -1) return final ? { end: s.length, next: s.length, cells: [], error } : null;
  const end = nl > start && s[nl - 1] === '\r' ? nl - 1 : nl;
  return { end, next: nl + 1, cells: [], error };
}
