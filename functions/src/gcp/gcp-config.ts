/**
 * The deployed functions' configuration: the pipeline's own variables (`config.ts`) plus where the
 * GCP pieces are, read once at cold start. The Pulumi program (infra/function-env.ts) sets them on
 * both functions, except two that only one function has: the worker's URL, which only the fan-out
 * needs (the worker cannot be told its own URL before it exists), and the Iterable key, which
 * reaches the worker alone, from Secret Manager. `FUNCTION_TARGET`, set by the runtime, says
 * which function this instance serves, so a missing one fails the cold start, not a request.
 */
import { z } from 'zod';
import { ConfigError, loadConfig, type PipelineConfig } from '../config.js';
import type { FanoutSettings } from '../pipeline/fanout.js';
import { FUNCTION_NAMES } from '../register.js';
import { describeIssues } from '../schema-parts.js';
import type { LiveTopics } from './pubsub-live-sink.js';

/** The collection of the stream state documents, which the infrastructure exempts from indexing. */
export const DEFAULT_STATE_COLLECTION = 'pipeline_state';

/** Cloud Tasks waits at most 30 minutes for an HTTP task's answer, so no load may take longer. */
export const MAX_WORKER_TIMEOUT_SECONDS = 1800;

const FIX = 'the Pulumi program sets it (infra/function-env.ts): run `pulumi up` again';

const QUEUE_PATH = /^projects\/[^/]+\/locations\/[^/]+\/queues\/[^/]+$/;
const QUEUE_PATH_FIX = `use projects/<project>/locations/<region>/queues/<queue>; ${FIX}`;
const TOPIC = /^projects\/[^/]+\/topics\/[^/]+$/;

/** Bucket names: 3–63 lowercase letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (https://cloud.google.com/storage/docs/buckets#naming). */
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

/** A variable every deployed function needs; its message says what it is and how to fix it. */
const required = (what: string) =>
  z.string({ error: `${what} is not set; ${FIX}` }).min(1, `${what} is empty; ${FIX}`);

