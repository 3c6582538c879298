/**
 * BigQuery's `jobs.query` answer to the campaign metrics plan's query (BigQueryCampaignMetrics):
 * one row per campaign with events in the loaded range, with the range's start.
 */
import type { Reply } from './recording-server.js';

export const campaignPlanAnswer = (
  projectId: string,
  loadedFromMs: number,
  campaignIds: readonly number[],
): Reply => ({
  status: 200,
  body: {
    kind: 'bigquery#queryResponse',
    jobComplete: true,
    jobReference: { projectId, jobId: 'plan-1', location: 'EU' },
    schema: {
      fields: [
        { name: 'loaded_from_ms', type: 'INTEGER' },
        { name: 'campaign_id', type: 'INTEGER' },
      ],
    },
    rows: campaignIds.map((id) => ({ f: [{ v: String(loadedFromMs) }, { v: String(id) }] })),
    totalRows: String(campaignIds.length),
  },
});
