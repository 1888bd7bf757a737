import { inChunkMemory, LineBytes, TEMPLATE_SLOTS, type WasmMemory } from "../bounce/line-bytes.ts";
import { MemoryWords, WordLiteral } from "../bounce/word-literal.ts";
import { FNV_PRIME } from "../util/fnv.ts";
import { OutcomeShape } from "./source.ts";

/**
 * Recipient lines of one relay mostly repeat the last one's bytes after the recipient's local part: the
 * domain, `>, relay=host[ip]:25, delay=…, delays=…, dsn=2.0.0, status=sent (host host[ip] said: ` and,
 * after the reply, ` (in reply to end of DATA command))`. A line template is such a line's bytes from the
 * recipient's last `@` to the reply, and from the reply's end to the line's end, with the places that vary
 * from line to line without changing what the parser reads cut out as variable spans: the values of
 * `delay=` and `delays=` (digits, dots, slashes: DELAY), bracketed addresses (`[17.57.155.23]`: hex digits, dots,
 * colons: ADDRESS) and the optional `, conn_use=N` (CONN_USE: the field and its number, or nothing). A line that
 * has every other byte of a template is read as that template's line was (the same relay, DSN, status word,
 * reply boundaries): no field search, no relay or DSN lookup.
 *
 * Exact: the parser finds the fields by the first or last occurrence of `, relay=`, `, dsn=`,
 * `, status=`, ` said: `, ` (in reply to ` and `)` in the part a template compares, and the line's head
 * and the reply are not part of it (a reply that is the whole status text, without ` said: `, is its own
 * line's only where it does not start with `host `: the parser checks that per line). None of these holds
 * a byte of a DELAY or ADDRESS span's alphabet at its ends and none holds `[` or `]`, so no occurrence lies in,
 * or crosses into, such a span: a matching line has its occurrences where the template's line had them. A
 * CONN_USE span holds `, conn_use=` and digits, dots, slashes: no field name lies in it, and none crosses its
 * ends (its only `, ` is its first two bytes, the bytes after it are the next piece's). test/events/line-template.test.ts changes one
 * byte at a time and requires the template's reading to equal a fresh parser's.
 */

/** A variable span's kind: DELAY and ADDRESS are alphabets (ALPHABET: a flag per byte), CONN_USE is not. */
const DELAY = 1;
const ADDRESS = 2;
/**
 * Not an alphabet (no byte has its flag) but a span of its own: `, conn_use=` and its number (DELAY's run), or
 * nothing (line-bytes.wat $spanEnd too). Postfix (global/log_adhoc.c) writes conn_use only for a delivery over a
 * cached connection: a relay's deliveries come with it and without, and one template reads both. It is put where
 * the line has it or, in a line without, before `, delay=` (where Postfix writes it): learn.
 */
const CONN_USE = 4;
const CONN_USE_FIELD = Uint8Array.from(", conn_use=", (c) => c.charCodeAt(0));
const DELAY_FIELD = Uint8Array.from(", delay=", (c) => c.charCodeAt(0));
const ALPHABET = new Uint8Array(256);
for (const c of "0123456789./") ALPHABET[c.charCodeAt(0)] |= DELAY;
for (const c of "0123456789abcdefABCDEF.:") ALPHABET[c.charCodeAt(0)] |= ADDRESS;

const AT_SIGN = 64;
const COMMA = 44;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const EQUALS = 61;
/**
 * Field names whose values are variable spans of the DELAY alphabet (`delay=1.2`, `delays=0.1/0/0.5/0.6`).
 * conn_use's number is not among them: it is a CONN_USE span's, with its field (CONN_USE_FIELD).
 */
