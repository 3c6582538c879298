/**
 * Every setting of the stack, read once. Set a value with `pulumi config set <key> <value>`
 * (the project's namespace is implied); docs/deploy.md lists them with their defaults.
 */
import * as pulumi from '@pulumi/pulumi';
import { readStreamList, STREAM_NAMES, type StreamName } from '../functions/src/catalog.js';
import { MAX_WORKER_TIMEOUT_SECONDS } from '../functions/src/gcp/gcp-config.js';
import { EXPORT_MODES } from '../functions/src/iterable/export-modes.js';
import { ANOMALY_DETECTORS, checkEventNames } from '../sql/render.js';
import { readApiInvokers } from './api-function.js';

const config = new pulumi.Config();
const gcp = new pulumi.Config('gcp');

/** Cloud Monitoring alerts on a metric's absence for at most 23.5 hours (https://cloud.google.com/monitoring/alerts/metric-absence). */
const MAX_ABSENCE_HOURS = 23.5;

function oneOf<const T extends string>(key: string, choices: readonly T[], fallback: T): T {
  const value = config.get(key) ?? fallback;
  const found = choices.find((c) => c === value);
  if (found === undefined) {
    throw new Error(
      `config ${key} is ${value}; use one of ${choices.join(', ')}: pulumi config set ${key} <value>`,
    );
  }
  return found;
}

function bounded(key: string, fallback: number, min: number, max: number, why: string): number {
  const value = config.getNumber(key) ?? fallback;
  if (!(value >= min && value <= max)) {
    throw new Error(`config ${key} is ${value}; use ${min}…${max} (${why}): pulumi config set ${key} <n>`);
  }
  return value;
}

