/**
 * The routes of /v1. Each list route filters one fact table with allow-listed parameters; the
 * campaign route adds the campaign's daily series and send-date cohorts; health reads the watermark
 * store; anomalies (anomalies.ts) list metric_anomalies.
 */
import { z } from 'zod';
import { anomaliesRoute } from './anomalies.js';
import { streamHealth } from './health.js';
import { CursorParam, dateRange, FormatParam, FromParam, IdParam, LimitParam, ToParam } from './params.js';
import { ApiProblem, invalidParameters } from './problem.js';
import {
  campaignCohortsStatement,
  campaignSeriesStatement,
  campaignStatement,
  campaignsStatement,
  DAILY_GROUPINGS,
  dailyStatement,
  funnelStatement,
  SORT_COLUMNS,
  type SortColumn,
  unsubscribesStatement,
} from './queries.js';
import { canonical, listRoute, parseParams, type Route } from './route.js';
import { CampaignDetail, CampaignRow, DailyRow, FunnelRow, Health, UnsubscribeRow } from './rows.js';

const paging = { limit: LimitParam, cursor: CursorParam, format: FormatParam };
const MessageTypeParam = IdParam.optional().meta({ description: 'message type id (email category)' });
const ChannelParam = IdParam.optional().meta({ description: 'channel id' });
const SORTS = SORT_COLUMNS.flatMap((c) => [c, `-${c}`]) as [string, ...string[]];

/** A required date range: both bounds default (the last 30 days), a 400 if it is empty or too long. */
const requiredRange = (params: { from?: string | undefined; to?: string | undefined }, now: number) => {
  const range = dateRange(params, now);
  if (typeof range === 'string') throw invalidParameters([{ parameter: 'from', message: range }]);
  return range;
};

const campaigns = listRoute({
  name: 'campaigns',
  path: '/v1/campaigns',
  summary: 'Campaigns with lifetime metrics (campaign_fact_table)',
  description:
    'One row per campaign. from/to filter on the date the campaign was created (UTC) and may be omitted (all campaigns).',
  query: z.strictObject({
    from: FromParam,
    to: ToParam,
    message_type: MessageTypeParam,
    channel: ChannelParam,
    sort: z
      .enum(SORTS)
      .optional()
      .meta({ description: 'a column to sort by, - first for descending (default campaign_id)' }),
    ...paging,
  }),
  row: CampaignRow,
  resolve: (p, now) => {
    const range = p.from !== undefined || p.to !== undefined ? requiredRange(p, now) : undefined;
    const sort = p.sort ?? 'campaign_id';
    return { from: range?.from, to: range?.to, message_type: p.message_type, channel: p.channel, sort };
  },
  statement: (r, dataset, page) =>
    campaignsStatement(
      dataset,
      {
        range: { from: r.from, to: r.to },
        filters: { message_type: r.message_type, channel: r.channel },
        sort: { column: r.sort.replace(/^-/, '') as SortColumn, descending: r.sort.startsWith('-') },
      },
      page,
    ),
});

const daily = listRoute({
  name: 'daily',
  path: '/v1/daily',
  summary: 'Daily metrics (email_performance_fact), per campaign or rolled up',
  description:
    'One row per date and campaign, or per date and message type / channel / date alone with group_by. ' +
    'Roll-ups sum the counts and recompute the rates from the sums; unique counts are summed per campaign.',
  query: z.strictObject({
    from: FromParam,
    to: ToParam,
    group_by: z
      .enum(DAILY_GROUPINGS)
      .optional()
      .meta({ description: 'campaign (default), message_type, channel or none' }),
    campaign: IdParam.optional().meta({ description: 'campaign id' }),
    message_type: MessageTypeParam,
    channel: ChannelParam,
    ...paging,
  }),
  row: DailyRow,
  resolve: (p, now) => ({
    ...requiredRange(p, now),
    group_by: p.group_by ?? 'campaign',
    campaign: p.campaign,
    message_type: p.message_type,
    channel: p.channel,
  }),
  statement: (r, dataset, page) =>
    dailyStatement(
      dataset,
      {
        range: { from: r.from, to: r.to },
        filters: { campaign: r.campaign, message_type: r.message_type, channel: r.channel },
        groupBy: r.group_by,
      },
      page,
    ),
});

