import { inChunkMemory, LineBytes } from "../bounce/line-bytes.ts";
import { cleanStatus, leadingReplyCode, leadingReplyCodeOfBytes } from "../bounce/reply.ts";
import { type SmtpCommand, smtpCommandIn } from "../bounce/smtp-command.ts";
import { DAY_MS } from "../util/dates.ts";
import { FNV_PRIME } from "../util/fnv.ts";
import { AgedTable, NONE } from "./aged-map.ts";
import {
  asciiBytes,
  BytePattern,
  ByteTexts,
  bytesEqualText,
  indexOfByte,
  lastIndexOfByte,
  lastIndexOfBytes,
  latin1,
  startsWithBytes,
} from "./byte-scan.ts";
import type { DeliveryEvent, EventType } from "./event.ts";
import { LineTemplates, NO_DELIVERY, type TemplateReading } from "./line-template.ts";
import type {
  ChunkHeads,
  DeliveryWriter,
  EventSource,
  Out,
  OutcomeSink,
  OutcomeSpans,
  ParseContext,
  ShapedLine,
  Shard,
} from "./source.ts";
import { HEAD_INTS, newEvent, problem, shardOf } from "./source.ts";
import { otherStampEnd, otherStampEndOfBytes, otherStampIso, SyslogClock, zonedIso } from "./syslog-time.ts";
import { detach, domainOf } from "./values.ts";

/**
 * Postfix maillog. Per queue id, the qmgr `from=` line gives the sender, cleanup's `message-id=` the
 * Message-ID, and each `to=… status=…` line one recipient outcome; `removed` frees the queue id.
 * Scanned with indexOf, not regular expressions: this is the hot path of `classify` on logs.
 */