const DELAY_FIELDS = ["delay=", "delays="].map((name) => Uint8Array.from(name, (c) => c.charCodeAt(0)));
/** Slots of the table of templates (a power of two); a slot holds the last two templates made for it. */
const SLOTS = TEMPLATE_SLOTS;
/** Bytes of the relay's name mixed into a template's slot (after `>, relay=`). */
const RELAY_NAME_BYTES = 8;
const RELAY_NAME_AT = ">, relay=".length;
/** Where the bytes that name the command mixed into a slot are: so many bytes before the line's end. */
const COMMAND_AT = "TA command))".length;
const COMMAND_BYTES = 4;
/** Templates longer than this are not made (a line's part after the recipient is rarely 300 bytes). */
const MAX_TEMPLATE = 1024;
/** Templates a slot keeps besides the two in the table (see LineTemplates.extras). */
const EXTRAS = 2;
/** A template's compares in JavaScript made byte by byte before its WordLiterals are made (LineTemplate.words). */
const JS_COMPARES = 16;
/** Where learn gathers a template's literal pieces and tail (at most MAX_TEMPLATE bytes). */
const LITERAL = new Uint8Array(MAX_TEMPLATE);
/**
 * The tables of a LineTemplates that has learned nothing (since it was made or released): shared and never
 * written (learn makes its own first). A slot of it holds nothing.
 */
const NO_TEMPLATES: undefined[] = new Array(SLOTS);
/** A LineTemplates' three tables, as released for the next one made in this thread (see LineTemplates.release). */
interface Tables<T> {
  firsts: (LineTemplate<T> | undefined)[];
  seconds: (LineTemplate<T> | undefined)[];
  extras: (LineTemplate<T>[] | undefined)[];
}
/** Tables released, emptied, at most MAX_SPARE_TABLES (one reader after another takes the same ones). */
const spareTables: Tables<unknown>[] = [];
const MAX_SPARE_TABLES = 4;

/** LineTemplates.delivery's answers where it wrote nothing: no WebAssembly call made; the line read (lastRead). */
export const NO_DELIVERY = -1;
export const LOOKED = -2;

/** What a line that matches a template is read as (besides its own head, recipient and reply). */
export interface TemplateReading<T> {
  /** Where the reply starts and ends in the matching line. */
  replyStart: number;
  replyEnd: number;
  /** What the parser read from the template's line (its relay, DSN, type). */
  fields: T;
  /**
   * Its reply is the whole status text up to the line's last `)` (LineTemplates.learn): a line whose text there
   * starts another way (`host … said: `) is not its (the caller checks).
   */
  readonly bare: boolean;
  /** The same object for every line read by this template (see OutcomeShape). */
  shape: OutcomeShape;
}

/**
 * A template is its own reading and shape (TemplateReading: the same object for every line it reads): a
 * delivery's read then loads one object of its (recipient domain, relay) pair, not three (a wide log's
 * thousands of pairs are mostly out of the CPU's caches, and each object a load waits for).
 */
class LineTemplate<T> extends OutcomeShape implements TemplateReading<T> {
  // What a delivery's read uses first, after OutcomeShape's `kept` (an object's fields lie in their declaration
  // order: these share its first cache lines).
  replyStart = 0;
  replyEnd = 0;
  readonly bare: boolean;
  readonly shape: OutcomeShape;
  /**
   * Its address among its LineTemplates' (-1: not placed; -1 for a slot's extra too: see LineTemplates.extras),
   * and its place there (see LineTemplates.learn).
   */
  address = -1;
  place = -1;
  /** The length of the bytes from the reply's end to the line's end. */
  readonly tailLength: number;
  readonly fields: T;
  /** The literal pieces' bytes before the reply (from the recipient's last `@`), spans cut out, then the tail's. */
  private readonly literal: Uint8Array;
  /** Where piece i ends in `literal` (the tail follows the last). */
  private readonly pieceEnds: number[];
  /** A variable span of alphabet `kinds[i]` follows piece i. */
  private readonly kinds: number[];
  /**
   * The pieces and the tail as WordLiterals, made at the JS_COMPARES-th compare in JavaScript (null: not yet;
   * the compares before go byte by byte): a placed template reads a chunk memory's lines in WebAssembly, and
   * most are never compared here, or only a few times as a slot's extra (LineTemplates.extras), most of those
   * failing at their first bytes — making the words cost more than such compares (a wide log's thousands of
   * recipient domain × relay templates: ~55 % of the time its extras took).
   */
  private words: WordLiteral[] | null = null;
  private compares = 0;
  /** The template memory it is placed in (null: none). */
  private lineBytes: LineBytes | null = null;
  /** The recipient's domain length (the template starts at the `@` before it). */
  readonly domainLength: number;

