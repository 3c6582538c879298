/** Builds the collector's Pub/Sub sink; imported on first use (`deferred.ts`). */
import { PubSub } from '@google-cloud/pubsub';
import type { LiveSink } from '../live/live-sink.js';
import { type LiveTopics, pubsubLiveSink } from './pubsub-live-sink.js';

export function openLiveSink(projectId: string, topics: LiveTopics): LiveSink {
  return pubsubLiveSink(new PubSub({ projectId }), topics);
}