export const postfix: EventSource = {
  id: "postfix",
  source: "https://www.postfix.org/postlogd.8.html; status lines: src/global/log_adhoc.c (Postfix 3.x)",
  detect: (head) =>
    /^(?:<\d{1,3}>)?(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?|[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [A-Z]{1,5}|[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}|\d{4}-\d\d-\d\d[T ]\S+) \S+ [^\s[]*postfix[^\s[]*\/[\w/.-]+\[\d+\]: /m.test(
      head,
    ),
  shards: true,
  create: (context) => new PostfixParser(context),
};

/** The parts of a Postfix line the scanner looks for (offsets are these strings' lengths, never bare numbers). */
const TO = "to=<";
const FROM = "from=<";
const MESSAGE_ID = "message-id=";
const REMOVED = "removed";
const FIELD_SEPARATOR = ": ";
const STATUS = ", status=";
const RELAY = ", relay=";
const DSN = ", dsn=";
const EXPIRED_FROM_QMGR = ", status=expired";
const SAID = " said: ";
const IN_REPLY_TO = " (in reply to ";
const REFUSED = " refused to talk to me: ";
const HOST = "host ";
/** `postfix-out/smtp`: the instance name follows this prefix. */
const INSTANCE_PREFIX = "postfix-";
/** A classic syslog stamp, `Jan  5 08:00:00`. */
const SYSLOG_STAMP_LENGTH = "Jan  5 08:00:00".length;
/** The longest stamp kept as bytes for a line's compare (`<191>2026-02-02T12:34:50.123456789+00:00`: 40). */
const STAMP_BYTES = 48;
/** Where a classic stamp's seconds start (`Jan  5 08:00:00`). */
const SECONDS_AT = 13;
/** An ISO date, `2026-06-14`: `2026-06-14 18:08:39 host` has the time after one more space. */
const ISO_DATE_LENGTH = "2026-06-14".length;
/** Postfix queue ids: 5+ characters (short hex ids are 10-12; long ids up to about 20). */
const MIN_QUEUE_ID = 5;
const MAX_QUEUE_ID = 20;
const SPACE = 32;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const OPEN_PARENTHESIS = 40;

/** `status=` words → event types (sent|deferred|bounced|expired), by first letter and length: no slicing. */
function statusType(text: string, start: number, end: number): EventType | null {
  const length = end - start;
  switch (text.charCodeAt(start)) {
    case 115 /* s */:
      return length === 4 && text.startsWith("sent", start) ? "delivered" : null;
    case 100 /* d */:
      return length === 8 && text.startsWith("deferred", start) ? "deferred" : null;
    case 98 /* b */:
      return length === 7 && text.startsWith("bounced", start) ? "bounced" : null;
    case 101 /* e */:
      return length === 7 && text.startsWith("expired", start) ? "bounced" : null;
    default:
      return null;
  }
}

/** The same words as bytes, for LineParser.skip (which looks at a line before it is decoded). */
const STATUS_WORDS: readonly (readonly [Uint8Array, EventType])[] = [
  [asciiBytes("sent"), "delivered"],
  [asciiBytes("deferred"), "deferred"],
  [asciiBytes("bounced"), "bounced"],
  [asciiBytes("expired"), "bounced"],
];
const TO_BYTES = asciiBytes(TO);
const STATUS_PATTERN = new BytePattern(STATUS);
const RELAY_PATTERN = new BytePattern(RELAY);
const DSN_PATTERN = new BytePattern(DSN);
const SAID_PATTERN = new BytePattern(SAID);
const REFUSED_PATTERN = new BytePattern(REFUSED);
const IN_REPLY_TO_BYTES = asciiBytes(IN_REPLY_TO);
const REFUSED_BYTES = asciiBytes(REFUSED);
const HOST_BYTES = asciiBytes(HOST);
const EXPIRED_BYTES = asciiBytes("expired");
const CLOSE_PARENTHESIS = 41;
const OPEN_BRACKET = 91;
const COMMA = 44;

/** LineBytes for heads alone: no template's spans to read, no alphabet. */
const NO_ALPHABET = new Uint8Array(256);

/** What `scan` found a line to be. */
/** Where `head` puts the parts of a line's head (HEAD_INTS of them; the id's hash first, as LineParser.head says). */
const HEAD_HASH = 0;
const HEAD_STAMP_END = 1;
const HEAD_TAG_START = 2;
const HEAD_TAG_END = 3;
const HEAD_QID_END = 4;
/**
 * What follows the queue id (the recipient part, read here too: see `head`): where the recipient ends (the
 * first `>` after `to=<`), where `, status=` is after it and where its word ends; and the word, as
 * HEAD_WORD_* (or what the line is without one).
 */
const HEAD_RCPT_END = 5;
const HEAD_STATUS_AT = 6;
const HEAD_WORD = 7;
/**
 * A delivery status line (host, a `…/…[pid]:` tag, a queue id, `status=`) whose stamp is none the parser reads
 * (`- mail postfix/smtp[77]: …`: a journal entry without a time, a log cut or rewritten): counted as a problem
 * rather than read as nothing (review R154). Tested only on a line whose stamp was not read.
 */
// The tag's first part stops at its first "/": a word of many slashes is then read once, not once per slash (a
// third word of 40k "/" took 9.5 s, a MAX_LINE one hours).
const UNSTAMPED_STATUS = /^\S* \S+ [^\s:/]*\/[^\s:]*: [0-9A-Za-z]+: .*\bstatus=/;
const UNSTAMPED = "a Postfix status line whose time cannot be read (no syslog or ISO stamp)";

/** HEAD_WORD of a line that is no recipient line (decoded and given to `line`). */
const WORD_NOT_RECIPIENT = -2;
/** HEAD_WORD of a recipient line without an outcome (no `>`, no `, status=`, or another word). */
const WORD_NONE = -1;

const SKIP = 0;
const DECODE = 1;
/** A recipient line without an outcome (its status word is none of Postfix's): it gives nothing. */
const NO_OUTCOME = 2;
const OUTCOME = 3;
/** An outcome of a type not wanted whose queue id may have state (its deferred recipients). */
const UNWANTED = 4;
const SLASH = 47;
const COLON = 58;
const GREATER_THAN = 62;

/** The STATUS_WORDS index of the word bytes[start, end), or WORD_NONE. */
function statusWordOfBytes(bytes: Uint8Array, start: number, end: number): number {
  for (let i = 0; i < STATUS_WORDS.length; i++) {
    const word = STATUS_WORDS[i][0];
    if (end - start === word.length && startsWithBytes(bytes, word, start, end)) return i;
  }
  return WORD_NONE;
}

/** Where the parts of the current line are. */
interface Positions {
  /** The queue id's hash (FNV-1 of its characters: how the state table finds it). */
  qidHash: number;
  qidStart: number;
  qidEnd: number;
  stampEnd: number;
  tagStart: number;
  tagEnd: number;
  body: number;
  /** Set by `scan` (offsets into the chunk): where the line starts and ends, and a recipient line's parts. */
  start: number;
  end: number;
  rcptEnd: number;
  statusAt: number;
  wordStart: number;
  wordEnd: number;
}

interface QueueState {
  sender: string | null;
  sendingDomain: string | null;
  messageId: string | null;
  /** Recipients whose latest outcome is a deferral (an `expired` line bounces them). */
  deferred: Deferred | null;
  /** Holds strings sliced from the current chunk (listed for endChunk). */
  touched: boolean;
}

/**
 * A new queue id's state, its fields written twice. V8 takes a field written only where its object is made
 * for a constant, and throws away the code optimized on that at the first later write: in a grep'd log the
 * first `from=` line (an expiry) comes hundreds of thousands of lines in, and both threads then compiled
 * outcome, settled, keep… again (19 deoptimizations at 4M lines, --trace-deopt). Written twice at once, the
 * fields are known to change before anything is optimized.
 */
function newQueueState(): QueueState {
  const state: QueueState = { sender: "", sendingDomain: "", messageId: "", deferred: null, touched: true };
  state.sender = null;
  state.sendingDomain = null;
  state.messageId = null;
  state.touched = false;
  return state;
}

/**
 * Queue ids are freed on `removed`; logs cut mid-stream or grep'd (`grep status=`) never say so. A queue
 * id with deferred recipients is kept at least Postfix's default `maximal_queue_lifetime` (5 days) after
 * its last line, so a later `status=expired` still finds its recipients; one without, a day after its
 * last line (qmgr logs `from=` again before each delivery attempt). Both are bounded in count too (a
 * state with a deferred recipient is a few hundred bytes: see KeptDeferral): forgetting is counted (ParseCounters).
 * https://www.postfix.org/postconf.5.html#maximal_queue_lifetime
 */
const QUEUE_LIFETIME_MS = 5 * DAY_MS;
const ACTIVE_LIFETIME_MS = DAY_MS;
const MAX_ACTIVE_QUEUE_IDS = 100_000;
const MAX_WAITING_QUEUE_IDS = 250_000;
/** Relay host names remembered (a log names a few hundred MX hosts at most; more start the memo again). */
const MAX_RELAYS = 4096;
/** Status texts after a reply remembered with their SMTP command (Postfix writes a handful of them). */
const MAX_TRAILERS = 64;
/** The lists of PostfixParser.states: queue ids without deferred recipients, and with. */
const ACTIVE = 0;
const WAITING = 1;

/** What a line template keeps of its line's reading (line-template.ts: the rest is the line's own). */
interface TemplateFields {
  remoteMta: string | null;
  status: string | null;
  /** The tail after the reply (` (in reply to … command))`) is a template's literal: its lines share it. */
  smtpCommand: SmtpCommand | null;
}

interface Instance {
  pool: string | null;
  sendingIp: string | null;
}

class PostfixParser {
  private readonly file: string;
  private readonly tz: string;
  private readonly types: ReadonlySet<EventType> | null;
  /**
   * Per STATUS_WORDS index, 1 where no one wants its outcome (not in `types`, not a deferral: see afterHead),
   * found once: a Set lookup per line cost more than the rest of a skipped delivery's test.
   */
  private readonly unwantedWords: Uint8Array;
  /** Only the queue ids of this shard are read (null: all). */
  private readonly shard: Shard | null;
  private readonly clock: SyslogClock;
  /**
   * Queue ids' states, by the queue id's hash: in list ACTIVE without deferred recipients (sender,
   * Message-ID), in WAITING with (an `expired` line may bounce them days later). Most lines of a grep'd log
   * are deliveries of queue ids never seen before: answered from the line's bytes, no string made.
   */
  private readonly states: AgedTable<QueueState>;
  private readonly instances = new Map<string, Instance>();
  /** Relay host names as given → as kept (lower case; null for none/local). */
  private readonly relays = new Map<string, string | null>();
  private lastStamp = "";
  /** lastStamp is not made yet for the stamp stampBytes hold (see otherSecond). */
  private stampUnmade = false;
  /**
   * lastStamp's characters as bytes, its first stampLength of STAMP_BYTES (-1: it does not fit, or has a
   * character above 255; compared as text then): a line read on its bytes compares its stamp with them,
   * byte with byte (a compare with the string's characters cost a third of shapedOutcome's samples in a
   * 4M-line `--all`, perf: each character read again through the string's representation).
   */
  private readonly stampBytes = new Uint8Array(STAMP_BYTES);
  private stampLength = 0;
  /** stampBytes' first 14 bytes as sameStamp reads a classic stamp: three 32-bit words and a 16-bit one (little-endian). */
  private readonly stampWords = new Uint32Array(4);
  private readonly stampView = new DataView(this.stampBytes.buffer);
  /** A view of the bytes sameStamp read last (one per chunk). */
  private viewed: Uint8Array | null = null;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private lastIso: string | null = null;
  /**
   * The current line's time in ms (NaN when unknown): the age of queue states is measured in log time.
   * A syslog stamp's from the clock; another's parsed from lastIso when first needed (msKnown): most
   * lines of a grep'd log keep no state.
   */
  private lastMs = Number.NaN;
  private msKnown = true;
  /** Where the parts of the current line are (one object, reused for every line). */
  private readonly at: Positions = {
    qidHash: 0,
    qidStart: 0,
    qidEnd: 0,
    stampEnd: 0,
    tagStart: 0,
    tagEnd: 0,
    body: 0,
    start: 0,
    end: 0,
    rcptEnd: 0,
    statusAt: 0,
    wordStart: 0,
    wordEnd: 0,
  };
  /** The head of the line `scan` reads (see `head`). */
  private readonly heads = new Int32Array(HEAD_INTS);
  /** What reads heads in WebAssembly (see `head`), the bytes it was readied for last, and whether it reads theirs. */
  private headBytes: LineBytes | null = null;
  private headsBound: Uint8Array | null = null;
  private headsOn = false;
  /** The outcome type `scan` found last. */
  private scanned: EventType = "delivered";
  private readonly outcomes: OutcomeSink | null;
  /** Where the sink takes deliveries' records written by their template's lane (null: it does not). */
  private readonly deliveries: DeliveryWriter | null;
  private readonly scratch: DeliveryEvent;
  /** Relay hosts and DSN codes of lines read on their bytes. */
  private readonly texts = new ByteTexts();
  private lastDsn = "0.0.0";
  private lastDsnStatus: string | null = null;
  private readonly spans: OutcomeSpans = {
    bytes: Buffer.alloc(0),
    recipientStart: 0,
    recipientEnd: 0,
    queueIdStart: 0,
    queueIdEnd: 0,
    replyStart: -1,
    replyEnd: -1,
    shape: null,
  };
  /** What `shapedOutcome` gives the sink besides the spans. */
  private readonly shapedLine: ShapedLine;
  /** The reply the last kept deferral's reply was kept as a difference from, or kept whole (see `kept`). */
  private replyBase = "";
  /** Line templates of the recipient lines read so far (see line-template.ts). */
  private readonly templates = new LineTemplates<TemplateFields>();
  /** SMTP commands by the status text after the reply (commandAfter). */
  private readonly commands = new Map<string, SmtpCommand | null>();
  /** The state's entry of the unwanted outcome `scan` found last (see afterHead). */
  private scannedEntry = NONE;
  /** Queue states given strings sliced from the current chunk (see endChunk). */
  private readonly touched: QueueState[] = [];
  private lastSender = "";
  private lastSenderDomain: string | null = null;
  private lastTag = "";
  private lastInstance: Instance | null = null;
  /** The last relay as given and as kept: an empty one is kept as relayNamed keeps it (not as none). */
  private lastRelay = "";
  private lastRelayName: string | null = "";

  constructor(context: ParseContext) {
    this.file = context.file;
    this.tz = context.tz;
    this.types = context.types;
    this.unwantedWords = Uint8Array.from(STATUS_WORDS, ([, type]) =>
      context.types !== null && type !== "deferred" && !context.types.has(type) ? 1 : 0,
    );
    this.shard = context.shard ?? null;
    this.outcomes = context.outcomes ?? null;
    this.deliveries = this.outcomes?.deliveries ?? null;
    this.scratch = newEvent("delivered", this.file, null);
    this.shapedLine = { type: "delivered", replyCode: null, file: this.file, line: 0, time: null };
    this.clock = new SyslogClock(context);
    const counters = context.counters ?? null;
    const forgotten = (state: QueueState, list: number, byCount: boolean) => {
      state.touched = false;
      if (counters === null) return;
      counters.evicted++;
      if (list === WAITING && byCount && state.deferred !== null && state.deferred.size > 0)
        counters.evictedEarly++;
    };
    // Shards share the bound: each holds about its share of the queue ids.
    const share = this.shard?.count ?? 1;
    const lists = [
      { maxAgeMs: ACTIVE_LIFETIME_MS, maxEntries: Math.ceil(MAX_ACTIVE_QUEUE_IDS / share) },
      { maxAgeMs: QUEUE_LIFETIME_MS, maxEntries: Math.ceil(MAX_WAITING_QUEUE_IDS / share) },
    ];
    this.states = new AgedTable(lists, forgotten);
  }

  line(text: string, lineNo: number, out: Out): void {
    // Positions only; strings are sliced when an event needs them (this runs for every log line).
    let stampEnd: number;
    const first = text.charCodeAt(0);
    if (first >= DIGIT_0 && first <= DIGIT_9) {
      stampEnd = text.indexOf(" ");
      // `2026-06-14 18:08:39 host …` (date and time apart) as well as RFC 3339 `2026-06-14T18:08:39Z`.
      if (stampEnd === ISO_DATE_LENGTH) stampEnd = text.indexOf(" ", ISO_DATE_LENGTH + 1);
      if (stampEnd < 0) return;
    } else if (text.charCodeAt(SYSLOG_STAMP_LENGTH) === SPACE) stampEnd = SYSLOG_STAMP_LENGTH;
    else {
      stampEnd = otherStampEnd(text);
      if (stampEnd < 0) {
        // About the input itself, so shard 0's alone: the other shards still decode non-ASCII and carried lines.
        if ((this.shard === null || this.shard.index === 0) && UNSTAMPED_STATUS.test(text))
          out.push(problem(this.file, lineNo, UNSTAMPED, text));
        return;
      }
    }
    const hostEnd = text.indexOf(" ", stampEnd + 1);
    if (hostEnd < 0) return;
    const tagEnd = text.indexOf(FIELD_SEPARATOR, hostEnd + 1);
    if (tagEnd < 0) return;
    const slash = text.indexOf("/", hostEnd + 1);
    if (slash < 0 || slash > tagEnd) return;
    const qidStart = tagEnd + FIELD_SEPARATOR.length;
    const qidEnd = text.indexOf(FIELD_SEPARATOR, qidStart);
    if (qidEnd < 0 || qidEnd - qidStart > MAX_QUEUE_ID || qidEnd - qidStart < MIN_QUEUE_ID) return;
    let hash = 0;
    for (let i = qidStart; i < qidEnd; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE) return;
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    if (this.shard !== null && shardOf(hash, this.shard.count) !== this.shard.index) return;
    const body = qidEnd + FIELD_SEPARATOR.length;
    const at = this.placed(hash, qidStart, qidEnd, stampEnd, hostEnd + 1, tagEnd);
    // The queue id is sliced only when a state is looked up or kept (most lines of a grep'd log need neither).
    if (text.startsWith(TO, body)) this.recipientLine(text, at, lineNo, out);
    else if (text.startsWith(FROM, body)) this.senderLine(text, at, lineNo, out);
    else if (text.startsWith(MESSAGE_ID, body)) {
      const state = this.states.value(this.state(text, at));
      this.fresh(state).messageId = unangle(text.slice(body + MESSAGE_ID.length));
    } else if (text.startsWith(REMOVED, body)) {
      const entry = this.entryOf(text, at);
      if (entry === NONE) return;
      this.states.value(entry).touched = false; // gone: endChunk need not copy its strings
      this.states.remove(entry);
    }
  }

  /**
   * True for a line `line` would take no event and no state from: a line of another shard's queue id,
   * or a recipient's outcome of a type not wanted (a delivery, for classify without --all) whose queue
   * id has no state. Most lines of a grep'd log are such deliveries; they are never decoded. The scan is
   * line's own, on the bytes (the caller passes ASCII lines only, so byte offsets are character
   * offsets); anything else is left to line.
   */
  skip(bytes: Uint8Array, from: number, to: number): boolean {
    if (this.types === null && this.shard === null) return false;
    return this.scan(bytes, from, to) === SKIP;
  }

  /**
   * With an outcome sink, a recipient line is read on its bytes: its outcome goes to the sink, its queue
   * state is kept as `line` keeps it, and no line string is made (the other lines are decoded as usual).
   */
  take(bytes: Buffer, from: number, to: number, lineNo: number, out: Out): boolean {
    if (this.outcomes === null) return this.skip(bytes, from, to);
    return this.taken(this.scan(bytes, from, to), bytes, lineNo, out);
  }

  /**
   * The start of a line, up to its queue id, and its recipient part, as `scan` reads them: the id's hash
   * and where the parts are, in into[at, at + HEAD_INTS) (see LineParser.head). Reads no state. The
   * thread that reads a chunk finds its lines' heads (line-index.ts) while their bytes are in its cache:
   * a recipient part read here is one the line's own thread need not touch again.
   */
  head(bytes: Uint8Array, from: number, to: number, into: Int32Array, at: number): boolean {
    // In a chunk memory, one WebAssembly call reads it (line-bytes.wat: the same answer, several times faster).
    if (bytes !== this.headsBound) this.bindHeads(bytes);
    if (this.headsOn) {
      // The WebAssembly head reads the classic and ISO stamps; a line it does not take may have another.
      if ((this.headBytes as LineBytes).head(from, to, into, at)) return true;
      const other = otherStampEndOfBytes(bytes, from, to);
      return other >= 0 && this.headFrom(bytes, other, to, into, at);
    }
    let stampEnd: number;
    const first = bytes[from];
    if (first >= DIGIT_0 && first <= DIGIT_9) {
      stampEnd = indexOfByte(bytes, SPACE, from, to);
      if (stampEnd === from + ISO_DATE_LENGTH) stampEnd = indexOfByte(bytes, SPACE, stampEnd + 1, to);
      if (stampEnd < 0) return false;
    } else if (to - from > SYSLOG_STAMP_LENGTH && bytes[from + SYSLOG_STAMP_LENGTH] === SPACE) {
      stampEnd = from + SYSLOG_STAMP_LENGTH;
    } else {
      stampEnd = otherStampEndOfBytes(bytes, from, to);
      if (stampEnd < 0) return false;
    }
    return this.headFrom(bytes, stampEnd, to, into, at);
  }

  /** `head` on from the end of the line's stamp (the space after it, at stampEnd). */
  private headFrom(bytes: Uint8Array, stampEnd: number, to: number, into: Int32Array, at: number): boolean {
    const hostEnd = indexOfByte(bytes, SPACE, stampEnd + 1, to);
    if (hostEnd < 0) return false;
    // The tag ends at the first `: ` and must hold a `/` (one pass for both).
    let tagEnd = hostEnd + 1;
    let slashed = false;
    for (; tagEnd < to - 1; tagEnd++) {
      const c = bytes[tagEnd];
      if (c === COLON && bytes[tagEnd + 1] === SPACE) break;
      if (c === SLASH) slashed = true;
    }
    if (tagEnd >= to - 1 || !slashed) return false;
    // The queue id up to the next `: `, hashed on the way: a space first, or more than MAX_QUEUE_ID
    // characters, and it is no queue id (what line's indexOf, length and space checks find).
    const qidStart = tagEnd + FIELD_SEPARATOR.length;
    const qidLimit = Math.min(to - 1, qidStart + MAX_QUEUE_ID + 1);
    let qidEnd = qidStart;
    let hash = 0;
    for (; qidEnd < qidLimit; qidEnd++) {
      const c = bytes[qidEnd];
      if (c === COLON && bytes[qidEnd + 1] === SPACE) break;
      if (c === SPACE) return false;
      hash = Math.imul(hash ^ c, FNV_PRIME);
    }
    if (qidEnd >= qidLimit || qidEnd - qidStart > MAX_QUEUE_ID || qidEnd - qidStart < MIN_QUEUE_ID)
      return false;
    into[at + HEAD_HASH] = hash;
    into[at + HEAD_STAMP_END] = stampEnd;
    into[at + HEAD_TAG_START] = hostEnd + 1;
    into[at + HEAD_TAG_END] = tagEnd;
    into[at + HEAD_QID_END] = qidEnd;
    recipientPart(bytes, qidEnd + FIELD_SEPARATOR.length, to, into, at);
    return true;
  }

  /** LineParser.chunkHeads: in one WebAssembly call where `bytes` lie in a chunk memory (else -1: `head` per line). */
  readonly chunkHeads: ChunkHeads = (bytes, from, last, entries, at, most, shards) => {
    if (bytes !== this.headsBound) this.bindHeads(bytes);
    return this.headsOn ? (this.headBytes as LineBytes).lines(from, last, entries, at, most, shards) : -1;
  };

  /**
   * Readies `head` for lines of `bytes`: in WebAssembly where they lie in a chunk memory (a LineBytes made
   * the first time), else in JavaScript.
   */
  private bindHeads(bytes: Uint8Array): void {
    this.headsBound = bytes;
    if (this.headBytes === null && inChunkMemory(bytes)) this.headBytes = LineBytes.of(0, NO_ALPHABET);
    this.headBytes?.bind(bytes);
    this.headsOn = this.headBytes?.heads === true;
  }

  /** `take` of a line whose head (see `head`) is known: the same, without scanning the head again. */
  takeHead(
    bytes: Buffer,
    from: number,
    to: number,
    lineNo: number,
    out: Out,
    head: Int32Array,
    at: number,
  ): boolean {
    const found = this.afterHead(bytes, from, to, head, at);
    if (this.outcomes === null) return found === SKIP && (this.types !== null || this.shard !== null);
    return this.taken(found, bytes, lineNo, out);
  }

  /** What `take` does with what `scan` found. */
  private taken(found: number, bytes: Buffer, lineNo: number, out: Out): boolean {
    if (found === DECODE) return false;
    if (found === OUTCOME || found === UNWANTED) this.outcome(bytes, found === UNWANTED, lineNo, out);
    return true;
  }

  /**
   * What a line is, from its bytes, as `line` reads it: positions in `at` for a recipient line. A line
   * without a queue id gives nothing: shard 0 looks at it (line ignores it), the others skip it.
   */
  private scan(bytes: Uint8Array, from: number, to: number): number {
    const head = this.heads;
    if (this.head(bytes, from, to, head, 0)) return this.afterHead(bytes, from, to, head, 0);
    // A line without a queue id gives nothing: shard 0 looks at it (line ignores it), the others skip it.
    return this.shard !== null && this.shard.index > 0 ? SKIP : DECODE;
  }

  /**
   * `scan` on from the line's head (head[at, at + HEAD_INTS), see `head`): from the positions alone — the
   * thread that found the head read the line then; a delivery wanted by no one is answered without
   * touching the line again (but for its queue id's compare, when the state table has its hash).
   */
  private afterHead(bytes: Uint8Array, from: number, to: number, head: Int32Array, h: number): number {
    const shard = this.shard;
    const hash = head[h + HEAD_HASH];
    const qidEnd = head[h + HEAD_QID_END];
    const tagEnd = head[h + HEAD_TAG_END];
    const qidStart = tagEnd + FIELD_SEPARATOR.length;
    if (shard !== null && shardOf(hash, shard.count) !== shard.index) return SKIP;
    const word = head[h + HEAD_WORD];
    if (word === WORD_NOT_RECIPIENT) return DECODE;
    if (word === WORD_NONE) return NO_OUTCOME;
    const type = STATUS_WORDS[word][1];
    const unwanted = this.unwantedWords[word] === 1;
    // A queue id with state may hold this recipient as deferred: that is settled (the others are skipped).
    const entry = unwanted ? this.states.findBytes(hash, bytes, qidStart, qidEnd) : NONE;
    if (unwanted && entry === NONE) return SKIP;
    const rcptEnd = head[h + HEAD_RCPT_END];
    const statusAt = head[h + HEAD_STATUS_AT];
    const wordStart = statusAt + STATUS.length;
    const wordEnd = wordStart + STATUS_WORDS[word][0].length;
    const stampEnd = head[h + HEAD_STAMP_END];
    const tagStart = head[h + HEAD_TAG_START];
    const at = this.placed(hash, qidStart, qidEnd, stampEnd, tagStart, tagEnd);
    at.start = from;
    at.end = to;
    at.rcptEnd = rcptEnd;
    at.statusAt = statusAt;
    at.wordStart = wordStart;
    at.wordEnd = wordEnd;
    // As in shapedOutcome: stored where it changes (a store is a write barrier's call while the heap is marked).
    if (this.scanned !== type) this.scanned = type;
    if (!unwanted) return OUTCOME;
    this.scannedEntry = entry;
    return UNWANTED;
  }

  /** `at` with the parts every line with a queue id has (its hash as computed over the id). */
  private placed(
    hash: number,
    qidStart: number,
    qidEnd: number,
    stampEnd: number,
    tagStart: number,
    tagEnd: number,
  ): Positions {
    const at = this.at;
    at.qidHash = hash;
    at.qidStart = qidStart;
    at.qidEnd = qidEnd;
    at.stampEnd = stampEnd;
    at.tagStart = tagStart;
    at.tagEnd = tagEnd;
    at.body = qidEnd + FIELD_SEPARATOR.length;
    return at;
  }

  /** recipientLine on the bytes `scan` looked at: the event goes to the outcome sink. */
  private outcome(bytes: Buffer, unwanted: boolean, lineNo: number, out: Out): void {
    const at = this.at;
    const type = this.scanned;
    const rcptStart = at.body + TO.length;
    if (unwanted) {
      const entry = this.scannedEntry;
      const known = this.states.value(entry);
      if (known.deferred?.delete(latin1(bytes, rcptStart, at.rcptEnd))) this.settled(entry, known);
      return;
    }
    const kind = outcomeKind(bytes, at, type);
    const writer = type === "delivered" ? this.deliveries : null;
    let reading: TemplateReading<TemplateFields> | null;
    if (writer === null) reading = this.read(bytes, rcptStart, kind);
    else {
      const answer = this.delivery(writer, bytes, rcptStart, kind, lineNo, out);
      if (answer >= 0) return;
      reading =
        answer === NO_DELIVERY
          ? this.read(bytes, rcptStart, kind)
          : this.unbare(bytes, this.templates.lastRead);
    }
    if (reading !== null && this.shapedOutcome(bytes, type, reading, lineNo, out)) return;
    // A deferral is kept (an expiry may bounce it), with its recipient; the sink keeps no event: the
    // others reuse one, their recipient left on the bytes (OutcomeSpans).
    const event = type === "deferred" ? newEvent(type, this.file, lineNo) : this.reused(type, lineNo);
    event.time = this.timeOfBytes(bytes, at.start, at.stampEnd);
    if (type === "deferred") event.recipient = latin1(bytes, rcptStart, at.rcptEnd) || null;
    const entry = type === "deferred" ? this.deferralEntry(bytes) : this.entryOfBytes(bytes);
    const state = entry !== NONE ? this.states.value(entry) : undefined;
    this.queued(event, state, bytes);
    const spans = this.spans;
    spans.bytes = bytes;
    spans.recipientStart = rcptStart;
    spans.recipientEnd = at.rcptEnd;
    spans.queueIdStart = at.qidStart;
    spans.queueIdEnd = at.qidEnd;
    if (reading !== null) {
      spans.replyStart = reading.replyStart;
      spans.replyEnd = reading.replyEnd;
      spans.shape = reading.shape;
      this.readFrom(event, reading, bytes);
    } else this.fields(bytes, type, event, kind);
    if (type === "deferred" && state) this.keep(entry, state, event, true);
    else if (state?.deferred?.delete(latin1(bytes, rcptStart, at.rcptEnd))) this.settled(entry, state);
    this.outcomes!.outcome(event, spans, out.length);
  }

  /**
   * The delivery `scan` looked at written by its line template's lane (LineTemplates.delivery) for the sink
   * `writer`, its queue's state settled as `shapedOutcome` settles it: 0. Else nothing done: NO_DELIVERY
   * (`read` it), or LOOKED (its reading is the templates' lastRead).
   */
  private delivery(
    writer: DeliveryWriter,
    bytes: Buffer,
    rcptStart: number,
    kind: number,
    lineNo: number,
    out: Out,
  ): number {
    const at = this.at;
    // What shapedBytes checks of the line before it writes a record (a line number the record writes in WebAssembly).
    if (rcptStart === at.rcptEnd || lineNo > 0x7fffffff) return NO_DELIVERY;
    const start = writer.start(this.timeOfBytes(bytes, at.start, at.stampEnd));
    if (start < 0) return NO_DELIVERY;
    const end = this.templates.delivery(
      bytes,
      rcptStart,
      at.rcptEnd,
      at.end,
      kind,
      start,
      writer.limit,
      lineNo,
      writer.timeLength,
    );
    if (end < 0) return end;
    writer.wrote(end, lineNo, out.length);
    this.settleDelivered(bytes, rcptStart);
    return 0;
  }

  /** As `outcome` settles the queue's state: a recipient deferred before is no longer. */
  private settleDelivered(bytes: Buffer, rcptStart: number): void {
    const entry = this.entryOfBytes(bytes);
    const state = entry !== NONE ? this.states.value(entry) : undefined;
    if (state?.deferred?.delete(latin1(bytes, rcptStart, this.at.rcptEnd))) this.settled(entry, state);
  }

  /**
   * The reading of the recipient line `scan` looked at (an outcome of type `type`) by a line template of
   * outcome `kind` (null: none).
   */
  private read(bytes: Buffer, rcptStart: number, kind: number): TemplateReading<TemplateFields> | null {
    const at = this.at;
    return this.unbare(bytes, this.templates.read(bytes, rcptStart, at.rcptEnd, at.end, kind));
  }

  /**
   * `reading`, or null where its template is bare and the line's status text is `host … said: …` (a template
   * of the other shape reads it). Read on the template itself: its fields, an object of their own, are not
   * loaded (a wide log's thousands of templates are mostly out of the caches).
   */
  private unbare(
    bytes: Buffer,
    reading: TemplateReading<TemplateFields> | null,
  ): TemplateReading<TemplateFields> | null {
    if (reading === null || !reading.bare) return reading;
    return startsWithBytes(bytes, HOST_BYTES, reading.replyStart, reading.replyEnd) ? null : reading;
  }

  /** The state's entry of the deferral `scan` looked at: its own, a new one when it has none (see state). */
  private deferralEntry(bytes: Buffer): number {
    this.advance();
    const entry = this.entryOfBytes(bytes);
    return entry !== NONE
      ? this.refreshed(entry)
      : this.added(latin1(bytes, this.at.qidStart, this.at.qidEnd), true);
  }

  /** What an outcome takes from its queue's state and from the instance that logged it. */
  private queued(event: DeliveryEvent, state: QueueState | undefined, bytes: Buffer): void {
    if (state) {
      event.sender = state.sender;
      event.sendingDomain = state.sendingDomain;
      event.messageId = state.messageId;
    }
    const instance = this.instanceOfBytes(bytes);
    event.pool = instance.pool;
    event.sendingIp = instance.sendingIp;
  }

  /** What an outcome takes from a line template's reading (a deferral also the reply's text). */
  private readFrom(event: DeliveryEvent, reading: TemplateReading<TemplateFields>, bytes: Buffer): void {
    // A template's fields are strings of their own (no slice of a chunk): a kept deferral may hold them.
    event.remoteMta = reading.fields.remoteMta;
    event.status = reading.fields.status;
    event.smtpCommand = reading.fields.smtpCommand;
    // Only a kept deferral needs the reply's text now: the sink keys the others on the bytes.
    if (event.type === "deferred") event.reply = latin1(bytes, reading.replyStart, reading.replyEnd);
    event.replyCode = leadingReplyCodeOfBytes(bytes, reading.replyStart, reading.replyEnd);
  }

  /**
   * A deferral kept in its queue's state (an expiry may bounce it): what the expiry takes of it (KeptDeferral),
   * its strings copies (none holds the chunk).
   */
  private keep(entry: number, state: QueueState, event: DeliveryEvent, sliced = false): void {
    state.deferred ??= new Deferred();
    const kept = this.kept(event, sliced);
    state.deferred.set(kept.recipient ?? "", kept);
    this.wait(entry);
  }

  /**
   * What an expiry takes of a deferral: its fields but the time and line (the expiry's own), its reply kept as
   * where it differs from the reply kept before it (a queue's retries and a relay's deferrals mostly differ
   * in an id: review R97, ~4 KB per waiting queue id when the whole event was kept).
   */
  private kept(event: DeliveryEvent, sliced: boolean): KeptDeferral {
    const kept = new KeptDeferral(event, sliced);
    const reply = event.reply;
    if (reply === null) return kept;
    const base = this.replyBase;
    const most = Math.min(base.length, reply.length);
    let prefix = 0;
    while (prefix < most && base.charCodeAt(prefix) === reply.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (
      suffix < most - prefix &&
      base.charCodeAt(base.length - 1 - suffix) === reply.charCodeAt(reply.length - 1 - suffix)
    )
      suffix++;
    const middle = reply.length - prefix - suffix;
    if (2 * middle > reply.length) {
      // Mostly another text: kept whole, the base of the next ones (a line's slice copied).
      this.replyBase = sliced ? detach(reply) : reply;
      kept.replyBase = this.replyBase;
    } else {
      kept.replyBase = base;
      kept.replyFrom = prefix;
      kept.replyTo = base.length - suffix;
      kept.replyMiddle = detach(reply.slice(prefix, prefix + middle));
    }
    return kept;
  }

  /**
   * `outcome` of a line read by a line template (`reading`), offered to the sink without an event
   * (OutcomeSink.shaped); false where the sink wants the event (nothing has changed then). A deferral
   * taken so still gets its event, made as `outcome` makes it, kept for its expiry alone.
   */
  private shapedOutcome(
    bytes: Buffer,
    type: EventType,
    reading: TemplateReading<TemplateFields>,
    lineNo: number,
    out: Out,
  ): boolean {
    const sink = this.outcomes!;
    if (sink.shaped === undefined) return false;
    const at = this.at;
    const rcptStart = at.body + TO.length;
    const spans = this.spans;
    // An object is stored into these two (kept for the parser's life) only where it changes: each such store
    // is a call of V8's write barrier while the heap is being marked or where the object is new (~3 per
    // delivery in a 600k-line `--all`, ~4 % of its instructions, callgrind); a chunk's lines share their
    // bytes, a second's their time.
    if (spans.bytes !== bytes) spans.bytes = bytes;
    spans.recipientStart = rcptStart;
    spans.recipientEnd = at.rcptEnd;
    spans.queueIdStart = at.qidStart;
    spans.queueIdEnd = at.qidEnd;
    spans.replyStart = reading.replyStart;
    spans.replyEnd = reading.replyEnd;
    if (spans.shape !== reading.shape) spans.shape = reading.shape;
    const shaped = this.shapedLine;
    if (shaped.type !== type) shaped.type = type;
    shaped.replyCode = leadingReplyCodeOfBytes(bytes, reading.replyStart, reading.replyEnd);
    shaped.line = lineNo;
    const time = this.timeOfBytes(bytes, at.start, at.stampEnd);
    if (shaped.time !== time) shaped.time = time;
    if (!sink.shaped(shaped, spans, out.length)) return false;
    if (type === "deferred") {
      const event = newEvent(type, this.file, lineNo);
      event.time = shaped.time;
      event.recipient = latin1(bytes, rcptStart, at.rcptEnd) || null;
      const entry = this.deferralEntry(bytes);
      const state = this.states.value(entry);
      this.queued(event, state, bytes);
      this.readFrom(event, reading, bytes);
      this.keep(entry, state, event);
      return true;
    }
    this.settleDelivered(bytes, rcptStart);
    return true;
  }

  /**
   * The relay, DSN and reply of the recipient line `scan` looked at, field by field, into `event` and
   * `spans`; a line with a reply after ` said: ` (but an expiry) becomes a template of outcome `kind`.
   */
  private fields(bytes: Buffer, type: EventType, event: DeliveryEvent, kind: number): void {
    const at = this.at;
    const spans = this.spans;
    const statusAt = at.statusAt;
    const relayAt = RELAY_PATTERN.indexIn(bytes, at.rcptEnd, statusAt + RELAY.length - 1);
    if (relayAt >= 0) {
      const start = relayAt + RELAY.length;
      // The comma of `, status=` at the latest ends the host.
      let end = indexOfByte(bytes, COMMA, start, statusAt + 1);
      const bracket = indexOfByte(bytes, OPEN_BRACKET, start, end);
      if (bracket >= 0) end = bracket;
      event.remoteMta = this.relayOfBytes(bytes, start, end);
    }
    const dsnAt = DSN_PATTERN.indexIn(bytes, at.rcptEnd, statusAt + DSN.length - 1);
    if (dsnAt >= 0) {
      event.status = this.dsnStatus(this.texts.of(bytes, dsnAt + DSN.length, statusAt));
    }
    spans.replyStart = -1;
    spans.replyEnd = -1;
    spans.shape = null;
    const lineEnd = at.end;
    if (at.wordEnd + 1 < lineEnd && bytes[at.wordEnd + 1] === OPEN_PARENTHESIS) {
      const close = lastIndexOfByte(bytes, CLOSE_PARENTHESIS, at.start, lineEnd);
      const replyArea = close > at.wordEnd ? close : lineEnd;
      const said = replyOfBytes(bytes, at.wordEnd + 2, replyArea, spans);
      // As commandOf reads the status text: the command trailer when it follows ` said: `.
      event.smtpCommand = said
        ? this.commandAfter(this.texts.of(bytes, spans.replyEnd, replyArea))
        : refusedAtGreeting(bytes, spans.replyStart);
      // Only a kept deferral needs the reply's text now: the sink keys the others on the bytes.
      if (type === "deferred") event.reply = latin1(bytes, spans.replyStart, spans.replyEnd);
      event.replyCode = leadingReplyCodeOfBytes(bytes, spans.replyStart, spans.replyEnd);
      // The template's proof needs the reply found after ` said: ` and the line's last `)` after it, or the
      // whole status text up to that `)` as the reply (bare: one that does not start with `host `; a
      // delivery's `250 2.0.0 Ok: queued as 4F2A…` ends in an id, which its kind keeps out of its slot's hash).
      const bare = !said && close > at.wordEnd && !startsWithBytes(bytes, HOST_BYTES, at.wordEnd + 2, close);
      if (
        (said ? close >= spans.replyEnd : bare) &&
        !startsWithBytes(bytes, EXPIRED_BYTES, at.wordStart, lineEnd)
      ) {
        const fields = {
          remoteMta: event.remoteMta,
          status: event.status,
          smtpCommand: event.smtpCommand,
        };
        const reading = this.templates.learn(
          bytes,
          spans.recipientStart,
          at.rcptEnd,
          lineEnd,
          spans.replyStart,
          spans.replyEnd,
          fields,
          kind,
          bare,
        );
        spans.shape = reading?.shape ?? null;
      }
    }
    if (startsWithBytes(bytes, EXPIRED_BYTES, at.wordStart, lineEnd)) event.reasonHint = "expired";
  }

  /** The event `outcome` gives the sink when it keeps none, set as newEvent sets it (but its recipient). */
  private reused(type: EventType, lineNo: number): DeliveryEvent {
    const event = this.scratch;
    event.type = type;
    event.recipient = null;
    event.sender = null;
    event.messageId = null;
    event.sendingDomain = null;
    event.remoteMta = null;
    event.reply = null;
    event.replyCode = null;
    event.status = null;
    event.reasonHint = null;
    event.smtpCommand = null;
    event.source.line = lineNo;
    return event;
  }

  end(_out: Out): void {
    this.states.clear();
    // What its templates hold goes to the next parser of this thread (a folder's logs, one after another).
    this.templates.release();
  }

  /**
   * Strings sliced from a line keep the whole decoded chunk alive. Most queue ids are removed within
   * their chunk; the states that outlive it get copies of their strings here, once per chunk.
   */
  endChunk(): void {
    for (const state of this.touched) {
      if (!state.touched) continue;
      state.sender = detach(state.sender);
      state.sendingDomain = detach(state.sendingDomain);
      state.messageId = detach(state.messageId);
      state.touched = false;
    }
    this.touched.length = 0;
  }

  private fresh(state: QueueState): QueueState {
    if (!state.touched) {
      state.touched = true;
      this.touched.push(state);
    }
    return state;
  }

  private time(text: string, stampEnd: number): string | null {
    if (this.stampUnmade) {
      this.lastStamp = String.fromCharCode(...this.stampBytes.subarray(0, this.stampLength));
      this.stampUnmade = false;
    }
    if (stampEnd !== this.lastStamp.length || !text.startsWith(this.lastStamp))
      this.stamped(text.slice(0, stampEnd));
    return this.lastIso;
  }

  /** `time` of the bytes [start, stampEnd). */
  private timeOfBytes(bytes: Buffer, start: number, stampEnd: number): string | null {
    if (!this.sameStamp(bytes, start, stampEnd) && !this.otherSecond(bytes, start, stampEnd))
      this.stamped(latin1(bytes, start, stampEnd));
    return this.lastIso;
  }

  /**
   * Whether bytes [start, end) are a classic stamp that differs from the last one (the clock's) in its seconds
   * only, taken as the last one: its time from the clock's minute (SyslogClock.withSeconds), no text made (a
   * grep'd log's stamp changes every few lines of a thread; its text, its characters and their time cost a
   * twentieth of an `--all` delivery's instructions, callgrind).
   */
  private otherSecond(bytes: Uint8Array, start: number, end: number): boolean {
    if (this.stampLength !== SYSLOG_STAMP_LENGTH || end - start !== SYSLOG_STAMP_LENGTH) return false;
    const stamp = this.stampBytes;
    for (let i = 0; i < SECONDS_AT; i++) if (bytes[start + i] !== stamp[i]) return false;
    const c1 = bytes[start + SECONDS_AT];
    const c2 = bytes[start + SECONDS_AT + 1];
    const iso = this.clock.withSeconds(bytes[start + SECONDS_AT - 1], c1, c2);
    if (iso === null) return false;
    stamp[SECONDS_AT] = c1;
    stamp[SECONDS_AT + 1] = c2;
    this.wordsOfStamp();
    this.stampUnmade = true;
    this.lastIso = iso;
    this.lastMs = this.clock.lastMs;
    this.msKnown = true;
    return true;
  }

  /** stampWords of stampBytes. */
  private wordsOfStamp(): void {
    const view = this.stampView;
    const words = this.stampWords;
    words[0] = view.getUint32(0, true);
    words[1] = view.getUint32(4, true);
    words[2] = view.getUint32(8, true);
    words[3] = view.getUint16(12, true);
  }

  /** A DataView of `bytes`. */
  private viewOf(bytes: Uint8Array): DataView {
    if (bytes !== this.viewed) {
      this.viewed = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.view;
  }

  /** Whether bytes [start, end) are lastStamp's characters. */
  private sameStamp(bytes: Uint8Array, start: number, end: number): boolean {
    const length = this.stampLength;
    if (length < 0)
      return end - start === this.lastStamp.length && bytesEqualText(bytes, start, this.lastStamp);
    if (end - start !== length) return false;
    if (length === SYSLOG_STAMP_LENGTH) {
      // Four words and a byte, not fifteen bytes each loaded and checked (a classic stamp, on every line of --all).
      const view = this.viewOf(bytes);
      const words = this.stampWords;
      return (
        view.getUint32(start, true) === words[0] &&
        view.getUint32(start + 4, true) === words[1] &&
        view.getUint32(start + 8, true) === words[2] &&
        view.getUint16(start + 12, true) === words[3] &&
        bytes[start + 14] === this.stampBytes[14]
      );
    }
    const stamp = this.stampBytes;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== stamp[i]) return false;
    return true;
  }

  private stamped(stamp: string): void {
    this.lastStamp = stamp;
    this.stampUnmade = false;
    this.stampLength = stamp.length <= STAMP_BYTES ? stamp.length : -1;
    for (let i = 0; i < stamp.length && this.stampLength >= 0; i++) {
      const c = stamp.charCodeAt(i);
      if (c > 255) this.stampLength = -1;
      else this.stampBytes[i] = c;
    }
    this.wordsOfStamp();
    if (stamp.length === SYSLOG_STAMP_LENGTH) {
      this.lastIso = this.clock.convert(stamp);
      this.lastMs = this.clock.lastMs;
      this.msKnown = true;
    } else {
      const first = stamp.charCodeAt(0);
      if (first >= DIGIT_0 && first <= DIGIT_9) this.lastIso = zonedIso(stamp, this.tz);
      else this.lastIso = otherStampIso(stamp, this.clock, this.tz);
      this.msKnown = false;
    }
  }

  /** The current line's time in ms (see lastMs). */
  private now(): number {
    if (!this.msKnown) {
      this.lastMs = this.lastIso === null ? Number.NaN : Date.parse(this.lastIso);
      this.msKnown = true;
    }
    return this.lastMs;
  }

  /** The state's entry of the current line's queue id (NONE: it has none). */
  private entryOf(text: string, at: Positions): number {
    return this.states.findText(at.qidHash, text, at.qidStart, at.qidEnd);
  }

  /** `entryOf` on the bytes `scan` looked at. */
  private entryOfBytes(bytes: Uint8Array): number {
    const at = this.at;
    return this.states.findBytes(at.qidHash, bytes, at.qidStart, at.qidEnd);
  }

  /**
   * The state's entry of the current line's queue id, a new one when it has none, its age started again
   * (the line's log time). A new state of a deferral goes straight to WAITING (where wait would move it).
   */
  private state(text: string, at: Positions, deferral = false): number {
    this.time(text, at.stampEnd);
    this.advance();
    const found = this.entryOf(text, at);
    // The id copied: a slice of the line would keep the whole decoded chunk alive.
    return found !== NONE
      ? this.refreshed(found)
      : this.added(detach(text.slice(at.qidStart, at.qidEnd)), deferral);
  }

  /** Forgets the states past their lifetime at the current line's time (before a lookup that keeps one). */
  private advance(): void {
    this.states.advance(this.now());
  }

  /** The entry, its age started again at the current line's time. */
  private refreshed(entry: number): number {
    this.states.touch(entry, this.now());
    return entry;
  }

  /** A new state for the current line's queue id, `qid` (a string holding no chunk). */
  private added(qid: string, deferral: boolean): number {
    return this.states.add(this.at.qidHash, qid, newQueueState(), deferral ? WAITING : ACTIVE, this.now());
  }

  /**
   * A recipient of the queue id is no longer deferred: once none is, the state need not be kept for the
   * queue's lifetime (in a grep'd log, where it holds nothing else, not at all).
   */
  private settled(entry: number, state: QueueState): void {
    if (state.deferred !== null && state.deferred.size > 0) return;
    state.deferred = null;
    if (this.states.list(entry) !== WAITING) return;
    if (state.sender !== null || state.messageId !== null) this.states.move(entry, ACTIVE, this.now());
    else {
      this.states.remove(entry);
      state.touched = false;
    }
  }

  /** The state now has deferred recipients: kept for the queue's lifetime from now on. */
  private wait(entry: number): void {
    if (this.states.list(entry) === WAITING) this.states.touch(entry, this.now());
    else this.states.move(entry, WAITING, this.now());
  }

  private instance(text: string, at: Positions): Instance {
    const tagStart = at.tagStart;
    // The process id does not name the instance: `postfix-out/smtp[123]` → `postfix-out/smtp`.
    const bracket = text.indexOf("[", tagStart);
    const tagEnd = bracket >= 0 && bracket < at.tagEnd ? bracket : at.tagEnd;
    if (tagEnd - tagStart === this.lastTag.length && text.startsWith(this.lastTag, tagStart)) {
      return this.lastInstance!;
    }
    return this.instanceNamed(text.slice(tagStart, tagEnd));
  }

  /** `instance` on the bytes `scan` looked at. */
  private instanceOfBytes(bytes: Buffer): Instance {
    const { tagStart } = this.at;
    const bracket = indexOfByte(bytes, OPEN_BRACKET, tagStart, this.at.tagEnd);
    const tagEnd = bracket >= 0 ? bracket : this.at.tagEnd;
    if (tagEnd - tagStart === this.lastTag.length && bytesEqualText(bytes, tagStart, this.lastTag)) {
      return this.lastInstance!;
    }
    return this.instanceNamed(latin1(bytes, tagStart, tagEnd));
  }

  private instanceNamed(name: string): Instance {
    let tag = name;
    let found = this.instances.get(tag);
    if (!found) {
      tag = detach(tag);
      // `postfix-out/smtp[1]`, `postfix-239.58.50.50/smtp[1]`, `postfix/polite/smtp[1]`: the part after
      // `postfix-` names the instance; sites often name instances after their sending IP.
      const name = tag.slice(0, tag.indexOf("/"));
      const suffix = name.startsWith(INSTANCE_PREFIX) ? name.slice(INSTANCE_PREFIX.length) : null;
      const ip = suffix && /^\d{1,3}(?:\.\d{1,3}){3}$/.test(suffix) ? suffix : null;
      found = { pool: suffix, sendingIp: ip };
      if (this.instances.size < 1000) this.instances.set(tag, found);
    }
    this.lastTag = tag;
    this.lastInstance = found;
    return found;
  }

  private recipientLine(text: string, at: Positions, lineNo: number, out: Out): void {
    const body = at.body;
    const rcptStart = body + TO.length;
    const rcptEnd = text.indexOf(">", rcptStart);
    if (rcptEnd < 0) return;
    const statusAt = text.indexOf(STATUS, rcptEnd);
    if (statusAt < 0) return;
    const wordStart = statusAt + STATUS.length;
    let wordEnd = text.indexOf(" ", wordStart);
    if (wordEnd < 0) wordEnd = text.length;
    const type = statusType(text, wordStart, wordEnd);
    if (type === null) return;
    if (type !== "deferred" && this.types !== null && !this.types.has(type)) {
      // Not wanted (classify without --all skips deliveries): only keep the expiry bookkeeping right.
      const entry = this.entryOf(text, at);
      const known = entry !== NONE ? this.states.value(entry) : undefined;
      if (known?.deferred?.delete(text.slice(rcptStart, rcptEnd))) this.settled(entry, known);
      return;
    }
    const event = newEvent(type, this.file, lineNo);
    event.time = this.time(text, at.stampEnd);
    event.recipient = text.slice(rcptStart, rcptEnd) || null;
    event.queueId = text.slice(at.qidStart, at.qidEnd);
    // Only a deferral needs a state of its own (a grep'd log has a new queue id on almost every line).
    const entry = type === "deferred" ? this.state(text, at, true) : this.entryOf(text, at);
    const state = entry !== NONE ? this.states.value(entry) : undefined;
    if (state) {
      event.sender = state.sender;
      event.sendingDomain = state.sendingDomain;
      event.messageId = state.messageId;
    }
    const instance = this.instance(text, at);
    event.pool = instance.pool;
    event.sendingIp = instance.sendingIp;
    const relayAt = text.indexOf(RELAY, rcptEnd);
    if (relayAt >= 0 && relayAt < statusAt) {
      const start = relayAt + RELAY.length;
      let end = text.indexOf(",", start);
      const bracket = text.indexOf("[", start);
      if (bracket >= 0 && bracket < end) end = bracket;
      const relay = text.slice(start, end);
      event.remoteMta = relay === this.lastRelay ? this.lastRelayName : this.relayNamed(relay);
    }
    const dsnAt = text.indexOf(DSN, rcptEnd);
    if (dsnAt >= 0 && dsnAt < statusAt) {
      event.status = this.dsnStatus(text.slice(dsnAt + DSN.length, statusAt));
    }
    if (text.charCodeAt(wordEnd + 1) === OPEN_PARENTHESIS) {
      const close = text.lastIndexOf(")");
      const status = text.slice(wordEnd + 2, close > wordEnd ? close : text.length);
      const reply = replyOf(status);
      event.reply = reply;
      event.smtpCommand = this.commandOf(status);
      event.replyCode = leadingReplyCode(reply);
    }
    if (text.startsWith("expired", wordStart)) event.reasonHint = "expired";
    if (type === "deferred" && state) this.keep(entry, state, event, true);
    else if (state?.deferred?.delete(event.recipient ?? "")) this.settled(entry, state);
    out.push(event);
  }

  /** The SMTP command Postfix's status text after a reply names (` (in reply to end of DATA command`). */
  /**
   * The status of a `dsn=` field as every field table reads a status (`cleanStatus`): a malformed one (`5.x`,
   * empty) is none, as is `0.0.0`. Lines in a row mostly carry one DSN: the last one's reading is kept.
   */
  private dsnStatus(dsn: string): string | null {
    if (dsn !== this.lastDsn) {
      this.lastDsn = dsn;
      this.lastDsnStatus = cleanStatus(dsn);
    }
    return this.lastDsnStatus;
  }

  private commandAfter(trailer: string): SmtpCommand | null {
    let command = this.commands.get(trailer);
    if (command === undefined) {
      command = smtpCommandIn(trailer);
      if (this.commands.size >= MAX_TRAILERS) this.commands.clear();
      this.commands.set(detach(trailer), command);
    }
    return command;
  }

  /** commandAfter of a status text `replyOf` reads (`host … said: 550 … (in reply to RCPT TO command`). */
  private commandOf(status: string): SmtpCommand | null {
    if (!status.startsWith(HOST)) return null;
    const said = status.indexOf(SAID);
    if (said < 0) return status.includes(REFUSED) ? "CONN" : null;
    const trailer = status.lastIndexOf(IN_REPLY_TO);
    return trailer >= said + SAID.length ? this.commandAfter(status.slice(trailer)) : null;
  }

  /** The relay host of bytes [start, end) as events give it. */
  private relayOfBytes(bytes: Buffer, start: number, end: number): string | null {
    const relay = this.texts.of(bytes, start, end);
    return relay === this.lastRelay ? this.lastRelayName : this.relayNamed(relay);
  }

  /** One string per relay host: what is keyed by it downstream (classifier, JSON) finds its hash kept. */
  private relayNamed(relay: string): string | null {
    this.lastRelay = relay;
    let name = this.relays.get(relay);
    if (name === undefined) {
      name = relay === "none" || relay === "local" ? null : detach(relay.toLowerCase());
      if (this.relays.size >= MAX_RELAYS) this.relays.clear();
      this.relays.set(detach(relay), name);
    }
    this.lastRelayName = name;
    return name;
  }

  private senderLine(text: string, at: Positions, lineNo: number, out: Out): void {
    const body = at.body;
    const end = text.indexOf(">", body + FROM.length);
    if (end < 0) return;
    const entry = this.state(text, at);
    const state = this.fresh(this.states.value(entry));
    const sender = text.slice(body + FROM.length, end);
    if (sender !== this.lastSender) {
      this.lastSender = sender;
      this.lastSenderDomain = domainOf(sender || null);
    }
    state.sender = sender || null;
    state.sendingDomain = this.lastSenderDomain;
    if (!text.startsWith(EXPIRED_FROM_QMGR, end + 1) || !state.deferred) return;
    // `from=<s>, status=expired, returned to sender`: every recipient still deferred has now bounced.
    const time = this.time(text, at.stampEnd);
    const queueId = text.slice(at.qidStart, at.qidEnd);
    for (const deferred of state.deferred.events()) {
      const event = deferred.bounced(this.file, lineNo);
      event.time = time;
      event.queueId = queueId;
      event.reasonHint = "expired";
      out.push(event);
    }
    state.deferred = null;
    this.settled(entry, state);
  }
}

/**
 * The deferred recipients of one queue id, by recipient, in the order first deferred (as a Map keeps
 * them). Most queue ids defer one recipient: a Map (a few hundred bytes, one per waiting queue id, live
 * for days of log) is made only for a second.
 */
class Deferred {
  private recipient = "";
  private event: KeptDeferral | null = null;
  private more: Map<string, KeptDeferral> | null = null;

  get size(): number {
    return this.more !== null ? this.more.size : this.event === null ? 0 : 1;
  }

  set(recipient: string, event: KeptDeferral): void {
    if (this.more !== null) this.more.set(recipient, event);
    else if (this.event === null || recipient === this.recipient) {
      this.recipient = recipient;
      this.event = event;
    } else {
      this.more = new Map([[this.recipient, this.event]]);
      this.more.set(recipient, event);
      this.event = null;
    }
  }

  delete(recipient: string): boolean {
    if (this.more !== null) return this.more.delete(recipient);
    if (this.event === null || recipient !== this.recipient) return false;
    this.event = null;
    return true;
  }

  events(): Iterable<KeptDeferral> {
    return this.more !== null ? this.more.values() : this.event === null ? [] : [this.event];
  }
}

/**
 * A deferral kept beyond its chunk (an `expired` line may bounce it days later): the fields of its event the
 * bounce takes (the others are null in a Postfix deferral; time, line and hint are the expiry's), strings
 * copied (pool, sending IP and the relay's name are kept copies already), and its reply as `replyBase` with
 * [replyFrom, replyTo) replaced by `replyMiddle` (PostfixParser.kept).
 */
class KeptDeferral {
  readonly recipient: string | null;
  readonly sender: string | null;
  readonly sendingDomain: string | null;
  readonly messageId: string | null;
  readonly pool: string | null;
  readonly sendingIp: string | null;
  readonly remoteMta: string | null;
  readonly status: string | null;
  readonly replyCode: number | null;
  readonly smtpCommand: SmtpCommand | null;
  replyBase: string | null = null;
  replyFrom = 0;
  replyTo = 0;
  replyMiddle = "";

  /** `sliced`: the event's recipient and DSN are slices of a decoded line (recipientLine), copied here. */
  constructor(event: DeliveryEvent, sliced: boolean) {
    this.recipient = sliced ? detach(event.recipient) : event.recipient;
    // The queue's strings may be slices of the chunk its `from=` line was in (endChunk copies the state's own).
    this.sender = detach(event.sender);
    this.sendingDomain = detach(event.sendingDomain);
    this.messageId = detach(event.messageId);
    this.pool = event.pool;
    this.sendingIp = event.sendingIp;
    this.remoteMta = event.remoteMta;
    this.status = sliced ? detach(event.status) : event.status;
    this.replyCode = event.replyCode;
    this.smtpCommand = event.smtpCommand ?? null;
  }

  /** The deferral's event as a bounce of line `line` (its time and hint to be set). */
  bounced(file: string, line: number): DeliveryEvent {
    const event = newEvent("bounced", file, line);
    event.recipient = this.recipient;
    event.sender = this.sender;
    event.messageId = this.messageId;
    event.sendingIp = this.sendingIp;
    event.pool = this.pool;
    event.sendingDomain = this.sendingDomain;
    event.remoteMta = this.remoteMta;
    const base = this.replyBase;
    event.reply =
      base === null ? null : base.slice(0, this.replyFrom) + this.replyMiddle + base.slice(this.replyTo);
    event.replyCode = this.replyCode;
    event.status = this.status;
    event.smtpCommand = this.smtpCommand;
    return event;
  }
}

/**
 * The recipient part of a line whose body (after the queue id) starts at `body`, as `afterHead` reads it,
 * into into[at + HEAD_RCPT_END …] (see HEAD_WORD).
 */
function recipientPart(bytes: Uint8Array, body: number, to: number, into: Int32Array, at: number): void {
  let rcptEnd = -1;
  let statusAt = -1;
  let word = WORD_NOT_RECIPIENT;
  if (startsWithBytes(bytes, TO_BYTES, body, to)) {
    word = WORD_NONE;
    rcptEnd = indexOfByte(bytes, GREATER_THAN, body + TO.length, to);
    if (rcptEnd >= 0) statusAt = STATUS_PATTERN.indexIn(bytes, rcptEnd, to);
    if (statusAt >= 0) {
      const wordStart = statusAt + STATUS.length;
      let wordEnd = indexOfByte(bytes, SPACE, wordStart, to);
      if (wordEnd < 0) wordEnd = to;
      word = statusWordOfBytes(bytes, wordStart, wordEnd);
    }
  }
  into[at + HEAD_RCPT_END] = rcptEnd;
  into[at + HEAD_STATUS_AT] = statusAt;
  into[at + HEAD_WORD] = word;
}

/** Bytes of the DSN that end before `, status=` mixed into a line template's slot (with the status word's first). */
const DSN_TAIL = 3;

/**
 * What tells a relay's outcomes apart (LineTemplates' `kind`): the status word's first letter and the end of
 * the DSN before it (`4.7.1, status=deferred`, `5.1.1, status=bounced`). One relay and command mostly have a
 * few (iCloud refuses at RCPT TO with 5.7.1 [CS01], 5.1.1 and defers with 4.7.1): in one slot of two they
 * took turns, each made anew on every line.
 */
function outcomeKind(bytes: Uint8Array, at: Positions, type: EventType): number {
  // The letter multiplied first: XORed with the DSN's bytes at once, `d` ^ `7` = `b` ^ `1` (iCloud's 4.7.1
  // deferrals and 5.1.1 bounces were one kind, and took turns with its 5.7.1 bounces in one slot).
  let kind = Math.imul(bytes[at.wordStart], FNV_PRIME);
  for (let i = Math.max(at.start, at.statusAt - DSN_TAIL); i < at.statusAt; i++)
    kind = Math.imul(kind ^ bytes[i], FNV_PRIME);
  // The low bit: a delivery's (line-template.ts slotOf: its last bytes, often its reply's id, are not hashed).
  return type === "delivered" ? kind | 1 : kind & ~1;
}

function unangle(value: string): string | null {
  const trimmed = value.trim();
  const inner = trimmed.startsWith("<") && trimmed.endsWith(">") ? trimmed.slice(1, -1) : trimmed;
  return inner || null;
}

/**
 * `replyOf` on bytes [start, end): where the reply lies, into spans.replyStart/replyEnd (an ASCII line:
 * the same characters replyOf keeps). True where the reply lies between ` said: ` and the last
 * ` (in reply to ` (the shape a line template may take).
 */
function replyOfBytes(bytes: Uint8Array, start: number, end: number, spans: OutcomeSpans): boolean {
  spans.replyStart = start;
  spans.replyEnd = end;
  if (!startsWithBytes(bytes, HOST_BYTES, start, end)) return false;
  const said = SAID_PATTERN.indexIn(bytes, start, end);
  if (said >= 0) {
    let replyEnd = lastIndexOfBytes(bytes, IN_REPLY_TO_BYTES, start, end);
    const between = replyEnd >= said + SAID.length;
    if (replyEnd < said) replyEnd = end;
    spans.replyStart = said + SAID.length;
    // A ` (in reply to ` inside ` said: ` leaves nothing (as slice does with an end before its start).
    spans.replyEnd = Math.max(replyEnd, spans.replyStart);
    return between;
  }
  const refused = REFUSED_PATTERN.indexIn(bytes, start, end);
  if (refused >= 0) spans.replyStart = refused + REFUSED.length;
  return false;
}

/** `host … refused to talk to me: 554 …`: the reply at `replyStart` answered the connection (its greeting). */
function refusedAtGreeting(bytes: Uint8Array, replyStart: number): SmtpCommand | null {
  const at = replyStart - REFUSED.length;
  return at >= 0 && startsWithBytes(bytes, REFUSED_BYTES, at, replyStart) ? "CONN" : null;
}

/** The remote reply inside Postfix's status text, without its `host … said:` wrapper and command trailer. */
function replyOf(text: string): string {
  const said = text.indexOf(SAID);
  if (said >= 0 && text.startsWith(HOST)) {
    let end = text.lastIndexOf(IN_REPLY_TO);
    if (end < said) end = text.length;
    return text.slice(said + SAID.length, end);
  }
  const refused = text.indexOf(REFUSED);
  if (refused >= 0 && text.startsWith(HOST)) return text.slice(refused + REFUSED.length);
  return text;
}
