import { isAscii } from "node:buffer";
import { readSync } from "node:fs";
import { type ChunkMemory, chunkBuffer, chunkMemory, lineEndOf } from "../bounce/line-bytes.ts";
import { CHUNK_BYTES } from "./input.ts";
import { type ChunkHeads, HEAD_INTS, shardOf } from "./source.ts";

/**
 * One read and one line index per chunk for the threads that read the same log in shards
 * (classify-log-threads.ts): the first thread to reach a chunk reads its bytes into shared memory, finds
 * where its lines are and each line's head (LineParser.head: the message id's hash and the positions
 * after it) and publishes them; the others take the bytes from there (no read of their own) and only
 * their shard's lines, without looking at the rest. So each chunk is read once and each line's head
 * scanned once in all, and whichever thread is ahead does it (the one behind, which also merges and
 * writes the output, catches up).
 *
 * Sharing is only a shortcut: a thread that finds no shared chunk (the other is far behind, slow to
 * publish, or read that chunk elsewhere in the file) reads the chunk itself, into a chunk of its own in the
 * same memory (ownChunk), and reads it without an index, with the same result. Memory is bounded: SLOTS
 * chunks at a time and one per thread, at most MAX_INDEXED_LINES lines of a chunk indexed (the lines after
 * are read without the index).
 */

/**
 * Chunks indexed at a time: a slot is reused once every thread has read the chunk it held. More than the
 * chunks the threads may be apart (classify-log-threads.ts MORE_AHEAD): a thread further ahead finds no
 * free slot and reads without an index, and the other then indexes the chunk again (at 24 slots and a lead
 * of up to 64, the main thread read 208 of a 1M-line log's 339 chunks so, each indexed twice).
 */
export const SLOTS = 72;
/** Lines of one chunk indexed at most (a chunk of short lines has the rest read without the index). */
export const MAX_INDEXED_LINES = 8192;
/** Per line: where it starts, where it stops (before CR LF / LF), its shard (-1: no head), its head. */
const ENTRY = 3 + HEAD_INTS;
/**
 * Per slot: the chunk it holds, its file position and length, the indexed bytes' end, the count of lines,
 * whether its bytes are all ASCII (1) or not (0).
 */
const SLOT_CHUNK = 0;
const SLOT_DONE = 1;
const SLOT_POSITION = 2;
const SLOT_LENGTH = 3;
const SLOT_START = 4;
const SLOT_END = 5;
const SLOT_LINES = 6;
const SLOT_ASCII = 7;
export const SLOT_INTS = 8;
/**
 * How long a thread waits for a chunk another thread is reading and indexing (~0.5 ms) before reading it
 * alone. Short: reading and indexing a chunk alone costs ~1-2 ms of CPU, while a wait blocks this thread
 * for as long as the other is descheduled (now also inside its read: on a loaded machine, the 50 ms this
 * was went with longer runs, not fewer reads).
 */
const WAIT_MS = 2;
/** File positions are compared modulo this (an Int32Array holds them). */
const POSITIONS = 2 ** 31;
const LF = 10;
const CR = 13;

/** What a chunk's index says: the lines of bytes [start, end), `lines` entries from `at` in `entries`. */
export interface ChunkIndex {
  entries: Int32Array;
  start: number;
  end: number;
  lines: number;
  shard: number;
  /**
   * Whether every byte of the chunk is ASCII: found once, by the thread that indexed it (a check of its own
   * cost 1.2 % of each thread's CPU at 4M lines, perf).
   */
  ascii: boolean;
}

/** Per entry (see ChunkIndex): offsets of the fields. */
export const ENTRY_INTS = ENTRY;
export const ENTRY_START = 0;
export const ENTRY_STOP = 1;
export const ENTRY_SHARD = 2;
export const ENTRY_HEAD = 3;

/** A parser's LineParser.head, and its chunkHeads where it has one (the lines of a chunk in one pass). */
export interface HeadOf {
  (bytes: Uint8Array, from: number, to: number, into: Int32Array, at: number): boolean;
  lines?: ChunkHeads;
}

/** A thread's read count once it reads no more: above any chunk number. */
const READ_ALL = 0x7fffffff;

/** The file a thread reads (see SharedLineIndex.take) and the chunk after the one it took last. */
interface Reading {
  fd: number;
  headOf: HeadOf;
  shards: number;
  /** Bytes read of the file, and of each chunk. */
  size: number;
  want: number;
  chunk: number;
  position: number;
}

/** A chunk read into shared memory and its index: valid until the thread that took it reads to its end. */
export interface SharedChunk {
  bytes: Buffer;
  index: ChunkIndex;
}