const GcpEnvSchema = z
  .object({
    GOOGLE_CLOUD_PROJECT: required('the project id'),
    FUNCTION_TARGET: z.string().optional(),
    ITERABLE_API_KEY: z.string().trim().min(1).optional(),
    BIGQUERY_LOCATION: z.string().min(1).default('US'),
    FIRESTORE_DATABASE: z.string().min(1).default('(default)'),
    STATE_COLLECTION: z
      .string()
      .regex(/^[^/]+$/, 'use a collection id without slashes')
      .default(DEFAULT_STATE_COLLECTION),
    TASKS_QUEUE: required('the Cloud Tasks queue').regex(QUEUE_PATH, QUEUE_PATH_FIX),
    CAMPAIGN_METRICS_QUEUE: z.string().regex(QUEUE_PATH, QUEUE_PATH_FIX).optional(),
    EXPORT_JOBS_QUEUE: z.string().regex(QUEUE_PATH, QUEUE_PATH_FIX).optional(),
    WORKER_URL: z.url(`use the worker function's https URL; ${FIX}`).optional(),
    TASKS_INVOKER_SERVICE_ACCOUNT: z.email({
      error: (issue) =>
        issue.input === undefined
          ? `the task invoker service account is not set; ${FIX}`
          : `use the invoker service account's email; ${FIX}`,
    }),
    WORKER_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .max(MAX_WORKER_TIMEOUT_SECONDS)
      .default(MAX_WORKER_TIMEOUT_SECONDS),
    STALE_AFTER_MINUTES: z.coerce
      .number()
      .int()
      .positive()
      .default(12 * 60),
    // Cloud Tasks may still be retrying a failed window's task when the next fan-out comes: the
    // new generation's task waits this long, doubling per generation (pipeline/task.ts notBefore).
    FAILED_RETRY_MINUTES: z.coerce.number().int().nonnegative().default(15),
    LIVE_EVENTS_TOPIC: z.string().regex(TOPIC, `use projects/<project>/topics/<topic>; ${FIX}`).optional(),
    LIVE_REJECTS_TOPIC: z.string().regex(TOPIC, `use projects/<project>/topics/<topic>; ${FIX}`).optional(),
    WEBHOOK_AUTHORIZATION: z.string().min(1).optional(),
    LOAD_STAGING_BUCKET: z
      .string()
      .regex(BUCKET, `use the name of the load staging bucket, without gs://; ${FIX}`)
      .optional(),
  })
  .refine((e) => e.FUNCTION_TARGET !== FUNCTION_NAMES.worker || e.ITERABLE_API_KEY !== undefined, {
    path: ['ITERABLE_API_KEY'],
    message:
      'the worker has no Iterable key; run `pulumi config set --secret iterableApiKey <key>` and `pulumi up` ' +
      '(the key reaches the worker from Secret Manager)',
  })
  .refine((e) => e.FUNCTION_TARGET !== FUNCTION_NAMES.worker || e.LOAD_STAGING_BUCKET !== undefined, {
    path: ['LOAD_STAGING_BUCKET'],
    message: `the worker has no Cloud Storage bucket to stage window loads in; ${FIX}`,
  })
  .refine((e) => e.FUNCTION_TARGET !== FUNCTION_NAMES.fanout || e.WORKER_URL !== undefined, {
    path: ['WORKER_URL'],
    message: `the fan-out does not know where to send tasks; ${FIX}`,
  })
  .refine(
    (e) =>
      e.FUNCTION_TARGET !== FUNCTION_NAMES.collector ||
      (e.LIVE_EVENTS_TOPIC !== undefined && e.LIVE_REJECTS_TOPIC !== undefined),
    { path: ['LIVE_EVENTS_TOPIC'], message: `the collector does not know its Pub/Sub topics; ${FIX}` },
  )
  .refine((e) => e.FUNCTION_TARGET !== FUNCTION_NAMES.collector || e.WEBHOOK_AUTHORIZATION !== undefined, {
    path: ['WEBHOOK_AUTHORIZATION'],
    message:
      'the collector has no webhook secret; run `pulumi config set --secret webhookAuthorization <header>` ' +
      'and `pulumi up` (the secret reaches the collector from Secret Manager)',
  });

/** The variables the Pulumi program sets, typed from the schema so the two cannot drift. */
export type GcpEnv = Partial<Record<keyof z.input<typeof GcpEnvSchema>, string>>;

export interface GcpConfig {
  readonly pipeline: PipelineConfig;
  readonly projectId: string;
  readonly bigqueryLocation: string;
  readonly firestoreDatabase: string;
  readonly stateCollection: string;
  readonly tasks: {
    readonly queuePath: string;
    /** `null` in the worker, which never enqueues. */
    readonly workerUrl: string | null;
    readonly invokerServiceAccount: string;
    readonly dispatchDeadlineSeconds: number;
  };
  /**
   * The queue of campaign metrics tasks (Iterable's 10 requests/minute for its campaign totals),
   * which the Pulumi program sets on every function. Optional: an operator's backfill from a
   * laptop (cli/operator-gcp.ts) plans windows only; without it the fan-out enqueues no totals.
   */
  readonly campaignMetricsQueuePath: string | null;
  /**
   * The queue of windows read by export jobs, paced at the jobs' organization-wide limits (1 start
   * a second, 4 jobs at once). The fan-out needs it unless ITERABLE_EXPORT_MODE=stream; `null`
   * where nothing routes there.
   */
  readonly exportJobsQueuePath: string | null;
  /** A claim outlasts the worker's timeout, so a live load is never overtaken by a retry. */
  readonly leaseMs: number;
  /** A pending window quiet this long is presumed lost by the queue and planned again. */
  readonly staleAfterMs: number;
  /** Delay of a failed window's next task, doubling per generation. */
  readonly failedRetryDelayMs: number;
  /**
   * The bucket where the worker stages a window's rows before BigQuery loads them
   * (staged-load.ts). Required in the worker; `null` elsewhere when unset.
   */
  readonly loadStagingBucket: string | null;
  /** The collector's topics and webhook secret; `null` in the functions that are not the collector. */
  readonly live: LiveConfig | null;
}