export const settings = {
  /** GCP project everything is created in (`pulumi config set gcp:project <id>`), required. */
  project: gcp.require('project'),
  /** Region of the functions, queue, scheduler job and source bucket. */
  region: gcp.get('region') ?? 'us-central1',
  /** Prefix of every physical resource name, so two stacks can share a project. */
  namePrefix: config.get('namePrefix') ?? 'iterable',
  /** Iterable API key (server-side, standard permissions): `pulumi config set --secret iterableApiKey …`. */
  iterableApiKey: config.requireSecret('iterableApiKey'),
  /**
   * The exact `Authorization` header Iterable's system webhooks carry, which the collector checks:
   * `pulumi config set --secret webhookAuthorization '<token>'` (README, "Live events").
   */
  webhookAuthorization: config.requireSecret('webhookAuthorization'),
  /**
   * How windows are read (ITERABLE_EXPORT_MODE): `auto` reads bulk history (backfills, first
   * loads, catch-ups of windows over two days old) by export jobs through the export jobs queue
   * and the rest by streaming exports; `jobs` or `stream` forces one for every window.
   */
  iterableExportMode: oneOf('iterableExportMode', ['auto', ...EXPORT_MODES], 'auto'),
  /** Iterable data centre of the key: US or EU (a key only works against its own). */
  iterableRegion: config.get('iterableRegion') ?? 'US',
  /** Streams to extract, comma-separated; all catalog streams when unset. */
  streams: ((value): readonly StreamName[] => (value ? readStreamList(value) : STREAM_NAMES))(
    config.get('streams'),
  ),
  /** Days of history a stream's first run loads (HISTORY_DAYS). */
  historyDays: bounded('historyDays', 30, 1, 3650, 'days of history for a first run'),
  /** Minutes behind now a run stops, while Iterable's newest events settle (LAG_MINUTES). */
  lagMinutes: bounded('lagMinutes', 15, 0, 1440, 'minutes'),
  /** Minutes behind the furthest loaded window each run re-reads, for late events (LOOKBACK_MINUTES). */
  lookbackMinutes: bounded('lookbackMinutes', 60, 0, 10080, 'minutes'),
  /** Event dates each scheduled fact query recomputes, to absorb late data (FACT_LOOKBACK_DAYS). */
  factLookbackDays: bounded('factLookbackDays', 7, 1, 400, 'days'),
  /**
   * Custom event names counted as conversions in the funnel and cohort facts beside purchases,
   * comma-separated (CONVERSION_EVENT_NAMES); none when unset.
   */
  conversionEventNames: checkEventNames(
    (config.get('conversionEventNames') ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  ),
  /** BigQuery location of both datasets (`US`, `EU` or a region); fixed once created. */
  bigqueryLocation: config.get('bigqueryLocation') ?? 'US',
  /** Dataset of the raw tables, one per stream, plus rejects. */
  rawDataset: config.get('rawDataset') ?? 'iterable_raw',
  /** Dataset of the fact tables the scheduled queries build. */
  analyticsDataset: config.get('analyticsDataset') ?? 'iterable_analytics',
  /** Firestore database holding watermarks and the window ledger; a named one, to leave `(default)` alone. */
  firestoreDatabase: config.get('firestoreDatabase') ?? 'iterable-pipeline',
  /** Firestore location (a multi-region like `nam5`/`eur3`, or a region); fixed once created. */
  firestoreLocation: config.get('firestoreLocation') ?? 'nam5',
  /** Cron schedule of the fan-out (Cloud Scheduler, unix-cron). */
  fanoutSchedule: config.get('fanoutSchedule') ?? '0 */5 * * *',
  /** Cron schedule of the daily forget task (Cloud Scheduler, unix-cron), off the fan-out's hours. */
  forgetSchedule: config.get('forgetSchedule') ?? '30 3 * * *',
  /** Time zone of `fanoutSchedule` and `forgetSchedule`. */
  scheduleTimeZone: config.get('scheduleTimeZone') ?? 'Etc/UTC',
  /**
   * When the scheduled queries run (BigQuery's schedule syntax, UTC): 45 minutes after each
   * fan-out of the default schedule, off the hour, when most windows of the run are loaded.
   */
  factSchedule: config.get('factSchedule') ?? 'every 5 hours from 00:45 to 23:45',
  /** Worker timeout in seconds; Cloud Tasks waits at most 30 minutes for an HTTP task. */
  workerTimeoutSeconds: bounded(
    'workerTimeoutSeconds',
    MAX_WORKER_TIMEOUT_SECONDS,
    60,
    MAX_WORKER_TIMEOUT_SECONDS,
    "Cloud Tasks' 30-minute dispatch deadline",
  ),
  /** Worker memory: a window streams through, so memory stays flat whatever its size. */
  workerMemory: config.get('workerMemory') ?? '1Gi',
  /** Tasks the queue runs at once: each holds an Iterable export open for its whole load. */
  maxConcurrentDispatches: bounded('maxConcurrentDispatches', 4, 1, 100, 'concurrent loads'),
  /** Attempts per task before Cloud Tasks gives up; the next fan-out plans the window again. */
  taskMaxAttempts: bounded('taskMaxAttempts', 8, 1, 100, 'attempts'),
  /** Hours without an advancing load after which a stream counts as stale and alerts. */
  freshnessHours: bounded(
    'freshnessHours',
    12,
    1,
    MAX_ABSENCE_HOURS,
    'the longest absence Cloud Monitoring alerts on',
  ),
  /** Email address alerts go to; alerts still show in the console without one. */
  alertEmail: config.get('alertEmail'),
  /** Looker Studio report to copy for each fact table's link; a blank report when unset. */
  lookerTemplateReportId: config.get('lookerTemplateReportId'),
  /**
   * Who may call the analytics API, comma-separated IAM members (`user:ana@example.com,group:…`,
   * `serviceAccount:…`); nobody when unset. Public members are refused.
   */
  apiInvokers: readApiInvokers(config.get('apiInvokers')),
  /** SHA-256 digests (hex, comma-separated) of API keys the API also requires; none when unset. */
  apiKeySha256: config.get('apiKeySha256'),
  /**
   * Which detector fills metric_anomalies' statistical rows and metric_forecast: `robust_z`, the
   * SQL of sql/31-33, or `arima_plus`, BigQuery ML's ARIMA_PLUS in a scheduled query of its own
   * (sql/bigquery-ml/metric_arima_plus.sql). Guardrails come from sql/32 either way.
   */
  anomalyDetector: oneOf('anomalyDetector', ANOMALY_DETECTORS, 'robust_z'),
  /** A Slack-compatible incoming webhook for anomaly alerts (a secret); the log alert alone without it. */
  anomalyWebhookUrl: config.getSecret('anomalyWebhookUrl'),
  /** Refuse to delete datasets, tables and the Firestore database; set false before `pulumi destroy`. */
  deletionProtection: config.getBoolean('deletionProtection') ?? true,
} as const;

export type Settings = typeof settings;