/** Bytes of the indexes (before the chunks' bytes) in a run's shared memory. */
const indexBytes = (threads: number) => 4 * (threads + SLOTS * SLOT_INTS + SLOTS * MAX_INDEXED_LINES * ENTRY);

/**
 * The shared memory of a run's chunks and indexes, handed to each thread (it is cloned by reference): a
 * chunk memory (line-bytes.ts), which line templates compare lines in without copying them.
 */
export function newLineIndexMemory(threads: number): ChunkMemory {
  const shared = chunkMemory(indexBytes(threads) + (SLOTS + threads) * CHUNK_BYTES);
  const memory = chunkBuffer(shared);
  const slots = new Int32Array(memory, 4 * threads, SLOTS * SLOT_INTS);
  // Slot s first holds chunk s - SLOTS: read by everyone, free.
  for (let s = 0; s < SLOTS; s++) {
    slots[s * SLOT_INTS + SLOT_CHUNK] = s - SLOTS;
    slots[s * SLOT_INTS + SLOT_DONE] = s - SLOTS;
  }
  return shared;
}

/** One thread's view of the shared indexes. */
export class SharedLineIndex {
  /** Per thread: the chunks it has read to the end. */
  private readonly read: Int32Array;
  private readonly slots: Int32Array;
  private readonly entries: Int32Array;
  /** Per slot: the memory of its chunk's bytes. */
  private readonly chunks: Buffer[];
  private readonly thread: number;
  private readonly threads: number;
  /** What the last `take` was given, with the chunk after it and where that starts (for indexAhead). */
  private reading: Reading | null = null;

  constructor(shared: ChunkMemory, thread: number, threads: number) {
    const memory = chunkBuffer(shared);
    this.thread = thread;
    this.threads = threads;
    this.read = new Int32Array(memory, 0, threads);
    this.slots = new Int32Array(memory, 4 * threads, SLOTS * SLOT_INTS);
    this.entries = new Int32Array(
      memory,
      4 * (threads + SLOTS * SLOT_INTS),
      SLOTS * MAX_INDEXED_LINES * ENTRY,
    );
    const bytesAt = indexBytes(threads);
    this.chunks = Array.from({ length: SLOTS }, (_, s) =>
      Buffer.from(memory, bytesAt + s * CHUNK_BYTES, CHUNK_BYTES),
    );
  }

  /**
   * The memory this thread reads a chunk into when it finds no shared one (`take` null): its own, after the
   * slots, in the same memory. Every chunk a thread reads lies in one chunk memory, so one WebAssembly
   * instance reads them all (line-bytes.ts): a second instance's exports are new call targets, and each call
   * site optimized for the first is deoptimized at its first call of them.
   */
  ownChunk(): Buffer {
    return Buffer.from(
      this.read.buffer,
      indexBytes(this.threads) + (SLOTS + this.thread) * CHUNK_BYTES,
      CHUNK_BYTES,
    );
  }

  /** Chunks `thread` has read to the end. */
  chunksRead(thread: number): number {
    return Atomics.load(this.read, thread);
  }

  /** This thread has read chunk `chunk` to the end (its slot may be reused once every thread has). */
  readTo(chunk: number): void {
    Atomics.store(this.read, this.thread, chunk + 1);
    Atomics.notify(this.read, this.thread);
  }

  /**
   * This thread reads no more chunks (the end, a read that broke, a file cut short while read): a thread
   * waiting for it to read further must not wait for ever, and its slots are free for the others.
   */
  readAll(): void {
    Atomics.store(this.read, this.thread, READ_ALL);
    Atomics.notify(this.read, this.thread);
  }

