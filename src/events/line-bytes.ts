import { LINE_BYTES_WASM } from "./line-bytes-wasm.ts";

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
/** Bytes of a template's place in the template memory (its pieces' table, pieces and tail). */
export const TEMPLATE_PLACE = 2048;
/** The template memory (see line-bytes.wat): the alphabet, the table of templates by slot, out, places. */
const ALPHABET_BYTES = 256;
const TABLE_AT = 256;
const OUT_AT = 2304;
const PLACES_AT = 4096;

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
/** Where `head` leaves a line's head in the template memory (HEAD_INTS ints, see line-bytes.wat). */
const HEAD_AT = 2320;
const HEAD_INTS = 8;

/** The exports of the module's instance over one chunk memory. */
interface Exports {
  lookup: Lookup;
  head: Head;
}

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

type Reply = (from: number, to: number, template: number) => number;

/** A ReplyBytes memory: the class table, out (the tokens' places), then the templates' area (REPLY_AREA bytes). */
const REPLY_OUT_AT = 256;
const REPLY_TEMPLATES_AT = 4096;
const REPLY_AREA = 1 << 20;
/** The most tokens a placed reply template has (out holds two ints per token). */
export const REPLY_TOKENS_MAX = (REPLY_TEMPLATES_AT - REPLY_OUT_AT) / 8;
/** Rounds of every ReplyBytes (a template placed in a round is known by its number, see ReplyBytes.round). */
let replyRounds = 0;

/**
 * Reply templates' compare (reply-key.ts ReplyMask.matches) in WebAssembly (line-bytes.wat `reply`), over the
 * chunk memory the reply lies in: a memory of its own for the class table and the templates, each placed
 * once where it is first matched against bytes in a chunk memory. The templates' area is used from its start
 * to its end, then anew (a new `round`: the templates placed in an earlier one are placed again when used),
 * so it stays bounded however many replies a run classifies.
 */
export class ReplyBytes {
  /** The `reply` of the instance over the chunk memory of the bytes bound last (null: none). */
  reply: Reply | null = null;
  /** Where the bytes bound last start in their chunk memory. */
  base = 0;
  /** This round's number (unique among all ReplyBytes of the thread). */
  round = ++replyRounds;
  /** The tokens' starts and ends `reply` found last (two ints a token, from the reply's start). */
  readonly out: Int32Array;
  private bound: Uint8Array | null = null;
  private next = REPLY_TEMPLATES_AT;
  private readonly memory: WasmMemory;
  private readonly view: Uint8Array;
  private readonly words: DataView;
  private readonly module: WasmModule;
  private readonly instances = new Map<WasmMemory, Reply | null>();

  /** A ReplyBytes with the scanner's class table `classes` (by byte value), or null where WebAssembly fails. */
  static of(classes: Uint8Array): ReplyBytes | null {
    const module = lineBytesModule();
    if (module === null) return null;
    try {
      return new ReplyBytes(module, classes);
    } catch {
      return null;
    }
  }

  private constructor(module: WasmModule, classes: Uint8Array) {
    this.module = module;
    this.memory = new (wasm().Memory)({ initial: Math.ceil((REPLY_TEMPLATES_AT + REPLY_AREA) / PAGE) });
    this.view = new Uint8Array(this.memory.buffer);
    this.words = new DataView(this.memory.buffer);
    this.out = new Int32Array(this.memory.buffer, REPLY_OUT_AT, 2 * REPLY_TOKENS_MAX);
    this.view.set(classes.subarray(0, 256), 0);
  }

  /** Binds `bytes` (the replies matched next lie there): `reply` and `base` are then theirs, or `reply` is null. */
  bind(bytes: Uint8Array): void {
    if (bytes === this.bound) return;
    this.bound = bytes;
    const memory = chunkMemories.get(bytes.buffer);
    this.reply = memory === undefined ? null : this.instance(memory);
    this.base = bytes.byteOffset;
  }

  private instance(memory: WasmMemory): Reply | null {
    let reply = this.instances.get(memory);
    if (reply === undefined) {
      try {
        const instance = new (wasm().Instance)(this.module, {
          line: { chunk: memory, template: this.memory },
        });
        reply = instance.exports.reply as Reply;
      } catch {
        reply = null;
      }
      this.instances.set(memory, reply);
    }
    return reply;
  }

