import { LINE_BYTES_WASM } from "./line-bytes-wasm.ts";
import {
  type HostJson,
  type JsonBytes,
  NOT_MATCHED,
  NOT_WRITTEN,
  type RecordWriter,
  type StagedBytes,
  WRITTEN,
} from "./render-output.ts";

/**
 * Line templates' byte work in WebAssembly (line-bytes.wat), over the input chunks' own memory: the chunk
 * buffers of a log (read.ts, line-index.ts) are a shared WebAssembly.Memory (chunkMemory), so a line is
 * compared where it was read, no copy. Each LineTemplates places its templates in a memory of its own
 * (LineBytes.place) and reads a line with one call. Bytes in no chunk memory (a line that crossed a chunk
 * boundary, joined in a buffer of its own; tests' buffers), and any failure to compile or instantiate the
 * module, leave the JavaScript compare (WordLiteral) in charge: same answers, only slower.
 */

/**
 * The part of the WebAssembly JavaScript API used here: TypeScript declares it only with the DOM libraries,
 * which neither this project nor a consumer of its declarations need load.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Adds `pages` pages of 64 KiB (a memory's ArrayBuffer is then a new one); the old size in pages. */
  grow(pages: number): number;
}
// biome-ignore lint/suspicious/noEmptyInterface: an opaque compiled module
interface WasmModule {}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
}
/**
 * The WebAssembly API, looked up when used, never kept from the module's evaluation: classify's startup
 * snapshot evaluates this module where there is none (node --build-snapshot), and runs where there is.
 */
