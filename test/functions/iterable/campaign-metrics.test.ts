/** The campaign metrics client against the simulator, which answers like Iterable (CSV, ≤ 80 ids). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CAMPAIGN_METRICS_COLUMNS } from '../../../functions/src/campaign-metrics-table.js';
import { CampaignMetricsClient, parseMetrics } from '../../../functions/src/iterable/campaign-metrics.js';
import { IterableAuthError, IterableError } from '../../../functions/src/iterable/errors.js';
import { CAMPAIGN_METRICS_MAX_IDS } from '../../../functions/src/iterable/limits.js';
import { NO_PACING, type Pacer } from '../../../functions/src/iterable/pacer.js';
import { DAY } from '../../../functions/src/time.js';
import { FROM, type Simulator, simulator } from '../../support/pipeline.js';

const RANGE = { start: FROM, end: FROM + 2 * DAY };
const CONTEXT = { baseUrl: 'http://iterable.test', request: 'GET /api/campaigns/metrics' };
const HEADER = CAMPAIGN_METRICS_COLUMNS.map((c) => c.header).join(',');

describe('CampaignMetricsClient', () => {
  let sim: Simulator;
  before(async () => {
    sim = await simulator({ days: 2, events: 2000 });
  });
  after(() => sim?.close());

  const client = (options: { apiKey?: string; pacer?: Pacer } = {}) =>
    new CampaignMetricsClient({
      baseUrl: sim.url,
      apiKey: options.apiKey ?? 'test-key',
      pacer: options.pacer ?? NO_PACING,
      retry: { retries: 0 },
    });

  it('reads every campaign asked for, in requests of at most 80 ids', async () => {
    let requests = 0;
    const counting: Pacer = { wait: async () => void requests++ };
    const ids = Array.from({ length: 2 * CAMPAIGN_METRICS_MAX_IDS + 10 }, (_, k) => 1000 + k);
    const rows = await client({ pacer: counting }).metrics(ids, RANGE);
    assert.equal(requests, 3);
    assert.deepEqual(
      rows.map((r) => r.campaign_id),
      ids,
    );
    assert.ok(rows.every((r) => r.total_email_sends === 0 && r.revenue === 0));
  });

  it("reads a campaign's totals as numbers", async () => {
    const campaign = sim.truth.dimension('campaigns')[0] as { id: number };
    const sends = sim.truth
      .lines('email_send', RANGE)
      .filter((line) => (JSON.parse(line) as { campaignId?: number }).campaignId === campaign.id).length;
    const [row] = await client().metrics([campaign.id], RANGE);
    assert.equal(row?.campaign_id, campaign.id);
    assert.equal(row?.total_email_sends, sends);
    assert.equal(typeof row?.revenue, 'number');
  });

  it('fails on a refused key without ever showing it', async () => {
    const apiKey = 'wrong-key-0123456789abcdef';
    await assert.rejects(client({ apiKey }).metrics([1], RANGE), (error: unknown) => {
      assert.ok(error instanceof IterableAuthError);
      assert.ok(!error.message.includes(apiKey));
      assert.ok(!JSON.stringify(error).includes(apiKey));
      return true;
    });
  });
});

describe('parseMetrics', () => {
  it('reads a metric missing from the header (another medium) as NULL', () => {
    const [row] = parseMetrics('id,Total Email Sends\n7,3\n', CONTEXT);
    assert.equal(row?.campaign_id, 7);
    assert.equal(row?.total_email_sends, 3);
    assert.equal(row?.unique_email_opens, null);
  });

  const refused = [
    { name: 'a CSV without an id column', text: 'Total Email Sends\n3\n', error: /without an "id" column/ },
    {
      name: 'a count that is not a number',
      text: `${HEADER}\n7,x${',0'.repeat(11)}\n`,
      error: /row 2: .*not a number/,
    },
    { name: 'a row without a campaign id', text: `${HEADER}\n${',0'.repeat(12)}\n`, error: /row 2/ },
  ];
  for (const { name, text, error } of refused) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parseMetrics(text, CONTEXT),
        (e: unknown) => e instanceof IterableError && error.test(e.message),
      );
    });
  }
});
