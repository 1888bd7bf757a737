import { FNV_PRIME } from "../util/fnv.ts";
import type { DeliveryEvent, EventType, ParseProblem } from "./event.ts";
import type { FieldTable } from "./field-table.ts";
import type { FormatName } from "./formats.ts";

/** What a parser pushes its results into (events and problems in input order). */
export type Out = (DeliveryEvent | ParseProblem)[];

/** Per-input settings a parser needs. */
export interface ParseContext {
  file: string;
  /** Year for syslog timestamps that carry none (see src/events/syslog-time.ts). */
  year: number | null;
  /** When the input was last modified: the default year is taken from it, rolling back across New Year. */
  modified: Date | null;
  /** IANA zone for timestamps that carry none (default UTC). */
  tz: string;
  /**
   * When set, the consumer wants only these event types: a parser on a hot path may skip building the
   * others (a hint — consumers still filter).
   */
  types: ReadonlySet<EventType> | null;
  /** Where a parser counts what it had to forget (absent: nobody asked). */
  counters?: ParseCounters;
  /**
   * Several readers of one input, each taking a share of its messages (EventSource.shards): this one
   * gives events of its own share only. Absent or null: every message.
   */
  shard?: Shard | null;
  /**
   * Where a parser that reads lines on their bytes (LineParser.take) hands each outcome it finds there,
   * instead of pushing an event (classify of a big log: the record's JSON is written from the bytes).
   * Absent or null: every event goes to `out`.
   */
  outcomes?: OutcomeSink | null;
}

/**
 * A recipient outcome read from a line's bytes: the event (only valid during the call: the parser may
 * reuse it), and where its recipient and reply lie in `bytes` (an ASCII line: byte offsets are character
 * offsets). The event's recipient is those bytes decoded (null when empty) for a deferral (the parser
 * keeps it); for the other outcomes it is left null, the recipient being those bytes. The event's reply
 * may be left null when it has one (replyStart ≥ 0): its text is then those bytes, decoded by whoever
 * needs it.
 */
export interface OutcomeSpans {
  bytes: Buffer;
  recipientStart: number;
  recipientEnd: number;
  /** The line's own id of the message (DeliveryEvent.queueId): empty (start = end) when it has none. */
  queueIdStart: number;
  queueIdEnd: number;
  /** -1 when the event has no reply. */
  replyStart: number;
  replyEnd: number;
  /** Set when the parser read the line as one of a known shape (see OutcomeShape); null otherwise. */
  shape: OutcomeShape | null;
}

/**
 * The outcomes a parser gives with one shape object have the same type, remote MTA, DSN status and reason
 * hint, and the same recipient domain (the bytes after the recipient's last `@`): what a sink derives
 * from those alone it may keep on the object (`kept`, the sink's own) and use for the next outcome of the
 * shape. A parser gives a new object where it cannot promise that.
 */
export class OutcomeShape {
  kept: unknown = null;
  /** What the sink kept before `kept` (the outcomes of one shape may take turns in two: two reply codes). */
  keptBefore: unknown = null;
  /**
   * What the sink reads of `kept` for every outcome, copied beside it (its own too; `keptReplyCode`
   * undefined: no copy): the shape is an object the parser has just used, `kept` one more to wait for (a
   * wide log's thousands of shapes and kept objects are mostly out of the CPU's caches).
   */
  keptReplyCode: number | null | undefined = undefined;
  keptClass: unknown = null;
  keptRelay: unknown = undefined;

  /**
   * Fills the shape's lane (bounce/line-bytes.ts LANE_INTS: how the sink wrote its outcome's record, for the
   * next outcome of the shape to be written by the parser's WebAssembly call), where it has one; its
   * addresses are in `replies` (bounce/line-bytes.ts ReplyBytes.memory).
   */
  fillLane(_ints: Int32Array, _replies: unknown): void {}

  /** Empties the shape's lane (what it copies may have changed), where it has one. */
  clearLane(): void {}
}

