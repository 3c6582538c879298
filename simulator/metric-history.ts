/**
 * A labelled history of daily campaign metrics, to measure the anomaly detector against known
 * answers: one row per day x campaign with the counts of email_send_cohort_fact (sends, bounces,
 * delivered, unique human opens, clicks, unsubscribes, complaints, revenue), over months.
 *
 * Normal life: each campaign has its own volume and rates, a weekly rhythm (marketing mail sleeps
 * at weekends, people open more then), day-to-day variation beyond chance (4% of each rate, 5% of
 * volume, 8% of revenue per delivered) and binomial sampling noise; holiday-like surges multiply
 * marketing volume and revenue for a day, and are not incidents.
 * Incidents: seeded kinds, campaigns, days and sizes, each size in standard deviations of the
 * day-to-day variation of that metric for that campaign on that day, recorded as labels.
 * Generated at the grain the detector reads (not as single events): months of events at the
 * volumes where rates mean something would be tens of millions of records.
 */
import { DAY } from '../functions/src/time.js';
import { Random } from './random.js';

export const INCIDENT_KINDS = [
  { kind: 'bounce_spike', metric: 'bounce_rate', sign: 1, affects: ['bounce_rate', 'delivery_rate'] },
  {
    kind: 'open_rate_collapse',
    metric: 'human_open_rate',
    sign: -1,
    affects: ['human_open_rate', 'click_rate'],
  },
  { kind: 'unsubscribe_spike', metric: 'unsubscribe_rate', sign: 1, affects: ['unsubscribe_rate'] },
  { kind: 'send_volume_drop', metric: 'count_sends', sign: -1, affects: ['count_sends'] },
  { kind: 'revenue_drop', metric: 'revenue_per_delivered', sign: -1, affects: ['revenue_per_delivered'] },
] as const;

export type IncidentKind = (typeof INCIDENT_KINDS)[number]['kind'];

export interface CampaignDay {
  readonly metricOn: string;
  readonly campaignId: number;
  readonly messageTypeName: string;
  readonly channelName: string;
  readonly countSends: number;
  readonly countBounces: number;
  readonly countDelivered: number;
  readonly countUniqueHumanOpens: number;
  readonly countUniqueClicks: number;
  readonly countUniqueUnsubscribes: number;
  readonly countComplaints: number;
  readonly revenue: number;
}

export interface Incident {
  readonly kind: IncidentKind;
  readonly campaignId: number;
  readonly metricOn: string;
  /** How far the metric moved, in standard deviations of its normal day-to-day variation. */
  readonly sizeSds: number;
}

export interface MetricHistory {
  readonly days: readonly string[];
  readonly rows: readonly CampaignDay[];
  readonly incidents: readonly Incident[];
  readonly holidays: readonly string[];
}

export interface MetricHistoryOptions {
  readonly seed: number;
  /** First day, epoch milliseconds at a UTC midnight. */
  readonly from: number;
  readonly days: number;
  readonly campaigns: number;
  readonly incidentsPerKind: number;
  /** Incident sizes are drawn uniformly from this range of standard deviations. */
  readonly sizeSds: readonly [number, number];
}

const TYPES = [
  { messageTypeName: 'Newsletter', channelName: 'Marketing Email', marketing: true },
  { messageTypeName: 'Promotions', channelName: 'Marketing Email', marketing: true },
  { messageTypeName: 'Product Updates', channelName: 'Marketing Email', marketing: true },
  { messageTypeName: 'Receipts', channelName: 'Transactional Email', marketing: false },
  { messageTypeName: 'Account Alerts', channelName: 'Transactional Email', marketing: false },
] as const;

/** Volume and open-rate multipliers by weekday, Sunday first (UTC). */
const MARKETING_VOLUME = [0.55, 1, 1.1, 1.05, 1, 0.9, 0.6];
const TRANSACTIONAL_VOLUME = [0.8, 1, 1, 1, 1, 1, 0.85];
const OPEN_BY_WEEKDAY = [1.08, 1, 1, 1, 1, 0.97, 1.06];

const RATE_VARIATION = 0.04;
const VOLUME_VARIATION = 0.05;
const REVENUE_VARIATION = 0.08;
/** Days of history before the first incident, so the 8-week baseline exists. */
const WARM_UP_DAYS = 63;

interface Profile {
  readonly campaignId: number;
  readonly type: (typeof TYPES)[number];
  readonly sends: number;
  readonly bounce: number;
  readonly complaint: number;
  readonly open: number;
  readonly click: number;
  readonly unsubscribe: number;
  readonly revenuePerDelivered: number;
}

export function generateMetricHistory(options: MetricHistoryOptions): MetricHistory {
  if (options.days < WARM_UP_DAYS + 14) {
    throw new Error(`a labelled history needs at least ${WARM_UP_DAYS + 14} days, not ${options.days}`);
  }
  const random = new Random(options.seed);
  const days = Array.from({ length: options.days }, (_, i) => isoDay(options.from + i * DAY));
  const profiles = Array.from({ length: options.campaigns }, (_, i) => profile(random, i));
  const holidays = new Set(
    Array.from({ length: 3 }, (_, i) => days[WARM_UP_DAYS - 30 + i * 25 + random.int(10)] as string),
  );
  const incidents = placeIncidents(random, options, days, profiles, holidays);
  const byKey = new Map(
    incidents.map((incident) => [`${incident.metricOn}/${incident.campaignId}`, incident]),
  );
  const rows = days.flatMap((metricOn) =>
    profiles.map((p) => campaignDay(random, p, metricOn, holidays.has(metricOn), byKey)),
  );
  return { days, rows, incidents, holidays: [...holidays].sort() };
}

