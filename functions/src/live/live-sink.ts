/**
 * Where the collector puts what it accepts: a Pub/Sub topic on GCP (`gcp/pubsub-live-sink.ts`),
 * a buffered DuckDB writer on a laptop (`local/live/`). Either way a promise that resolves means
 * the event is kept: the collector answers 2xx only after it.
 */
import type { LiveEvent, LiveReject } from './live-tables.js';

export interface LiveSink {
  publish(event: LiveEvent): Promise<void>;
  reject(reject: LiveReject): Promise<void>;
}
