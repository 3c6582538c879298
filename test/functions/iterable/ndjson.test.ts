import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ndjsonBatches } from '../../../functions/src/iterable/ndjson.js';

async function collect(chunks: string[]): Promise<string[][]> {
  const encoder = new TextEncoder();
  async function* body() {
    for (const chunk of chunks) yield encoder.encode(chunk);
  }
  const batches: string[][] = [];
  for await (const batch of ndjsonBatches(body())) batches.push(batch);
  return batches;
}

describe('ndjsonBatches', () => {
  it('yields one batch per chunk of complete lines, joining lines split across chunks', async () => {
    assert.deepEqual(await collect(['{"a":1}\n{"b"', ':2}\n{"c":3}\n']), [
      ['{"a":1}'],
      ['{"b":2}', '{"c":3}'],
    ]);
  });

  it('drops blank lines and keeps a last line without its newline', async () => {
    assert.deepEqual((await collect(['{"a":1}\n\n  \r\n{"b":2}\r\n', '{"c":3}'])).flat(), [
      '{"a":1}',
      '{"b":2}',
      '{"c":3}',
    ]);
  });

  it('decodes a multi-byte character split across chunks', async () => {
    const bytes = new TextEncoder().encode('{"city":"Zürich"}\n');
    async function* body() {
      yield bytes.slice(0, 12);
      yield bytes.slice(12);
    }
    const lines: string[] = [];
    for await (const batch of ndjsonBatches(body())) lines.push(...batch);
    assert.deepEqual(lines, ['{"city":"Zürich"}']);
  });

  it('yields nothing for an empty body', async () => {
    assert.deepEqual(await collect([]), []);
  });
});
