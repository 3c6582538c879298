import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  loadStagingBucketExpires,
  noPublicAccess,
  noUnwaitedQueryJobs,
  ownServiceAccount,
  type Props,
  queueWithinIterableLimit,
  type Rule,
  schedulerUsesOidc,
  secretsFromSecretManager,
  sourceBucketKeepsLiveArchive,
  timeoutWithinTaskDeadline,
} from '../../infra/policy/rules.js';

const FUNCTION = 'gcp:cloudfunctionsv2/function:Function';
const SA = 'iterable-worker@p.iam.gserviceaccount.com';

interface Case {
  readonly rule: Rule;
  readonly title: string;
  readonly type: string;
  readonly props: Props;
  /** Expected violations, each as a pattern; none for a compliant resource. */
  readonly violations: readonly RegExp[];
}

const BUCKET = 'gcp:storage/bucket:Bucket';
const SOURCE_BUCKET = 'p-iterable-functions-source';
const STAGING_BUCKET = 'p-iterable-load-staging';
const EXPIRE_AFTER_A_DAY = { action: { type: 'Delete' }, condition: { age: 1 } };

const CASES: readonly Case[] = [
  {
    rule: sourceBucketKeepsLiveArchive,
    title: 'a source bucket with no lifecycle rule',
    type: BUCKET,
    props: { name: SOURCE_BUCKET },
    violations: [],
  },
  {
    rule: sourceBucketKeepsLiveArchive,
    title: 'a source bucket deleting objects 30 days old, the live archive included',
    type: BUCKET,
    props: { name: SOURCE_BUCKET, lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 30 } }] },
    violations: [/can delete the live source archive/],
  },
  {
    rule: sourceBucketKeepsLiveArchive,
    title: 'a source bucket deleting only noncurrent versions',
    type: BUCKET,
    props: {
      name: SOURCE_BUCKET,
      lifecycleRules: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: 30 } }],
    },
    violations: [],
  },
  {
    rule: sourceBucketKeepsLiveArchive,
    title: 'another bucket expiring old objects',
    type: BUCKET,
    props: { name: 'p-staging', lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 1 } }] },
    violations: [],
  },
  {
    rule: loadStagingBucketExpires,
    title: 'a load staging bucket expiring objects after a day, with uniform access',
    type: BUCKET,
    props: { name: STAGING_BUCKET, uniformBucketLevelAccess: true, lifecycleRules: [EXPIRE_AFTER_A_DAY] },
    violations: [],
  },
  {
    rule: loadStagingBucketExpires,
    title: 'a load staging bucket without a lifecycle rule',
    type: BUCKET,
    props: { name: STAGING_BUCKET, uniformBucketLevelAccess: true },
    violations: [/no lifecycle rule deletes staged objects within 7 days/],
  },
  {
    rule: loadStagingBucketExpires,
    title: 'a load staging bucket keeping objects 30 days, with object ACLs',
    type: BUCKET,
    props: {
      name: STAGING_BUCKET,
      lifecycleRules: [{ action: { type: 'Delete' }, condition: { age: 30 } }],
    },
    violations: [/no lifecycle rule deletes/, /uniformBucketLevelAccess is off/],
  },
  {
    rule: loadStagingBucketExpires,
    title: 'a load staging bucket whose only rule changes the storage class',
    type: BUCKET,
    props: {
      name: STAGING_BUCKET,
      uniformBucketLevelAccess: true,
      lifecycleRules: [
        { action: { type: 'SetStorageClass', storageClass: 'COLDLINE' }, condition: { age: 1 } },
      ],
    },
    violations: [/no lifecycle rule deletes/],
  },
  {
    rule: loadStagingBucketExpires,
    title: 'another bucket without a lifecycle rule',
    type: BUCKET,
    props: { name: SOURCE_BUCKET },
    violations: [],
  },
  {
    rule: noUnwaitedQueryJobs,
    title: 'a gcp.bigquery.Job running SQL at deploy',
    type: 'gcp:bigquery/job:Job',
    props: { jobId: 'setup_01', query: { query: 'select 1' } },
    violations: [/does not wait/],
  },
  {
    rule: noPublicAccess,
    title: 'a run.invoker for a service account',
    type: 'gcp:cloudrunv2/serviceIamMember:ServiceIamMember',
    props: { role: 'roles/run.invoker', member: `serviceAccount:${SA}` },
    violations: [],
  },
  {
    rule: noPublicAccess,
    title: 'a run.invoker for allUsers',
    type: 'gcp:cloudrunv2/serviceIamMember:ServiceIamMember',
    props: { role: 'roles/run.invoker', member: 'allUsers' },
    violations: [/grants allUsers/],
  },
  {
    rule: noPublicAccess,
    title: 'a binding listing allAuthenticatedUsers',
    type: 'gcp:storage/bucketIAMBinding:BucketIAMBinding',
    props: { members: ['user:a@b.c', 'allAuthenticatedUsers'] },
    violations: [/grants allAuthenticatedUsers/],
  },
  {
    rule: noPublicAccess,
    title: 'a dataset shared with allAuthenticatedUsers',
    type: 'gcp:bigquery/dataset:Dataset',
    props: { accesses: [{ role: 'READER', specialGroup: 'allAuthenticatedUsers' }] },
    violations: [/allAuthenticatedUsers/],
  },
  {
    rule: noPublicAccess,
    title: 'a dataset described with the word, not shared',
    type: 'gcp:bigquery/dataset:Dataset',
    props: { description: 'not for allUsers' },
    violations: [],
  },
  {
    rule: ownServiceAccount,
    title: 'a function with its own account',
    type: FUNCTION,
    props: { serviceConfig: { serviceAccountEmail: SA } },
    violations: [],
  },
  {
    rule: ownServiceAccount,
    title: 'a function without an account',
    type: FUNCTION,
    props: { serviceConfig: {} },
    violations: [/no serviceConfig.serviceAccountEmail/],
  },
  {
    rule: ownServiceAccount,
    title: 'a function on the default compute account',
    type: FUNCTION,
    props: { serviceConfig: { serviceAccountEmail: '123-compute@developer.gserviceaccount.com' } },
    violations: [/default compute account/],
  },
  {
    rule: secretsFromSecretManager,
    title: 'a key as a plain variable',
    type: FUNCTION,
    props: { serviceConfig: { environmentVariables: { ITERABLE_API_KEY: 'x', RAW_DATASET: 'r' } } },
    violations: [/ITERABLE_API_KEY looks like a credential/],
  },
  {
    rule: secretsFromSecretManager,
    title: 'a key from Secret Manager',
    type: FUNCTION,
    props: {
      serviceConfig: {
        environmentVariables: { RAW_DATASET: 'r' },
        secretEnvironmentVariables: [{ key: 'ITERABLE_API_KEY' }],
      },
    },
    violations: [],
  },
  {
    rule: timeoutWithinTaskDeadline,
    title: 'a 30-minute worker',
    type: FUNCTION,
    props: { serviceConfig: { timeoutSeconds: 1800 } },
    violations: [],
  },
  {
    rule: timeoutWithinTaskDeadline,
    title: 'a 60-minute worker',
    type: FUNCTION,
    props: { serviceConfig: { timeoutSeconds: 3600 } },
    violations: [/exceeds 1800/],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'a queue at 4 a minute',
    type: 'gcp:cloudtasks/queue:Queue',
    props: { rateLimits: { maxDispatchesPerSecond: 4 / 60 } },
    violations: [],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'a queue at 1 a second',
    type: 'gcp:cloudtasks/queue:Queue',
    props: { rateLimits: { maxDispatchesPerSecond: 1 } },
    violations: [/exceeds Iterable/],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'the campaign metrics queue at 10 a minute, its endpoint’s limit',
    type: 'gcp:cloudtasks/queue:Queue',
    props: { name: 'iterable-campaign-metrics', rateLimits: { maxDispatchesPerSecond: 10 / 60 } },
    violations: [],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'the campaign metrics queue at 11 a minute',
    type: 'gcp:cloudtasks/queue:Queue',
    props: { name: 'iterable-campaign-metrics', rateLimits: { maxDispatchesPerSecond: 11 / 60 } },
    violations: [/exceeds Iterable/],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'the window queue at 10 a minute, over the export limit',
    type: 'gcp:cloudtasks/queue:Queue',
    props: { name: 'iterable-windows', rateLimits: { maxDispatchesPerSecond: 10 / 60 } },
    violations: [/exceeds Iterable/],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'the export jobs queue at 1 a second, 4 at once: the jobs’ limits',
    type: 'gcp:cloudtasks/queue:Queue',
    props: {
      name: 'iterable-export-jobs',
      rateLimits: { maxDispatchesPerSecond: 1, maxConcurrentDispatches: 4 },
    },
    violations: [],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'the export jobs queue at 2 a second, 5 at once',
    type: 'gcp:cloudtasks/queue:Queue',
    props: {
      name: 'iterable-export-jobs',
      rateLimits: { maxDispatchesPerSecond: 2, maxConcurrentDispatches: 5 },
    },
    violations: [/exceeds Iterable/, /not within Iterable's 4 at once/],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'the export jobs queue with no bound on concurrency',
    type: 'gcp:cloudtasks/queue:Queue',
    props: { name: 'iterable-export-jobs', rateLimits: { maxDispatchesPerSecond: 1 } },
    violations: [/maxConcurrentDispatches undefined is not within/],
  },
  {
    rule: queueWithinIterableLimit,
    title: 'a queue with no rate',
    type: 'gcp:cloudtasks/queue:Queue',
    props: {},
    violations: [/no rateLimits/],
  },
  {
    rule: schedulerUsesOidc,
    title: 'a job with an OIDC token',
    type: 'gcp:cloudscheduler/job:Job',
    props: { httpTarget: { uri: 'https://f', oidcToken: { serviceAccountEmail: SA } } },
    violations: [],
  },
  {
    rule: schedulerUsesOidc,
    title: 'a job calling without a token',
    type: 'gcp:cloudscheduler/job:Job',
    props: { httpTarget: { uri: 'https://f' } },
    violations: [/without an OIDC token/],
  },
  {
    rule: ownServiceAccount,
    title: 'a resource of another type',
    type: 'gcp:storage/bucket:Bucket',
    props: {},
    violations: [],
  },
];

describe('policy rules', () => {
  for (const c of CASES) {
    it(`${c.rule.name}: ${c.title}`, () => {
      const found = c.rule.check(c.type, c.props);
      assert.equal(found.length, c.violations.length, found.join('; '));
      for (const [k, pattern] of c.violations.entries()) assert.match(found[k] ?? '', pattern);
    });
  }
});
