import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatExportTimestamp,
  formatIterableTimestamp,
  parseIterableTimestamp,
} from '../../../functions/src/iterable/timestamps.js';

const AT = Date.UTC(2021, 3, 14, 16, 25, 55);

describe('parseIterableTimestamp', () => {
  const cases: [string, unknown, number | null][] = [
    ['export form with +00:00', '2021-04-14 16:25:55 +00:00', AT],
    ['offset without colon', '2021-04-14 16:25:55 +0000', AT],
    ['offset glued to the time', '2021-04-14 16:25:55+00:00', AT],
    ['non-UTC offset', '2021-04-14 18:25:55 +02:00', AT],
    ['negative offset', '2021-04-14 11:25:55 -05:00', AT],
    ['hour-only offset', '2021-04-14 18:25:55 +02', AT],
    ['ISO with Z', '2021-04-14T16:25:55Z', AT],
    ['ISO with milliseconds', '2021-04-14T16:25:55.123Z', AT + 123],
    ['ISO with microseconds', '2021-04-14T16:25:55.123456Z', AT + 123],
    ['ISO with offset', '2021-04-14T17:25:55+01:00', AT],
    ['no zone means UTC', '2021-04-14 16:25:55', AT],
    ['epoch milliseconds', AT, AT],
    ['epoch milliseconds as text', String(AT), AT],
    ['surrounding spaces', ' 2021-04-14 16:25:55 +00:00 ', AT],
    ['31 February', '2021-02-31 10:00:00 +00:00', null],
    ['hour 24', '2021-04-14 24:00:00 +00:00', null],
    ['date only', '2021-04-14', null],
    ['free text', 'yesterday', null],
    ['epoch seconds by mistake stays a number in 1970', 1_618_417_555, 1_618_417_555],
    ['fractional epoch', 1.5, null],
    ['negative epoch', -1, null],
    ['epoch beyond 2100', Date.UTC(2101, 0, 1), null],
    ['first instant BigQuery holds', '0001-01-01 00:00:00 +00:00', -62_135_596_800_000],
    ['year 0, before BigQuery’s range', '0000-12-31 23:59:59 +00:00', null],
    ['before year 1 once the offset applies', '0001-01-01 00:30:00 +01:00', null],
    ['last second BigQuery holds', '9999-12-31T23:59:59.999Z', 253_402_300_799_999],
    ['past year 9999 once the offset applies', '9999-12-31 23:00:00 -05:00', null],
    ['null', null, null],
    ['object', { at: AT }, null],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.equal(parseIterableTimestamp(input), expected));
  }

  it('agrees with Date.UTC on every day from 1970 to 2099, leap days and month ends included', () => {
    for (let day = Date.UTC(1970, 0, 1); day < Date.UTC(2100, 0, 1); day += 86_400_000) {
      const at = day + 86_399_000;
      assert.equal(parseIterableTimestamp(formatIterableTimestamp(at)), at);
      assert.equal(parseIterableTimestamp(new Date(at).toISOString()), at);
    }
  });

  it('refuses days a month does not have', () => {
    for (const text of ['2023-02-29', '2100-02-29', '2021-04-31', '2021-13-01', '2021-00-10', '2021-01-00']) {
      assert.equal(parseIterableTimestamp(`${text} 00:00:00 +00:00`), null, text);
    }
    assert.equal(parseIterableTimestamp('2024-02-29 00:00:00 +00:00'), Date.UTC(2024, 1, 29));
  });
});

describe('formatting', () => {
  it('writes the export API form and Iterable’s record form', () => {
    assert.equal(formatExportTimestamp(AT + 999), '2021-04-14 16:25:55');
    assert.equal(formatIterableTimestamp(AT), '2021-04-14 16:25:55 +00:00');
    assert.equal(parseIterableTimestamp(formatIterableTimestamp(AT)), AT);
  });
});
