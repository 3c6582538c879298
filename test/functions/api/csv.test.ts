import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toCsv } from '../../../functions/src/api/csv.js';
import { negotiate } from '../../../functions/src/api/negotiate.js';
import { ApiProblem } from '../../../functions/src/api/problem.js';

describe('CSV (RFC 4180)', () => {
  const cases: [string, unknown, string][] = [
    ['plain text', 'Holiday #1', 'Holiday #1'],
    ['a comma', 'a,b', '"a,b"'],
    ['quotes, doubled', 'say "hi"', '"say ""hi"""'],
    ['a line break', 'a\nb', '"a\nb"'],
    ['NULL as empty', null, ''],
    ['a number', 0.25, '0.25'],
    ['a negative number stays a number', -3, '-3'],
    ['a formula, defused', '=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['a leading @, defused', '@SUM(A1)', "'@SUM(A1)"],
  ];
  for (const [what, value, cell] of cases) {
    it(`writes ${what}`, () => {
      assert.equal(toCsv(['v'], [{ v: value }]), `v\r\n${cell}\r\n`);
    });
  }

  it('writes the header alone for no rows', () => {
    assert.equal(toCsv(['a', 'b'], []), 'a,b\r\n');
  });
});

describe('JSON or CSV', () => {
  const cases: [string | undefined, string | undefined, string][] = [
    [undefined, undefined, 'json'],
    [undefined, 'text/csv', 'csv'],
    [undefined, 'text/csv;q=0.5, application/json', 'json'],
    [undefined, 'application/json;q=0.1, text/*', 'csv'],
    [undefined, '*/*', 'json'],
    ['csv', 'application/json', 'csv'],
  ];
  for (const [format, accept, expected] of cases) {
    it(`format=${format} Accept: ${accept} → ${expected}`, () => {
      assert.equal(negotiate(format as 'csv' | undefined, accept), expected);
    });
  }

  it('refuses an Accept it cannot meet with 406', () => {
    assert.throws(
      () => negotiate(undefined, 'image/png'),
      (e: unknown) => e instanceof ApiProblem && e.status === 406,
    );
  });
});
