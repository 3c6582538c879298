/**
 * One load job fed as a stream of text in one source format. Load jobs are free and atomic, unlike
 * legacy streaming inserts (billed per byte, and rows sit in a streaming buffer that DML cannot
 * touch). https://cloud.google.com/bigquery/docs/loading-data-local#loading_data_from_a_local_data_source
 * The upload starts with the first text written, so a window without rejects runs no rejects job.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Table } from '@google-cloud/bigquery';
import type { TableField } from './raw-schema.js';

/** The load configuration's source format and the options that go with it. */
export type SourceFormat = { readonly sourceFormat: 'NEWLINE_DELIMITED_JSON' | 'CSV' } & Readonly<
  Record<string, string | boolean>
>;

export const NDJSON: SourceFormat = { sourceFormat: 'NEWLINE_DELIMITED_JSON' };

export interface LoadJobStreamOptions {
  readonly format: SourceFormat;
  readonly fields: readonly TableField[];
  /** Prefix of the load job's id, so the job is easy to find in the console's job history. */
  readonly jobPrefix: string;
}

export class LoadJobStream {
  private stream: Writable | null = null;
  private completed: Promise<void> | null = null;

  constructor(
    private readonly table: Table,
    private readonly options: LoadJobStreamOptions,
  ) {}

  /** Writes whole lines of the format, waiting while the upload is behind so memory stays flat. */
  async write(text: string): Promise<void> {
    if (text.length === 0) return;
    const stream = this.stream ?? this.open();
    if (!stream.write(text)) await once(stream, 'drain');
  }

  /** Ends the upload and waits for the load job to finish; a failed job throws its error. */
  async finish(): Promise<void> {
    if (this.stream === null || this.completed === null) return;
    this.stream.end();
    await this.completed;
  }

  /** Abandons the upload: an unfinished multipart upload never becomes a job. */
  abort(): void {
    this.stream?.destroy();
  }

  private open(): Writable {
    const stream = this.table.createWriteStream({
      ...this.options.format,
      schema: { fields: this.options.fields.map((f) => ({ ...f })) },
      // The staging table is created empty beforehand, so a window that stages nothing still
      // has a table for the transaction to read from.
      createDisposition: 'CREATE_NEVER',
      writeDisposition: 'WRITE_APPEND',
      jobPrefix: this.options.jobPrefix,
    });
    this.completed = new Promise<void>((resolve, reject) => {
      stream.once('complete', () => resolve());
      stream.once('error', reject);
    });
    // Observed by finish(); an aborted load's rejection must not surface as unhandled.
    this.completed.catch(() => {});
    this.stream = stream;
    return stream;
  }
}