  /** Waits (at most `ms`) while `thread` has read fewer than `chunks` chunks; false if it still has. */
  waitFor(thread: number, chunks: number, ms: number): boolean {
    const deadline = performance.now() + ms;
    for (let seen = Atomics.load(this.read, thread); seen < chunks; seen = Atomics.load(this.read, thread)) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.read, thread, seen, left);
    }
    return true;
  }

  /**
   * Chunk `chunk` of the file open as `fd` (`want` ≤ CHUNK_BYTES bytes at `position`) and its index, in
   * shared memory: read and indexed by this thread if no other has claimed it, else the other's once
   * published. Null when there is none to be had: read it alone (and without an index). A read that
   * breaks throws (the chunk then stays unpublished: the others read it alone after WAIT_MS).
   * A chunk another thread is still indexing is not waited for idle: this thread indexes the next one
   * meanwhile (indexAhead).
   */
  take(
    chunk: number,
    position: number,
    want: number,
    fd: number,
    headOf: HeadOf,
    shards: number,
    size = position + want,
  ): SharedChunk | null {
    const slot = chunk % SLOTS;
    const at = slot * SLOT_INTS;
    const slots = this.slots;
    const reading = { fd, headOf, shards, size, want, chunk: chunk + 1, position: position + want };
    this.reading = reading;
    for (;;) {
      const claimed = Atomics.load(slots, at + SLOT_CHUNK);
      if (claimed > chunk) return null;
      if (claimed === chunk) {
        if (Atomics.load(slots, at + SLOT_DONE) !== chunk) this.indexAhead(1);
        return this.published(slot, chunk, position, want);
      }
      // The slot still holds a chunk some thread is reading: no sharing this time.
      if (!this.free(chunk - SLOTS)) return null;
      if (Atomics.compareExchange(slots, at + SLOT_CHUNK, claimed, chunk) === claimed) break;
    }
    return this.readInto(reading, slot, chunk, position, want);
  }

  /** Reads and indexes chunk `chunk` (`want` bytes at `position` of the file `take` was last given) into its slot, claimed by this thread, and publishes it. */
  private readInto(
    reading: Reading,
    slot: number,
    chunk: number,
    position: number,
    want: number,
  ): SharedChunk {
    const memory = this.chunks[slot];
    const bytes = memory.subarray(0, readSync(reading.fd, memory, 0, want, position));
    this.index(slot, bytes, position, reading.headOf, reading.shards, chunk);
    return { bytes, index: this.view(slot) };
  }

  /**
   * Work for a thread that would wait for another (for a chunk it indexes, or to come within its lead): the
   * chunks after the last one this thread took (as long as that one, within the file's first `size` bytes)
   * that no thread has claimed yet, at most `most`, read and indexed as far as free slots allow; the others
   * then take them as read. Returns how many. A read that breaks leaves its chunk unpublished: whoever
   * reaches it reads it alone (and sees the error then).
   */
  indexAhead(most: number): number {
    const reading = this.reading;
    if (reading === null) return 0;
    const { size, want } = reading;
    let indexed = 0;
    for (
      let chunk = reading.chunk, position = reading.position;
      indexed < most && position < size && this.free(chunk - SLOTS);
      chunk++, position += want
    ) {
      const slot = chunk % SLOTS;
      const claimed = Atomics.load(this.slots, slot * SLOT_INTS + SLOT_CHUNK);
      if (claimed >= chunk) continue;
      if (Atomics.compareExchange(this.slots, slot * SLOT_INTS + SLOT_CHUNK, claimed, chunk) !== claimed)
        continue;
      indexed++;
      try {
        this.readInto(reading, slot, chunk, position, Math.min(want, size - position));
      } catch {
        return indexed;
      }
    }
    return indexed;
  }

  /** Whether every thread has read chunk `chunk` to the end. */
  private free(chunk: number): boolean {
    for (let t = 0; t < this.threads; t++) if (Atomics.load(this.read, t) <= chunk) return false;
    return true;
  }

  /** The chunk another thread claimed, once published (waiting at most WAIT_MS), if it is the `want` bytes at `position`. */
  private published(slot: number, chunk: number, position: number, want: number): SharedChunk | null {
    const at = slot * SLOT_INTS;
    const slots = this.slots;
    const deadline = performance.now() + WAIT_MS;
    for (
      let done = Atomics.load(slots, at + SLOT_DONE);
      done !== chunk;
      done = Atomics.load(slots, at + SLOT_DONE)
    ) {
      const left = deadline - performance.now();
      if (left <= 0) return null;
      Atomics.wait(slots, at + SLOT_DONE, done, left);
    }
    // Both threads read the file chunk after chunk, but a short read (the file cut meanwhile) moves one's
    // later chunks elsewhere: a chunk elsewhere is not this thread's.
    if (slots[at + SLOT_POSITION] !== position % POSITIONS || slots[at + SLOT_LENGTH] > want) return null;
    return { bytes: this.chunks[slot].subarray(0, slots[at + SLOT_LENGTH]), index: this.view(slot) };
  }

  private view(slot: number): ChunkIndex {
    const at = slot * SLOT_INTS;
    return {
      entries: this.entries.subarray(
        slot * MAX_INDEXED_LINES * ENTRY,
        (slot + 1) * MAX_INDEXED_LINES * ENTRY,
      ),
      start: this.slots[at + SLOT_START],
      end: this.slots[at + SLOT_END],
      lines: this.slots[at + SLOT_LINES],
      shard: this.thread,
      ascii: this.slots[at + SLOT_ASCII] === 1,
    };
  }

  /**
   * Indexes the lines that start in the chunk after its first line end (the first chunk: from its start)
   * and end in it: the lines before may have started in the chunk before, each thread reads them itself.
   */
  private index(
    slot: number,
    bytes: Uint8Array,
    position: number,
    headOf: HeadOf,
    shards: number,
    chunk: number,
  ): void {
    const last = bytes.lastIndexOf(LF);
    const first = position === 0 ? 0 : bytes.indexOf(LF) + 1;
    const base = slot * MAX_INDEXED_LINES * ENTRY;
    const entries = this.entries;
    // In one call of the parser's where it has one (HeadOf.lines: in WebAssembly, no call per line).
    const atOnce =
      last < 0 ? 0 : (headOf.lines?.(bytes, first, last, entries, base, MAX_INDEXED_LINES, shards) ?? -1);
    if (atOnce > 0) headsAsked(bytes, headOf, shards, entries, base, base + atOnce * ENTRY);
    const lines = atOnce >= 0 ? atOnce : indexLines(bytes, first, last, headOf, shards, entries, base);
    const at = slot * SLOT_INTS;
    const slots = this.slots;
    slots[at + SLOT_POSITION] = position % POSITIONS;
    slots[at + SLOT_LENGTH] = bytes.length;
    slots[at + SLOT_START] = first;
    slots[at + SLOT_END] =
      lines === 0 ? first : lineEndAfter(bytes, entries[base + (lines - 1) * ENTRY + ENTRY_STOP]) + 1;
    slots[at + SLOT_LINES] = lines;
    slots[at + SLOT_ASCII] = isAscii(bytes) ? 1 : 0;
    // Published last: a thread that sees it sees the entries written before.
    Atomics.store(slots, at + SLOT_DONE, chunk);
    Atomics.notify(slots, at + SLOT_DONE);
  }
}