  /** `bytes` holds the pieces (piece i ends at pieceEnds[i]) and then the tail's tailLength bytes. */
  constructor(
    bytes: Uint8Array,
    pieceEnds: number[],
    kinds: number[],
    tailLength: number,
    domainLength: number,
    fields: T,
    bare: boolean,
    place: number,
    lineBytes: LineBytes | null,
  ) {
    super();
    this.fields = fields;
    this.bare = bare;
    this.shape = this;
    this.literal = bytes.slice(0, pieceEnds[pieceEnds.length - 1] + tailLength);
    this.pieceEnds = pieceEnds;
    this.kinds = kinds;
    this.tailLength = tailLength;
    this.domainLength = domainLength;
    this.moveTo(place, lineBytes);
  }

  /** Takes place `place`, placed in `lineBytes` (where there are any). */
  moveTo(place: number, lineBytes: LineBytes | null): void {
    const { literal, pieceEnds } = this;
    const length = pieceEnds[pieceEnds.length - 1];
    this.place = place;
    this.lineBytes = lineBytes;
    this.address =
      lineBytes === null
        ? -1
        : lineBytes.place(
            place,
            literal.subarray(0, length),
            pieceEnds,
            this.kinds,
            literal.subarray(length),
            this.domainLength,
          );
  }

  /** Gives up its place (it leaves the table for its slot's extras). */
  leave(): void {
    this.place = -1;
    this.address = -1;
  }

  override fillLane(ints: Int32Array, replies: unknown): void {
    if (this.address >= 0) this.lineBytes?.fillLane(this.address, ints, replies as WasmMemory);
  }

  override clearLane(): void {
    if (this.address >= 0) this.lineBytes?.clearLane(this.address);
  }

  /** Its reading of the line whose recipient ends at `rcptEnd`, or null where a byte differs. */
  read(
    bytes: Uint8Array,
    memory: MemoryWords,
    rcptStart: number,
    rcptEnd: number,
    lineEnd: number,
  ): TemplateReading<T> | null {
    let at = rcptEnd - this.domainLength - 1;
    if (at < rcptStart) return null;
    const words = this.words ?? (++this.compares >= JS_COMPARES ? this.wordLiterals() : null);
    const { kinds, literal, pieceEnds } = this;
    // A local: a module constant read in a loop is loaded (and checked) again at every byte.
    const alphabet = ALPHABET;
    for (let p = 0; ; p++) {
      const start = p === 0 ? 0 : pieceEnds[p - 1];
      const length = pieceEnds[p] - start;
      if (at + length > lineEnd) return null;
      if (words === null ? !sameBytes(literal, start, length, bytes, at) : !words[p].at(memory, bytes, at))
        return null;
      at += length;
      if (p === kinds.length) break;
      const kind = kinds[p];
      if (kind === CONN_USE) at = connUseEnd(bytes, at, lineEnd);
      else while (at < lineEnd && (alphabet[bytes[at]] & kind) !== 0) at++;
    }
    const tailLength = this.tailLength;
    const replyEnd = lineEnd - tailLength;
    if (replyEnd < at) return null;
    const tailAt = pieceEnds[kinds.length];
    if (
      words === null
        ? !sameBytes(literal, tailAt, tailLength, bytes, replyEnd)
        : !words[kinds.length + 1].at(memory, bytes, replyEnd)
    )
      return null;
    return this.readAt(at, replyEnd);
  }

  /** Its reading, the reply at [replyStart, replyEnd). */
  readAt(replyStart: number, replyEnd: number): TemplateReading<T> {
    this.replyStart = replyStart;
    this.replyEnd = replyEnd;
    return this;
  }

  private wordLiterals(): WordLiteral[] {
    const { literal, pieceEnds } = this;
    const words = pieceEnds.map(
      (end, i) => new WordLiteral(literal.subarray(i === 0 ? 0 : pieceEnds[i - 1], end)),
    );
    words.push(new WordLiteral(literal.subarray(pieceEnds[pieceEnds.length - 1])));
    this.words = words;
    return words;
  }
}

