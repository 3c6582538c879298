/**
 * The collector's sink on GCP: one Pub/Sub topic for events and one for rejects, each drained
 * into its `iterable_live` table by a BigQuery subscription (infra/live.ts), with no code of ours.
 * `publishMessage` resolves once Pub/Sub has stored the message, so the collector's 2xx comes
 * after that. Messages are batched for a few milliseconds at most: a webhook's answer waits for
 * its batch (https://cloud.google.com/pubsub/docs/batch-messaging).
 *
 * A BigQuery subscription with `useTableSchema` writes each JSON field to the column of the same
 * name; TIMESTAMP columns take integer microseconds since the epoch, and a JSON column takes the
 * JSON text (https://cloud.google.com/pubsub/docs/bigquery#schema_compatibility).
 */
import type { PubSub } from '@google-cloud/pubsub';
import type { LiveSink } from '../live/live-sink.js';
import type { LiveEvent, LiveReject } from '../live/live-tables.js';

export interface LiveTopics {
  /** Full topic names, `projects/<project>/topics/<topic>`. */
  readonly events: string;
  readonly rejects: string;
}

/** A webhook waits at most this long for its batch to leave; bursts fill batches sooner. */
const BATCHING = { maxMessages: 500, maxMilliseconds: 5 } as const;

const micros = (ms: number): number => ms * 1000;

export const eventMessage = (event: LiveEvent): Record<string, unknown> => ({
  ...event,
  created_at: micros(event.created_at),
  received_at: micros(event.received_at),
});

export const rejectMessage = (reject: LiveReject): Record<string, unknown> => ({
  ...reject,
  received_at: micros(reject.received_at),
});

export function pubsubLiveSink(pubsub: PubSub, topics: LiveTopics): LiveSink {
  const events = pubsub.topic(topics.events, { batching: BATCHING });
  const rejects = pubsub.topic(topics.rejects, { batching: BATCHING });
  return {
    async publish(event) {
      await events.publishMessage({ json: eventMessage(event) });
    },
    async reject(reject) {
      await rejects.publishMessage({ json: rejectMessage(reject) });
    },
  };
}