/** An entry's shard while its line's head is still to be asked of `headOf` (HeadOf.lines found none). */
const HEAD_ASKED = -2;

/**
 * After HeadOf.lines wrote entries[base, end): `headOf` asked for the head of each line it found none of (a
 * stamp only the parser's JavaScript reads), as indexLines asks it.
 */
function headsAsked(
  bytes: Uint8Array,
  headOf: HeadOf,
  shards: number,
  entries: Int32Array,
  base: number,
  end: number,
): void {
  for (let e = base; e < end; e += ENTRY) {
    if (entries[e + ENTRY_SHARD] !== HEAD_ASKED) continue;
    entries[e + ENTRY_SHARD] = headOf(
      bytes,
      entries[e + ENTRY_START],
      entries[e + ENTRY_STOP],
      entries,
      e + ENTRY_HEAD,
    )
      ? shardOf(entries[e + ENTRY_HEAD], shards)
      : -1;
  }
}

/**
 * Writes the entries of the lines of bytes[start, last] (last: a line end) from entries[base]: at most
 * MAX_INDEXED_LINES; returns how many. Its own function, with nothing after its loop: V8 first optimizes
 * a long loop while it runs (on-stack replacement), and code after the loop, never run yet, had no type
 * feedback — the optimized index() then bailed out at every chunk's end (16-48 times a run, --trace-deopt).
 */
function indexLines(
  bytes: Uint8Array,
  start: number,
  last: number,
  headOf: HeadOf,
  shards: number,
  entries: Int32Array,
  base: number,
): number {
  let lines = 0;
  // Buffer's indexOf calls into C++ (~6 % of the indexing thread's CPU): WebAssembly finds the LF where it can.
  const lineEnd = lineEndOf(bytes);
  const offset = bytes.byteOffset;
  const size = offset + bytes.length;
  for (let from = start; from <= last && lines < MAX_INDEXED_LINES; lines++) {
    const found = lineEnd === null ? -1 : lineEnd(offset + from, size);
    const end = lineEnd === null ? bytes.indexOf(LF, from) : found < 0 ? found : found - offset;
    const stop = end > from && bytes[end - 1] === CR ? end - 1 : end;
    const e = base + lines * ENTRY;
    entries[e + ENTRY_START] = from;
    entries[e + ENTRY_STOP] = stop;
    entries[e + ENTRY_SHARD] = headOf(bytes, from, stop, entries, e + ENTRY_HEAD)
      ? shardOf(entries[e + ENTRY_HEAD], shards)
      : -1;
    from = end + 1;
  }
  return lines;
}

/** The LF that ends a line stopping at `stop` (before its CR LF or LF). */
function lineEndAfter(bytes: Uint8Array, stop: number): number {
  return bytes[stop] === LF ? stop : stop + 1;
}