export interface LiveConfig {
  readonly topics: LiveTopics;
  /** The exact `Authorization` header Iterable sends. */
  readonly authorization: string;
}

/** Slack between the worker's timeout and its lease, for the claim and completion round trips. */
const LEASE_MARGIN_MS = 60_000;

export function loadGcpConfig(env: NodeJS.ProcessEnv = process.env): GcpConfig {
  const pipeline = loadConfig(env);
  const parsed = GcpEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = describeIssues(parsed.error, '(environment)');
    throw new ConfigError(`invalid GCP configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (
    e.FUNCTION_TARGET === FUNCTION_NAMES.fanout &&
    pipeline.iterable.exportMode !== 'stream' &&
    e.EXPORT_JOBS_QUEUE === undefined
  ) {
    throw new ConfigError(
      'invalid GCP configuration: EXPORT_JOBS_QUEUE is not set, so the fan-out has no queue for the windows ' +
        `read by export jobs (ITERABLE_EXPORT_MODE is ${pipeline.iterable.exportMode ?? 'unset: bulk history is read by jobs'}); ` +
        `${FIX}, or set ITERABLE_EXPORT_MODE=stream on every function to read all windows by streaming exports`,
    );
  }
  return {
    pipeline,
    projectId: e.GOOGLE_CLOUD_PROJECT,
    bigqueryLocation: e.BIGQUERY_LOCATION,
    firestoreDatabase: e.FIRESTORE_DATABASE,
    stateCollection: e.STATE_COLLECTION,
    tasks: {
      queuePath: e.TASKS_QUEUE,
      workerUrl: e.WORKER_URL ?? null,
      invokerServiceAccount: e.TASKS_INVOKER_SERVICE_ACCOUNT,
      dispatchDeadlineSeconds: e.WORKER_TIMEOUT_SECONDS,
    },
    campaignMetricsQueuePath: e.CAMPAIGN_METRICS_QUEUE ?? null,
    exportJobsQueuePath: e.EXPORT_JOBS_QUEUE ?? null,
    loadStagingBucket: e.LOAD_STAGING_BUCKET ?? null,
    leaseMs: e.WORKER_TIMEOUT_SECONDS * 1000 + LEASE_MARGIN_MS,
    staleAfterMs: e.STALE_AFTER_MINUTES * 60_000,
    failedRetryDelayMs: e.FAILED_RETRY_MINUTES * 60_000,
    live:
      e.LIVE_EVENTS_TOPIC !== undefined && e.LIVE_REJECTS_TOPIC !== undefined && e.WEBHOOK_AUTHORIZATION
        ? {
            topics: { events: e.LIVE_EVENTS_TOPIC, rejects: e.LIVE_REJECTS_TOPIC },
            authorization: e.WEBHOOK_AUTHORIZATION,
          }
        : null,
  };
}

/** The fan-out's settings, as the deployed function and the operator's backfill both plan with them. */
export function fanoutSettings(config: GcpConfig): FanoutSettings {
  const { pipeline } = config;
  return {
    streams: pipeline.streams,
    windowMinutes: pipeline.windowMinutes,
    lagMs: pipeline.lagMs,
    lookbackMs: pipeline.lookbackMs,
    historyMs: pipeline.historyMs,
    settleMs: pipeline.settleMs,
    staleAfterMs: config.staleAfterMs,
    failedRetryDelayMs: config.failedRetryDelayMs,
  };
}
