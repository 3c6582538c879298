/**
 * The durable buffer with several syncs in flight: a burst that fills a segment while other writes
 * are in flight still lands every record once, in the segment its group was reported in; what was
 * not moved is what a restart finds; a segment fully moved is deleted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type DurableGroup, DurableLog, type Logged } from '../../../local/live/durable-log.js';

/** More than one segment holds (20,000 records), in one burst. */
const BURST = 25_000;

const record = (i: number): Logged => ({ table: i % 10 === 0 ? 'rejects' : 'events', json: `{"n":${i}}` });

async function appendBurst(dir: string): Promise<{ log: DurableLog; groups: DurableGroup[] }> {
  const groups: DurableGroup[] = [];
  const { log, leftover } = DurableLog.open(dir, (group) => groups.push(group));
  assert.deepEqual(leftover, []);
  await Promise.all(Array.from({ length: BURST }, (_, i) => log.append(record(i))));
  return { log, groups };
}

const sortedJson = (records: readonly Logged[]): string[] =>
  records.map((r) => `${r.table} ${r.json}`).sort();

describe('the durable buffer with syncs in flight together', () => {
  it('lands a burst across a segment change once each, where its groups say, for a restart to find', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-burst-'));
    const { log, groups } = await appendBurst(dir);
    await log.close();
    const all = Array.from({ length: BURST }, (_, i) => record(i));
    assert.deepEqual(sortedJson(groups.flatMap((g) => g.records)), sortedJson(all));

    const reopened = DurableLog.open(dir, () => {});
    assert.equal(reopened.leftover.length, 2);
    for (const segment of reopened.leftover) {
      const reported = groups.filter((g) => g.segment === segment.segment).flatMap((g) => g.records);
      assert.deepEqual(sortedJson(segment.records), sortedJson(reported));
    }
    await reopened.log.close();
  });

  it('deletes each segment once all its records are moved, and keeps one that is not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'durable-moved-'));
    const { log, groups } = await appendBurst(dir);
    const [first, ...rest] = groups;
    for (const group of rest) log.moved(group.segment, group.records.length);
    await log.close();
    const left = DurableLog.open(dir, () => {});
    assert.deepEqual(
      left.leftover.map((s) => s.segment),
      [first?.segment],
    );
    for (const segment of left.leftover) left.log.moved(segment.segment, segment.records.length);
    await left.log.close();
    assert.deepEqual(readdirSync(dir), []);
  });
});