/** The line templates of a parser, by the recipient's domain and the relay's name. */
export class LineTemplates<T> {
  /**
   * Two per slot (see read): the first of slot s (even) at firsts[s / 2], the second at seconds[s / 2].
   * Two arrays: one of 2 × SLOTS would be a large object for V8 (128 KB or more), a costly allocation for
   * every parser. Made at the first learn, or taken from a LineTemplates released before (see release):
   * 64 KB each, they were a third of making a parser (a test reads thousands of two-line inputs).
   */
  private firsts: (LineTemplate<T> | undefined)[] = NO_TEMPLATES;
  private seconds: (LineTemplate<T> | undefined)[] = NO_TEMPLATES;
  /**
   * A slot's templates evicted from its two (most recent first, at most EXTRAS), read in JavaScript when
   * neither of the two reads a line: a line of one of them takes it back into the table (promote) instead
   * of being read field by field and learned again. Three or more line shapes of one slot took turns in
   * its two otherwise, each made anew on every line (a sender's thousands of recipient domain × relay
   * shapes: most of a wide log's learns).
   */
  private extras: (LineTemplate<T>[] | undefined)[] = NO_TEMPLATES;
  /** The pairs whose first template is set (what release empties). */
  private readonly pairs: number[] = [];
  /** The words of the memory of the bytes read last (one per input chunk). */
  private readonly memory = new MemoryWords();
  /**
   * The templates in WebAssembly memory (line-bytes.ts), made with the first template learned from a chunk
   * memory's bytes (a log of a chunk or less has none); null: none.
   */
  private lineBytes: LineBytes | null = null;
  private lineBytesTried = false;
  /** Places given to templates so far (LineTemplate.place: 0, 1, … and then those of evicted ones). */
  private placesUsed = 0;
  /** What `read` gives for the line `delivery` answered LOOKED for last. */
  lastRead: TemplateReading<T> | null = null;

  /**
   * Its input has ended: its tables, emptied, and its template memory (LineBytes.release) go to the next
   * LineTemplates of this thread that learns. It reads on as a new one would (it has learned nothing).
   */
  release(): void {
    if (this.firsts !== NO_TEMPLATES) {
      const { firsts, seconds, extras } = this;
      for (const pair of this.pairs) {
        firsts[pair] = undefined;
        seconds[pair] = undefined;
        extras[pair] = undefined;
      }
      this.pairs.length = 0;
      if (spareTables.length < MAX_SPARE_TABLES)
        spareTables.push({ firsts, seconds, extras } as Tables<unknown>);
      this.firsts = this.seconds = this.extras = NO_TEMPLATES;
    }
    this.lineBytes?.release();
    this.lineBytes = null;
    this.lineBytesTried = false;
    this.placesUsed = 0;
    this.lastRead = null;
  }

  /** Tables of its own (see firsts), made or taken from those released. */
  private own(): void {
    const spare = spareTables.pop() as Tables<T> | undefined;
    this.firsts = spare?.firsts ?? new Array(SLOTS);
    this.seconds = spare?.seconds ?? new Array(SLOTS);
    this.extras = spare?.extras ?? new Array(SLOTS);
  }

  /** Whether it reads lines of `bytes` in WebAssembly (see lineBytes). */
  inWebAssembly(bytes: Uint8Array): boolean {
    this.lineBytes?.bind(bytes);
    return this.lineBytes?.lookup != null;
  }

  /**
   * The reading of a line by a template of its slot (see slotOf, `kind` too), or null (none, or a byte
   * differs). A slot holds the last two templates that read a line, the last first, and its extras.
   */
  read(
    bytes: Uint8Array,
    rcptStart: number,
    rcptEnd: number,
    lineEnd: number,
    kind = 0,
  ): TemplateReading<T> | null {
    const lineBytes = this.lineBytes;
    if (lineBytes !== null) {
      lineBytes.bind(bytes);
      const lookup = lineBytes.lookup;
      if (lookup !== null) {
        const reading = this.looked(lookup, lineBytes, rcptStart, rcptEnd, lineEnd, kind);
        return reading ?? this.extra(lineBytes.lastSlot(), bytes, rcptStart, rcptEnd, lineEnd);
      }
    }
    const slot = slotOf(bytes, rcptStart, rcptEnd, lineEnd, kind);
    const first = this.firsts[slot >> 1];
    if (first === undefined) return null;
    const memory = this.memory.of(bytes);
    const read = first.read(bytes, memory, rcptStart, rcptEnd, lineEnd);
    if (read !== null) return read;
    const second = this.seconds[slot >> 1];
    const other = second === undefined ? null : second.read(bytes, memory, rcptStart, rcptEnd, lineEnd);
    if (other !== null) this.swap(slot);
    return other ?? this.extra(slot, bytes, rcptStart, rcptEnd, lineEnd);
  }

