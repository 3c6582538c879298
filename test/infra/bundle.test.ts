import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleFunctions, ENTRY_POINT } from '../../infra/bundle.js';

describe('the functions bundle', () => {
  it('holds only what the entry point imports: no local/, simulator/ or cli/ code, no DuckDB', async () => {
    const bundle = await bundleFunctions();
    assert.ok(bundle.inputs.includes(ENTRY_POINT));
    assert.deepEqual(
      bundle.inputs.filter((p) => /^(local|simulator|cli|sql)\//.test(p) || p.includes('duckdb')),
      [],
    );
    assert.ok(bundle.inputs.every((p) => p.startsWith('functions/src/') || p.startsWith('node_modules/')));
    const code = bundle.files['index.js'] ?? '';
    assert.doesNotMatch(code, /@duckdb|simulator|json-state-store/);
    assert.deepEqual(Object.keys(bundle.files).sort(), ['index.js', 'package.json']);
  });

  it('lets Cloud Build install the Functions Framework and the Google clients the bundle requires', async () => {
    const { files } = await bundleFunctions();
    const manifest = JSON.parse(files['package.json'] ?? '{}') as {
      main: string;
      dependencies: Record<string, string>;
    };
    assert.equal(manifest.main, 'index.js');
    for (const name of Object.keys(manifest.dependencies)) {
      assert.match(files['index.js'] ?? '', new RegExp(`require\\("${name.replace('/', '\\/')}"\\)`), name);
      assert.match(manifest.dependencies[name] ?? '', /^\d+\.\d+\.\d+$/, `${name} pinned`);
    }
    assert.ok('@google-cloud/functions-framework' in manifest.dependencies);
  });

  it('is named by its content: the same sources give the same hash', async () => {
    const [a, b] = await Promise.all([bundleFunctions(), bundleFunctions()]);
    assert.equal(a.hash, b.hash);
    assert.match(a.hash, /^[0-9a-f]{64}$/);
  });
});
