import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInstant } from '../../cli/flags.js';
import { parseRunOptions } from '../../cli/start-options.js';
import { defaultWarehouse } from '../../cli/warehouse-check.js';
import { ConfigError } from '../../functions/src/config.js';

describe('parseRunOptions', () => {
  it('has defaults for everything', () => {
    assert.deepEqual(parseRunOptions([]), {
      from: null,
      to: null,
      warehouse: defaultWarehouse(),
      streams: null,
      help: false,
    });
  });
  it('reads every flag', () => {
    const options = parseRunOptions([
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-03T06:00:00Z',
      '--warehouse',
      '/tmp/x.duckdb',
      '--streams',
      'email_send, campaigns',
    ]);
    assert.equal(options.from, Date.UTC(2026, 10, 1));
    assert.equal(options.to, Date.UTC(2026, 10, 3, 6));
    assert.equal(options.warehouse, '/tmp/x.duckdb');
    assert.deepEqual(options.streams, ['email_send', 'campaigns']);
  });
  const bad: [string, string[], RegExp][] = [
    ['an unknown stream', ['--streams', 'email_sends'], /unknown stream email_sends; known streams are/],
    ['--from after --to', ['--from', '2026-11-03', '--to', '2026-11-01'], /is not before --to/],
    ['--from equal to --to', ['--from', '2026-11-03', '--to', '2026-11-03'], /is not before --to/],
    ['a date that is not ISO', ['--from', 'last tuesday'], /not an ISO date or time/],
    ['an unknown flag', ['--since', '2026-11-01'], /Unknown option '--since'[\s\S]*Usage/],
  ];
  for (const [name, argv, message] of bad) {
    it(`refuses ${name} with a message saying what to fix`, () => {
      assert.throws(
        () => parseRunOptions(argv),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }
});

describe('parseInstant', () => {
  const cases: [string, number][] = [
    ['2026-11-01', Date.UTC(2026, 10, 1)],
    ['2026-11-01T10:00', Date.UTC(2026, 10, 1, 10)],
    ['2026-11-01T10:00:00Z', Date.UTC(2026, 10, 1, 10)],
    ['2026-11-01T10:00:00+02:00', Date.UTC(2026, 10, 1, 8)],
  ];
  for (const [text, ms] of cases) {
    it(`reads ${text} (a time without a zone is UTC)`, () => assert.equal(parseInstant('--from', text), ms));
  }
});
