/**
 * The stack's security rules as plain checks of one resource's type and inputs, so they are
 * unit-tested directly; `index.ts` wraps them into a `@pulumi/policy` pack for the CLI.
 * Each returns its violations, with what to change.
 */
import { MAX_WORKER_TIMEOUT_SECONDS } from '../../functions/src/gcp/gcp-config.js';
import { ITERABLE_EXPORTS_PER_MINUTE } from '../../functions/src/iterable/limits.js';
import { FUNCTION_NAMES } from '../../functions/src/register.js';
import { queueConcurrencyLimit, queueLimitPerMinute } from '../queue-kinds.js';

export type Props = Readonly<Record<string, unknown>>;

export interface Rule {
  readonly name: string;
  readonly description: string;
  check(type: string, props: Props): readonly string[];
}

const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'] as const;

/** Every string anywhere in a value, for rules that look for a member wherever it is nested. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

const record = (value: unknown): Props =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Props) : {};

const FUNCTION_TYPE = 'gcp:cloudfunctionsv2/function:Function';
const IAM_TYPE = /Iam(Member|Binding|Policy)$|IAM(Member|Binding|Policy)$/;

const RUN_INVOKER_TYPE = 'gcp:cloudrunv2/serviceIamMember:ServiceIamMember';

/**
 * The one public grant allowed: `roles/run.invoker` to `allUsers` on the collector's Cloud Run
 * service. Iterable's system webhooks authenticate with a header of their own ("Basic" token,
 * "OAuth2 <token>" or none; support.iterable.com, "System Webhooks") and cannot carry the OIDC
 * token Cloud Run's IAM check needs, so the collector is reachable by anyone and checks the
 * webhook's `Authorization` header itself, in constant time, before reading the body
 * (functions/src/live/authorization.ts). Every other function keeps its single OIDC caller.
 */
export const isPublicCollectorInvoker = (type: string, props: Props): boolean =>
  type === RUN_INVOKER_TYPE &&
  props.role === 'roles/run.invoker' &&
  props.member === 'allUsers' &&
  typeof props.name === 'string' &&
  props.name.endsWith(`-${FUNCTION_NAMES.collector}`);

export const noPublicAccess: Rule = {
  name: 'no-public-access',
  description:
    'No IAM grant or dataset access entry names allUsers or allAuthenticatedUsers, except run.invoker on the webhook collector (Iterable cannot send an OIDC token)',
  check(type, props) {
    if (isPublicCollectorInvoker(type, props)) return [];
    const dataset = type === 'gcp:bigquery/dataset:Dataset';
    if (!IAM_TYPE.test(type) && !dataset) return [];
    const found = PUBLIC_MEMBERS.filter((m) =>
      strings(dataset ? props.accesses : props).some((s) => s.includes(m)),
    );
    return found.map(
      (m) =>
        `${type} grants ${m}; grant the role to the one service account that calls or reads it (e.g. the task invoker)`,
    );
  },
};

/** Google's default compute account: every workload using it shares every grant it has. */
const DEFAULT_COMPUTE_ACCOUNT = /-compute@developer\.gserviceaccount\.com$/;

export const ownServiceAccount: Rule = {
  name: 'function-own-service-account',
  description: 'Each function runs as a dedicated service account, never the default compute account',
  check(type, props) {
    if (type !== FUNCTION_TYPE) return [];
    const email = record(props.serviceConfig).serviceAccountEmail;
    if (typeof email !== 'string' || email === '') {
      return ['the function has no serviceConfig.serviceAccountEmail; give it its own service account'];
    }
    return DEFAULT_COMPUTE_ACCOUNT.test(email)
      ? [`the function runs as the default compute account ${email}; give it its own service account`]
      : [];
  },
};

const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD/i;