  /** The reading of a line by an extra of its slot, which is promoted (null: none reads it). */
  private extra(
    slot: number,
    bytes: Uint8Array,
    rcptStart: number,
    rcptEnd: number,
    lineEnd: number,
  ): TemplateReading<T> | null {
    const extras = this.extras[slot >> 1];
    if (extras === undefined) return null;
    const memory = this.memory.of(bytes);
    for (let i = 0; i < extras.length; i++) {
      const reading = extras[i].read(bytes, memory, rcptStart, rcptEnd, lineEnd);
      if (reading !== null) {
        this.promote(slot, extras, i);
        return reading;
      }
    }
    return null;
  }

  /**
   * Extra i of the slot goes first, in the place of the slot's second, which becomes its most recent extra
   * (a slot has extras only when its two are there).
   */
  private promote(slot: number, extras: LineTemplate<T>[], i: number): void {
    const pair = slot >> 1;
    const promoted = extras[i];
    const first = this.firsts[pair]!;
    const second = this.seconds[pair]!;
    extras.copyWithin(1, 0, i);
    extras[0] = second;
    const place = second.place;
    second.leave();
    promoted.moveTo(place, this.lineBytes);
    this.seconds[pair] = first;
    this.firsts[pair] = promoted;
    this.lineBytes?.setSlot(slot, promoted.address, first.address);
  }

  /**
   * `read` by one WebAssembly call over the chunk where the line lies (lineBytes bound to its bytes): the
   * slot, both templates' compares and the swap as above, on the templates placed in the table (those
   * learned from other bytes, or too big for a place, are not: a line of theirs is read anew and learned).
   */
  private looked(
    lookup: (rcptStart: number, rcptEnd: number, end: number, kind: number) => number,
    lineBytes: LineBytes,
    rcptStart: number,
    rcptEnd: number,
    lineEnd: number,
    kind: number,
  ): TemplateReading<T> | null {
    const base = lineBytes.base;
    const start = lookup(base + rcptStart, base + rcptEnd, base + lineEnd, kind);
    return start < 0 ? null : this.lookedAt(start - base, lineBytes, lineEnd);
  }

  /**
   * A delivery's line read as `read` reads it and, where its template's lane holds (LineBytes.fillLane), its
   * record written at `out` in the lane's replies memory (up to `limit`, the time there `timeLength` bytes
   * long) in the same WebAssembly call (line-bytes.wat `delivery`): the record's end. Else nothing written:
   * NO_DELIVERY where there is no such call (`read` then), LOOKED where `lastRead` holds what `read` gives.
   */
  delivery(
    bytes: Uint8Array,
    rcptStart: number,
    rcptEnd: number,
    lineEnd: number,
    kind: number,
    out: number,
    limit: number,
    line: number,
    timeLength: number,
  ): number {
    const lineBytes = this.lineBytes;
    if (lineBytes === null) return NO_DELIVERY;
    lineBytes.bind(bytes);
    const delivery = lineBytes.delivery;
    if (delivery === null) return NO_DELIVERY;
    const base = lineBytes.base;
    const answer = delivery(
      base + rcptStart,
      base + rcptEnd,
      base + lineEnd,
      kind,
      out,
      limit,
      line,
      timeLength,
    );
    if (answer >= 0) {
      // As `lookedAt` (the slot's second read it: the table's two changed places), without its reading. Told by
      // the call, not by the first template's address: its object is not loaded (a wide log's thousands are
      // mostly out of the caches: that load was most of the samples of the delivery it is inlined in, perf).
      if (lineBytes.deliverySwapped()) this.swapped(lineBytes.lastSlot() >> 1);
      return answer;
    }
    const start = -2 - answer;
    this.lastRead =
      start >= 0
        ? this.lookedAt(start - base, lineBytes, lineEnd)
        : this.extra(lineBytes.lastSlot(), bytes, rcptStart, rcptEnd, lineEnd);
    return LOOKED;
  }

