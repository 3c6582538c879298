/**
 * `iterableExportMode: stream` reaches both the fan-out and the worker as ITERABLE_EXPORT_MODE, so
 * the fan-out routes every window to the window queue and the worker streams every window.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runProgram } from './mock-program.js';

describe('the export mode forced by the stack', () => {
  it('sets ITERABLE_EXPORT_MODE on the fan-out and the worker alike', async () => {
    const { resources } = await runProgram({ 'iterable-bigquery-pipeline:iterableExportMode': 'stream' });
    for (const entryPoint of ['fanout', 'worker']) {
      const fn = resources.find(
        (r) =>
          r.type.endsWith('cloudfunctionsv2/function:Function') &&
          (r.inputs.buildConfig as { entryPoint?: string }).entryPoint === entryPoint,
      );
      assert.ok(fn, entryPoint);
      const env = (fn.inputs.serviceConfig as { environmentVariables: Record<string, unknown> })
        .environmentVariables;
      assert.equal(env.ITERABLE_EXPORT_MODE, 'stream', entryPoint);
    }
  });
});
