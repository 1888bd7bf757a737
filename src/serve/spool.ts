import { closeSync, fsyncSync, openSync } from "node:fs";
import { type FileHandle, mkdir, open, readdir, readFile, stat, truncate, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { FormatName } from "../events/formats.ts";

/**
 * The durable intake of `serve`: an append-only spool of NDJSON segment files, one open segment per
 * format, written in group commits (every request waiting at the moment shares one write and one
 * fdatasync per segment) — a webhook is acknowledged only once its records are on disk. Sealed segments
 * are drained into the store in batches and removed after their commit; a crash between commit and
 * removal re-ingests a segment, which the store's event-id dedupe turns into nothing.
 */
export interface SpoolSegment {
  path: string;
  format: FormatName;
  seq: number;
  records: number;
  bytes: number;
}

interface Open {
  segment: SpoolSegment;
  handle: FileHandle;
}

interface Pending {
  format: FormatName;
  text: string;
  records: number;
  done: (error?: Error) => void;
}

const NAME = /^(\d{16})-([a-z0-9-]+)\.ndjson$/;

export class Spool {
  readonly dir: string;
  private seq = 0;
  private readonly open = new Map<FormatName, Open>();
  private readonly sealed: SpoolSegment[] = [];
  private pending: Pending[] = [];
  /** Every disk operation (group commit, sealing) runs in this one chain, never two at once. */
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  /** Records on disk not yet drained into the store (back-pressure reads it). */
  backlog = 0;
  /** Commits (fdatasync rounds) and records written since start. */
  readonly counters = { commits: 0, records: 0 };

  private constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Opens (creating) the spool directory. Segments left by a previous run are sealed for draining; a torn
   * last line (a write cut by a crash, never acknowledged) is cut off.
   */
  static async open(dir: string, isFormat: (name: string) => name is FormatName): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const spool = new Spool(dir);
    // Names stay unique across runs (the store's files table lists each drained segment).
    spool.seq = Date.now() * 1000;
    const names = (await readdir(dir)).filter((name) => NAME.test(name)).sort();
    for (const name of names) {
      const [, seq, format] = NAME.exec(name) as RegExpExecArray;
      if (!isFormat(format)) continue;
      const path = join(dir, name);
      const { records, bytes } = await repairTail(path);
      spool.seq = Math.max(spool.seq, Number(seq));
      if (records === 0) {
        await unlink(path);
        continue;
      }
      spool.sealed.push({ path, format, seq: Number(seq), records, bytes });
      spool.backlog += records;
    }
    return spool;
  }

  /** Appends records (one JSON text each, no newline inside); resolves once they are fsynced. */
  append(format: FormatName, records: readonly string[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const text = `${records.join("\n")}\n`;
    return new Promise((resolve, reject) => {
      this.pending.push({
        format,
        text,
        records: records.length,
        done: (error) => (error ? reject(error) : resolve()),
      });
      this.kick();
    });
  }

  /**
   * Seals the open segments and returns every sealed segment not yet drained, oldest first. The caller
   * removes each with `done` once the store has committed it.
   */
  takeSealed(): Promise<SpoolSegment[]> {
    return this.serial(async () => {
      for (const [format, { segment, handle }] of this.open) {
        await handle.close();
        this.open.delete(format);
        if (segment.records > 0) this.sealed.push(segment);
        else await unlink(segment.path).catch(() => {});
      }
      return this.sealed.splice(0).sort((a, b) => a.seq - b.seq);
    });
  }

  /** A drained segment: removed from disk. */
  async done(segment: SpoolSegment): Promise<void> {
    await unlink(segment.path).catch(() => {});
    this.backlog -= segment.records;
  }

  /** A segment the store could not take (retried at the next drain). */
  putBack(segments: SpoolSegment[]): void {
    this.sealed.unshift(...segments);
  }

  close(): Promise<void> {
    return this.serial(async () => {
      for (const { handle } of this.open.values()) await handle.close();
      this.open.clear();
    });
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const result = this.chain.then(work);
    this.chain = result.then(
      () => {},
      () => {},
    );
    return result;
  }

  /** Schedules one group commit after the current one; appends meanwhile join it. */
  private kick(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    void this.serial(async () => {
      this.scheduled = false;
      await this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    const touched = new Map<FormatName, Open>();
    try {
      const byFormat = new Map<FormatName, Pending[]>();
      for (const item of batch) {
        const list = byFormat.get(item.format) ?? [];
        list.push(item);
        byFormat.set(item.format, list);
      }
      for (const [format, items] of byFormat) {
        const target = await this.segmentFor(format);
        const before = target.segment.bytes;
        const text = items.map((item) => item.text).join("");
        try {
          await target.handle.write(text);
        } catch (error) {
          // A partial write (disk full) is cut off, so the next append starts on a line of its own.
          await target.handle.truncate(before).catch(() => {});
          throw error;
        }
        target.segment.bytes += Buffer.byteLength(text);
        target.segment.records += items.reduce((sum, item) => sum + item.records, 0);
        touched.set(format, target);
      }
      await Promise.all([...touched.values()].map(({ handle }) => handle.datasync()));
      this.counters.commits++;
      for (const item of batch) {
        this.backlog += item.records;
        this.counters.records += item.records;
        item.done();
      }
    } catch (error) {
      for (const item of batch) item.done(error as Error);
    }
  }

  private async segmentFor(format: FormatName): Promise<Open> {
    const current = this.open.get(format);
    if (current) return current;
    const seq = ++this.seq;
    const path = join(this.dir, `${String(seq).padStart(16, "0")}-${format}.ndjson`);
    const handle = await open(path, "a");
    // Off the event loop: a directory fsync can take milliseconds that webhooks would otherwise wait.
    const dir = await open(this.dir, "r");
    await dir.sync().finally(() => dir.close());
    const opened = { segment: { path, format, seq, records: 0, bytes: 0 }, handle };
    this.open.set(format, opened);
    return opened;
  }
}

/** A new file's directory entry is durable only once the directory itself is fsynced. */
export function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Cuts a segment after its last newline (a torn write); returns its number of complete records. */
async function repairTail(path: string): Promise<{ records: number; bytes: number }> {
  const size = (await stat(path)).size;
  if (size === 0) return { records: 0, bytes: 0 };
  const text = await readFile(path);
  const end = text.lastIndexOf(10) + 1;
  if (end < size) await truncate(path, end);
  let records = 0;
  for (let i = 0; i < end; i++) if (text[i] === 10) records++;
  return { records, bytes: end };
}