  /** The template `lookup` found last, whose line's reply starts at `replyStart` (the slots kept as the table's). */
  private lookedAt(replyStart: number, lineBytes: LineBytes, lineEnd: number): TemplateReading<T> {
    const slot = lineBytes.lastSlot();
    const pair = slot >> 1;
    let template = this.firsts[pair]!;
    // The second matched (the table's two have changed places): as slots.
    if (template.address !== lineBytes.tableAddress(slot)) template = this.swapped(pair);
    template.replyStart = replyStart;
    template.replyEnd = lineEnd - template.tailLength;
    return template;
  }

  /** The pair's second template read a line in WebAssembly, which swapped them in its table: here too. */
  private swapped(pair: number): LineTemplate<T> {
    const template = this.seconds[pair]!;
    this.seconds[pair] = this.firsts[pair];
    this.firsts[pair] = template;
    return template;
  }

  /** The second template of a slot read a line: it goes first. */
  private swap(slot: number): void {
    const pair = slot >> 1;
    const second = this.swapped(pair);
    this.lineBytes?.setSlot(slot, second.address, this.seconds[pair]!.address);
  }

  /**
   * Makes the line's template, from what the parser read: its reply at [replyStart, replyEnd), which
   * must follow ` said: ` in the part compared (the caller's search found it there), or be the whole text
   * from a `(` in that part to the line's last `)` (the caller then checks each line's reply: postfix.ts,
   * `bare`). Gives the template's reading of its own line.
   */
  learn(
    bytes: Uint8Array,
    rcptStart: number,
    rcptEnd: number,
    lineEnd: number,
    replyStart: number,
    replyEnd: number,
    fields: T,
    kind = 0,
    bare = false,
  ): TemplateReading<T> | null {
    let atSign = rcptEnd - 1;
    while (atSign >= rcptStart && bytes[atSign] !== AT_SIGN) atSign--;
    if (atSign < rcptStart || replyStart < rcptEnd || replyEnd < replyStart) return null;
    if (lineEnd - atSign > MAX_TEMPLATE) return null;
    const literal = LITERAL;
    let length = 0;
    const pieceEnds: number[] = [];
    const kinds: number[] = [];
    let connUse = false;
    for (let i = atSign; i < replyStart; ) {
      // After a piece's byte (a span never follows a span).
      if (
        !connUse &&
        bytes[i] === COMMA &&
        length > (pieceEnds.length === 0 ? 0 : pieceEnds[pieceEnds.length - 1])
      ) {
        const end = connUseEnd(bytes, i, replyStart);
        if (end > i || startsWith(bytes, DELAY_FIELD, i, replyStart)) {
          connUse = true;
          pieceEnds.push(length);
          kinds.push(CONN_USE);
          i = end;
          continue;
        }
      }
      const kind = spanAfter(bytes, atSign, i);
      if (kind !== 0) {
        let end = i;
        while (end < replyStart && (ALPHABET[bytes[end]] & kind) !== 0) end++;
        // A bracketed address is a span only up to its `]`.
        if (end > i && (kind !== ADDRESS || (end < replyStart && bytes[end] === CLOSE_BRACKET))) {
          pieceEnds.push(length);
          kinds.push(kind);
          i = end;
          continue;
        }
      }
      literal[length++] = bytes[i];
      i++;
    }
    pieceEnds.push(length);
    for (let i = replyEnd; i < lineEnd; i++) literal[length++] = bytes[i];
    const slot = slotOf(bytes, rcptStart, rcptEnd, lineEnd, kind);
    const pair = slot >> 1;
    if (this.firsts === NO_TEMPLATES) this.own();
    const kept = this.firsts[pair];
    if (kept === undefined) this.pairs.push(pair);
    const evicted = this.seconds[pair];
    // The new one takes the place of the one it evicts (which becomes an extra), else the next unused one:
    // the places in use stay together at the memory's start (it grows as they are used: line-bytes.ts).
    let place: number;
    if (evicted !== undefined) {
      place = evicted.place;
      evicted.leave();
      const extras = this.extras[pair];
      if (extras === undefined) this.extras[pair] = [evicted];
      else {
        if (extras.length >= EXTRAS) extras.pop();
        extras.unshift(evicted);
      }
    } else place = this.placesUsed++;
    if (!this.lineBytesTried && inChunkMemory(bytes)) {
      this.lineBytesTried = true;
      this.lineBytes = LineBytes.of(2 * SLOTS, ALPHABET);
    }
    const lineBytes = this.lineBytes;
    const template = new LineTemplate(
      literal,
      pieceEnds,
      kinds,
      lineEnd - replyEnd,
      rcptEnd - atSign - 1,
      fields,
      bare,
      place,
      lineBytes,
    );
    this.seconds[pair] = kept;
    this.firsts[pair] = template;
    lineBytes?.setSlot(slot, template.address, kept === undefined ? -1 : kept.address);
    // What `read` gives its own line: each piece is the line's bytes where the template took it, each span
    // ends where the line's run of the span's alphabet does (the next piece starts with a byte outside it,
    // and the last piece, which ends with ` said: `, before the reply), and the tail is the line's end.
    return template.readAt(replyStart, replyEnd);
  }
}