function wasm(): WasmApi {
  return (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
}

/** WebAssembly pages (64 KiB). */
const PAGE = 65536;
/**
 * Bytes of a template's place in the template memory: its lanes (LANES × LANE_BYTES), then the template (its
 * pieces' table, pieces and tail). A log's templates are mostly 140-280 bytes: a larger place only spreads the
 * ones in use over more pages and cache sets (a wide log's thousands).
 */
export const TEMPLATE_PLACE = 560;
/**
 * A template's lane: LANE_INTS ints before it in its place (line-bytes.wat `delivery` reads them at the
 * template's address - LANE_BYTES × LANES and on), what the sink of a delivery wrote that delivery's record by
 * (OutcomeShape.fillLane: the reply template, record template and remote host placed in a ReplyBytes
 * memory, the reply code, the class's version), so that a later delivery of the template is written in
 * the same call that reads its line. Empty (its first int 0) until filled, and again wherever what it
 * copies may have changed (OutcomeShape.clearLane, a new template in the place).
 */
export const LANE_INTS = 12;
const LANE_BYTES = 4 * LANE_INTS;
/**
 * Lanes a template has: the one filled last first, then the one before (fillLane). A relay's deliveries often
 * take turns between two reply shapes of one class (Exim's `250 OK id=<id>` with its 6-6-2 and 6-11-4 ids,
 * Outlook's with InternalIds of 12 and 13 digits, a Postfix MX's 10- and 11-character queue ids): with one lane,
 * each delivery of the other shape refilled it, and every other one was written in JavaScript.
 */
const LANES = 2;
/** The template memory (see line-bytes.wat): the alphabet, the table of templates by slot, out, places. */
const ALPHABET_BYTES = 256;
const OUT_AT = 2304;
/** Where `delivery` says whether its `lookup` swapped the slot's two templates (1) or not (0). */
const SWAPPED_AT = 2308;
/**
 * Slots of a LineTemplates' table (two templates each): line-bytes.wat `lookup` takes a slot from that
 * many of a line's hash. A log's deliveries go to as many (recipient domain, relay) pairs as its
 * recipients' domains have MX hosts: thousands for a real sender's.
 */
export const TEMPLATE_SLOTS = 8192;
const TABLE_AT = 4096;
const PLACES_AT = TABLE_AT + 8 * TEMPLATE_SLOTS;

/** The chunk memories by their buffer (the SharedArrayBuffer a chunk's bytes view). */
const chunkMemories = new WeakMap<ArrayBufferLike, WasmMemory>();

/** Memory for input chunks: a shared WebAssembly.Memory, or a SharedArrayBuffer where WebAssembly fails. */
export type ChunkMemory = WasmMemory | SharedArrayBuffer;

/**
 * Shared memory of `bytes` bytes (rounded up to whole pages) for input chunks. Cloned by reference to
 * other threads (postMessage); each thread views it through chunkBuffer.
 */
export function chunkMemory(bytes: number): ChunkMemory {
  const pages = Math.ceil(bytes / PAGE);
  try {
    return new (wasm().Memory)({ initial: pages, maximum: pages, shared: true });
  } catch {
    return new SharedArrayBuffer(bytes);
  }
}

/** The bytes of a chunk memory (known to LineBytes from then on in this thread). */
export function chunkBuffer(memory: ChunkMemory): SharedArrayBuffer {
  if (memory instanceof SharedArrayBuffer) return memory;
  const buffer = memory.buffer as unknown as SharedArrayBuffer;
  chunkMemories.set(buffer, memory);
  return buffer;
}

/** Whether bytes lie in a chunk memory (of this thread's chunkBuffer). */
export function inChunkMemory(bytes: Uint8Array): boolean {
  return chunkMemories.has(bytes.buffer);
}

type Lookup = (rcptStart: number, rcptEnd: number, end: number, kind: number) => number;
type Head = (from: number, to: number, base: number) => number;
type Lines = (
  from: number,
  last: number,
  size: number,
  base: number,
  entries: number,
  most: number,
  shards: number,
) => number;
/** Where `head` leaves a line's head in the template memory (HEAD_INTS ints, see line-bytes.wat). */
const HEAD_AT = 2320;
const HEAD_INTS = 8;
/** Ints per line of a line index's entries (line-index.ts ENTRY: start, stop, shard, then the head) `lines` writes. */
const LINE_ENTRY_INTS = 3 + HEAD_INTS;

/** The exports of the module's instance over one chunk memory. */
interface Exports {
  lookup: Lookup;
  head: Head;
  lines: Lines;
  delivery: Delivery;
}

/**
 * line-bytes.wat `delivery`: a delivery's line read by a template of its slot and, where the template's lane
 * holds, its record written at `out` (no further than `limit`) in the replies memory: the record's end; else
 * -2 - the reply's start `lookup` found (-1: none read the line), nothing written.
 */
type Delivery = (
  rcptStart: number,
  rcptEnd: number,
  end: number,
  kind: number,
  out: number,
  limit: number,
  line: number,
  timeLength: number,
) => number;

let compiled: WasmModule | null | undefined;

/** The module, compiled once per thread (null: it could not be). */
function lineBytesModule(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new (wasm().Module)(Buffer.from(LINE_BYTES_WASM, "base64"));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * What `exportsOf` takes of the module's instance over the chunk memory `bytes` lie in, the template memory
 * `template` and the replies memory `replies` (a ReplyMemory's, or `unused()`), kept in `instances` by chunk
 * memory (null: they lie in none, or it could not be made).
 */
function instanceOver<T>(
  instances: Map<WasmMemory, T | null> | WeakMap<WasmMemory, T | null>,
  module: WasmModule,
  bytes: Uint8Array,
  template: WasmMemory,
  replies: WasmMemory,
  exportsOf: (exports: Record<string, unknown>) => T,
): T | null {
  const chunk = chunkMemories.get(bytes.buffer);
  if (chunk === undefined) return null;
  let exports = instances.get(chunk);
  if (exports === undefined) {
    try {
      exports = exportsOf(new (wasm().Instance)(module, { line: { chunk, template, replies } }).exports);
    } catch {
      exports = null;
    }
    instances.set(chunk, exports);
  }
  return exports;
}

type LineEnd = (from: number, to: number) => number;
/** Per chunk memory, line-bytes.wat `lineEnd` of an instance over it (null: it could not be made). */
const lineEnds = new WeakMap<WasmMemory, LineEnd | null>();
/** A memory of one page for an instance's import that its calls never read (one per thread). */
let unusedMemory: WasmMemory | undefined;

function unused(): WasmMemory {
  unusedMemory ??= new (wasm().Memory)({ initial: 1 });
  return unusedMemory;
}

/**
 * line-bytes.wat `lineEnd` over the chunk memory `bytes` lie in (the first LF in [from, to), its addresses there:
 * bytes.byteOffset + i; -1 for none), or null where they lie in none or WebAssembly fails (Buffer's indexOf then).
 */
export function lineEndOf(bytes: Uint8Array): LineEnd | null {
  const module = inChunkMemory(bytes) ? lineBytesModule() : null;
  if (module === null) return null;
  return instanceOver(lineEnds, module, bytes, unused(), unused(), (exports) => exports.lineEnd as LineEnd);
}

type Reply = (from: number, to: number, template: number) => number;
/** What ReplyBytes takes of an instance. */
const replyExports = (exports: Record<string, unknown>) => ({
  reply: exports.reply as Reply,
  record: exports.record as WriteRecord,
  replyRecord: exports.replyRecord as ReplyRecord,
});
type ReplyRecords = ReturnType<typeof replyExports>;
type WriteRecord = (
  out: number,
  rcptFrom: number,
  rcptTo: number,
  template: number,
  line: number,
  replyFrom: number,
  replyTo: number,
  time: number,
  host: number,
) => number;
type ReplyRecord = (
  from: number,
  to: number,
  template: number,
  out: number,
  rcptFrom: number,
  rcptTo: number,
  record: number,
  line: number,
  time: number,
  host: number,
) => number;

/**
 * A ReplyBytes memory: the class table, out (the tokens' places), the time records take, the epoch, the versions, the marks, then the reply
 * templates' area (REPLY_AREA bytes), the record templates' (RECORD_TEMPLATES_AREA bytes), the records'
 * (RECORDS_AREA bytes), then the remote hosts' (HOSTS_AREA bytes: each its length, then its bytes). The three
 * placed areas have rounds of their own: placing a record template or a host never moves a reply template
 * (nor one another), so all three can be used by one call (`replyRecord`).
 */
const REPLY_OUT_AT = 256;
const TIME_AT = 2304;
const TIME_BYTES = 64;
/**
 * The epoch: an int bumped by every new round of the three placed areas and by every clear of the probe keys'
 * marks (MARKS_AT) (a lane's addresses are where they were placed, and its key's mark holds, while it is the same). At a fixed address before the areas (line-bytes.wat `delivery` reads it there),
 * so that their sizes can change without the module.
 */
const EPOCH_AT = TIME_AT + TIME_BYTES;
/**
 * CLASS_VERSIONS ints: the version of each class of a classifier's contexts (ReplyBytes.versions) and of its
 * probe keys' `written`s as lanes copied them. At a fixed address too (line-bytes.wat `delivery` reads a class's
 * slot there; whether a key has a record of its own it reads in the marks, MARKS_AT).
 */
export const CLASS_VERSIONS = 4096;
const VERSIONS_AT = 4096;
/** The longest remote host placed (a record with a longer one is written in JavaScript). */
const HOST_BYTES = 1024;
/**
 * MARK_BITS bits: one for each probe key with a `written` of its own (ProbeTable.markBit: a hash of the key and its
 * class's mix), which a lane of its class's own `written` must find 0 (line-bytes.wat `delivery`). At a fixed address
 * (20480). Never cleared one by one: all at once when an eighth are set (ReplyBytes.mark), the lanes made void.
 */
const MARKS_AT = VERSIONS_AT + 4 * CLASS_VERSIONS;
export const MARK_BITS = 1 << 16;
const REPLY_TEMPLATES_AT = MARKS_AT + MARK_BITS / 8;
const REPLY_AREA = 1 << 20;
const RECORD_TEMPLATES_AT = REPLY_TEMPLATES_AT + REPLY_AREA;
/**
 * A wide log's record templates fit (a few thousand of ~600 bytes at 1M lines: 3,112 in the many-domain bench log's):
 * each new round moves the epoch on, which voids every lane (at 512 KiB, its first 200k lines had three rounds and
 * 8.6k deliveries written in JavaScript after them). Memory is used as templates are placed.
 */
const RECORD_TEMPLATES_AREA = 1 << 22;
const RECORDS_AT = RECORD_TEMPLATES_AT + RECORD_TEMPLATES_AREA;
const RECORDS_AREA = 1 << 20;
/**
 * Remote hosts are placed once per round (not copied in per record: a log's consecutive records mostly name
 * another relay). Room for thousands (a sender's recipient domains × relays).
 */
const HOSTS_AT = RECORDS_AT + RECORDS_AREA;
const HOSTS_AREA = 1 << 18;
const REPLY_MEMORY_BYTES = HOSTS_AT + HOSTS_AREA;
/** What line-bytes.wat `replyRecord` answers for a reply that does not match. */
const NO_MATCH = -2;
/** The largest record template placed (a larger one is written in JavaScript). */
const MAX_RECORD_TEMPLATE = 1 << 16;
/**
 * The most tokens a placed reply template has, and a record template written in WebAssembly fills (out holds
 * two ints per token, up to the time: a token's place written over it would be a later record's time).
 */
export const REPLY_TOKENS_MAX = (TIME_AT - REPLY_OUT_AT) / 8;
/** Rounds of every ReplyBytes' areas (a template placed in a round is known by its number, see ReplyBytes.round). */
let replyRounds = 0;

/** A bounded area of a ReplyBytes memory, used from its start to its end, then anew in a new round. */
class Area {
  /** This round's number (unique among all areas of the thread). */
  round = ++replyRounds;
  private next: number;
  private readonly start: number;
  private readonly end: number;
  /** Its memory's epoch (bumped with each new round). */
  private readonly epoch: Int32Array;

  constructor(start: number, size: number, epoch: Int32Array) {
    this.start = this.next = start;
    this.end = start + size;
    this.epoch = epoch;
  }

  /** `size` bytes of it (a new round when it is used up): their address. */
  allocate(size: number): number {
    const rounded = (size + 7) & ~7;
    if (this.next + rounded > this.end) {
      this.next = this.start;
      this.round = ++replyRounds;
      this.epoch[0] = replyRounds;
    }
    const at = this.next;
    this.next += rounded;
    return at;
  }
}

/**
 * The ReplyBytes memory of a class table in this thread and what is kept in it: one for every ReplyBytes
 * of that table (each classifier has its own ReplyBytes), made when the first is. Its areas and their
 * rounds are the memory's, so a template placed by one ReplyBytes is known placed (by its round) to all,
 * and one placed again after a new round is never read where another's was; its records' stage is one, so
 * records staged for one JsonBytes are copied into it before another's are written there. A memory and
 * module instances of their own per reader cost a WebAssembly.Memory (its address space and the collections
 * V8 runs to win that back) and an Instance per chunk memory each: most of a small input's time.
 */
class ReplyMemory {
  readonly memory: WasmMemory;
  readonly view: Uint8Array;
  readonly words: DataView;
  readonly out: Int32Array;
  /** The records written and not yet copied into their JsonBytes. */
  readonly staged: StagedBytes;
  /** EPOCH_AT's int; the classes' versions (see VERSIONS_AT); the marks (MARKS_AT), how many are set, and their clears. */
  readonly epoch: Int32Array;
  readonly versions: Int32Array;
  readonly marks: Int32Array;
  marked = 0;
  marksCleared = 0;
  readonly replies: Area;
  readonly records: Area;
  readonly hosts: Area;
  /** The LAST_TIME version of the time at TIME_AT. */
  timeVersion = -1;
  /** The module's instances over it, by chunk memory. */
  readonly instances = new WeakMap<WasmMemory, ReplyRecords | null>();

  constructor(classes: Uint8Array) {
    this.memory = new (wasm().Memory)({ initial: Math.ceil(REPLY_MEMORY_BYTES / PAGE) });
    this.view = new Uint8Array(this.memory.buffer);
    this.epoch = new Int32Array(this.memory.buffer, EPOCH_AT, 1);
    this.versions = new Int32Array(this.memory.buffer, VERSIONS_AT, CLASS_VERSIONS);
    this.marks = new Int32Array(this.memory.buffer, MARKS_AT, MARK_BITS / 32);
    this.replies = new Area(REPLY_TEMPLATES_AT, REPLY_AREA, this.epoch);
    this.records = new Area(RECORD_TEMPLATES_AT, RECORD_TEMPLATES_AREA, this.epoch);
    this.hosts = new Area(HOSTS_AT, HOSTS_AREA, this.epoch);
    this.epoch[0] = replyRounds;
    this.staged = {
      view: this.view,
      start: RECORDS_AT,
      end: RECORDS_AT,
      limit: RECORDS_AT + RECORDS_AREA,
      owner: null,
    };
    this.words = new DataView(this.memory.buffer);
    this.out = new Int32Array(this.memory.buffer, REPLY_OUT_AT, 2 * REPLY_TOKENS_MAX);
    this.view.set(classes.subarray(0, 256), 0);
  }
}

/** This thread's ReplyMemory of each class table (the table itself the key). */
const replyMemories = new WeakMap<Uint8Array, ReplyMemory>();

/**
 * Reply templates' compare (reply-key.ts ReplyMask.matches) in WebAssembly (line-bytes.wat `reply`), over the
 * chunk memory the reply lies in: the thread's ReplyMemory of the class table holds the table and the
 * templates, each placed once where it is first matched against bytes in a chunk memory. The templates' area
 * is used from its start to its end, then anew (a new `round`: the templates placed in an earlier one are
 * placed again when used), so it stays bounded however many replies a run classifies.
 */
export class ReplyBytes implements RecordWriter {
  /** The `reply` of the instance over the chunk memory of the bytes bound last (null: none). */
  reply: Reply | null = null;
  /** Its `record` (null: none). */
  private recordOf: WriteRecord | null = null;
  /** Its `replyRecord` (null: none). */
  private replyRecordOf: ReplyRecord | null = null;
  /** Where the bytes bound last start in their chunk memory. */
  base = 0;
  /** The tokens' starts and ends `reply` found last (two ints a token, from the reply's start). */
  readonly out: Int32Array;
  private bound: Uint8Array | null = null;
  /** Where the remote host the next records write is placed (see `host`). */
  private hostAt = 0;
  private readonly shared: ReplyMemory;
  private readonly module: WasmModule;

  /** A ReplyBytes with the scanner's class table `classes` (by byte value), or null where WebAssembly fails. */
  static of(classes: Uint8Array): ReplyBytes | null {
    const module = lineBytesModule();
    if (module === null) return null;
    try {
      let shared = replyMemories.get(classes);
      if (shared === undefined) {
        shared = new ReplyMemory(classes);
        replyMemories.set(classes, shared);
      }
      return new ReplyBytes(module, shared);
    } catch {
      return null;
    }
  }

  private constructor(module: WasmModule, shared: ReplyMemory) {
    this.module = module;
    this.shared = shared;
    this.out = shared.out;
  }

  /** The reply templates' round (a template placed in a round is known by its number: unique in the thread). */
  get round(): number {
    return this.shared.replies.round;
  }

  /** The record templates' round (RecordWriter). */
  get recordRound(): number {
    return this.shared.records.round;
  }

  /** The records staged in its memory (see `stage`). */
  get staged(): StagedBytes {
    return this.shared.staged;
  }

  /** Its memory (a lane's addresses are there: LineBytes.fillLane). */
  get memory(): WasmMemory {
    return this.shared.memory;
  }

  /** Its memory's epoch now (see EPOCH_AT: a lane filled now holds it). */
  get epoch(): number {
    return this.shared.epoch[0];
  }

  /** The classes' versions in its memory (see VERSIONS_AT), CLASS_VERSIONS of them. */
  get versions(): Int32Array {
    return this.shared.versions;
  }

  /** How many times its memory's marks were cleared (a probe table's marks made before are gone: see mark). */
  get marksCleared(): number {
    return this.shared.marksCleared;
  }

  /**
   * Sets mark `bit` (< MARK_BITS) in its memory. An eighth of them set since the last clear (`again`: a mark made
   * again after a clear, not counted), all are cleared first and the epoch moves on (the lanes that read marks
   * made before are void; each probe table marks its keys again: ProbeTable.attach). Marks made again do not
   * count: where the probe tables together hold more keys with a record than an eighth, counting them cleared
   * all marks again at each table's marking, voiding every lane each time.
   */
  mark(bit: number, again = false): void {
    const shared = this.shared;
    const marks = shared.marks;
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((marks[word] & mask) !== 0) return;
    if (!again && ++shared.marked > MARK_BITS / 8) {
      marks.fill(0);
      shared.marked = 1;
      shared.marksCleared++;
      shared.epoch[0] = ++replyRounds;
    }
    marks[word] |= mask;
  }

  /** The address in its memory of the class version `slot` (< CLASS_VERSIONS), for a lane. */
  versionAddress(slot: number): number {
    return VERSIONS_AT + 4 * slot;
  }

  /** Binds `bytes` (the replies matched next lie there): `reply` and `base` are then theirs, or `reply` is null. */
  bind(bytes: Uint8Array): void {
    if (bytes !== this.bound) {
      const { instances, memory } = this.shared;
      const exports = instanceOver(instances, this.module, bytes, unused(), memory, replyExports);
      this.reply = exports?.reply ?? null;
      this.recordOf = exports?.record ?? null;
      this.replyRecordOf = exports?.replyRecord ?? null;
      this.bound = bytes;
      this.base = bytes.byteOffset;
    }
  }

  /** Itself as the RecordWriter of records of lines in `bytes` (null: they lie in no chunk memory). */
  writerOf(bytes: Uint8Array): RecordWriter | null {
    this.bind(bytes);
    return this.recordOf === null ? null : this;
  }

  placeRecord(ints: Int32Array, parts: readonly Uint8Array[]): number {
    let size = 4 * ints.length;
    for (const part of parts) size += part.length;
    if (size > MAX_RECORD_TEMPLATE) return -1;
    const { records, words, view } = this.shared;
    const at = records.allocate(size);
    for (let i = 0; i < ints.length; i++) words.setInt32(at + 4 * i, ints[i], true);
    let n = at + 4 * ints.length;
    for (const part of parts) {
      view.set(part, n);
      n += part.length;
    }
    return at;
  }

  time(version: number, bytes: Uint8Array): void {
    const shared = this.shared;
    if (version === shared.timeVersion) return;
    shared.timeVersion = version;
    shared.view.set(bytes.length > TIME_BYTES ? bytes.subarray(0, TIME_BYTES) : bytes, TIME_AT);
  }

  host(host: HostJson): boolean {
    // Small: inlined into RecordTemplate.write, where `record` must fit V8's inlining budget too.
    if (host.placedRound !== this.shared.hosts.round && !this.placeHost(host)) return false;
    this.hostAt = host.placedAt;
    return true;
  }

  /** Places a remote host in this round of the hosts' area (false: too long). */
  private placeHost(host: HostJson): boolean {
    const bytes = host.bytes;
    if (bytes.length > HOST_BYTES) return false;
    const { hosts, words, view } = this.shared;
    const at = hosts.allocate(4 + bytes.length);
    words.setInt32(at, bytes.length, true);
    view.set(bytes, at + 4);
    host.placedAt = at;
    host.placedRound = hosts.round;
    return true;
  }

  token(t: number, start: number, end: number): void {
    this.out[2 * t] = start;
    this.out[2 * t + 1] = end;
  }

  readonly record: RecordWriter["record"] = (
    out,
    room,
    address,
    from,
    to,
    line,
    replyStart,
    replyEnd,
    time,
    reply,
  ) => {
    if (room + 1 > RECORDS_AREA) return NOT_WRITTEN;
    const staged = this.stage(out, room);
    const base = this.base;
    const end =
      reply < 0
        ? (this.recordOf as WriteRecord)(
            staged.end,
            base + from,
            base + to,
            address,
            line,
            base + replyStart,
            base + replyEnd,
            time ? 1 : 0,
            this.hostAt,
          )
        : (this.replyRecordOf as ReplyRecord)(
            base + replyStart,
            base + replyEnd,
            reply,
            staged.end,
            base + from,
            base + to,
            address,
            line,
            time ? 1 : 0,
            this.hostAt,
          );
    if (end < 0) return end === NO_MATCH ? NOT_MATCHED : NOT_WRITTEN;
    out.length += end - staged.end;
    staged.end = end;
    return WRITTEN;
  };

  /**
   * The stage of its memory given to `out` with room for `room` bytes and a newline after them (the bytes
   * staged for another JsonBytes, or too many for that room, settled first).
   */
  private stage(out: JsonBytes, room: number): StagedBytes {
    const staged = this.shared.staged;
    if (staged.owner !== out || staged.end + room + 1 > staged.limit) {
      staged.owner?.settle();
      out.settle();
      staged.start = staged.end = RECORDS_AT;
      staged.owner = out;
      out.stage = staged;
    }
    return staged;
  }

  /**
   * Places a reply template (its literal pieces' bytes, where each ends, its tokens' places and kinds, at
   * most REPLY_TOKENS_MAX) in this round; its address. A full area starts a new round first.
   */
  place(literal: Uint8Array, pieceEnds: Int32Array, places: Uint8Array, kinds: Uint8Array): number {
    const n = kinds.length;
    const { replies, words, view } = this.shared;
    const at = replies.allocate(4 + 4 * (n + 1) + 4 * n + literal.length);
    words.setInt32(at, n, true);
    for (let p = 0; p <= n; p++)
      words.setInt32(at + 4 + 4 * p, pieceEnds[p] - (p === 0 ? 0 : pieceEnds[p - 1]), true);
    const tokens = at + 4 + 4 * (n + 1);
    for (let t = 0; t < n; t++) words.setInt32(tokens + 4 * t, places[t] | (kinds[t] << 8), true);
    view.set(literal, tokens + 4 * n);
    return at;
  }
}

/**
 * A LineBytes' template memory and the module's instances over it, by chunk memory: those that import no
 * replies memory, and those that import `replies` (see LineBytes.useReplies).
 */
interface TemplateMemory {
  readonly memory: WasmMemory;
  readonly instances: WeakMap<WasmMemory, Exports | null>;
  replies: WasmMemory | null;
  replyInstances: WeakMap<WasmMemory, Exports | null>;
}

/** A template memory of its own with the alphabet `alphabet`. */
function ownMemory(alphabet: Uint8Array): TemplateMemory {
  // The table and the first places; grown as places further on are used (LineBytes.room): a parser of a
  // few relays never commits the memory of thousands of places.
  const memory = new (wasm().Memory)({ initial: Math.ceil((PLACES_AT + TEMPLATE_PLACE) / PAGE) });
  new Uint8Array(memory.buffer).set(alphabet.subarray(0, ALPHABET_BYTES), 0);
  return { memory, instances: new WeakMap(), replies: null, replyInstances: new WeakMap() };
}

/**
 * Template memories released (LineBytes.release), their tables emptied, by alphabet: the next LineBytes of this
 * thread takes one with its instances. A memory and an Instance per chunk memory for each parser cost more
 * than reading a small input (a folder's small logs; a test's thousands of two-line reads).
 */
const spareMemories = new WeakMap<Uint8Array, TemplateMemory[]>();
/** Template memories kept released per alphabet, at most, and the largest kept (a wide log's is dropped). */
const MAX_SPARE_MEMORIES = 4;
const MAX_SPARE_BYTES = 1 << 20;

/** This thread's head memory of each alphabet (the alphabet itself the key). */
const headMemories = new WeakMap<Uint8Array, TemplateMemory>();

/**
 * The template memory of LineBytes that place no template (heads alone) with the alphabet `alphabet`: one for
 * all of this thread's, made when the first is. Nothing is placed in it, and `head` leaves its answer there to
 * be read at once, so they share it and its instances: a memory of its own per parser costs a
 * WebAssembly.Memory (its address space, and the collections V8 runs to win that back) and an Instance per
 * chunk memory, more than a small input's reading.
 */
function headMemory(alphabet: Uint8Array): TemplateMemory {
  let memory = headMemories.get(alphabet);
  if (memory === undefined) {
    memory = ownMemory(alphabet);
    headMemories.set(alphabet, memory);
  }
  return memory;
}

/**
 * The template memory of one LineTemplates and its module instances, one per chunk memory it read lines
 * of. `places` templates at most, each at a fixed place (no allocator: LineTemplates gives each template
 * the place of the one it replaces).
 */
export class LineBytes {
  /** The `lookup` of the instance over the chunk memory of the bytes bound last (null: none). */
  lookup: Lookup | null = null;
  /** Its `head` (null: none; see `head`) and `lines`. */
  private headOf: Head | null = null;
  private linesOf: Lines | null = null;
  /** Where the bytes bound last start in their chunk memory. */
  base = 0;
  private bound: Uint8Array | null = null;
  private readonly template: WasmMemory;
  // Views of the template memory, made again when it grows (see room).
  private view: Uint8Array;
  private words: DataView;
  private readonly module: WasmModule;
  private instances: WeakMap<WasmMemory, Exports | null>;
  /** The replies memory its lanes' addresses are in (a ReplyBytes', see useReplies; null: none yet). */
  private replies: WasmMemory | null = null;
  /** The `delivery` of the instance over the chunk memory of the bytes bound last (null: none, or no replies memory). */
  delivery: Delivery | null = null;
  /** The template memory as ints (its table, outs and lanes), made again when it grows (see room). */
  private ints: Int32Array;
  /**
   * Whether it places templates (else it reads heads alone, in its thread's head memory: see headMemory; or it
   * was released).
   */
  private placing: boolean;
  /** Its template memory and the alphabet in it (where it places templates; see release). */
  private readonly own: TemplateMemory;
  private readonly alphabet: Uint8Array | null;

  /**
   * A LineBytes for `places` templates and the span alphabet `alphabet`, or null where WebAssembly fails. With
   * no places it reads heads alone (`head`, `lines`), in a memory it shares (see headMemory).
   */
  static of(places: number, alphabet: Uint8Array): LineBytes | null {
    if (places > (PLACES_AT - TABLE_AT) / 4) return null;
    const module = lineBytesModule();
    if (module === null) return null;
    try {
      if (places === 0) return new LineBytes(module, headMemory(alphabet), false);
      return new LineBytes(module, spareMemories.get(alphabet)?.pop() ?? ownMemory(alphabet), true, alphabet);
    } catch {
      return null;
    }
  }

  private constructor(
    module: WasmModule,
    memory: TemplateMemory,
    placing: boolean,
    alphabet: Uint8Array | null = null,
  ) {
    this.own = memory;
    this.alphabet = alphabet;
    this.module = module;
    this.template = memory.memory;
    this.instances = memory.instances;
    this.placing = placing;
    this.view = new Uint8Array(this.template.buffer);
    this.words = new DataView(this.template.buffer);
    this.ints = new Int32Array(this.template.buffer);
  }

  /** The template memory holds [0, end): grown (at least doubled) where it does not. */
  private room(end: number): void {
    const size = this.template.buffer.byteLength;
    if (end <= size) return;
    this.template.grow(Math.max(Math.ceil((end - size) / PAGE), size / PAGE));
    this.view = new Uint8Array(this.template.buffer);
    this.words = new DataView(this.template.buffer);
    this.ints = new Int32Array(this.template.buffer);
  }

  /**
   * Binds `bytes` (the chunk lines are read from next): `lookup` and `base` are then theirs, or `lookup` is
   * null (bytes in no chunk memory). Cheap when they are the bytes bound last.
   */
  bind(bytes: Uint8Array): void {
    if (bytes === this.bound) return;
    this.bound = bytes;
    const exports = this.instance(bytes);
    this.lookup = exports?.lookup ?? null;
    this.delivery = this.replies === null ? null : (exports?.delivery ?? null);
    this.headOf = exports?.head ?? null;
    this.linesOf = exports?.lines ?? null;
    this.base = bytes.byteOffset;
  }

  private instance(bytes: Uint8Array): Exports | null {
    const replies = this.replies ?? unused();
    return instanceOver(this.instances, this.module, bytes, this.template, replies, (exports) => ({
      lookup: exports.lookup as Lookup,
      head: exports.head as Head,
      lines: exports.lines as Lines,
      delivery: exports.delivery as Delivery,
    }));
  }

  /**
   * Whether its lanes may hold addresses in the replies memory `replies` (a ReplyBytes' `memory`): the first
   * one given is the one its instances import from then on (`delivery` reads it); false for any other.
   */
  private useReplies(replies: WasmMemory): boolean {
    if (this.replies === replies) return true;
    if (this.replies !== null || !this.placing) return false;
    this.replies = replies;
    // Instances over the chunk memories again, importing it (kept with the memory: see release).
    const own = this.own;
    if (own.replies !== replies) {
      own.replies = replies;
      own.replyInstances = new WeakMap();
    }
    this.instances = own.replyInstances;
    this.bound = null;
    return true;
  }

  /**
   * Its reader's input has ended (LineTemplates.release): its template memory, the table emptied, goes to the
   * next LineBytes made in this thread. It places, fills and reads nothing from then on (a template placed in
   * it may still be asked to fill a lane by a classifier that kept its shape: nothing is written).
   */
  release(): void {
    if (!this.placing) return;
    this.placing = false;
    this.replies = null;
    this.bound = null;
    this.lookup = this.delivery = null;
    this.headOf = null;
    this.linesOf = null;
    if (this.template.buffer.byteLength > MAX_SPARE_BYTES) return;
    const alphabet = this.alphabet as Uint8Array;
    let spare = spareMemories.get(alphabet);
    if (spare === undefined) {
      spare = [];
      spareMemories.set(alphabet, spare);
    }
    if (spare.length >= MAX_SPARE_MEMORIES) return;
    // The table lookup reads (a place is written whole, its lanes emptied, when a template is placed there).
    this.view.fill(0, TABLE_AT, PLACES_AT);
    spare.push(this.own);
  }

  /** Whether `head` reads lines of the bytes bound last (they lie in a chunk memory). */
  get heads(): boolean {
    return this.headOf !== null;
  }

  /**
   * A Postfix line's head (PostfixParser.head, postfix.ts: the same answer, in one call) of the line
   * [from, to) of the bytes bound last (`heads` true), into into[at, at + HEAD_INTS): false where the line
   * has no queue id (nothing written).
   */
  head(from: number, to: number, into: Int32Array, at: number): boolean {
    const base = this.base;
    if ((this.headOf as Head)(base + from, base + to, base) === 0) return false;
    const ints = this.ints;
    for (let i = 0; i < HEAD_INTS; i++) into[at + i] = ints[HEAD_AT / 4 + i];
    return true;
  }

  /**
   * The entries of the lines of the bytes bound last (`heads` true) from `from` to `last` (a line's LF), at
   * most `most`, written at entries[at] (line-index.ts indexLines: per line its start, its stop before CR LF
   * or LF, its shard — shardOf of its head's hash among `shards`, -2 where `head` reads none —, its head),
   * in one call; how many. -1 (nothing written) where `entries` lie in another memory than the bytes.
   */
  lines(from: number, last: number, entries: Int32Array, at: number, most: number, shards: number): number {
    const bound = this.bound;
    if (bound === null || entries.buffer !== bound.buffer || this.linesOf === null) return -1;
    const base = this.base;
    const address = entries.byteOffset + 4 * at;
    const room = Math.min(most, Math.floor((entries.length - at) / LINE_ENTRY_INTS));
    return this.linesOf(base + from, base + last, base + bound.length, base, address, room, shards);
  }

  /** The slot of the line `lookup` read last. */
  lastSlot(): number {
    return this.ints[OUT_AT / 4];
  }

  /** Whether the last `delivery` call's `lookup` swapped its slot's two templates (the second read the line). */
  deliverySwapped(): boolean {
    return this.ints[SWAPPED_AT / 4] === 1;
  }

  /** The address of the first template of `slot` in the table. */
  tableAddress(slot: number): number {
    return this.ints[TABLE_AT / 4 + slot];
  }

  /** Sets the addresses of a slot's two templates in the table `lookup` reads (-1: none or not placed). */
  setSlot(slot: number, first: number, second: number): void {
    if (!this.placing) return;
    this.ints[TABLE_AT / 4 + slot] = Math.max(first, 0);
    this.ints[TABLE_AT / 4 + slot + 1] = Math.max(second, 0);
  }

  /**
   * Places a template at place `place` (< places): its pieces (the literal bytes, each piece's end in them
   * and the alphabet of the span after it), tail and recipient domain's length. Its address for the table
   * (setSlot), or -1 where it does not fit.
   */
  place(
    place: number,
    literal: Uint8Array,
    pieceEnds: number[],
    kinds: number[],
    tail: Uint8Array,
    domainLength: number,
  ): number {
    const n = pieceEnds.length;
    const table = 12 + 8 * n;
    const lanes = LANES * LANE_BYTES;
    if (!this.placing || lanes + table + literal.length + tail.length > TEMPLATE_PLACE) return -1;
    const lane = PLACES_AT + place * TEMPLATE_PLACE;
    this.room(lane + TEMPLATE_PLACE);
    // The place's lanes are another template's: emptied.
    this.view.fill(0, lane, lane + lanes);
    const at = lane + lanes;
    const words = this.words;
    words.setInt32(at, n, true);
    words.setInt32(at + 4, tail.length, true);
    words.setInt32(at + 8, domainLength, true);
    for (let p = 0; p < n; p++) {
      words.setInt32(at + 12 + 8 * p, pieceEnds[p] - (p === 0 ? 0 : pieceEnds[p - 1]), true);
      words.setInt32(at + 16 + 8 * p, p < kinds.length ? kinds[p] : 0, true);
    }
    this.view.set(literal, at + table);
    this.view.set(tail, at + table + literal.length);
    return at;
  }

  /**
   * Fills a lane of the template placed at `address` (place's answer) with `ints` (LANE_INTS; the first 1),
   * addresses in the replies memory `replies` (nothing where its lanes hold another's: see useReplies): the first
   * lane, refreshed where it holds the same templates, host and probe key; else its lane goes second (over the
   * second where that one holds them: the lane filled last is always first).
   */
  fillLane(address: number, ints: Int32Array, replies: WasmMemory): void {
    if (!this.useReplies(replies)) return;
    // Through the memory's ints (as the table's: the module's memory is little-endian, as this platform's
    // typed arrays): a DataView's setInt32 was a call per int (callgrind).
    const all = this.ints;
    const first = (address - LANES * LANE_BYTES) >> 2;
    const second = first + LANE_INTS;
    // The lane filled goes first (line-bytes.wat `delivery` tries it first): the first goes second, over the
    // second where that one is the lane refilled.
    if (!sameLane(all, first, ints)) all.copyWithin(second, first, second);
    for (let i = 0; i < LANE_INTS; i++) all[first + i] = ints[i];
  }

  /** Empties the lanes of the template placed at `address`. */
  clearLane(address: number): void {
    if (!this.placing) return;
    const first = (address - LANES * LANE_BYTES) >> 2;
    this.ints[first] = 0;
    this.ints[first + LANE_INTS] = 0;
  }
}

/**
 * Whether the lane at ints[at] is filled with what `lane` holds but for the versions (a lane of the same class
 * version's address, reply template, record template, host and probe key: the same shape, refilled).
 */
function sameLane(ints: Int32Array, at: number, lane: Int32Array): boolean {
  return (
    ints[at] === 1 &&
    ints[at + 2] === lane[2] &&
    ints[at + 5] === lane[5] &&
    ints[at + 6] === lane[6] &&
    ints[at + 7] === lane[7] &&
    ints[at + 10] === lane[10] &&
    ints[at + 11] === lane[11]
  );
}
