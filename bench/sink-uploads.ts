/** How the benchmark asks the sink (`bigquery-sink.ts`) what the load jobs read. */
export const SINK_UPLOADS_PATH = '/_sink/uploads';

/** Totals over every load job run by the sink so far, and the staged objects it read. */
export interface SinkUploads {
  readonly loadJobs: number;
  readonly objects: number;
  readonly bytes: number;
  readonly lines: number;
  /** Staged objects still in the bucket: the worker deletes each window's after its load. */
  readonly left: number;
}
