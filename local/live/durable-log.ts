/**
 * The local durable buffer in front of DuckDB: an accepted webhook is appended to a segment file
 * and synced to disk (one `write` + `fdatasync` shared by every request that arrived meanwhile)
 * before the collector answers 2xx; DuckDB gets it moments later, in bigger batches, off the
 * request's path. A segment file is deleted once every record in it is committed to DuckDB, so
 * what a restart finds in the folder is exactly what may not have reached DuckDB: it is replayed
 * (skipping records already there, since a crash can fall between the commit and the delete).
 * Why not commit each group to DuckDB directly: a commit plans and runs an INSERT on DuckDB's
 * threads, tens of milliseconds on a busy 2-core machine, where an append+sync costs ~4 ms.
 */
import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { GroupCommit } from './group-commit.js';

export type LiveTable = 'events' | 'rejects';

/**
 * One accepted message, as the stand-in subscription will write it to its live table: its JSON
 * text is made once, written to the buffer as `<table>\t<json>` and handed to DuckDB as is.
 */
export interface Logged {
  readonly table: LiveTable;
  readonly json: string;
}

const TABLES: readonly string[] = ['events', 'rejects'] satisfies readonly LiveTable[];

/** Records made durable together, all in one segment. */
export interface DurableGroup {
  readonly segment: number;
  readonly records: readonly Logged[];
}

/** A segment closes after this many records, so a moved segment can be deleted while load goes on. */
const SEGMENT_RECORDS = 20_000;
/** Appends per write at most: bounds one write's memory in a burst. */
const MAX_GROUP = 5_000;

const segmentName = (n: number): string => `segment-${String(n).padStart(10, '0')}.ndjson`;
const SEGMENT = /^segment-(\d{10})\.ndjson$/;

interface Segment {
  readonly path: string;
  appended: number;
  moved: number;
}

export class DurableLog {
  private readonly segments = new Map<number, Segment>();
  private current: { readonly n: number; readonly file: FileHandle } | null = null;
  private readonly appends: GroupCommit<Logged>;

  private constructor(
    private readonly dir: string,
    private next: number,
    private readonly onDurable: (group: DurableGroup) => void,
  ) {
    this.appends = new GroupCommit((records) => this.write(records), MAX_GROUP);
  }

  /**
   * Opens the buffer folder. `leftover` is what a previous run left in it, per segment: the caller
   * replays it into DuckDB and reports it with `moved` like any other group.
   */
  static open(
    dir: string,
    onDurable: (group: DurableGroup) => void,
  ): { readonly log: DurableLog; readonly leftover: readonly DurableGroup[] } {
    mkdirSync(dir, { recursive: true });
    const numbers = readdirSync(dir)
      .flatMap((name) => {
        const match = SEGMENT.exec(name);
        return match ? [Number(match[1])] : [];
      })
      .sort((a, b) => a - b);
    const log = new DurableLog(dir, (numbers.at(-1) ?? 0) + 1, onDurable);
    const leftover = numbers.map((n) => {
      const path = join(dir, segmentName(n));
      const records = readSegment(path);
      log.segments.set(n, { path, appended: records.length, moved: 0 });
      return { segment: n, records };
    });
    for (const { segment, records } of leftover) if (records.length === 0) log.moved(segment, 0);
    return { log, leftover };
  }

  /** Resolves once the record is on disk: from then on a crash cannot lose it. */
  append(record: Logged): Promise<void> {
    return this.appends.add(record);
  }

  /** Says that `count` records of a segment are committed to DuckDB; a segment fully moved goes. */
  moved(segment: number, count: number): void {
    const s = this.segments.get(segment);
    if (s === undefined) return;
    s.moved += count;
    if (s.moved >= s.appended && this.current?.n !== segment) {
      unlinkSync(s.path);
      this.segments.delete(segment);
    }
  }

  /** Resolves once the appends in flight are on disk and handed on. */
  flush(): Promise<void> {
    return this.appends.flush();
  }

  /** Waits for the appends in flight, then closes the open segment (deleting it if fully moved). */
  async close(): Promise<void> {
    await this.appends.flush();
    const current = this.current;
    if (current === null) return;
    this.current = null;
    await current.file.close();
    this.moved(current.n, 0);
  }

  private async write(records: readonly Logged[]): Promise<void> {
    const segment = await this.segmentFor(records.length);
    const text = records.map((r) => `${r.table}\t${r.json}\n`).join('');
    await segment.file.write(text);
    // fdatasync: the data is on disk once this resolves, which is what a 2xx promises.
    await segment.file.datasync();
    const s = this.segments.get(segment.n) as Segment;
    s.appended += records.length;
    this.onDurable({ segment: segment.n, records });
  }

  /** The open segment, or a new one once it holds `SEGMENT_RECORDS` (appends run one at a time). */
  private async segmentFor(adding: number): Promise<{ readonly n: number; readonly file: FileHandle }> {
    const segment = this.current;
    if (segment !== null && (this.segments.get(segment.n)?.appended ?? 0) + adding <= SEGMENT_RECORDS)
      return segment;
    if (segment !== null) {
      this.current = null;
      await segment.file.close();
      this.moved(segment.n, 0);
    }
    const n = this.next++;
    const path = join(this.dir, segmentName(n));
    this.current = { n, file: await open(path, 'a') };
    this.segments.set(n, { path, appended: 0, moved: 0 });
    return this.current;
  }
}

/**
 * A segment's records. Only a write cut short by a crash leaves an unreadable line (it was never
 * answered 2xx), so a line without its table or whose JSON does not parse is skipped.
 */
function readSegment(path: string): Logged[] {
  const records: Logged[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    const table = line.slice(0, tab);
    const json = line.slice(tab + 1);
    if (tab > 0 && TABLES.includes(table) && isJson(json)) records.push({ table: table as LiveTable, json });
  }
  return records;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
