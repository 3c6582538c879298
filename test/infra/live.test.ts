/**
 * The live half of the Pulumi program under mocks: the webhook tables and their BigQuery
 * subscriptions, the dead-letter topic, the loaded-edges table, the collector's narrow grants and
 * its one public invoker, which the policy pack allows for that function alone.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  LIVE_EVENT_COLUMNS,
  LIVE_PARTITION_EXPIRATION_DAYS,
  LIVE_REJECT_COLUMNS,
  LOADED_EDGE_COLUMNS,
} from '../../functions/src/live/live-tables.js';
import { noPublicAccess, onePublicFunction } from '../../infra/policy/rules.js';
import {
  type MockedProgram,
  type MockResource,
  PROJECT,
  PROJECT_NUMBER,
  runProgram,
  WEBHOOK_AUTHORIZATION,
} from './mock-program.js';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' ? (value as Json) : {});
const columns = (table: MockResource): string[] =>
  (JSON.parse(String(table.inputs.schema)) as { name: string; type: string }[]).map(
    (f) => `${f.name}:${f.type}`,
  );
const COLLECTOR = `serviceAccount:iterable-collector@${PROJECT}.iam.gserviceaccount.com`;

describe('the live half of the Pulumi program', () => {
  let program: MockedProgram;
  const ofType = (suffix: string): MockResource[] => program.resources.filter((r) => r.type.endsWith(suffix));
  const table = (datasetId: string, tableId: string): MockResource => {
    const found = ofType('bigquery/table:Table').find(
      (t) => t.inputs.datasetId === datasetId && t.inputs.tableId === tableId,
    );
    assert.ok(found, `${datasetId}.${tableId}`);
    return found;
  };

  before(async () => {
    program = await runProgram();
  });

  it('creates iterable_live.events and rejects, partitioned by day of arrival with an expiration', () => {
    for (const [tableId, expected] of [
      ['events', LIVE_EVENT_COLUMNS],
      ['rejects', LIVE_REJECT_COLUMNS],
    ] as const) {
      const live = table('iterable_live', tableId);
      assert.deepEqual(
        columns(live),
        expected.map((c) => `${c.name}:${c.type}`),
      );
      assert.deepEqual(live.inputs.timePartitioning, {
        type: 'DAY',
        field: 'received_at',
        expirationMs: LIVE_PARTITION_EXPIRATION_DAYS * 24 * 3600_000,
      });
    }
    assert.deepEqual(
      columns(table('iterable_raw', 'email_send_loaded_edge')),
      LOADED_EDGE_COLUMNS.map((c) => `${c.name}:${c.type}`),
    );
  });

  it('writes each topic to its table through a BigQuery subscription with a dead-letter topic', () => {
    const subscriptions = ofType('pubsub/subscription:Subscription');
    for (const key of ['events', 'rejects']) {
      const sub = subscriptions.find((s) => s.inputs.name === `iterable-live-${key}-to-bigquery`);
      assert.ok(sub, key);
      assert.equal(sub.inputs.topic, `live-${key}-id`);
      assert.deepEqual(sub.inputs.bigqueryConfig, {
        table: `${PROJECT}.iterable_live.${key}`,
        useTableSchema: true,
        writeMetadata: true,
        serviceAccountEmail: `iterable-live-writer@${PROJECT}.iam.gserviceaccount.com`,
      });
      assert.deepEqual(sub.inputs.deadLetterPolicy, {
        deadLetterTopic: 'live-dead-letters-id',
        maxDeliveryAttempts: 5,
      });
    }
    const kept = subscriptions.find((s) => s.inputs.topic === 'live-dead-letters-id');
    assert.ok(kept, 'dead letters are kept by a subscription of their own');
    const agent = `serviceAccount:service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    const agentGrants = program.resources
      .filter((r) => r.inputs.member === agent)
      .map((r) => String(r.inputs.role));
    assert.deepEqual(agentGrants.sort(), [
      'roles/pubsub.publisher',
      'roles/pubsub.subscriber',
      'roles/pubsub.subscriber',
    ]);
  });

  it('lets the collector’s account publish to its two topics and read its secret, nothing else', () => {
    const grants = program.resources
      .filter((r) => JSON.stringify(r.inputs).includes(COLLECTOR) && /Iam|IAM/.test(r.type))
      .map(
        (r) =>
          `${r.type.split(':')[1]} ${String(r.inputs.topic ?? r.inputs.secretId)} ${String(r.inputs.role)}`,
      );
    assert.deepEqual(grants.sort(), [
      'pubsub/topicIAMMember iterable-live-events roles/pubsub.publisher',
      'pubsub/topicIAMMember iterable-live-rejects roles/pubsub.publisher',
      'secretmanager/secretIamMember iterable-webhook-authorization roles/secretmanager.secretAccessor',
    ]);
  });

  it('deploys the collector with its topics, and its secret only through Secret Manager', () => {
    const collector = ofType('cloudfunctionsv2/function:Function').find(
      (f) => obj(f.inputs.buildConfig).entryPoint === 'collector',
    );
    assert.ok(collector);
    const config = obj(collector.inputs.serviceConfig);
    assert.equal(config.serviceAccountEmail, `iterable-collector@${PROJECT}.iam.gserviceaccount.com`);
    const env = obj(config.environmentVariables);
    assert.equal(env.LIVE_EVENTS_TOPIC, 'live-events-id');
    assert.equal(env.LIVE_REJECTS_TOPIC, 'live-rejects-id');
    assert.deepEqual(config.secretEnvironmentVariables, [
      {
        key: 'WEBHOOK_AUTHORIZATION',
        projectId: PROJECT,
        secret: 'iterable-webhook-authorization',
        version: '1',
      },
    ]);
    const holders = program.resources
      .filter((r) => JSON.stringify(r.inputs).includes(WEBHOOK_AUTHORIZATION))
      .map((r) => r.type);
    assert.deepEqual(holders, ['gcp:secretmanager/secretVersion:SecretVersion']);
    assert.match(String(program.outputs.collectorUrl), /^https:\/\/iterable-collector/);
  });
});

describe('the policy pack’s one public function', () => {
  const grant = (name: string, role = 'roles/run.invoker', member = 'allUsers') => ({
    type: 'gcp:cloudrunv2/serviceIamMember:ServiceIamMember',
    props: { name, role, member, location: 'europe-west1', project: PROJECT },
  });
  const cases = [
    { name: 'allUsers invoking the collector', g: grant('iterable-collector'), violations: 0 },
    { name: 'allUsers invoking the worker', g: grant('iterable-worker'), violations: 1 },
    {
      name: 'allAuthenticatedUsers invoking the collector',
      g: grant('iterable-collector', undefined, 'allAuthenticatedUsers'),
      violations: 1,
    },
    {
      name: 'allUsers as admin of the collector',
      g: grant('iterable-collector', 'roles/run.admin'),
      violations: 1,
    },
  ];
  for (const { name, g, violations } of cases) {
    it(`${violations === 0 ? 'allows' : 'refuses'} ${name}`, () => {
      assert.equal(noPublicAccess.check(g.type, g.props).length, violations);
    });
  }

  it('refuses a second public invoker grant in the stack', () => {
    assert.deepEqual(onePublicFunction.check([grant('iterable-collector')]), []);
    assert.equal(onePublicFunction.check([grant('iterable-collector'), grant('other-collector')]).length, 1);
  });
});
