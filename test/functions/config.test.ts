import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STREAM_NAMES } from '../../functions/src/catalog.js';
import { ConfigError, loadConfig } from '../../functions/src/config.js';

describe('loadConfig', () => {
  it('defaults to the US host, every stream, and no key (the demo)', () => {
    const config = loadConfig({});
    assert.equal(config.iterable.apiKey, null);
    assert.equal(config.iterable.baseUrl, 'https://api.iterable.com');
    assert.equal(config.iterable.exportsPerMinute, null);
    assert.deepEqual(config.streams, STREAM_NAMES);
    assert.deepEqual(config.datasets, { raw: 'iterable_raw', analytics: 'iterable_analytics' });
    assert.equal(config.lagMs, 15 * 60_000);
    assert.equal(config.lookbackMs, 60 * 60_000);
  });
  it('uses the EU host for ITERABLE_REGION=EU, and an explicit base URL over both', () => {
    assert.equal(loadConfig({ ITERABLE_REGION: 'EU' }).iterable.baseUrl, 'https://api.eu.iterable.com');
    assert.equal(
      loadConfig({ ITERABLE_REGION: 'EU', ITERABLE_BASE_URL: 'http://127.0.0.1:8080/' }).iterable.baseUrl,
      'http://127.0.0.1:8080',
    );
  });
  it('leaves the export mode to each window unless ITERABLE_EXPORT_MODE forces jobs or stream', () => {
    assert.equal(loadConfig({}).iterable.exportMode, null);
    assert.equal(loadConfig({ ITERABLE_EXPORT_MODE: 'jobs' }).iterable.exportMode, 'jobs');
    assert.equal(loadConfig({ ITERABLE_EXPORT_MODE: 'stream' }).iterable.exportMode, 'stream');
  });
  it('reads numbers and stream lists', () => {
    const config = loadConfig({
      ITERABLE_EXPORTS_PER_MINUTE: '120',
      WINDOW_MINUTES: '60',
      STREAMS: 'email_send,email_open',
    });
    assert.equal(config.iterable.exportsPerMinute, 120);
    assert.equal(config.windowMinutes, 60);
    assert.deepEqual(config.streams, ['email_send', 'email_open']);
  });
  const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['an unknown region', { ITERABLE_REGION: 'APAC' }, /ITERABLE_REGION: use US or EU/],
    [
      'a base URL with a path',
      { ITERABLE_BASE_URL: 'http://h:1/api' },
      /ITERABLE_BASE_URL: give scheme and host only/,
    ],
    ['an unknown stream', { STREAMS: 'email_send,sms_send' }, /STREAMS: unknown stream sms_send/],
    ['a negative lag', { LAG_MINUTES: '-5' }, /LAG_MINUTES/],
    ['a dataset name with a dot', { RAW_DATASET: 'a.b' }, /RAW_DATASET: use letters, digits and underscores/],
    ['an unknown export mode', { ITERABLE_EXPORT_MODE: 'bulk' }, /ITERABLE_EXPORT_MODE: use jobs or stream/],
    [
      'an export mode in capitals',
      { ITERABLE_EXPORT_MODE: 'JOBS' },
      /ITERABLE_EXPORT_MODE: use jobs or stream/,
    ],
  ];
  for (const [name, env, message] of bad) {
    it(`refuses ${name}, naming the variable`, () => {
      assert.throws(
        () => loadConfig(env),
        (e: unknown) => e instanceof ConfigError && message.test(e.message),
      );
    });
  }
});
