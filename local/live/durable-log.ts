/**
 * The local durable buffer in front of DuckDB: an accepted webhook is appended to a segment file
 * and synced to disk (one `write` + `fdatasync` shared by every request that arrived meanwhile,
 * a few of them in flight at once) before the collector answers 2xx; DuckDB gets it moments
 * later, in bigger batches, off the request's path. A segment file is deleted once every record
 * in it is committed to DuckDB, so what a restart finds in the folder is exactly what may not have
 * reached DuckDB: it is replayed (skipping records already there, since a crash can fall between
 * the commit and the delete). Why not commit each group to DuckDB directly: a commit costs a
 * write-ahead-log sync and tens of milliseconds on a busy 2-core machine, where an append+sync
 * costs ~1–4 ms.
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
export interface DurableGroup<R extends Logged = Logged> {
  readonly segment: number;
  readonly records: readonly R[];
}

/** A segment closes after this many records, so a moved segment can be deleted while load goes on. */
const SEGMENT_RECORDS = 20_000;
/** Appends per write at most: bounds one write's memory in a burst. */
const MAX_GROUP = 5_000;
/**
 * Appends+syncs in flight at once. An `fdatasync` on the bench machine's virtual disk takes
 * 1–10 ms (20–70 ms at its p99 when the disk is shared), and two or four at once complete 1.5–2.3
 * times as many per second as one after the other (`write` + `fdatasync` loops on one file,
 * bench/README.md section 6): the requests that arrive during a sync start the next one instead
 * of waiting for it.
 */
const SYNCS_IN_FLIGHT = 3;

const segmentName = (n: number): string => `segment-${String(n).padStart(10, '0')}.ndjson`;
const SEGMENT = /^segment-(\d{10})\.ndjson$/;

interface Segment {
  readonly n: number;
  readonly path: string;
  /** Null for a segment a previous run left, which is only read. */
  readonly file: Promise<FileHandle> | null;
  /** Records given to writes (durable or in flight): the segment goes once as many are moved. */
  appended: number;
  moved: number;
  writing: number;
  /** No more records go to this segment. */
  full: boolean;
}

/** `R`: the records as appended, handed back as they are once durable (a restart reads `Logged`). */
export class DurableLog<R extends Logged = Logged> {
  private readonly segments = new Map<number, Segment>();
  private current: Segment | null = null;
  private readonly appends: GroupCommit<R>;
  private readonly closing = new Set<Promise<void>>();

  private constructor(
    private readonly dir: string,
    private next: number,
    private readonly onDurable: (group: DurableGroup<R>) => void,
  ) {
    this.appends = new GroupCommit((records) => this.write(records), {
      maxItems: MAX_GROUP,
      maxInFlight: SYNCS_IN_FLIGHT,
    });
  }

  /**
   * Opens the buffer folder. `leftover` is what a previous run left in it, per segment: the caller
   * replays it into DuckDB and reports it with `moved` like any other group.
   */
  static open<R extends Logged = Logged>(
    dir: string,
    onDurable: (group: DurableGroup<R>) => void,
  ): { readonly log: DurableLog<R>; readonly leftover: readonly DurableGroup[] } {
    mkdirSync(dir, { recursive: true });
    const numbers = readdirSync(dir)
      .flatMap((name) => {
        const match = SEGMENT.exec(name);
        return match ? [Number(match[1])] : [];
      })
      .sort((a, b) => a - b);
    const log = new DurableLog<R>(dir, (numbers.at(-1) ?? 0) + 1, onDurable);
    const leftover = numbers.map((n) => {
      const path = join(dir, segmentName(n));
      const records = readSegment(path);
      log.segments.set(n, {
        n,
        path,
        file: null,
        appended: records.length,
        moved: 0,
        writing: 0,
        full: true,
      });
      return { segment: n, records };
    });
    for (const { segment, records } of leftover) if (records.length === 0) log.moved(segment, 0);
    return { log, leftover };
  }

  /** Resolves once the record is on disk: from then on a crash cannot lose it. */
  append(record: R): Promise<void> {
    return this.appends.add(record);
  }

  /** Says that `count` records of a segment are committed to DuckDB; a segment fully moved goes. */
  moved(segment: number, count: number): void {
    const s = this.segments.get(segment);
    if (s === undefined) return;
    s.moved += count;
    // Every record given to the segment is durable and moved, so no write to it is in flight.
    if (s.full && s.moved >= s.appended) {
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
    this.current = null;
    if (current !== null) this.retire(current);
    await Promise.all(this.closing);
  }

  private async write(records: readonly R[]): Promise<void> {
    const segment = this.segmentFor(records.length);
    const text = records.map((r) => `${r.table}\t${r.json}\n`).join('');
    segment.writing++;
    try {
      const file = await (segment.file as Promise<FileHandle>);
      await file.write(text);
      // fdatasync: the data is on disk once this resolves, which is what a 2xx promises. Writes
      // in flight together each sync after their own write, so each covers its own records.
      await file.datasync();
    } finally {
      segment.writing--;
      if (segment.full && segment.writing === 0) this.closeFile(segment);
    }
    this.onDurable({ segment: segment.n, records });
  }

  /**
   * The open segment, or a new one once it holds `SEGMENT_RECORDS`. Decided at once, before any
   * wait, so writes in flight together never both start a segment.
   */
  private segmentFor(adding: number): Segment {
    const current = this.current;
    if (current !== null && current.appended + adding <= SEGMENT_RECORDS) {
      current.appended += adding;
      return current;
    }
    if (current !== null) this.retire(current);
    const n = this.next++;
    const path = join(this.dir, segmentName(n));
    const segment: Segment = {
      n,
      path,
      file: openDurably(this.dir, path),
      appended: adding,
      moved: 0,
      writing: 0,
      full: false,
    };
    this.segments.set(n, segment);
    this.current = segment;
    // A folder that refused the file must not take the next writes too: they start a new segment.
    segment.file?.catch(() => {
      segment.full = true;
      if (this.current === segment) this.current = null;
    });
    return segment;
  }

  /** No more records go to the segment: its file closes once its writes are done. */
  private retire(segment: Segment): void {
    segment.full = true;
    if (segment.writing === 0) this.closeFile(segment);
    this.moved(segment.n, 0);
  }

  private closeFile(segment: Segment): void {
    const file = segment.file;
    if (file === null) return;
    const closed = file.then((f) => f.close()).catch(() => {});
    this.closing.add(closed);
    void closed.then(() => this.closing.delete(closed));
  }
}

/**
 * Creates a segment file and syncs its folder, so the file's name survives a power cut as its
 * synced records do (fsync(2): syncing a file does not sync the directory entry pointing to it).
 */
async function openDurably(dir: string, path: string): Promise<FileHandle> {
  const file = await open(path, 'a');
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
  return file;
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