function profile(random: Random, index: number): Profile {
  return {
    campaignId: 9001 + index,
    type: TYPES[index % TYPES.length] as (typeof TYPES)[number],
    sends: Math.round(4000 + random.next() * 16_000),
    bounce: 0.008 + random.next() * 0.012,
    complaint: 0.0003 + random.next() * 0.0004,
    open: 0.15 + random.next() * 0.2,
    click: 0.015 + random.next() * 0.03,
    unsubscribe: 0.001 + random.next() * 0.002,
    revenuePerDelivered: 0.02 + random.next() * 0.08,
  };
}

function placeIncidents(
  random: Random,
  options: MetricHistoryOptions,
  days: readonly string[],
  profiles: readonly Profile[],
  holidays: ReadonlySet<string>,
): Incident[] {
  const taken = new Set<string>();
  const incidents: Incident[] = [];
  for (const { kind } of INCIDENT_KINDS) {
    for (let n = 0; n < options.incidentsPerKind; n++) {
      for (;;) {
        const index = WARM_UP_DAYS + random.int(days.length - WARM_UP_DAYS);
        const p = random.pick(profiles);
        const near = [-7, 0, 7].map((d) => `${days[index + d]}/${p.campaignId}`);
        const metricOn = days[index] as string;
        if (holidays.has(metricOn) || near.some((key) => taken.has(key))) continue;
        taken.add(`${metricOn}/${p.campaignId}`);
        const [low, high] = options.sizeSds;
        incidents.push({
          kind,
          campaignId: p.campaignId,
          metricOn,
          sizeSds: low + random.next() * (high - low),
        });
        break;
      }
    }
  }
  return incidents;
}

function campaignDay(
  random: Random,
  p: Profile,
  metricOn: string,
  holiday: boolean,
  incidents: ReadonlyMap<string, Incident>,
): CampaignDay {
  const weekday = new Date(`${metricOn}T00:00:00Z`).getUTCDay();
  const incident = incidents.get(`${metricOn}/${p.campaignId}`);
  const shift = (kind: IncidentKind, sd: number) => {
    if (incident?.kind !== kind) return 0;
    const sign = INCIDENT_KINDS.find((k) => k.kind === kind)?.sign ?? 1;
    return sign * incident.sizeSds * sd;
  };
  const surge = holiday && p.type.marketing ? 2 + random.next() : 1;
  const volume =
    p.sends * ((p.type.marketing ? MARKETING_VOLUME : TRANSACTIONAL_VOLUME)[weekday] ?? 1) * surge;
  const sends = Math.max(
    0,
    Math.round(
      volume * (1 + VOLUME_VARIATION * random.gaussian()) +
        shift('send_volume_drop', volume * VOLUME_VARIATION),
    ),
  );
  const bounces = draw(random, sends, p.bounce, (sd) => shift('bounce_spike', sd));
  const delivered = sends - bounces;
  const openRate = p.open * (OPEN_BY_WEEKDAY[weekday] ?? 1) * (holiday ? 1.05 : 1);
  const openSd = rateSd(openRate, delivered);
  const openShift = shift('open_rate_collapse', openSd);
  const opens = draw(random, delivered, openRate, () => openShift);
  // Fewer people opening means fewer clicking: clicks follow the open rate's fall.
  const clickRate = p.click * Math.max(0, (openRate + openShift) / openRate);
  const revenueLevel = p.revenuePerDelivered * (holiday ? 1.4 : 1);
  const revenueShift = shift('revenue_drop', revenueLevel * REVENUE_VARIATION);
  const perDelivered = Math.max(0, revenueLevel * (1 + REVENUE_VARIATION * random.gaussian()) + revenueShift);
  return {
    metricOn,
    campaignId: p.campaignId,
    messageTypeName: p.type.messageTypeName,
    channelName: p.type.channelName,
    countSends: sends,
    countBounces: bounces,
    countDelivered: delivered,
    countUniqueHumanOpens: opens,
    countUniqueClicks: draw(random, delivered, clickRate, () => 0),
    countUniqueUnsubscribes: draw(random, delivered, p.unsubscribe, (sd) => shift('unsubscribe_spike', sd)),
    countComplaints: draw(random, delivered, p.complaint, () => 0),
    revenue: Math.round(delivered * perDelivered * 100) / 100,
  };
}

/** Day-to-day standard deviation of a rate: its variation beyond chance plus binomial noise. */
function rateSd(rate: number, n: number): number {
  return Math.sqrt((rate * RATE_VARIATION) ** 2 + (rate * (1 - rate)) / Math.max(n, 1));
}

/** A count out of n at a rate that varies day to day, moved by `shift(sd)` on an incident. */
function draw(random: Random, n: number, rate: number, shift: (sd: number) => number): number {
  const sd = rateSd(rate, n);
  const p = Math.min(1, Math.max(0, rate + RATE_VARIATION * rate * random.gaussian() + shift(sd)));
  const sampled = n * p + Math.sqrt(n * p * (1 - p)) * random.gaussian();
  return Math.min(n, Math.max(0, Math.round(sampled)));
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
