/**
 * The analytics API in the Pulumi program (under mocks, with `apiInvokers` set): its own service
 * account that reads only the analytics dataset, invoker grants to exactly the configured members
 * and never to the public, and a config that refuses public members outright.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readApiInvokers } from '../../infra/api-function.js';
import { RULES } from '../../infra/policy/rules.js';
import { type MockedProgram, type MockResource, PROJECT, runProgram } from './mock-program.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});
const API_ACCOUNT = `serviceAccount:iterable-api@${PROJECT}.iam.gserviceaccount.com`;
const INVOKERS = ['group:analysts@example.com', `serviceAccount:sheets@${PROJECT}.iam.gserviceaccount.com`];

describe('the api function under mocks', () => {
  let program: MockedProgram;
  const ofType = (suffix: string): MockResource[] => program.resources.filter((r) => r.type.endsWith(suffix));

  before(async () => {
    program = await runProgram({ 'iterable-bigquery-pipeline:apiInvokers': INVOKERS.join(', ') });
  });

  it('deploys the api entry point as its own service account, and outputs its URL', () => {
    const fn = ofType('cloudfunctionsv2/function:Function').find(
      (f) => obj(f.inputs.buildConfig).entryPoint === 'api',
    );
    assert.ok(fn);
    assert.equal(
      obj(fn.inputs.serviceConfig).serviceAccountEmail,
      `iterable-api@${PROJECT}.iam.gserviceaccount.com`,
    );
    assert.equal(program.outputs.apiUrl, 'https://iterable-api-x7.a.run.app');
  });

  it('puts no API Gateway in front of it without API keys', () => {
    assert.deepEqual(ofType('apigateway/gateway:Gateway'), []);
    assert.equal(program.outputs.apiKeyUrl, undefined);
  });

  it('lets exactly the configured members invoke it, and no public member', () => {
    const invokers = ofType('cloudrunv2/serviceIamMember:ServiceIamMember')
      .filter((m) => m.inputs.name === 'iterable-api')
      .map((m) => `${String(m.inputs.role)} ${String(m.inputs.member)}`);
    assert.deepEqual(
      invokers.sort(),
      INVOKERS.map((m) => `roles/run.invoker ${m}`),
    );
    // The API's own resources (the collector's webhook endpoint is public by design, issue 18).
    const own = program.resources.filter(
      (r) => r.name.startsWith('api-') || r.inputs.name === 'iterable-api',
    );
    assert.ok(own.length >= 5);
    for (const resource of own) {
      assert.doesNotMatch(JSON.stringify(resource.inputs), /allUsers|allAuthenticatedUsers/, resource.name);
      for (const rule of RULES)
        assert.deepEqual(rule.check(resource.type, resource.inputs), [], resource.name);
    }
  });

  it('gives its account read access to the analytics dataset, query jobs and the watermarks only', () => {
    const grants = program.resources
      .filter((r) => r.inputs.member === API_ACCOUNT)
      .map((r) => `${r.type.split(':').pop()} ${String(r.inputs.role)} ${String(r.inputs.datasetId ?? '')}`);
    assert.deepEqual(grants.sort(), [
      'DatasetIamMember roles/bigquery.dataViewer iterable_analytics',
      'IAMMember roles/bigquery.jobUser ',
      'IAMMember roles/datastore.viewer ',
    ]);
  });
});

describe('apiInvokers', () => {
  it('refuses public and malformed members', () => {
    for (const bad of ['allUsers', 'allAuthenticatedUsers', 'user:a@b.c,allUsers', 'ana@example.com']) {
      assert.throws(() => readApiInvokers(bad), /never allUsers/, bad);
    }
    assert.deepEqual(readApiInvokers(undefined), []);
    assert.deepEqual(readApiInvokers(' user:a@b.c , domain:example.com'), [
      'user:a@b.c',
      'domain:example.com',
    ]);
  });
});
