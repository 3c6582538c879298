import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STREAM_NAMES } from '../../functions/src/catalog.js';
import { ConfigError } from '../../functions/src/config.js';
import { startApiServer } from '../../local/api-server.js';
import { DEFAULT_DATASETS } from '../../sql/datasets.js';
import { silent, tempWarehouse } from '../support/pipeline.js';

describe('npm run api’s server', () => {
  it('refuses a warehouse without fact tables, saying how to build them', async () => {
    const warehouseFile = tempWarehouse();
    await assert.rejects(
      startApiServer({
        warehouseFile,
        datasets: DEFAULT_DATASETS,
        streams: STREAM_NAMES,
        port: 0,
        auth: { kind: 'iam' },
        settings: { cacheSeconds: 0, cacheEntries: 1 },
        log: silent,
      }),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes(`npm start -- --warehouse ${warehouseFile}`),
    );
  });
});
