/** How the benchmark asks the BigQuery sink (`bigquery-sink.ts`) what the uploads held. */
export const SINK_UPLOADS_PATH = '/_sink/uploads';

/** Totals over every load job uploaded to the sink so far. */
export interface SinkUploads {
  readonly uploads: number;
  readonly bytes: number;
  readonly lines: number;
}
