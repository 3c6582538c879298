/**
 * The live half: the collector publishes each webhook to a Pub/Sub topic, and a BigQuery
 * subscription writes it to `iterable_live.events` with no code of ours (likewise for rejects).
 * A message BigQuery refuses (5 attempts) goes to a dead-letter topic, whose pull subscription
 * keeps it 7 days for a look. The raw dataset gets a loaded-edge table per export stream, which
 * the worker moves in each window's transaction, and the `loaded_edges` view the live views read.
 * https://cloud.google.com/pubsub/docs/bigquery
 * https://cloud.google.com/pubsub/docs/handling-failures#dead_letter_topic
 */
import * as gcp from '@pulumi/gcp';
import * as pulumi from '@pulumi/pulumi';
import type { ColumnType } from '../functions/src/catalog.js';
import {
  LIVE_DATASET,
  LIVE_EVENT_COLUMNS,
  LIVE_EVENTS_TABLE,
  LIVE_PARTITION_EXPIRATION_DAYS,
  LIVE_REJECT_COLUMNS,
  LIVE_REJECTS_TABLE,
} from '../functions/src/live/live-tables.js';
import { LOADED_EDGES } from '../functions/src/per-stream-tables.js';
import { perStreamTables } from './per-stream-tables.js';

const DAY_MS = 24 * 3600_000;

/** A BigQuery schema of nullable fields (https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema). */
const schema = (columns: readonly { name: string; type: ColumnType }[]): string =>
  JSON.stringify(columns.map((c) => ({ name: c.name, type: c.type, mode: 'NULLABLE' })));
/** Attempts before a message is dead-lettered; 5 is the minimum Pub/Sub allows. */
const MAX_DELIVERY_ATTEMPTS = 5;
const DEAD_LETTER_RETENTION = `${7 * 24 * 3600}s`;

export interface LiveIngestArgs {
  readonly project: string;
  readonly location: string;
  readonly namePrefix: string;
  readonly rawDatasetId: pulumi.Input<string>;
  readonly deletionProtection: boolean;
  /** The project's number, which names the Pub/Sub service agent that forwards dead letters. */
  readonly projectNumber: pulumi.Input<string>;
  /** The collector's service account: it may publish to the two topics, nothing else. */
  readonly publisher: pulumi.Input<string>;
  /** The account the BigQuery subscriptions write as: data editor on the live dataset alone. */
  readonly writer: { readonly email: pulumi.Input<string>; readonly member: pulumi.Input<string> };
  /** Members that read the live tables (the scheduled queries' views), by role name. */
  readonly readers: Readonly<Record<string, pulumi.Input<string>>>;
}

export class LiveIngest extends pulumi.ComponentResource {
  readonly eventsTopic: pulumi.Output<string>;
  readonly rejectsTopic: pulumi.Output<string>;
  readonly datasetId: pulumi.Output<string>;