export const secretsFromSecretManager: Rule = {
  name: 'secrets-from-secret-manager',
  description: 'Credentials reach functions through Secret Manager, never as plain environment variables',
  check(type, props) {
    if (type !== FUNCTION_TYPE) return [];
    const env = record(record(props.serviceConfig).environmentVariables);
    return Object.keys(env)
      .filter((name) => SECRET_NAME.test(name))
      .map(
        (name) =>
          `environment variable ${name} looks like a credential; use secretEnvironmentVariables instead`,
      );
  },
};

/** Cloud Tasks waits at most 30 minutes for an HTTP target (https://cloud.google.com/tasks/docs/creating-http-target-tasks). */
const MAX_TIMEOUT_SECONDS = MAX_WORKER_TIMEOUT_SECONDS;

export const timeoutWithinTaskDeadline: Rule = {
  name: 'timeout-within-task-deadline',
  description: "No function runs longer than Cloud Tasks' 30-minute dispatch deadline",
  check(type, props) {
    if (type !== FUNCTION_TYPE) return [];
    const timeout = record(props.serviceConfig).timeoutSeconds;
    return typeof timeout === 'number' && timeout > MAX_TIMEOUT_SECONDS
      ? [
          `timeoutSeconds ${timeout} exceeds ${MAX_TIMEOUT_SECONDS}; Cloud Tasks would retry a load still running`,
        ]
      : [];
  },
};

export const queueWithinIterableLimit: Rule = {
  name: 'queue-within-iterable-limit',
  description: `Task queues dispatch no faster, and no more at once, than the Iterable limits of their kind (${ITERABLE_EXPORTS_PER_MINUTE} exports a minute unless named for another endpoint)`,
  check(type, props) {
    if (type !== 'gcp:cloudtasks/queue:Queue') return [];
    const { maxDispatchesPerSecond: rate, maxConcurrentDispatches: concurrent } = record(props.rateLimits);
    const name = typeof props.name === 'string' ? props.name : '';
    const perMinute = queueLimitPerMinute(name);
    const limit = perMinute / 60;
    if (typeof rate !== 'number') {
      return [`the queue has no rateLimits.maxDispatchesPerSecond; set it to at most ${limit}`];
    }
    const atOnce = queueConcurrencyLimit(name);
    return [
      ...(rate > limit
        ? [`maxDispatchesPerSecond ${rate} exceeds Iterable's ${limit} (${perMinute} requests/minute)`]
        : []),
      ...(atOnce !== null && !(typeof concurrent === 'number' && concurrent <= atOnce)
        ? [
            `maxConcurrentDispatches ${String(concurrent)} is not within Iterable's ${atOnce} at once; set it to at most ${atOnce}`,
          ]
        : []),
    ];
  },
};

export const schedulerUsesOidc: Rule = {
  name: 'scheduler-uses-oidc',
  description: 'Scheduled HTTP calls carry an OIDC token, so their targets need no public access',
  check(type, props) {
    if (type !== 'gcp:cloudscheduler/job:Job') return [];
    const target = record(props.httpTarget);
    if (Object.keys(target).length === 0) return [];
    return record(target.oidcToken).serviceAccountEmail
      ? []
      : ['the job calls its target without an OIDC token; set httpTarget.oidcToken.serviceAccountEmail'];
  },
};

/** Names the source bucket of the functions (`functions-source.ts`). */
export const FUNCTIONS_SOURCE_BUCKET = /-functions-source$/;

/** Lifecycle conditions that only ever match objects that are no longer live. */
const NONCURRENT_ONLY = ['numNewerVersions', 'daysSinceNoncurrentTime', 'noncurrentTimeBefore'] as const;

