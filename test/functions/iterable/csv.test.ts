import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvRecords, parseCsv } from '../../../functions/src/iterable/csv.js';

describe('parseCsv', () => {
  const cases: { name: string; text: string; rows: string[][] }[] = [
    {
      name: 'plain fields',
      text: 'a,b\n1,2\n',
      rows: [
        ['a', 'b'],
        ['1', '2'],
      ],
    },
    {
      name: 'no final newline',
      text: 'a,b\n1,2',
      rows: [
        ['a', 'b'],
        ['1', '2'],
      ],
    },
    {
      name: 'CRLF line ends',
      text: 'a,b\r\n1,2\r\n',
      rows: [
        ['a', 'b'],
        ['1', '2'],
      ],
    },
    { name: 'a byte-order mark', text: '\uFEFFid\n7\n', rows: [['id'], ['7']] },
    { name: 'quoted commas and newlines', text: 'a\n"x, y\nz"\n', rows: [['a'], ['x, y\nz']] },
    { name: 'doubled quotes', text: '"say ""hi"""\n', rows: [['say "hi"']] },
    { name: 'empty fields', text: 'a,,c\n', rows: [['a', '', 'c']] },
    { name: 'blank lines', text: 'a\n\n1\n\n', rows: [['a'], ['1']] },
  ];
  for (const { name, text, rows } of cases) {
    it(`reads ${name}`, () => assert.deepEqual(parseCsv(text), rows));
  }

  it('refuses a quoted field that never ends', () => {
    assert.throws(() => parseCsv('"open\n'), /ends inside a quoted field/);
  });

  it('keys records by the trimmed header, missing cells empty', () => {
    assert.deepEqual(csvRecords(' id , name\n1,a\n2\n'), {
      header: ['id', 'name'],
      records: [
        { id: '1', name: 'a' },
        { id: '2', name: '' },
      ],
    });
  });
});
