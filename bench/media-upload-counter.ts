/**
 * Reads a media upload (`multipart/related`: the job resource as JSON, then the data) as it
 * streams past, holding only the metadata part: the data part is counted and dropped, so a sink
 * built on it never stores what a window of millions of records uploads.
 * https://cloud.google.com/bigquery/docs/reference/api-uploads#multipart
 */

/** The metadata part is a job resource of a few KiB; more than this is not a load job. */
const MAX_HEAD_BYTES = 1024 * 1024;
const NEWLINE = 10;

export interface UploadCount {
  /** The job resource sent as the first part. */
  readonly metadata: string;
  readonly bytes: number;
  /** Newline-ended lines of the data part: one per staged row (CSV or NDJSON). */
  readonly lines: number;
}

export class MediaUploadCounter {
  private readonly delimiter: string;
  private readonly closing: Buffer;
  /** What came before the data part, until it starts; then `null`. */
  private head: Buffer | null = Buffer.alloc(0);
  private metadata = '';
  /** The last bytes seen, to check and leave out the closing delimiter. */
  private tail = Buffer.alloc(0);
  private bytes = 0;
  private lines = 0;

  constructor(boundary: string) {
    this.delimiter = `\r\n--${boundary}`;
    this.closing = Buffer.from(`${this.delimiter}--`);
  }

  write(chunk: Buffer): void {
    if (this.head === null) {
      this.count(chunk);
      return;
    }
    const head = Buffer.concat([this.head, chunk]);
    // latin1 maps bytes to characters one to one, so string positions are byte offsets.
    const text = head.toString('latin1');
    const metadataStart = text.indexOf('\r\n\r\n') + 4;
    const metadataEnd = metadataStart < 4 ? -1 : text.indexOf(this.delimiter, metadataStart);
    const dataStart = metadataEnd < 0 ? -1 : text.indexOf('\r\n\r\n', metadataEnd) + 4;
    if (dataStart < 4) {
      if (head.length > MAX_HEAD_BYTES) throw new Error('no data part in the first MiB of the upload');
      this.head = head;
      return;
    }
    this.metadata = head.subarray(metadataStart, metadataEnd).toString('utf8');
    this.head = null;
    this.count(head.subarray(dataStart));
  }

  /** The count, once the body has ended; the closing delimiter is not data. */
  end(): UploadCount {
    if (this.head !== null || !this.tail.equals(this.closing)) throw new Error('the upload ended early');
    return { metadata: this.metadata, bytes: this.bytes - this.closing.length, lines: this.lines - 1 };
  }

  private count(data: Buffer): void {
    this.bytes += data.length;
    for (let at = data.indexOf(NEWLINE); at >= 0; at = data.indexOf(NEWLINE, at + 1)) this.lines++;
    const keep = this.closing.length;
    this.tail =
      data.length >= keep
        ? Buffer.from(data.subarray(data.length - keep))
        : Buffer.concat([this.tail, data]).subarray(-keep);
  }
}
