import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  exportModeFor,
  JOBS_AFTER_MS,
  splitByExportMode,
} from '../../../functions/src/pipeline/export-mode.js';
import { HOUR } from '../../../functions/src/time.js';

const NOW = Date.UTC(2026, 11, 1);
const window = (kind: 'advance' | 'lookback' | 'backfill' | 'settle', endsAgo: number) => ({
  kind,
  start: NOW - endsAgo - HOUR,
  end: NOW - endsAgo,
});

describe('which way a window is read', () => {
  it('reads bulk history by jobs: advance and backfill windows that end over two days ago', () => {
    assert.equal(exportModeFor(null, window('advance', JOBS_AFTER_MS + 1), NOW), 'jobs');
    assert.equal(exportModeFor(null, window('backfill', 30 * 24 * HOUR), NOW), 'jobs');
  });
  it('streams the recent edge, the lookback and the settle re-reads', () => {
    assert.equal(exportModeFor(null, window('advance', HOUR), NOW), 'stream');
    assert.equal(exportModeFor(null, window('backfill', JOBS_AFTER_MS), NOW), 'stream');
    assert.equal(exportModeFor(null, window('lookback', 10 * JOBS_AFTER_MS), NOW), 'stream');
    assert.equal(exportModeFor(null, window('settle', JOBS_AFTER_MS + HOUR), NOW), 'stream');
  });
  it('does what ITERABLE_EXPORT_MODE says when it is set', () => {
    assert.equal(exportModeFor('jobs', window('lookback', HOUR), NOW), 'jobs');
    assert.equal(exportModeFor('stream', window('backfill', 30 * JOBS_AFTER_MS), NOW), 'stream');
  });
  it('splits window tasks by the way each will be read, keeping their order', () => {
    const task = (name: string, kind: 'advance' | 'lookback', endsAgo: number) => {
      const w = window(kind, endsAgo);
      const payload = {
        stream: 'email_send' as const,
        kind,
        start: new Date(w.start).toISOString(),
        end: new Date(w.end).toISOString(),
      };
      return { name, payload };
    };
    const tasks = [
      task('old', 'advance', 3 * JOBS_AFTER_MS),
      task('edge', 'advance', HOUR),
      task('older', 'advance', 4 * JOBS_AFTER_MS),
      task('look', 'lookback', 3 * JOBS_AFTER_MS),
    ];
    const names = (split: ReturnType<typeof splitByExportMode>) => ({
      stream: split.stream.map((t) => t.name),
      jobs: split.jobs.map((t) => t.name),
    });
    assert.deepEqual(names(splitByExportMode(tasks, null, NOW)), {
      stream: ['edge', 'look'],
      jobs: ['old', 'older'],
    });
    assert.deepEqual(names(splitByExportMode(tasks, 'stream', NOW)), {
      stream: ['old', 'edge', 'older', 'look'],
      jobs: [],
    });
  });
});