const funnel = listRoute({
  name: 'funnel',
  path: '/v1/funnel',
  summary: 'The send → open → click → conversion funnel per campaign (email_funnel_fact)',
  description: 'One row per campaign with events, in campaign id order.',
  query: z.strictObject({ message_type: MessageTypeParam, channel: ChannelParam, ...paging }),
  row: FunnelRow,
  resolve: (p) => ({ message_type: p.message_type, channel: p.channel }),
  statement: (r, dataset, page) => funnelStatement(dataset, r, page),
});

const unsubscribes = listRoute({
  name: 'unsubscribes',
  path: '/v1/unsubscribes',
  summary: 'Unsubscribes and churn per date, message type and source (unsubscribe_fact)',
  description:
    'count_delivered repeats on each unsub_source row of a date and message type: never sum it over sources.',
  query: z.strictObject({ from: FromParam, to: ToParam, message_type: MessageTypeParam, ...paging }),
  row: UnsubscribeRow,
  resolve: (p, now) => ({ ...requiredRange(p, now), message_type: p.message_type }),
  statement: (r, dataset, page) =>
    unsubscribesStatement(dataset, { range: { from: r.from, to: r.to }, messageType: r.message_type }, page),
});

const FormatOnly = z.strictObject({ format: FormatParam });
const CampaignIdParam = IdParam.meta({ description: 'campaign id' });

const campaign: Route = {
  name: 'campaign',
  path: '/v1/campaigns/{campaignId}',
  summary: 'One campaign: lifetime metrics, its daily series and its daily send cohorts',
  description:
    'daily is by event date (email_performance_fact), cohorts by send date (email_send_cohort_fact). ' +
    'CSV gives the daily series (the lifetime totals are the campaign row of /v1/campaigns).',
  pathParams: { campaignId: CampaignIdParam },
  query: FormatOnly,
  response: CampaignDetail,
  problems: { 404: 'no campaign with this id in campaign_fact_table' },
  prepare(query, path) {
    const { format } = parseParams(FormatOnly, query);
    const campaignId = parseParams(CampaignIdParam, path.campaignId, 'campaignId');
    return {
      key: canonical('campaign', { campaignId }),
      format,
      async run({ reader, analyticsDataset }) {
        const [found, series, cohorts] = await Promise.all([
          reader.read(campaignStatement(analyticsDataset, campaignId)),
          reader.read(campaignSeriesStatement(analyticsDataset, campaignId)),
          reader.read(campaignCohortsStatement(analyticsDataset, campaignId)),
        ]);
        if (found[0] === undefined)
          throw new ApiProblem('not-found', `no campaign ${campaignId} in the facts`);
        const body = CampaignDetail.parse({ campaign: found[0], daily: series, cohorts });
        return { body, table: { columns: Object.keys(DailyRow.shape), rows: body.daily } };
      },
    };
  },
};

const health: Route = {
  name: 'health',
  path: '/v1/health',
  summary: "Each stream's watermark and freshness",
  description: 'From the watermark store: everything before a watermark is loaded into the raw tables.',
  pathParams: {},
  query: FormatOnly,
  response: Health,
  problems: {},
  prepare(query, _path, now) {
    const { format } = parseParams(FormatOnly, query);
    return {
      key: 'health',
      format,
      async run({ state, streams }) {
        const body = Health.parse({
          checked_at: new Date(now).toISOString(),
          streams: await streamHealth(state, streams, now),
        });
        return {
          body,
          table: { columns: Object.keys(Health.shape.streams.element.shape), rows: body.streams },
        };
      },
    };
  },
};

export const ROUTES: readonly Route[] = [
  campaigns,
  campaign,
  daily,
  funnel,
  unsubscribes,
  anomaliesRoute,
  health,
];
