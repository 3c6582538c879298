/** Without `anomalyWebhookUrl` the notifier has no secret: the log line and its alert policy alone alert. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runProgram } from './mock-program.js';

describe('anomaly alerting without a chat webhook', () => {
  it('deploys the notifier with no webhook secret', async () => {
    const { resources } = await runProgram();
    const fn = resources.find(
      (r) =>
        r.type.endsWith('cloudfunctionsv2/function:Function') &&
        (r.inputs.buildConfig as { entryPoint?: string }).entryPoint === 'notifier',
    );
    assert.ok(fn);
    assert.deepEqual(
      (fn.inputs.serviceConfig as { secretEnvironmentVariables?: unknown }).secretEnvironmentVariables,
      [],
    );
    assert.ok(
      !resources.some(
        (r) => r.type.endsWith('secretmanager/secret:Secret') && r.name.startsWith('anomalies-'),
      ),
    );
  });
});