export interface OutcomeSink {
  /** An outcome that comes after the first `before` items of `out` (and after the outcomes given before). */
  outcome(event: DeliveryEvent, spans: OutcomeSpans, before: number): void;
  /**
   * An outcome of a line read as one of a known shape (spans.shape set), offered before
   * its event is made: the sink may take it from the shape's type, remote MTA, DSN status, reason hint,
   * SMTP command and recipient domain, the line's recipient and reply (spans) and `line`'s values. True:
   * taken (as `outcome` would have); false: nothing done, the event follows. Absent: every outcome comes
   * as an event.
   */
  shaped?(line: ShapedLine, spans: OutcomeSpans, before: number): boolean;
  /**
   * Where the sink takes deliveries' records written by the parser itself (a line template's lane: see
   * LineTemplates.delivery), null or absent where it does not.
   */
  readonly deliveries?: DeliveryWriter | null;
}

/**
 * The sink's side of a delivery's record written by the parser's WebAssembly call (LineTemplates.delivery, by
 * the lane OutcomeShape.fillLane filled): where to write it, then the record taken as `shaped` would have.
 */
export interface DeliveryWriter {
  /**
   * Where the record of a delivery at time `time` may be written now (the lanes' replies memory, time set
   * there), -1 where not (the sink writes the next one itself); `limit` and `timeLength` are then the call's.
   */
  start(time: string | null): number;
  readonly limit: number;
  readonly timeLength: number;
  /**
   * The record written from `start` ends at `end` (not past `limit`): taken as `shaped` takes one of line
   * `line` after the first `before` items of `out`.
   */
  wrote(end: number, line: number, before: number): void;
}

/** The values of a line given to OutcomeSink.shaped besides its spans (one object, reused by the parser). */
export interface ShapedLine {
  type: EventType;
  replyCode: number | null;
  file: string;
  line: number;
  time: string | null;
}

/** Reader `index` of `count` reading the same input (pipeline/classify-log-threads.ts). */
export interface Shard {
  index: number;
  count: number;
}

/** Ints a LineParser.head writes. */
export const HEAD_INTS = 8;

/** A 32-bit hash (FNV-1) of a message id's characters [start, end): what shardOf takes. */
export function idHash(text: string, start = 0, end = text.length): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

/** The shard a message belongs to, by idHash of its id (the hash's high bits: well mixed). */
export function shardOf(hash: number, count: number): number {
  return (Math.imul(hash, 0x9e3779b1) >>> 16) % count;
}

/**
 * What a log parser forgot to stay bounded: per-message state (Postfix queue ids, Exim message ids)
 * dropped before the log said the message was done (`removed`, `Completed`) — always, in a grep'd log.
 */
export interface ParseCounters {
  /** States forgotten by age or count. */
  evicted: number;
  /** Of those, states with deferred recipients forgotten before the MTA's queue lifetime (count bound). */
  evictedEarly: number;
}

export function newCounters(): ParseCounters {
  return { evicted: 0, evictedEarly: 0 };
}

/** LineParser.chunkHeads. */
export type ChunkHeads = (
  bytes: Uint8Array,
  from: number,
  last: number,
  entries: Int32Array,
  at: number,
  most: number,
  shards: number,
) => number;

