import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBenchmarks, SMOKE_SIZES } from '../../bench/benchmarks.js';

describe('the benchmark, at smoke sizes', () => {
  it('measures every section and gives each figure a finite value (targets are not asserted)', async () => {
    const sections = await runBenchmarks(SMOKE_SIZES);
    assert.deepEqual(
      sections.map((s) => s.title.replace(/^\d+\. /, '')),
      [
        'Worker transform throughput',
        'End to end',
        'Worker memory, one window',
        'Deployed bundle',
        'Fact build on DuckDB',
        'Live webhooks',
        'Windows sized by density: backfill plans',
        'Incremental fact build as history grows',
        'Analytics API',
        'Anomaly detection on a labelled history',
      ],
    );
    // The memory section measures the deployed worker (BigQuery adapter against the sink) too.
    const memory = sections.find((s) => s.title.endsWith('Worker memory, one window'));
    assert.ok(memory?.figures.some((f) => f.name.startsWith('deployed worker') && f.target !== null));
    for (const section of sections) {
      assert.ok(section.figures.length > 0, `${section.title} has figures`);
      for (const f of section.figures)
        assert.ok(Number.isFinite(f.value) && f.value >= 0, `${f.name}: ${f.value}`);
    }
  });
});