  /**
   * Places a reply template (its literal pieces' bytes, where each ends, its tokens' places and kinds, at
   * most REPLY_TOKENS_MAX) in this round; its address. A full area starts a new round first.
   */
  place(literal: Uint8Array, pieceEnds: Int32Array, places: Uint8Array, kinds: Uint8Array): number {
    const n = kinds.length;
    const size = (4 + 4 * (n + 1) + 4 * n + literal.length + 7) & ~7;
    if (this.next + size > REPLY_TEMPLATES_AT + REPLY_AREA) {
      this.next = REPLY_TEMPLATES_AT;
      this.round = ++replyRounds;
    }
    const at = this.next;
    this.next += size;
    const words = this.words;
    words.setInt32(at, n, true);
    for (let p = 0; p <= n; p++)
      words.setInt32(at + 4 + 4 * p, pieceEnds[p] - (p === 0 ? 0 : pieceEnds[p - 1]), true);
    const tokens = at + 4 + 4 * (n + 1);
    for (let t = 0; t < n; t++) words.setInt32(tokens + 4 * t, places[t] | (kinds[t] << 8), true);
    this.view.set(literal, tokens + 4 * n);
    return at;
  }
}

/**
 * The template memory of one LineTemplates and its module instances, one per chunk memory it read lines
 * of. `places` templates at most, each at a fixed place (no allocator: LineTemplates gives each template
 * the place of the one it replaces).
 */
export class LineBytes {
  /** The `lookup` of the instance over the chunk memory of the bytes bound last (null: none). */
  lookup: Lookup | null = null;
  /** Its `head` (null: none; see `head`). */
  private headOf: Head | null = null;
  /** Where the bytes bound last start in their chunk memory. */
  base = 0;
  private bound: Uint8Array | null = null;
  private readonly template: WasmMemory;
  private readonly view: Uint8Array;
  private readonly words: DataView;
  private readonly module: WasmModule;
  private readonly instances = new Map<WasmMemory, Exports | null>();
  private readonly ints: Int32Array;

  /** A LineBytes for `places` templates and the span alphabet `alphabet`, or null where WebAssembly fails. */
  static of(places: number, alphabet: Uint8Array): LineBytes | null {
    if (places > (OUT_AT - TABLE_AT) / 4) return null;
    const module = lineBytesModule();
    if (module === null) return null;
    try {
      return new LineBytes(module, places, alphabet);
    } catch {
      return null;
    }
  }

  private constructor(module: WasmModule, places: number, alphabet: Uint8Array) {
    this.module = module;
    this.template = new (wasm().Memory)({
      initial: Math.ceil((PLACES_AT + places * TEMPLATE_PLACE) / PAGE),
    });
    this.view = new Uint8Array(this.template.buffer);
    this.words = new DataView(this.template.buffer);
    this.ints = new Int32Array(this.template.buffer, 0, PLACES_AT / 4);
    this.view.set(alphabet.subarray(0, ALPHABET_BYTES), 0);
  }

  /**
   * Binds `bytes` (the chunk lines are read from next): `lookup` and `base` are then theirs, or `lookup` is
   * null (bytes in no chunk memory). Cheap when they are the bytes bound last.
   */
  bind(bytes: Uint8Array): void {
    if (bytes === this.bound) return;
    this.bound = bytes;
    const memory = chunkMemories.get(bytes.buffer);
    const exports = memory === undefined ? null : this.instance(memory);
    this.lookup = exports?.lookup ?? null;
    this.headOf = exports?.head ?? null;
    this.base = bytes.byteOffset;
  }

  private instance(memory: WasmMemory): Exports | null {
    let exports = this.instances.get(memory);
    if (exports === undefined) {
      try {
        const instance = new (wasm().Instance)(this.module, {
          line: { chunk: memory, template: this.template },
        });
        exports = { lookup: instance.exports.lookup as Lookup, head: instance.exports.head as Head };
      } catch {
        exports = null;
      }
      this.instances.set(memory, exports);
    }
    return exports;
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

  /** The slot of the line `lookup` read last. */
  lastSlot(): number {
    return this.ints[OUT_AT / 4];
  }

  /** The address of the first template of `slot` in the table. */
  tableAddress(slot: number): number {
    return this.ints[TABLE_AT / 4 + slot];
  }

  /** Sets the addresses of a slot's two templates in the table `lookup` reads (-1: none or not placed). */
  setSlot(slot: number, first: number, second: number): void {
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
    if (table + literal.length + tail.length > TEMPLATE_PLACE) return -1;
    const at = PLACES_AT + place * TEMPLATE_PLACE;
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
}