/** A stateful line consumer: one per input. */
export interface LineParser {
  line(text: string, lineNo: number, out: Out): void;
  /**
   * Parsers that can take a line in pieces (JSON: a webhook batch is often one huge line) implement
   * this; the others get a ParseProblem for any line longer than MAX_LINE.
   */
  fragment?(text: string, lineNo: number, out: Out): void;
  end(out: Out): void;
  /**
   * Parsers on a hot path may implement this: true when the line, ASCII bytes[from, to) without its
   * line end, would give nothing and change nothing — it is then counted but neither decoded nor given
   * to `line`. False means nothing: the line is decoded and given to `line` as usual.
   */
  skip?(bytes: Uint8Array, from: number, to: number): boolean;
  /**
   * Instead of `skip` when implemented: true when the line, ASCII bytes[from, to), was read on its bytes
   * — skipped, or (with ParseContext.outcomes) its outcome given to the sink — and is not to be decoded.
   * False: decoded and given to `line` as usual.
   */
  take?(bytes: Buffer, from: number, to: number, lineNo: number, out: Out): boolean;
  /**
   * Parsers read in shards may implement this with takeHead: the start of the line, ASCII bytes[from, to),
   * up to its message id (and what else the parser reads without state), written to into[at, at +
   * HEAD_INTS) — the id's hash (idHash of its bytes, what shardOf takes) first —, false when the line has
   * no id. Reads and changes no state: one thread finds
   * the heads of a chunk's lines for every shard (read.ts, line-index.ts).
   */
  head?(bytes: Uint8Array, from: number, to: number, into: Int32Array, at: number): boolean;
  /**
   * `head` of every line of bytes[from, last] (`last`: a line's LF), at most `most`, as a line index's entries
   * at entries[at] (line-index.ts: per line its start, its stop before CR LF or LF, its shard among `shards`,
   * its head), in one pass: how many; -1 where it cannot (the caller then asks `head` line by line). A line
   * whose shard is -2 is one it found no head of: the caller asks `head`.
   */
  chunkHeads?: ChunkHeads;
  /** `take` of a line whose head `head` found (in this or another thread): the same, without scanning it again. */
  takeHead?(
    bytes: Buffer,
    from: number,
    to: number,
    lineNo: number,
    out: Out,
    head: Int32Array,
    at: number,
  ): boolean;
  /** Called after the lines of each chunk: the moment to copy strings kept beyond it (see values.ts detach). */
  endChunk?(): void;
}

/** One event source (MTA log or ESP webhook format). */
export interface EventSource {
  id: FormatName;
  /** Where the format is documented. */
  source: string;
  /** The field table both readers of a JSON/CSV format come from (logs have a line parser only). */
  table?: FieldTable;
  /**
   * The parser honours ParseContext.shard: its per-message state is keyed by an id written on every
   * line of the message (Postfix queue ids), so readers that each take the messages of some ids, reading
   * the same input, give together what one reader gives.
   */
  shards?: boolean;
  /** True when the first bytes of an input (decoded) look like this format. */
  detect(head: string): boolean;
  create(context: ParseContext): LineParser;
}

/** A placeholder `source`, replaced at once (see newEvent). */
const NO_SOURCE: DeliveryEvent["source"] = { file: "", line: null };

/**
 * Every event starts from the same shape (one hidden class, fast property access). Its `source` is written
 * twice: V8 takes a field written only where its object is made for a constant, and throws away the code
 * optimized on that at the first later write (a Postfix expiry's copy of a deferral with a new source, maybe
 * hundreds of thousands of lines in: outcome, writeBytes… compiled again in every thread).
 */
export function newEvent(type: EventType, file: string, line: number | null): DeliveryEvent {
  const event: DeliveryEvent = {
    type,
    time: null,
    recipient: null,
    sender: null,
    eventId: null,
    messageId: null,
    campaign: null,
    sendingIp: null,
    pool: null,
    sendingDomain: null,
    stream: null,
    remoteMta: null,
    reply: null,
    replyCode: null,
    status: null,
    sourceLabel: null,
    machineOpen: null,
    readerIp: null,
    userAgent: null,
    url: null,
    reasonHint: null,
    smtpCommand: null,
    feedbackType: null,
    source: NO_SOURCE,
  };
  event.source = { file, line };
  return event;
}

const MAX_RAW = 200;

export function problem(file: string, line: number | null, message: string, raw?: string): ParseProblem {
  const result: ParseProblem = { source: { file, line }, message };
  if (raw !== undefined) result.raw = raw.length > MAX_RAW ? `${raw.slice(0, MAX_RAW)}…` : raw;
  return result;
}

export function isProblem(item: DeliveryEvent | ParseProblem): item is ParseProblem {
  return (item as DeliveryEvent).type === undefined;
}
