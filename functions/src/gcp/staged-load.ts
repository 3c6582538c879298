/**
 * One staging table's load through Cloud Storage: text of one source format is written to objects
 * of bounded size ("parts") under the window load's own prefix in the staging bucket, then ONE
 * load job reads every part into the staging table. Load jobs are free and atomic, unlike legacy
 * streaming inserts (billed per byte, with rows in a streaming buffer that DML cannot touch).
 * https://cloud.google.com/bigquery/docs/loading-data-cloud-storage
 *
 * Why not a media upload straight to BigQuery (`table.createWriteStream`): that is one multipart
 * request held open for the whole Iterable export, sent with `maxRetries: 0, timeout: 0`
 * (@google-cloud/common `util.makeWritableStream`), so any network blip failed the window. Google
 * documents multipart uploads for "quick transfer of smaller files" and resumable ones "for
 * reliable transfer, especially important with larger files"
 * (https://cloud.google.com/bigquery/docs/reference/api-uploads).
 *
 * How @google-cloud/storage 7 retries a resumable upload (googleapis/nodejs-storage, src/file.ts
 * and src/resumable-upload.ts), and the options below that follow from it:
 * - `file.createWriteStream` turns retries off unless the upload is idempotent: with the default
 *   `IdempotencyStrategy.RetryConditional` that takes an `ifGenerationMatch` precondition
 *   (`shouldRetryBasedOnPreconditionAndIdempotencyStrat`). Each part has a name of its own, so
 *   `ifGenerationMatch: 0` (the object must not exist yet) is always true on the first try.
 * - Without `chunkSize` the whole part goes in one PUT and only the last buffer is kept: after a
 *   failure mid-request the library asks the server how much it holds and, if that is less than
 *   it sent, stops with "The offset is lower than the number of bytes written … Initiate a new
 *   upload". With `chunkSize` each PUT carries one chunk, which stays in memory until the server
 *   acknowledges it (308 and its `Range`), so a chunk that failed with 408/429/5xx or a reset
 *   connection (`RETRYABLE_ERR_FN_DEFAULT`) is sent again from the server's offset, up to
 *   `retryOptions.maxRetries` times with exponential backoff. Memory per open part: one chunk.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Table } from '@google-cloud/bigquery';
import type { Bucket, File } from '@google-cloud/storage';
import type { TableField } from './raw-schema.js';

/** The load configuration's source format and the options that go with it. */
export type SourceFormat = { readonly sourceFormat: 'NEWLINE_DELIMITED_JSON' | 'CSV' } & Readonly<
  Record<string, string | boolean>
>;

export const NDJSON: SourceFormat = { sourceFormat: 'NEWLINE_DELIMITED_JSON' };

/** A resumable upload's chunks, except the last, are multiples of 256 KiB (https://cloud.google.com/storage/docs/performing-resumable-uploads#chunked-upload). */
export const CHUNK_MULTIPLE = 256 * 1024;

export interface PartSizes {
  /**
   * A part is closed once it holds this many bytes (a write's text is never split, so it may
   * end a little past it). A load job takes at most 10,000 source URIs
   * (https://cloud.google.com/bigquery/quotas#load_jobs): parts of 64 MiB reach that at 625 GiB,
   * far beyond any window a worker can export in 30 minutes.
   */
  readonly partBytes: number;
  /** Bytes per upload request, kept in memory until acknowledged; a multiple of `CHUNK_MULTIPLE`. */
  readonly chunkBytes: number;
}

/** Google recommends chunks of at least 8 MiB (https://cloud.google.com/storage/docs/performing-resumable-uploads#chunked-upload). */
export const DEFAULT_PART_SIZES: PartSizes = { partBytes: 64 * 1024 * 1024, chunkBytes: 8 * 1024 * 1024 };

export interface StagedLoadOptions {
  readonly format: SourceFormat;
  readonly fields: readonly TableField[];
  /** Prefix of the load job's id, so the job is easy to find in the console's job history. */
  readonly jobPrefix: string;
  /** Object names of the parts begin with it; unique per window load and staging table. */
  readonly objectPrefix: string;
  readonly sizes: PartSizes;
}

interface Part {
  readonly stream: Writable;
  /** Settles when the object is written (checksum compared) or the upload has failed. */
  readonly written: Promise<void>;
  bytes: number;
}

export class StagedLoad {
  private part: Part | null = null;
  private readonly files: File[] = [];

  constructor(
    private readonly bucket: Bucket,
    private readonly table: Table,
    private readonly options: StagedLoadOptions,
  ) {
    if (options.sizes.chunkBytes <= 0 || options.sizes.chunkBytes % CHUNK_MULTIPLE !== 0) {
      throw new Error(`chunkBytes ${options.sizes.chunkBytes} is not a positive multiple of 256 KiB`);
    }
  }

  /** Every part begun, written or not: what to delete once the load is over. */
  get objects(): readonly File[] {
    return this.files;
  }

  /** Writes whole lines of the format, waiting while the upload is behind so memory stays flat. */
  async write(text: string): Promise<void> {
    if (text.length === 0) return;
    const part = this.part ?? this.openPart();
    part.bytes += Buffer.byteLength(text);
    if (!part.stream.write(text)) await Promise.race([once(part.stream, 'drain'), part.written]);
    if (part.bytes >= this.options.sizes.partBytes) await this.closePart();
  }

  /** Finishes the last part, then loads every part in one job and waits for it; a failure throws. */
  async finish(): Promise<void> {
    await this.closePart();
    if (this.files.length === 0) return;
    const { format, fields, jobPrefix } = this.options;
    const [job] = await this.table.createLoadJob([...this.files], {
      ...format,
      schema: { fields: fields.map((f) => ({ ...f })) },
      // The staging table is created empty beforehand, so a window that stages nothing still
      // has a table for the transaction to read from.
      createDisposition: 'CREATE_NEVER',
      writeDisposition: 'WRITE_APPEND',
      jobPrefix,
    });
    await job.promise();
  }

  /** Abandons the part being written: an unfinished resumable upload never becomes an object. */
  abort(): void {
    this.part?.stream.destroy();
    this.part = null;
  }

  private openPart(): Part {
    const { objectPrefix, format, sizes } = this.options;
    const extension = format.sourceFormat === 'CSV' ? 'csv' : 'ndjson';
    const file = this.bucket.file(
      `${objectPrefix}-${String(this.files.length).padStart(5, '0')}.${extension}`,
    );
    const stream = file.createWriteStream({
      resumable: true,
      chunkSize: sizes.chunkBytes,
      preconditionOpts: { ifGenerationMatch: 0 },
      // The server's MD5 of the object is compared with the one computed while sending. Not the
      // default CRC32C: the library computes that in JavaScript, which cost the worker half again
      // its CPU time (bench/README.md, section 3), while Node's MD5 is OpenSSL's. Cloud Storage
      // gives every object that is not a composite an MD5 (https://cloud.google.com/storage/docs/hashes-etags).
      validation: 'md5',
      metadata: { contentType: extension === 'csv' ? 'text/csv' : 'application/x-ndjson' },
    });
    const written = finished(stream);
    // Observed by closePart() or the race in write(); an aborted part's rejection must not surface.
    written.catch(() => {});
    this.files.push(file);
    this.part = { stream, written, bytes: 0 };
    return this.part;
  }

  private async closePart(): Promise<void> {
    const part = this.part;
    if (part === null) return;
    this.part = null;
    part.stream.end();
    await part.written;
  }
}
