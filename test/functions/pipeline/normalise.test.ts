import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamByName } from '../../../functions/src/catalog.js';
import { normaliser } from '../../../functions/src/pipeline/normalise.js';

const window = { start: Date.UTC(2026, 10, 1), end: Date.UTC(2026, 10, 2) };
const sends = normaliser(streamByName('email_send'), window);

const send = (fields: Record<string, unknown>) =>
  JSON.stringify({
    createdAt: '2026-11-01 10:00:00 +00:00',
    email: 'a@example.com',
    campaignId: 12,
    messageId: 'm1',
    ...fields,
  });

describe('normaliser', () => {
  it('turns a valid record into cells in catalog order and keeps the line as payload', () => {
    const line = send({ templateId: '7', userId: 42, transactionalData: '{"x":1}', extra: { kept: true } });
    const result = sends(line);
    assert.ok('row' in result);
    const names = streamByName('email_send').columns.map((c) => c.name);
    const cells = Object.fromEntries(names.map((n, i) => [n, result.row.cells[i]]));
    assert.deepEqual(cells, {
      created_at: Date.UTC(2026, 10, 1, 10),
      email: 'a@example.com',
      user_id: '42',
      campaign_id: 12,
      template_id: 7,
      message_id: 'm1',
      message_type_id: null,
      channel_id: null,
      transactional_data: '{"x":1}',
    });
    assert.equal(result.row.payload, line);
  });

  const rejects = [
    { name: 'malformed JSON', line: '{"createdAt": ', reason: /^malformed JSON/, createdAt: null },
    { name: 'not an object', line: '[1,2]', reason: /not a JSON object/, createdAt: null },
    {
      name: 'missing createdAt',
      line: JSON.stringify({ email: 'a@example.com' }),
      reason: /createdAt/,
      createdAt: null,
    },
    {
      name: 'unparseable createdAt',
      line: send({ createdAt: 'yesterday' }),
      reason: /not an Iterable timestamp/,
      createdAt: null,
    },
    {
      name: 'wrong type of a typed field, filed under its createdAt',
      line: send({ campaignId: 'twelve' }),
      reason: /campaignId/,
      createdAt: Date.UTC(2026, 10, 1, 10),
    },
    {
      name: 'createdAt outside the window',
      line: send({ createdAt: '2026-11-02 00:00:00 +00:00' }),
      reason: /outside/,
      createdAt: null,
    },
  ];
  for (const c of rejects) {
    it(`rejects ${c.name}`, () => {
      const result = sends(c.line);
      assert.ok('reject' in result, 'expected a reject');
      assert.match(result.reject.reason, c.reason);
      assert.equal(result.reject.line, c.line);
      assert.equal(result.reject.createdAt, c.createdAt);
    });
  }

  it('reads dimension timestamps in epoch milliseconds and needs no window', () => {
    const campaigns = normaliser(streamByName('campaigns'), null);
    const result = campaigns(
      JSON.stringify({ id: 5, name: 'Spring', createdAt: 1_700_000_000_000, labels: ['a'] }),
    );
    assert.ok('row' in result);
    assert.equal(result.row.cells[0], 5);
    assert.ok(result.row.cells.includes(1_700_000_000_000));
    assert.ok(result.row.cells.includes('["a"]'));
  });
});
