// RFC 4180 record splitting, table-driven: records are not lines, a damaged record is named and reading goes on.
import t from 'tap';
import { CsvRecordReader } from '../../src/index.ts';

function read(text: string, chunkSize = text.length || 1) {
  const r = new CsvRecordReader();
  const out = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(...r.push(text.slice(i, i + chunkSize)));
  out.push(...r.end());
  return out.map((x) => ({ line: x.line, cells: x.cells, eol: x.eol, ...(x.error ? { error: x.error } : {}) }));
}

const cases: { name: string; text: string; want: ReturnType<typeof read> }[] = [
  {
    name: 'plain records, CRLF',
    text: 'a,b\r\n1,2\r\n',
    want: [
      { line: 1, cells: ['a', 'b'], eol: '\r\n' },
      { line: 2, cells: ['1', '2'], eol: '\r\n' },
    ],
  },
  {
    name: 'quoted comma, doubled quote and a line break inside a cell',
    text: 'x,"a,""b""\r\nc",y\r\nnext\r\n',
    want: [
      { line: 1, cells: ['x', 'a,"b"\r\nc', 'y'], eol: '\r\n' },
      { line: 3, cells: ['next'], eol: '\r\n' },
    ],
  },
  {
    name: 'empty cells and an empty quoted cell',
    text: ',,""\r\n',
    want: [{ line: 1, cells: ['', '', ''], eol: '\r\n' }],
  },
  {
    name: 'a last record without a line end',
    text: 'a\r\nb',
    want: [
      { line: 1, cells: ['a'], eol: '\r\n' },
      { line: 2, cells: ['b'], eol: '' },
    ],
  },
  {
    name: 'a quote inside an unquoted cell: named, reading goes on',
    text: 'a"b,c\r\nok\r\n',
    want: [
      { line: 1, cells: [], eol: '\r\n', error: 'a quote inside an unquoted cell' },
      { line: 2, cells: ['ok'], eol: '\r\n' },
    ],
  },
  {
    name: 'text after a closing quote',
    text: '"a"b\r\nok\r\n',
    want: [
      { line: 1, cells: [], eol: '\r\n', error: 'text after a closing quote' },
      { line: 2, cells: ['ok'], eol: '\r\n' },
    ],
  },
  {
    name: 'a lone CR',
    text: 'a\rb\r\nok\r\n',
    want: [
      { line: 1, cells: [], eol: '\r\n', error: 'a CR without LF' },
      { line: 2, cells: ['ok'], eol: '\r\n' },
    ],
  },
  {
    name: 'a quote never closed',
    text: 'ok\r\n"abc\r\n',
    want: [
      { line: 1, cells: ['ok'], eol: '\r\n' },
      { line: 2, cells: [], eol: '', error: 'a quoted cell is never closed' },
    ],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(read(c.text), c.want, 'whole');
    for (const size of [1, 2, 3, 5]) t.same(read(c.text, size), c.want, `in chunks of ${size}`);
  });
}