/** Whether bytes[at, at + length) equal literal[start, start + length) (the caller checks they lie in `bytes`). */
function sameBytes(
  literal: Uint8Array,
  start: number,
  length: number,
  bytes: Uint8Array,
  at: number,
): boolean {
  for (let i = 0; i < length; i++) if (bytes[at + i] !== literal[start + i]) return false;
  return true;
}

/** Whether bytes[at, end) start with `word`. */
function startsWith(bytes: Uint8Array, word: Uint8Array, at: number, end: number): boolean {
  if (at + word.length > end) return false;
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word[k]) return false;
  return true;
}

/** The end of a CONN_USE span at bytes[at] (before `end`): after `, conn_use=` and its DELAY run, else `at`. */
function connUseEnd(bytes: Uint8Array, at: number, end: number): number {
  if (!startsWith(bytes, CONN_USE_FIELD, at, end)) return at;
  let i = at + CONN_USE_FIELD.length;
  while (i < end && (ALPHABET[bytes[i]] & DELAY) !== 0) i++;
  return i;
}

/** The alphabet of a variable span starting at bytes[i] (0: none), from the bytes before it since `from`. */
function spanAfter(bytes: Uint8Array, from: number, i: number): number {
  const before = i > from ? bytes[i - 1] : -1;
  if (before === OPEN_BRACKET) return ADDRESS;
  if (before !== EQUALS) return 0;
  for (const name of DELAY_FIELDS) {
    const start = i - name.length;
    if (start < from) continue;
    let k = 0;
    while (k < name.length && bytes[start + k] === name[k]) k++;
    if (k === name.length) return DELAY;
  }
  return 0;
}

/**
 * A template's slot (its first place in the table: LineTemplates.firsts[slot / 2]): a hash of the
 * recipient's domain, the first bytes of the relay's name and the bytes where the line's end names the
 * command the reply answered (`end of DATA command))`, `RCPT TO command))`: a relay's deliveries and refusals apart), and of what
 * the caller says tells its outcomes apart (`kind`, the same number for a line's read and learn).
 */
function slotOf(
  bytes: Uint8Array,
  rcptStart: number,
  rcptEnd: number,
  lineEnd: number,
  kind: number,
): number {
  let hash = Math.imul(kind, FNV_PRIME);
  for (let i = rcptEnd - 1; i >= rcptStart && bytes[i] !== AT_SIGN; i--)
    hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
  const end = Math.min(lineEnd, rcptEnd + RELAY_NAME_AT + RELAY_NAME_BYTES);
  for (let i = rcptEnd + RELAY_NAME_AT; i < end; i++) hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
  // A kind's low bit: its lines' last bytes may be their reply's own (a delivery's `status=sent (250 … <id>)`):
  // not hashed, else each line would be its own slot.
  if ((kind & 1) === 0) {
    for (let i = Math.max(rcptEnd, lineEnd - COMMAND_AT); i < lineEnd - COMMAND_AT + COMMAND_BYTES; i++) {
      hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
    }
  }
  return 2 * ((hash ^ (hash >>> 16)) & (SLOTS - 1));
}
