/**
 * The worker's load staging bucket under mocks: where it is, what expires it, who may use it and
 * how the worker learns its name (functions/src/gcp/staged-load.ts stages window loads in it).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FUNCTION_NAMES } from '../../functions/src/register.js';
import { RULES } from '../../infra/policy/rules.js';
import { type MockedProgram, type MockResource, PROJECT, runProgram } from './mock-program.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});

const WORKER = `serviceAccount:iterable-worker@${PROJECT}.iam.gserviceaccount.com`;
const BUCKET = `${PROJECT}-iterable-load-staging`;

describe('the load staging bucket under mocks', () => {
  let program: MockedProgram;
  const ofType = (suffix: string): MockResource[] => program.resources.filter((r) => r.type.endsWith(suffix));
  const staging = (): MockResource => {
    const bucket = ofType('storage/bucket:Bucket').find((b) => b.inputs.name === BUCKET);
    assert.ok(bucket, `a bucket named ${BUCKET}`);
    return bucket;
  };

  before(async () => {
    program = await runProgram({ 'iterable-bigquery-pipeline:bigqueryLocation': 'EU' });
  });

  it('lives where the datasets do, with uniform access, no public access and no soft delete', () => {
    const { inputs } = staging();
    assert.equal(inputs.location, 'EU');
    for (const dataset of ofType('bigquery/dataset:Dataset')) assert.equal(dataset.inputs.location, 'EU');
    assert.equal(inputs.uniformBucketLevelAccess, true);
    assert.equal(inputs.publicAccessPrevention, 'enforced');
    assert.deepEqual(inputs.softDeletePolicy, { retentionDurationSeconds: 0 });
  });

  it('deletes objects a day old, what a crashed worker left behind, and passes every policy rule', () => {
    const bucket = staging();
    assert.deepEqual(bucket.inputs.lifecycleRules, [{ action: { type: 'Delete' }, condition: { age: 1 } }]);
    assert.deepEqual(
      RULES.flatMap((rule) => rule.check(bucket.type, bucket.inputs)),
      [],
    );
  });

  it('grants the worker object use on that bucket alone, and no storage role on the project', () => {
    const grants = program.resources.filter((r) => /IAMMember$|IamMember$/.test(r.type));
    const onBucket = grants.filter((g) => g.inputs.bucket === BUCKET);
    assert.deepEqual(
      onBucket.map((g) => [g.type, g.inputs.role, g.inputs.member]),
      [['gcp:storage/bucketIAMMember:BucketIAMMember', 'roles/storage.objectUser', WORKER]],
    );
    const workerStorageRoles = grants.filter(
      (g) =>
        g.inputs.member === WORKER &&
        String(g.inputs.role).startsWith('roles/storage.') &&
        g.inputs.bucket !== BUCKET,
    );
    assert.deepEqual(
      workerStorageRoles.map((g) => `${g.type} ${g.inputs.role}`),
      [],
    );
  });

  it('tells the worker the bucket’s name, and deploys it only once its grant exists', () => {
    const worker = ofType('cloudfunctionsv2/function:Function').find(
      (f) => obj(f.inputs.buildConfig).entryPoint === FUNCTION_NAMES.worker,
    );
    assert.ok(worker);
    assert.equal(obj(obj(worker.inputs.serviceConfig).environmentVariables).LOAD_STAGING_BUCKET, BUCKET);
    const [grant] = ofType('storage/bucketIAMMember:BucketIAMMember').filter(
      (g) => g.inputs.bucket === BUCKET,
    );
    assert.ok(grant);
    assert.ok(worker.dependsOn.includes(grant.name), 'the worker waits for its grant on the bucket');
  });
});