export const sourceBucketKeepsLiveArchive: Rule = {
  name: 'source-bucket-keeps-live-archive',
  description: "The functions' source bucket never deletes the archive the functions are built from",
  check(type, props) {
    if (type !== 'gcp:storage/bucket:Bucket' || !FUNCTIONS_SOURCE_BUCKET.test(String(props.name ?? ''))) {
      return [];
    }
    const rules = Array.isArray(props.lifecycleRules) ? props.lifecycleRules : [];
    return rules
      .map(record)
      .filter((rule) => record(rule.action).type === 'Delete')
      .filter((rule) => {
        const condition = record(rule.condition);
        const noncurrent =
          condition.withState === 'ARCHIVED' ||
          condition.isLive === false ||
          NONCURRENT_ONLY.some((key) => condition[key] !== undefined);
        return !noncurrent;
      })
      .map(
        (rule) =>
          `lifecycle rule ${JSON.stringify(rule.condition)} can delete the live source archive (a function unchanged ` +
          'for that long); limit it to noncurrent objects or drop it (Pulumi deletes replaced archives)',
      );
  },
};

/** Names the worker's load staging bucket (`load-staging.ts`). */
export const LOAD_STAGING_BUCKET = /-load-staging$/;

/** Staged parts live minutes; a week is the most a forgotten one may be kept (and billed). */
export const MAX_STAGED_OBJECT_AGE_DAYS = 7;

export const loadStagingBucketExpires: Rule = {
  name: 'load-staging-bucket-expires',
  description:
    "The worker's load staging bucket deletes objects a crashed worker left behind, and grants by IAM only",
  check(type, props) {
    if (type !== 'gcp:storage/bucket:Bucket' || !LOAD_STAGING_BUCKET.test(String(props.name ?? ''))) {
      return [];
    }
    const rules = Array.isArray(props.lifecycleRules) ? props.lifecycleRules.map(record) : [];
    const expires = rules.some((rule) => {
      const age = record(rule.condition).age;
      return (
        record(rule.action).type === 'Delete' &&
        typeof age === 'number' &&
        age >= 1 &&
        age <= MAX_STAGED_OBJECT_AGE_DAYS
      );
    });
    return [
      ...(expires
        ? []
        : [
            `no lifecycle rule deletes staged objects within ${MAX_STAGED_OBJECT_AGE_DAYS} days; add ` +
              "{action: {type: 'Delete'}, condition: {age: 1}} so what a crashed worker left goes",
          ]),
      ...(props.uniformBucketLevelAccess === true
        ? []
        : ['uniformBucketLevelAccess is off; turn it on so only the bucket’s IAM grants give access']),
    ];
  },
};

export const noUnwaitedQueryJobs: Rule = {
  name: 'no-unwaited-query-jobs',
  description:
    'SQL runs at deploy through the SqlSetup step, which waits for each job, never gcp.bigquery.Job',
  check(type) {
    // The provider's create returns once the job exists, not when it is DONE, and a fixed job id
    // collides with job history after a re-create (infra/deploy-steps/run-sql-files.ts).
    return type === 'gcp:bigquery/job:Job'
      ? [
          'gcp.bigquery.Job does not wait for its query to finish or report its error; run SQL through ' +
            'SqlSetup (infra/deploy-steps/sql-setup.ts)',
        ]
      : [];
  },
};

export const RULES: readonly Rule[] = [
  noPublicAccess,
  ownServiceAccount,
  secretsFromSecretManager,
  timeoutWithinTaskDeadline,
  queueWithinIterableLimit,
  schedulerUsesOidc,
  sourceBucketKeepsLiveArchive,
  loadStagingBucketExpires,
  noUnwaitedQueryJobs,
];

/** A rule over the whole stack, for what no single resource shows. */
export interface StackRule {
  readonly name: string;
  readonly description: string;
  check(resources: readonly { readonly type: string; readonly props: Props }[]): readonly string[];
}

export const onePublicFunction: StackRule = {
  name: 'one-public-function',
  description: 'Exactly one function, the webhook collector, may be invoked without an OIDC token',
  check(resources) {
    const grants = resources.filter((r) => isPublicCollectorInvoker(r.type, r.props));
    return grants.length > 1
      ? [`${grants.length} public invoker grants on the collector; keep exactly one`]
      : [];
  },
};

export const STACK_RULES: readonly StackRule[] = [onePublicFunction];