  constructor(name: string, args: LiveIngestArgs, opts?: pulumi.ComponentResourceOptions) {
    super('iterable:infra:LiveIngest', name, {}, opts);
    const parent = { parent: this };
    const dataset = new gcp.bigquery.Dataset(
      `${name}-dataset`,
      {
        project: args.project,
        datasetId: LIVE_DATASET,
        location: args.location,
        description:
          'Iterable system webhooks as received, a preview of what the exports have not loaded yet',
        deleteContentsOnDestroy: !args.deletionProtection,
      },
      parent,
    );
    // Partitioned by arrival, which is always today: a webhook for an old event never lands in an
    // expired partition. The partitions expire once the exports have long covered them.
    const liveTable = (
      key: string,
      tableId: string,
      columns: readonly { name: string; type: ColumnType }[],
    ) =>
      new gcp.bigquery.Table(
        `${name}-${key}`,
        {
          project: args.project,
          datasetId: dataset.datasetId,
          tableId,
          deletionProtection: args.deletionProtection,
          schema: schema(columns),
          timePartitioning: {
            type: 'DAY',
            field: 'received_at',
            expirationMs: LIVE_PARTITION_EXPIRATION_DAYS * DAY_MS,
          },
        },
        parent,
      );
    const events = liveTable('events', LIVE_EVENTS_TABLE, LIVE_EVENT_COLUMNS);
    const rejects = liveTable('rejects', LIVE_REJECTS_TABLE, LIVE_REJECT_COLUMNS);
    perStreamTables(
      `${name}-loaded-edges`,
      LOADED_EDGES,
      {
        project: args.project,
        datasetId: args.rawDatasetId,
        deletionProtection: args.deletionProtection,
        layout: {},
      },
      parent,
    );

    const topic = (key: string) =>
      new gcp.pubsub.Topic(
        `${name}-${key}`,
        { project: args.project, name: `${args.namePrefix}-live-${key}` },
        parent,
      );
    const eventsTopic = topic('events');
    const rejectsTopic = topic('rejects');
    const deadLetters = topic('dead-letters');
    new gcp.pubsub.Subscription(
      `${name}-dead-letters`,
      {
        project: args.project,
        name: `${args.namePrefix}-live-dead-letters`,
        topic: deadLetters.id,
        messageRetentionDuration: DEAD_LETTER_RETENTION,
      },
      parent,
    );

    const writerRole = new gcp.bigquery.DatasetIamMember(
      `${name}-writer`,
      {
        project: args.project,
        datasetId: dataset.datasetId,
        role: 'roles/bigquery.dataEditor',
        member: args.writer.member,
      },
      parent,
    );
    for (const [who, member] of Object.entries(args.readers)) {
      new gcp.bigquery.DatasetIamMember(
        `${name}-reader-${who}`,
        { project: args.project, datasetId: dataset.datasetId, role: 'roles/bigquery.dataViewer', member },
        parent,
      );
    }
    // Pub/Sub's own service agent forwards dead letters: it publishes to the dead-letter topic and
    // acknowledges on the source subscription.
    const serviceAgent = pulumi.interpolate`serviceAccount:service-${args.projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;
    new gcp.pubsub.TopicIAMMember(
      `${name}-dead-letters-publisher`,
      {
        project: args.project,
        topic: deadLetters.name,
        role: 'roles/pubsub.publisher',
        member: serviceAgent,
      },
      parent,
    );

    const toBigQuery = (key: string, source: gcp.pubsub.Topic, table: gcp.bigquery.Table) => {
      const subscription = new gcp.pubsub.Subscription(
        `${name}-${key}-to-bigquery`,
        {
          project: args.project,
          name: `${args.namePrefix}-live-${key}-to-bigquery`,
          topic: source.id,
          bigqueryConfig: {
            table: pulumi.interpolate`${table.project}.${table.datasetId}.${table.tableId}`,
            // Each JSON field of a message goes to the column of the same name; the subscription
            // adds subscription_name, message_id, publish_time and attributes itself.
            useTableSchema: true,
            writeMetadata: true,
            serviceAccountEmail: args.writer.email,
          },
          deadLetterPolicy: { deadLetterTopic: deadLetters.id, maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS },
        },
        { parent: this, dependsOn: [writerRole] },
      );
      new gcp.pubsub.SubscriptionIAMMember(
        `${name}-${key}-dead-letter-subscriber`,
        {
          project: args.project,
          subscription: subscription.name,
          role: 'roles/pubsub.subscriber',
          member: serviceAgent,
        },
        parent,
      );
    };
    toBigQuery('events', eventsTopic, events);
    toBigQuery('rejects', rejectsTopic, rejects);

    for (const [key, source] of [
      ['events', eventsTopic],
      ['rejects', rejectsTopic],
    ] as const) {
      new gcp.pubsub.TopicIAMMember(
        `${name}-${key}-publisher`,
        { project: args.project, topic: source.name, role: 'roles/pubsub.publisher', member: args.publisher },
        parent,
      );
    }

    this.eventsTopic = eventsTopic.id;
    this.rejectsTopic = rejectsTopic.id;
    this.datasetId = dataset.datasetId;
    this.registerOutputs({
      eventsTopic: this.eventsTopic,
      rejectsTopic: this.rejectsTopic,
      datasetId: this.datasetId,
    });
  }
}
