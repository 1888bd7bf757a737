import type { Readable } from "node:stream";
import type { Classification } from "../bounce/classify.ts";
import { classifyEvent, EVENT_ACTIONS, FAILURE_TYPES, sourceHint } from "../bounce/classify-event.ts";
import { CLASS_VERSIONS, LANE_INTS, type ReplyBytes } from "../bounce/line-bytes.ts";
import { detectProvider, recipientDomain } from "../bounce/provider.ts";
import type { BounceRecord } from "../bounce/record.ts";
import {
  ClassificationJson,
  HostJson,
  type JsonBytes,
  joined,
  jsonRecord,
  NOT_MATCHED,
  PLAIN_REPLY,
  QUOTED_REPLY,
  RECORD_KEYS,
  RecordTemplate,
  recordTime,
  TOKENS,
  utf8,
  WHOLE_DIAGNOSTIC,
  WRITTEN,
} from "../bounce/render-output.ts";
import { NO_MISS, ReplyMask, type ReplyTemplate, swapTokens, tokenPlaces } from "../bounce/reply-key.ts";
import { hostKeyOf } from "../bounce/rules/host-key.ts";
import { domainScope } from "../bounce/rules/scope.ts";
import { MAX_REPLY_LENGTH, parseReply } from "../bounce/smtp-reply.ts";
import { latin1 } from "../events/byte-scan.ts";
import type { DeliveryEvent, EventType, ParseProblem } from "../events/event.ts";
import type { FormatName } from "../events/formats.ts";
import { type ReadOptions, readEventBatches } from "../events/read.ts";
import {
  isProblem,
  newCounters,
  type OutcomeShape,
  type OutcomeSpans,
  type ParseCounters,
  problem,
  type ShapedLine,
} from "../events/source.ts";
import { detach } from "../events/values.ts";
import { FNV_PRIME } from "../util/fnv.ts";
import { memoBoundOf } from "../util/limits.ts";

interface Entry {
  /** This entry's key: everything the classifier looks at besides the reply, and the masked reply. */
  action: string;
  hint: string | null;
  replyCode: number | null;
  status: string | null;
  hostKey: string;
  domainKey: string;
  masked: string;
  /** The masked reply's shape, to recognise a reply of it without a whole scan (null: not possible). */
  template: ReplyTemplate | null;
  /**
   * Entries of its context found for replies that part from its template at one place (by ReplyMask.missed):
   * the next guess for a reply that parts there too (one context's replies of a few shapes).
   */
  branches: Map<number, Entry> | null;
  classification: Classification;
  /** The classifier left the reply text unchanged (then any reply with the same key is its own diagnostic). */
  identity: boolean;
  /**
   * Its reply holds no character JSON escapes (nor any beyond ASCII): then neither does any reply with
   * the same key, whose other characters are tokens (letters, digits and `@._%+=-:`).
   */
  plain: boolean;
  /** The noise tokens of the reply that was classified (see reply-key.ts). */
  tokens: string[];
  /** Another entry whose key has the same hash. */
  next: Entry | null;
  /** Its records' shared JSON parts (made at the first `json`). */
  json: ClassificationJson | null;
  /** The JSON bytes of its classification's diagnostic and the record's end (made at the first `jsonBytes` that writes it). */
  diagnosticJson: Uint8Array | null;
  /** The JSON of its classification's remote host (made at the first record of an event without one). */
  host: HostJson | null;
  /** Its records' templates (per file, format and diagnostic form), the last used first. */
  records: RecordTemplate[] | null;
  /**
   * The diagnostic's JSON bytes around the places swapTokens puts a reply's tokens, the record's end with
   * the last (made at the first `jsonBytes` that needs them; null: the tokens cannot be placed).
   */
  pieces: Uint8Array[] | null | undefined;
}

/** The record of an event, from its cached classification and its own diagnostic. */
function recordOf(event: DeliveryEvent, format: string, c: Classification, diagnostic: string): BounceRecord {
  return {
    recipient: event.recipient,
    source: event.source,
    format,
    time: event.time,
    provider: c.provider,
    remoteMta: event.remoteMta?.trim() || c.remoteMta,
    replyCode: c.replyCode,
    status: c.status,
    providerCode: c.providerCode,
    reason: c.reason,
    category: c.category,
    permanent: c.permanent,
    retryable: c.retryable,
    suppressRecipient: c.suppressRecipient,
    action: c.action,
    diagnostic,
    rule: c.rule,
    feedbackType: event.type === "complaint" ? (event.feedbackType ?? null) : undefined,
  };
}

/** EVENT_ACTIONS' own entries as a Map: looked up once a record (Object.hasOwn costs several times more). */
const ACTIONS = new Map(Object.entries(EVENT_ACTIONS));
/** Entries whose keys share a hash, at most (a longer chain forgets its tail). */
const MAX_CHAIN = 8;
/** Table strings numbered at most (provider keys of recipient domains are bounded by the tables). */
const MAX_IDS = 10_000;
/** Contexts (everything but the reply) whose last entry is remembered, at most: a table of this size. */
const GUESSES = 4096;
/** Record templates kept per entry, at most (its records' files, formats and diagnostic forms). */
const MAX_RECORDS = 8;
/** Guesses tried per reply (following branches), at most. */
const MAX_TRIES = 4;
/** Branches kept per entry, at most. */
const MAX_BRANCHES = 64;
/** Classes whose SharedContext is handed to new contexts, at most (the table is emptied when full). */
const MAX_SHARED_CONTEXTS = 4096;
/** Bits of the doorkeeper of reply keys (EventClassifier.seenBefore), and how many are listed before it is made. */
const SEEN_BITS = 1 << 20;
const SEEN_FEW = 64;
/** Stand-ins kept per context (DomainContext.standInFor). */
const MAX_STAND_INS = 4;
/** Slots of the recipient domains' table (a power of two; two a hash, see domainOfBytes). */
const DOMAIN_SLOTS = 8192;
const AT_SIGN = 64;
/** A character JSON.stringify escapes, or one beyond ASCII. */
const NOT_PLAIN = /[\u0000-\u001f"\\\u0080-\uffff]/;
/** Hashes as small integers (V8 keeps them unboxed). */
const HASH_BITS = 0x3fffffff;

/**
 * Classifies event replies, each distinct normalized reply once: the key is the masked reply plus
 * everything else the classifier looks at (code, status, action, hint, the remote MTA's provider and the
 * recipient domain's provider). Per-recipient fields are copied onto the cached classification.
 * Keyed by a hash of the masked reply checked against the entry's masked text (ReplyMask): no masked
 * string and no key string is built for a reply seen before.
 */
export class EventClassifier {
  private readonly entries: Memo<number, Entry>;
  private readonly hostKeys: Memo<string, string>;
  private readonly domainKeys: Memo<string, string>;
  /** The JSON of relays' names (the records' remote host), one per name: see hostOf. */
  private readonly relays: Memo<string, HostJson>;
  /** Small numbers for the few strings of a context that come from tables (actions, provider keys). */
  private readonly ids = new Map<string, number>();
  private readonly mask = new ReplyMask();
  /**
   * By a hash of the context: the entry found last in one such context. A reply on bytes is first checked
   * against its template (the replies of one context are mostly one shape with other ids).
   */
  private readonly guesses: (Entry | undefined)[] = new Array(GUESSES);
  /**
   * Recipient domains (lower case) and their keys, by a hash of the domain (domainOfBytes): the last two
   * of a hash at slots 2h (the last looked up) and 2h + 1.
   */
  private readonly domainSlots: (RecipientDomain | undefined)[] = new Array(DOMAIN_SLOTS);
  /** The SharedContext of each class by its context hash (see sharedContext). */
  private readonly sharedContexts = new Map<number, SharedContext>();
  /** What domainOfBytes gives for an empty recipient. */
  private readonly noRecipient = new RecipientDomain("", "");
  /** The reply of the event `find` looked up last (its length; "" while on the bytes), and whether that classified it anew. */
  private text = "";
  private replyLength = 0;
  private fresh = false;
  /**
   * `find` gave a stand-in (DomainContext.standIn) for the reply it looked up last: an entry of another
   * reply of the context that classifies the same, both being their own diagnostic — the record is the
   * stand-in's with this reply copied.
   */
  private stoodIn = false;
  hits = 0;
  misses = 0;
  /** Hits found by a template (without a whole scan of the reply). */
  guessed = 0;
  /** Templates matched against a reply (ReplyMask.matches), hit or not. */
  tried = 0;
  /** Record templates made (see writeBytes). */
  recordsMade = 0;
  /** Records written by shapedBytes (no event, no lookup). */
  shaped = 0;
  /** Of those, deliveries' written by their line template's lane (laneWrote). */
  laned = 0;
  /** Misses written by a stand-in (no entry made, none kept). */
  standIns = 0;
  /** RecipientDomains made (see domainOfBytes), and DomainContexts. */
  domainsMade = 0;
  contextsMade = 0;
  /** Relays' names' JSON made (see hostOf). */
  relaysMade = 0;
  /**
   * Reply keys seen (missed) once, one bit per hash: see seenBefore. Made once SEEN_FEW bits are marked (128
   * KB, most of making a classifier): until then the marked bits are listed in seenFew.
   */
  private seen: Int32Array | null = null;
  private readonly seenFew: number[] = [];
  private seenMarked = 0;
  /** The context of a reply on bytes that `find` looked up last (null: none). */
  private lastContext: DomainContext | null = null;
  /**
   * What shapedBy's first try wrote its record by in WebAssembly (laneRecord null: it did not): the reply
   * template's address, the record template, the remote host (see fillLane).
   */
  private laneReply = -1;
  private laneRecord: RecordTemplate | null = null;
  private laneHost: HostJson | null = null;
  private readonly lane = new Int32Array(LANE_INTS);
  /** laneStart's: the records' limit and the time's length (see DeliveryWriter). */
  laneLimit = 0;
  laneTime = -1;

  /** Bounds (MEMO_BOUNDS): the classifications kept, at most, by count and by their estimated bytes. */
  constructor(maxEntries = memoBoundOf("replies"), maxBytes = memoBoundOf("replyBytes")) {
    this.entries = new Memo(maxEntries, maxBytes, forget);
    // A relay's or domain's key is a few words, its name as long as the line lets it be.
    this.hostKeys = new Memo(maxEntries, maxBytes / KEY_MEMO_SHARE);
    this.domainKeys = new Memo(maxEntries, maxBytes / KEY_MEMO_SHARE);
    this.relays = new Memo(maxEntries, maxBytes / KEY_MEMO_SHARE);
  }

  /** Classifications kept (bounded by the constructor's bounds). */
  get kept(): number {
    return this.entries.size;
  }

  /** A BounceRecord for a failure/deferral/complaint (or a delivery), null for other event types. */
  classify(event: DeliveryEvent, format: string): BounceRecord | null {
    const entry = this.find(event);
    return entry === null ? null : recordOf(event, format, entry.classification, this.diagnostic(entry));
  }

  /**
   * What jsonRecord(this.classify(event, format)) gives, without building the record: the parts the
   * records of one cached reply share are serialised once (ClassificationJson).
   */
  json(event: DeliveryEvent, format: string): string | null {
    const entry = this.find(event);
    return entry === null ? null : this.jsonOf(entry, event, format);
  }

  private jsonOf(entry: Entry, event: DeliveryEvent, format: string): string {
    const c = entry.classification;
    entry.json ??= new ClassificationJson(c);
    const diagnostic = this.diagnostic(entry);
    return (
      entry.json.record(
        event.recipient,
        event.source,
        format,
        event.time,
        event.remoteMta?.trim() || c.remoteMta,
        diagnostic,
        event.type === "complaint" ? (event.feedbackType ?? null) : undefined,
      ) ?? jsonRecord(recordOf(event, format, c, diagnostic))
    );
  }

  /**
   * `json`'s text as UTF-8 bytes written into `out`, for an event read on a line's ASCII bytes (its
   * recipient and reply lie at `spans`): the cached parts copied, the recipient and the reply's own
   * tokens copied from the line. False (nothing written) for an event that gives no record.
   */
  jsonBytes(event: DeliveryEvent, spans: OutcomeSpans, format: string, out: JsonBytes): boolean {
    const entry = this.find(event, spans);
    if (entry === null) return false;
    const c = entry.classification;
    entry.json ??= new ClassificationJson(c);
    const start = out.length;
    // A complaint's feedback type is not in the head: its JSON is made as text.
    const record =
      event.type === "complaint" ? null : this.writeBytes(entry, entry.json, event, spans, format, out);
    if (record !== null) {
      // The next outcome of the shape may be written by the same entry, template and host (shapedBytes).
      const known = this.lastContext;
      if (known !== null && spans.shape !== null && spans.shape.kept === known && !this.stoodIn)
        known.wrote(event.type, entry, record);
      return true;
    }
    out.length = start;
    this.spelled(event, spans);
    out.text(this.jsonOf(entry, event, format));
    return true;
  }

  /**
   * `jsonBytes` of an outcome of a shape (OutcomeSink.shaped: the event is not made) by the entry and
   * record template of the last record of the shape's context, when its reply matches that entry's
   * template with the context's reply code and its diagnostic takes the template's form: what `find` and
   * `writeBytes` would give, as the shape promises the same type, remote MTA, DSN status, hint and
   * recipient domain (the rest of the context), and a match is the entry's masked reply. False (nothing
   * written) where the event has to be given to jsonBytes.
   */
  shapedBytes(shaped: ShapedLine, spans: OutcomeSpans, format: string, out: JsonBytes): boolean {
    const shape = spans.shape;
    if (shape === null) return false;
    // The kept context's reply code, class and relay as copied on the shape (see copyKept): the context
    // itself is loaded only where they are not there, or for the rarer tries below.
    if (shape.keptReplyCode !== shaped.replyCode || shape.keptClass === null) {
      const kept = keptFor(shape, shaped.replyCode);
      if (kept === null) return false;
      copyKept(shape, kept);
    }
    const known = shape.kept as DomainContext;
    const shared = shape.keptClass as SharedContext;
    const relay = shape.keptRelay as HostJson | null | undefined;
    const written = shared.writtenFor(spans.bytes, spans.replyStart, spans.replyEnd);
    this.laneRecord = null;
    // The class's last record may be another recipient domain's, whose reply a reply naming this domain
    // (`<user@domain>: … User unknown`, `connect to mx.domain[…]`) does not match: then this context's own last
    // record is tried, first where it wrote the context's last such outcome (a match is the same record either
    // way: the entry's masked reply). Not a delivery's: its first try fills the shape's lane (fillLane).
    const own = known.ownWritten;
    const ownFirst = known.ownFirst && own !== null && own !== written && shaped.type !== "delivered";
    if (ownFirst) {
      const wroteOwn = this.shapedBy(own, known, undefined, shaped, spans, format, out);
      if (relay === undefined) shape.keptRelay = known.relay;
      if (wroteOwn) return true;
      known.ownFirst = false;
    }
    const wrote = written !== null && this.shapedBy(written, known, relay, shaped, spans, format, out);
    // A relay looked up by that try (hostOf) is copied for the next outcome.
    if (relay === undefined) shape.keptRelay = known.relay;
    if (wrote) {
      // Written by the class's last `written` (no probe: any reply's), at its first try, in WebAssembly.
      if (this.laneRecord !== null && shaped.type === "delivered")
        this.fillLane(shape, shared, shaped.replyCode, spans);
      return true;
    }
    if (
      !ownFirst &&
      own !== null &&
      own !== written &&
      this.shapedBy(own, known, undefined, shaped, spans, format, out)
    ) {
      known.ownFirst = true;
      return true;
    }
    // The class's record before its last (a reply of another shape came between: the two take turns, or the
    // other is rare), which goes first again where it writes this one.
    const before = shared.before;
    if (before === null || before === written || before === own) return false;
    if (!this.shapedBy(before, known, undefined, shaped, spans, format, out)) return false;
    shared.before = shared.written;
    shared.written = before;
    shared.changed();
    return true;
  }

  /**
   * `shapedBytes` by the entry and record template of `written` (a record of the context's class), else by the
   * entries its entry's branches lead to where the reply parts from it (as `find` guesses: a class's replies of
   * a few shapes take turns, Outlook's with one to three bracketed server stamps; a new recipient domain's
   * context starts from its class's last `written`), each by a record template of its own that fits.
   */
  private shapedBy(
    written: Written,
    known: DomainContext,
    relay: HostJson | null | undefined,
    shaped: ShapedLine,
    spans: OutcomeSpans,
    format: string,
    out: JsonBytes,
  ): boolean {
    const { type, file, line, time } = shaped;
    if (written.type !== type) return false;
    const { bytes, recipientStart, recipientEnd, replyStart, replyEnd } = spans;
    if (replyStart < 0 || recipientStart === recipientEnd || !(line >= 0) || !Number.isSafeInteger(line))
      return false;
    const mask = this.mask;
    let { entry, record } = written;
    for (let tries = 1; ; tries++) {
      const template = entry.template;
      if (record.file !== file || record.format !== format || template === null) return false;
      // The context's relay as copied on the shape (undefined: not known there, the context is read).
      const host = relay === undefined ? this.hostOf(known, entry) : (relay ?? this.hostOfEntry(entry));
      this.tried++;
      this.text = "";
      this.replyLength = replyEnd - replyStart;
      this.fresh = false;
      this.stoodIn = false;
      // The form a match gives (its tokens are the template's), known before it: a reply that matches in
      // WebAssembly is written by the same call (RecordTemplate.write with a reply template).
      if (this.formOf(entry, template.kinds.length, spans) !== record.form) return false;
      const reply = mask.placed(bytes, replyStart, replyEnd, template);
      if (reply >= 0) {
        const written = record.write(
          out,
          host,
          bytes,
          recipientStart,
          recipientEnd,
          line,
          time,
          replyStart,
          replyEnd,
          mask,
          reply,
        );
        if (written === WRITTEN) {
          if (tries === 1) {
            this.laneReply = reply;
            this.laneRecord = record;
            this.laneHost = host;
          }
          return this.wroteShaped();
        }
        // Where it parted is told by `matches` (only worth it where a branch may be found there).
        if (written === NOT_MATCHED && entry.branches === null) return false;
      }
      if (mask.matches(bytes, replyStart, replyEnd, template)) {
        record.write(out, host, bytes, recipientStart, recipientEnd, line, time, replyStart, replyEnd, mask);
        return this.wroteShaped();
      }
      if (mask.missed === NO_MISS || tries >= MAX_TRIES) return false;
      const next = entry.branches?.get(mask.missed);
      if (next === undefined || next.template === null || !ofClass(next, known)) return false;
      const fitting = recordFitting(next, file, format, this.formOf(next, next.template.kinds.length, spans));
      if (fitting === null) return false;
      entry = next;
      record = fitting;
    }
  }

  /**
   * Fills the lane of `shape` (OutcomeShape.fillLane) with what the record shapedBytes has just written was
   * written by (laneReply, laneRecord, laneHost, as placed in the mask's ReplyBytes memory) for a reply of
   * code `replyCode` (and of its probe key, where the class has probes) in the class `shared`: where the next
   * delivery of the shape has a reply of that code (and key) and matches the reply template, the class's
   * version and the memory's epoch still being the ones copied, shapedBytes would write its record by the
   * same templates and host in the same call.
   */
  private fillLane(
    shape: OutcomeShape,
    shared: SharedContext,
    replyCode: number | null,
    spans: OutcomeSpans,
  ): void {
    const record = this.laneRecord as RecordTemplate;
    const host = this.laneHost as HostJson;
    const writer = this.mask.lanes();
    if (replyCode === null || writer === null) return;
    const versions = writer.versions;
    const lane = this.lane;
    // With probes, `writtenFor` answered the `written` of the reply's probe key: the lane holds for that key
    // while the key's `written` is the same (its own version: the class's last `written` may change often).
    const probes = shared.probe >= 0 ? shared.probes : null;
    if (probes === null) {
      // A slot shared with another class: its version is this one's again (the other's lanes are void).
      // (An object stored only where it changes: each store is a write barrier.)
      if (shared.versions !== versions) shared.versions = versions;
      versions[shared.slot] = shared.version;
      lane[2] = writer.versionAddress(shared.slot);
      lane[3] = shared.version;
      lane[10] = -1;
      lane[11] = -1;
    } else {
      // The key writtenFor computed for this reply (where it had no probes then, computed now).
      const key =
        shared.lastKey !== NOT_PROBED
          ? shared.lastKey
          : shared.probed(spans.bytes, spans.replyStart, spans.replyEnd);
      const version = key >= 0 ? probes.versionOf(key) : 0;
      probes.attach(writer);
      if (version === 0) {
        // The key has no `written` of its own (the class's last was written): the lane holds for a reply whose
        // key has none either (ids ever new at the probe: Mimecast's `[<id>.<region><n>]`), while the class's
        // `written` is the same — every key with a `written` has its mark set (ProbeTable.attach).
        if (shared.versions !== versions) shared.versions = versions;
        versions[shared.slot] = shared.version;
        lane[2] = writer.versionAddress(shared.slot);
        lane[3] = shared.version;
        lane[10] = -2 - shared.probe;
        lane[11] = probes.mix;
      } else {
        const slot = probes.versionSlot(key);
        versions[slot] = version;
        lane[2] = writer.versionAddress(slot);
        lane[3] = version;
        lane[10] = shared.probe;
        lane[11] = key;
      }
    }
    lane[0] = 1;
    lane[1] = writer.epoch;
    lane[4] = replyCode;
    lane[5] = this.laneReply;
    lane[6] = record.address;
    lane[7] = host.placedAt;
    lane[8] = record.room;
    lane[9] = host.length;
    shape.fillLane(lane, writer.memory);
  }

  /**
   * Where a delivery's record may be written by a lane into `out` (DeliveryWriter.start): the end of the
   * records staged for `out` in the mask's ReplyBytes memory (-1: none there, or another's), the time
   * `time` set there; `laneLimit` and `laneTime` are then the call's.
   */
  laneStart(out: JsonBytes, time: string | null): number {
    const writer = this.mask.lanes();
    if (writer === null) return -1;
    const staged = writer.staged;
    if (staged.owner !== out) return -1;
    this.laneLimit = staged.limit - 1;
    this.laneTime = recordTime(writer, time);
    return staged.end;
  }

  /** A lane wrote a record into `out` from laneStart's answer to `end`: as shapedBytes' own. */
  laneWrote(out: JsonBytes, end: number): void {
    const staged = (this.mask.lanes() as ReplyBytes).staged;
    out.length += end - staged.end;
    staged.end = end;
    this.laned++;
    this.tried++;
    this.wroteShaped();
  }

  /** shapedBytes wrote a record: true. */
  private wroteShaped(): boolean {
    this.hits++;
    this.guessed++;
    this.shaped++;
    return true;
  }

  /**
   * `jsonBytes` by the entry's record template for the event's file, format and the form of its
   * diagnostic (made when there is none) with its remote host, the template it wrote with; null where the
   * text has to be made.
   */
  private writeBytes(
    entry: Entry,
    json: ClassificationJson,
    event: DeliveryEvent,
    spans: OutcomeSpans,
    format: string,
    out: JsonBytes,
  ): RecordTemplate | null {
    const { bytes, recipientStart, recipientEnd, replyStart, replyEnd } = spans;
    const { file, line } = event.source;
    if (!json.writable || recipientStart === recipientEnd || typeof file !== "string") return null;
    if (line === null || !Number.isSafeInteger(line) || line < 0) return null;
    const form = this.diagnosticForm(entry, spans);
    if (form < 0) return null;
    const c = entry.classification;
    // The context's relay (as the event's: a context is of one relay), else the classification's.
    const known = this.lastContext;
    const host =
      known !== null && known.remoteMta === event.remoteMta
        ? this.hostOf(known, entry)
        : new HostJson(event.remoteMta?.trim() || c.remoteMta);
    entry.records ??= [];
    const records = entry.records;
    let record = records[0];
    if (record === undefined || !record.fits(file, format, form)) {
      record = this.recordTemplate(entry, json, records, file, format, form);
    }
    record.write(
      out,
      host,
      bytes,
      recipientStart,
      recipientEnd,
      line,
      event.time,
      replyStart,
      replyEnd,
      this.mask,
    );
    return record;
  }

  /** The remote host the records of `entry` in `context` write (writeBytes: the relay, else the classification's). */
  private hostOf(context: DomainContext, entry: Entry): HostJson {
    let relay = context.relay;
    if (relay === undefined) relay = context.relay = this.relayOf(context.remoteMta);
    return relay ?? this.hostOfEntry(entry);
  }

  /** The remote host of the records of `entry` written where their context has no relay: the classification's. */
  private hostOfEntry(entry: Entry): HostJson {
    entry.host ??= new HostJson(entry.classification.remoteMta);
    return entry.host;
  }

  /**
   * The JSON of a relay's name (null: none), one per name: a relay's contexts (its outcomes, reply codes,
   * recipient domains) write the same object, which the record writer keeps placed while it comes again.
   */
  private relayOf(remoteMta: string | null): HostJson | null {
    const name = remoteMta?.trim();
    if (!name) return null;
    let relay = this.relays.get(name);
    if (relay === undefined) {
      relay = new HostJson(name);
      this.relays.set(detach(name), relay, 2 * name.length);
      this.relaysMade++;
    }
    return relay;
  }

  /** The entry's record template of these (moved first, or made: the least recent one dropped beyond MAX_RECORDS). */
  private recordTemplate(
    entry: Entry,
    json: ClassificationJson,
    records: RecordTemplate[],
    file: string,
    format: string,
    form: number,
  ): RecordTemplate {
    for (let i = 1; i < records.length; i++) {
      const record = records[i];
      if (record.fits(file, format, form)) {
        records.copyWithin(1, 0, i);
        records[0] = record;
        return record;
      }
    }
    const c = entry.classification;
    let ending: Uint8Array | null = null;
    if (form === WHOLE_DIAGNOSTIC) {
      entry.diagnosticJson ??= joined(utf8(JSON.stringify(c.diagnostic)), json.tail());
      ending = entry.diagnosticJson;
    }
    // Kept as given: the next records bring the same string objects (the parser's relay names, its file
    // name), compared at once. An event read on bytes holds no slice of a decoded chunk to keep alive.
    const made = new RecordTemplate(
      json,
      file,
      format,
      form,
      ending,
      form === TOKENS ? (entry.pieces ?? null) : null,
    );
    this.recordsMade++;
    if (records.length >= MAX_RECORDS) records.pop();
    records.unshift(made);
    return made;
  }

  /**
   * How the record of the event `find` looked up last on the bytes `spans` writes `diagnostic(entry)`
   * (RecordTemplate): the cached one whole; the reply itself (copied where the key proved it needs no
   * escape); or the cached one's pieces around the reply's tokens (which need no escape: letters, digits
   * and `@._%+=-:`). -1 where the text has to be made.
   */
  private diagnosticForm(entry: Entry, spans: OutcomeSpans): number {
    return this.formOf(entry, this.mask.count, spans);
  }

  /** `diagnosticForm` where the reply's match found `count` tokens. */
  private formOf(entry: Entry, count: number, spans: OutcomeSpans): number {
    if (this.stoodIn) return entry.plain ? PLAIN_REPLY : QUOTED_REPLY;
    if (this.fresh || this.replyLength === 0) return WHOLE_DIAGNOSTIC;
    if (this.replyLength > MAX_REPLY_LENGTH || spans.replyStart < 0) return -1;
    // No tokens and the same masked text: the very reply that was classified, whose diagnostic's JSON
    // (the reply's own, where the classifier kept it) is cached with the record's end: no copy of the reply.
    if (count === 0 && entry.tokens.length === 0) return WHOLE_DIAGNOSTIC;
    if (entry.identity) return entry.plain ? PLAIN_REPLY : QUOTED_REPLY;
    if (count !== entry.tokens.length) return -1;
    if (entry.pieces === undefined) {
      entry.pieces = diagnosticPieces(entry.classification.diagnostic, entry.tokens);
      // The record's end goes with the last piece.
      if (entry.pieces !== null) entry.pieces.push(joined(entry.pieces.pop()!, entry.json!.tail()));
    }
    return entry.pieces === null ? -1 : TOKENS;
  }

  /** The cached entry of the event's reply (classified now if new; null for types not classified). */
  private find(event: DeliveryEvent, spans: OutcomeSpans | null = null): Entry | null {
    this.lastContext = null;
    this.stoodIn = false;
    const action = ACTIONS.get(event.type);
    if (action === undefined) return null;
    // A reply on a line's bytes is keyed there; a text is made (if the event has none) only to classify it anew.
    const onBytes = spans !== null && spans.replyStart >= 0 ? spans : null;
    const text = event.reply ?? "";
    const hint = sourceHint(event);
    const replyCode = event.replyCode;
    const status = event.status;
    let hostKey: string;
    let domainKey: string;
    let context: number;
    /** The domain's context the event is in (a reply on bytes): its last entry is the first guess. */
    let known: DomainContext | null = null;
    if (spans === null) {
      hostKey = this.hostKey(event.remoteMta);
      domainKey = this.domainKey(event.recipient);
      context = this.context(action, hostKey, domainKey, replyCode, status, hint);
    } else {
      // An outcome of a shape seen before has that one's context but maybe for its reply code.
      const kept = keptFor(spans.shape, replyCode);
      if (kept !== null && kept.action === action) {
        known = kept;
      } else {
        const domain = this.domainOfBytes(spans.bytes, spans.recipientStart, spans.recipientEnd);
        known = domain.contextOf(action, event.remoteMta, replyCode, status, hint);
        if (known === null) {
          const host = this.hostKey(event.remoteMta);
          const hash = this.context(action, host, domain.key, replyCode, status, hint);
          const shared = this.sharedContext(action, host, domain.key, replyCode, status, hint, hash);
          this.contextsMade++;
          known = domain.add(
            new DomainContext(
              action,
              event.remoteMta,
              replyCode,
              status,
              hint,
              host,
              domain.key,
              hash,
              shared,
            ),
          );
        }
        if (spans.shape !== null) {
          spans.shape.keptBefore = spans.shape.kept;
          spans.shape.kept = known;
          copyKept(spans.shape, null);
        }
      }
      domainKey = known.domainKey;
      hostKey = known.hostKey;
      context = known.hash;
      this.lastContext = known;
    }
    const mask = this.mask;
    const slot = context & (GUESSES - 1);
    const last = known?.entry ?? this.guesses[slot];
    // The context's entry last found for the bytes at its probe, else its last entry.
    let probed =
      known !== null && onBytes !== null
        ? known.probed(onBytes.bytes, onBytes.replyStart, onBytes.replyEnd)
        : -1;
    let guess = (probed >= 0 ? known?.probes?.entry(probed) : undefined) ?? last;
    /** The last guess that failed where the reply parts from it (mask.missed), to learn where that leads. */
    let parted: Entry | null = null;
    for (let tries = 0; onBytes !== null && guess !== undefined && tries < MAX_TRIES; tries++) {
      if (guess.template === null || !inContext(guess, action, hostKey, domainKey, replyCode, status, hint)) {
        break;
      }
      this.tried++;
      if (mask.matches(onBytes.bytes, onBytes.replyStart, onBytes.replyEnd, guess.template)) {
        this.text = text;
        this.replyLength = onBytes.replyEnd - onBytes.replyStart;
        this.fresh = false;
        this.hits++;
        this.guessed++;
        if (known !== null) known.found(guess, probed);
        else this.guesses[slot] = guess;
        return guess;
      }
      if (known !== null && known.probe < 0 && mask.partedAt >= 0) {
        known.probe = onBytes.replyEnd - onBytes.replyStart - mask.partedAt;
        probed = known.probed(onBytes.bytes, onBytes.replyStart, onBytes.replyEnd);
      }
      const failed = guess;
      parted = mask.missed === NO_MISS ? null : guess;
      guess = parted?.branches?.get(mask.missed);
      // A guess by the probe that failed without a branch: the context's last entry next.
      if (guess === undefined && tries === 0 && failed !== last) guess = last;
    }
    const missed = mask.missed;
    let replyHash: number;
    if (onBytes === null) {
      mask.scan(text);
      replyHash = mask.hash(text);
    } else {
      mask.scanBytes(onBytes.bytes, onBytes.replyStart, onBytes.replyEnd);
      replyHash = mask.hashBytes(onBytes.bytes, onBytes.replyStart, onBytes.replyEnd);
    }
    const hash = (replyHash ^ Math.imul(context, 0x9e3779b1)) & HASH_BITS;
    const first = this.entries.get(hash);
    let entry: Entry | null | undefined = first;
    while (entry !== undefined && entry !== null) {
      if (
        inContext(entry, action, hostKey, domainKey, replyCode, status, hint) &&
        (onBytes === null
          ? mask.equals(text, entry.masked)
          : mask.equalsBytes(onBytes.bytes, onBytes.replyStart, onBytes.replyEnd, entry.masked))
      ) {
        break;
      }
      entry = entry.next;
    }
    this.text = text;
    this.replyLength = onBytes === null ? text.length : onBytes.replyEnd - onBytes.replyStart;
    this.fresh = entry === undefined || entry === null;
    if (entry === undefined || entry === null) {
      this.misses++;
      if (spans !== null) this.spelled(event, spans);
      const text = this.text;
      const classification = classifyEvent({
        type: event.type,
        reply: text,
        replyCode: event.replyCode,
        status: event.status,
        remoteMta: event.remoteMta,
        recipient: event.recipient,
        hint: event.reasonHint ?? null,
        smtpCommand: event.smtpCommand ?? null,
      })!;
      const identity = classification.diagnostic === text;
      const plain = !NOT_PLAIN.test(text);
      // A reply of the context seen for the first time (an accept naming its message, size and time: most
      // never come back) that is its own diagnostic and classifies as a stand-in of the context does: written
      // as that one's record with the reply copied — no mask template, record template or kept entry. Its
      // key seen again, it gets its entry (then its shape is learnt).
      const standIn =
        identity &&
        onBytes !== null &&
        text.length > 0 &&
        text.length <= MAX_REPLY_LENGTH &&
        !this.seenBefore(hash)
          ? known?.standInFor(classification, plain)
          : undefined;
      if (standIn !== undefined) {
        this.stoodIn = true;
        this.fresh = false;
        this.standIns++;
        known!.found(standIn, probed);
        return standIn;
      }
      entry = this.entryOf(event, text, classification, identity, plain, hostKey, domainKey, chain(first));
      this.entries.set(hash, entry, entryBytes(this.replyLength));
      if (identity && known !== null) known.addStandIn(entry);
    } else this.hits++;
    if (onBytes !== null) {
      this.guesses[slot] = entry;
      if (known !== null) known.found(entry, probed);
    }
    if (parted !== null && entry.template !== null) {
      parted.branches ??= new Map();
      if (parted.branches.size < MAX_BRANCHES) parted.branches.set(missed, entry);
    }
    return entry;
  }

  /**
   * The recipient and reply left on the line's bytes, made text (the event's; the reply is also the one
   * looked up last).
   */
  private spelled(event: DeliveryEvent, spans: OutcomeSpans): void {
    event.recipient ??= latin1(spans.bytes, spans.recipientStart, spans.recipientEnd) || null;
    if (event.reply !== null || spans.replyStart < 0) return;
    event.reply = latin1(spans.bytes, spans.replyStart, spans.replyEnd);
    this.text = event.reply;
  }

  /**
   * Whether a reply's key (its `find` hash) was seen before, or another with its hash (then it gets its entry
   * a sighting early): a "doorkeeper", as in TinyLFU cache admission.
   */
  private seenBefore(hash: number): boolean {
    const bit = (hash ^ (hash >>> 15)) & (SEEN_BITS - 1);
    const mask = 1 << (bit & 31);
    let seen = this.seen;
    if (seen === null) {
      const few = this.seenFew;
      if (few.includes(bit)) return true;
      if (few.length < SEEN_FEW) {
        few.push(bit);
        this.seenMarked++;
        return false;
      }
      seen = this.seen = new Int32Array(SEEN_BITS / 32);
      for (const marked of few) seen[marked >>> 5] |= 1 << (marked & 31);
    }
    if ((seen[bit >>> 5] & mask) !== 0) return true;
    // A sixteenth full (a key not seen passes as seen at most that often): start afresh.
    if (++this.seenMarked > SEEN_BITS / 16) {
      seen.fill(0);
      this.seenMarked = 1;
    }
    seen[bit >>> 5] |= mask;
    return false;
  }

  /** The SharedContext of a class (made if there is none, or another class has its hash). */
  private sharedContext(
    action: string,
    hostKey: string,
    domainKey: string,
    replyCode: number | null,
    status: string | null,
    hint: string | null,
    hash: number,
  ): SharedContext {
    let shared = this.sharedContexts.get(hash);
    if (shared === undefined || !inContext(shared, action, hostKey, domainKey, replyCode, status, hint)) {
      shared = new SharedContext(action, hostKey, domainKey, replyCode, status, hint);
      // Contexts keep theirs: emptied, the table only stops handing out the classes it held.
      if (this.sharedContexts.size >= MAX_SHARED_CONTEXTS) this.sharedContexts.clear();
      this.sharedContexts.set(hash, shared);
    }
    return shared;
  }

  /** A hash of everything the classifier looks at besides the reply. */
  private context(
    action: string,
    hostKey: string,
    domainKey: string,
    replyCode: number | null,
    status: string | null,
    hint: string | null,
  ): number {
    let context = Math.imul(this.id(action) ^ 0x2f, FNV_PRIME);
    context = Math.imul(context ^ this.id(hostKey), FNV_PRIME);
    context = Math.imul(context ^ this.id(domainKey), FNV_PRIME);
    context = Math.imul(context ^ (replyCode ?? 1000), FNV_PRIME);
    return hashText(hashText(context, status), hint);
  }

  /** The number of a table string (an action, a provider key: a few dozen at most). */
  private id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      // Numbering again only changes hashes (entries are matched by their strings): bounded either way.
      if (this.ids.size >= MAX_IDS) this.ids.clear();
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }

  /**
   * The diagnostic of the event `find` looked up last: its entry's when that classified it, else derived
   * from the cached one whenever that is exact.
   */
  private diagnostic(entry: Entry): string {
    const text = this.text;
    if (this.stoodIn) return text;
    const cached = entry.classification.diagnostic;
    if (this.fresh) return cached;
    if (text === "") return cached;
    if (text.length > MAX_REPLY_LENGTH) return parseReply(text).text;
    if (entry.identity) return text;
    // No tokens and the same masked text: the very reply that was classified.
    if (this.mask.count === 0 && entry.tokens.length === 0) return cached;
    return swapTokens(cached, entry.tokens, this.mask.tokens(text)) ?? parseReply(text).text;
  }

  /** The entry of a reply `text` the scan found new, classified as `classification`. */
  private entryOf(
    event: DeliveryEvent,
    text: string,
    classification: Classification,
    identity: boolean,
    plain: boolean,
    hostKey: string,
    domainKey: string,
    next: Entry | null,
  ): Entry {
    const mask = this.mask;
    const masked = detach(mask.masked(text));
    const tokens = mask.tokens(text).map((token) => detach(token));
    const template = mask.template(text);
    classification.diagnostic = detach(classification.diagnostic);
    classification.remoteMta = detach(classification.remoteMta);
    return {
      action: EVENT_ACTIONS[event.type],
      hint: detach(sourceHint(event)),
      replyCode: event.replyCode,
      status: detach(event.status),
      hostKey,
      domainKey,
      masked,
      template,
      branches: null,
      classification,
      identity,
      plain,
      tokens,
      next,
      json: null,
      diagnosticJson: null,
      pieces: undefined,
      host: null,
      records: null,
    };
  }

  /** What the classifier reads of the remote MTA (hostKeyOf: the store's reply key reads the same), memoised. */
  private hostKey(remoteMta: string | null): string {
    if (!remoteMta) return "";
    let key = this.hostKeys.get(remoteMta);
    if (key === undefined) {
      key = hostKeyOf(remoteMta);
      this.hostKeys.set(detach(remoteMta), key, remoteMta.length + key.length);
    }
    return key;
  }

  /**
   * The recipient domain itself when it belongs to a known provider (provider rules may name such a
   * domain, e.g. Apple's Hide-My-Email relay), else whether it is other/unknown and what the rule tables
   * single out about it (domainKeyOf).
   */
  private domainKey(recipient: string | null): string {
    if (!recipient) return "";
    const at = recipient.lastIndexOf("@");
    return this.domainKeyOf(at < 0 ? "" : recipient.slice(at + 1).toLowerCase());
  }

  /**
   * The recipient domain of the recipient whose characters are the ASCII bytes [from, to), with its
   * `domainKey`: found by a hash of the domain's bytes in lower case, without a recipient or domain string
   * (deliveries are most records).
   */
  private domainOfBytes(bytes: Buffer, from: number, to: number): RecipientDomain {
    if (from === to) return this.noRecipient;
    let at = to - 1;
    while (at >= from && bytes[at] !== AT_SIGN) at--;
    const start = at < from ? to : at + 1;
    let hash = 0;
    for (let i = start; i < to; i++) hash = Math.imul(hash ^ lowerCase(bytes[i]), FNV_PRIME);
    const slot = 2 * ((hash ^ (hash >>> 16)) & (DOMAIN_SLOTS / 2 - 1));
    const slots = this.domainSlots;
    const first = slots[slot];
    if (first !== undefined && sameInLowerCase(bytes, start, to, first.codes)) return first;
    // Two a hash: domains whose hashes meet (one in thousands of slots) do not make each other anew, with
    // their contexts, at every turn.
    const second = slots[slot + 1];
    if (second !== undefined && sameInLowerCase(bytes, start, to, second.codes)) {
      slots[slot] = second;
      slots[slot + 1] = first;
      return second;
    }
    const domain = detach(latin1(bytes, start, to).toLowerCase());
    const made = new RecipientDomain(domain, this.domainKeyOf(domain));
    this.domainsMade++;
    slots[slot + 1] = first;
    slots[slot] = made;
    return made;
  }

  /**
   * The key of a recipient domain (lower case): an other/unknown domain's provider with what the rule
   * tables single out about it (NTT docomo's table names docomo.ne.jp), so that no other domain shares it.
   */
  private domainKeyOf(domain: string): string {
    let key = this.domainKeys.get(domain);
    if (key === undefined) {
      const provider = detectProvider({ recipient: `x@${domain}` });
      const named = recipientDomain(`x@${domain}`);
      const scope = named === null ? "" : domainScope(named);
      key =
        provider !== "other" && provider !== "unknown"
          ? `${provider}:${domain}`
          : provider + (scope === "" ? "" : `|${scope}`);
      this.domainKeys.set(detach(domain), key, domain.length + key.length);
    }
    return key;
  }
}

/**
 * The JSON bytes of `diagnostic` cut at the places swapTokens puts `tokens` (the opening quote in the
 * first piece, the closing one in the last), or null when they cannot be placed. The tokens are ASCII:
 * no cut splits a character or an escape.
 */
function diagnosticPieces(diagnostic: string, tokens: readonly string[]): Uint8Array[] | null {
  const places = tokenPlaces(diagnostic, tokens);
  if (places === null) return null;
  const pieces: Uint8Array[] = [];
  let position = 0;
  for (let t = 0; t <= tokens.length; t++) {
    const end = t < tokens.length ? places[2 * t] : diagnostic.length;
    const json = JSON.stringify(diagnostic.slice(position, end));
    const open = t === 0 ? 0 : 1;
    const close = t === tokens.length ? json.length : json.length - 1;
    pieces.push(utf8(json.slice(open, close)));
    if (t < tokens.length) position = places[2 * t + 1];
  }
  return pieces;
}

/** The event types that become records without `all`. */
export const CLASSIFIED_TYPES = new Set(FAILURE_TYPES) as ReadonlySet<EventType>;

/** `hash` with a short text's characters (null apart from every text) mixed in. */
function hashText(hash: number, text: string | null): number {
  if (text === null) return Math.imul(hash ^ 0x1f, FNV_PRIME);
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return Math.imul(hash ^ text.length, FNV_PRIME);
}

/**
 * Contexts kept per recipient domain: its records take turns in a few, one per relay × outcome × code (a
 * domain's own MX hosts or a hosting provider's several, each delivering, deferring and refusing). Past
 * the bound the least recent is made again when it comes back (with what it had learned: its entries,
 * stand-ins, probe).
 */
const MAX_CONTEXTS = 16;

/**
 * A recipient domain (lower case) and its key, with the contexts of its last records (most recent
 * first): a domain's records mostly come in a few contexts, so the next one mostly needs no host key
 * lookup and no hashing, and its context's last entry is the first guess for its reply. A context made
 * before the classifier numbered its table strings again only files entries elsewhere (they are matched
 * by their strings): still exact.
 */
class RecipientDomain {
  /** The domain's character codes (compared with a line's bytes: no string access a record). */
  readonly codes: Uint16Array;
  readonly key: string;
  private readonly contexts: DomainContext[] = [];

  constructor(domain: string, key: string) {
    this.codes = Uint16Array.from(domain, (character) => character.charCodeAt(0));
    this.key = key;
  }

  /** The kept context made of these parts (moved to the front), or null. */
  contextOf(
    action: string,
    remoteMta: string | null,
    replyCode: number | null,
    status: string | null,
    hint: string | null,
  ): DomainContext | null {
    const contexts = this.contexts;
    for (let i = 0; i < contexts.length; i++) {
      const known = contexts[i];
      if (
        action === known.action &&
        remoteMta === known.remoteMta &&
        replyCode === known.replyCode &&
        status === known.status &&
        hint === known.hint
      ) {
        if (i > 0) {
          contexts.copyWithin(1, 0, i);
          contexts[0] = known;
        }
        return known;
      }
    }
    return null;
  }

  /** A new context, kept first (the least recent one dropped beyond MAX_CONTEXTS). */
  add(made: DomainContext): DomainContext {
    if (this.contexts.length >= MAX_CONTEXTS) this.contexts.pop();
    this.contexts.unshift(made);
    return made;
  }
}

/**
 * What the contexts of one class share: everything the classifier looks at besides the reply (action,
 * remote MTA's and recipient domain's keys, reply code, DSN status, hint) — the contexts of the many
 * recipient domains and relays a provider key stands for (a real sender's "other" domains, each with MX
 * hosts of its own) are of one class, and a reply's entry and record template do not depend on which. So
 * what one of them learned (where its replies part, the entry and `written` by the bytes there) is used by
 * all: a new recipient domain's deliveries are written by shapedBytes from their first reply of a known
 * shape on.
 */
/** SharedContext.lastKey where `writtenFor` computed no probe key (probed's answers are >= -1). */
const NOT_PROBED = -2;
/** The last version given to a SharedContext (one count for all: a version is never another class's). */
let classVersion = 0;
/** SharedContexts made (their slots among the class versions go round). */
let classSlots = 0;

class SharedContext {
  readonly action: string;
  readonly hostKey: string;
  readonly domainKey: string;
  readonly replyCode: number | null;
  readonly status: string | null;
  readonly hint: string | null;
  /**
   * The entry and record template of the last record written in a context of the class for an outcome of
   * a shape (OutcomeShape.kept: the context), and its type (see EventClassifier.shapedBytes).
   */
  written: Written | null = null;
  /** The `written` before the last one of another entry (see EventClassifier.shapedBytes). */
  before: Written | null = null;
  /**
   * Where the replies of the class part from each other, as a distance from the reply's end (-1: not
   * known yet): learned from the first guess that parted from a reply in a literal piece. Replies of one
   * class that take turns among a few shapes mostly part at one place from their end (Gmail's
   * `… <id>.NN - gsmtp`): the bytes there pick the entry to guess (`probes`), where the last entry would
   * be a shape behind. Only a guess: ReplyMask.matches decides.
   */
  probe = -1;
  /**
   * The entry last found, and the `written` last, for the bytes at the probe, by their key (`probed`; made
   * when the first is found).
   */
  probes: ProbeTable | null = null;
  /**
   * What `writtenFor` answers has changed at each new version (a number of its own: classVersion); lanes
   * (OutcomeShape.fillLane) copy it, and hold while its slot among a ReplyBytes memory's class versions
   * (`versions`, from the first lane filled: null before) holds it.
   */
  version = ++classVersion;
  readonly slot = classSlots++ % CLASS_VERSIONS;
  versions: Int32Array | null = null;
  /** The probe's key of the reply `writtenFor` was given last (NOT_PROBED: none computed). */
  lastKey = NOT_PROBED;

  constructor(
    action: string,
    hostKey: string,
    domainKey: string,
    replyCode: number | null,
    status: string | null,
    hint: string | null,
  ) {
    this.action = action;
    this.hostKey = hostKey;
    this.domainKey = domainKey;
    this.replyCode = replyCode;
    // Copies: the strings may be slices of a whole decoded input chunk, which they would keep.
    this.status = detach(status);
    this.hint = detach(hint);
  }

  /** The probes key of the reply bytes[from, to): a hash of PROBE_BYTES at the probe (-1: none). */
  probed(bytes: Uint8Array, from: number, to: number): number {
    const probe = this.probe;
    let at = to - probe;
    if (probe < 0 || at < from) return -1;
    // Inside a number, from its first digit: replies whose number there has another count of digits
    // (Orange's `<id>.N` and `<id>.NN`) still differ in the bytes hashed, whichever taught the probe.
    for (
      let back = 0;
      back < PROBE_BYTES && at > from && isDigit(bytes[at]) && isDigit(bytes[at - 1]);
      back++
    ) {
      at--;
    }
    let hash = 0;
    for (let i = at, end = Math.min(to, at + PROBE_BYTES); i < end; i++)
      hash = Math.imul(hash ^ bytes[i], FNV_PRIME);
    return hash >>> 1;
  }

  /** What `writtenFor` answers may have changed: a new version (the lanes that copied the last one are void). */
  changed(): void {
    this.version = ++classVersion;
    if (this.versions !== null) this.versions[this.slot] = this.version;
  }

  /** Its `written` is `written` (a new version where its type, entry or record template is another). */
  wrote(written: Written): void {
    const last = this.written;
    if (last !== null && last.entry !== written.entry) this.before = last;
    this.written = written;
    if (
      last === null ||
      last.type !== written.type ||
      last.entry !== written.entry ||
      last.record !== written.record
    )
      this.changed();
  }

  /**
   * What shapedBytes tries for the reply bytes[from, to): the `written` of its probe's key, else the last. The
   * key is kept in `lastKey` (NOT_PROBED: the class had no probes), which fillLane copies.
   */
  writtenFor(bytes: Uint8Array, from: number, to: number): Written | null {
    const { probes, written } = this;
    if (this.probe < 0 || probes === null) {
      this.lastKey = NOT_PROBED;
      return written;
    }
    const probed = this.probed(bytes, from, to);
    this.lastKey = probed;
    return (probed >= 0 ? probes.written(probed) : undefined) ?? written;
  }
}

/**
 * Everything the classifier looks at besides the reply and the recipient domain (the relay as given),
 * with its host key and EventClassifier.context hash, the entry of the last record found in it, and what
 * it shares with the other contexts of its class.
 */
/**
 * The context a shape's outcomes of reply code `replyCode` were kept in: its last, else the one before (which
 * becomes its last: a shape's outcomes may take turns in two reply codes, GMX's and Mimecast's 550 and 554 of
 * one DSN), else null.
 */
function keptFor(shape: OutcomeShape | null, replyCode: number | null): DomainContext | null {
  if (shape === null) return null;
  const kept = shape.kept;
  if (kept instanceof DomainContext && kept.replyCode === replyCode) return kept;
  const before = shape.keptBefore;
  if (!(before instanceof DomainContext) || before.replyCode !== replyCode) return null;
  shape.keptBefore = kept;
  shape.kept = before;
  copyKept(shape, null);
  return before;
}

/**
 * Copies on `shape` what shapedBytes reads of its kept context (`context`, which must be shape.kept), or
 * clears the copies (null) where `kept` changes. The context's reply code and class never change; its relay
 * only once, from undefined (not looked up yet: hostOf), after which shapedBytes copies it again.
 */
function copyKept(shape: OutcomeShape, context: DomainContext | null): void {
  // `kept` has changed (or is to be copied again): the shape's lane copied the one before.
  if (context === null) shape.clearLane();
  shape.keptReplyCode = context === null ? undefined : context.replyCode;
  shape.keptClass = context === null ? null : context.shared;
  shape.keptRelay = context === null ? undefined : context.relay;
}

class DomainContext {
  // What shapedBytes reads first (an object's fields lie in their declaration order: these share its first
  // cache line; a wide log's thousands of contexts are mostly out of the CPU's caches).
  readonly replyCode: number | null;
  readonly shared: SharedContext;
  /** The JSON of the relay's name (undefined: not looked up yet; null: none, the classification's is written). */
  relay: HostJson | null | undefined = undefined;
  /** The `written` of this context's own last record (SharedContext.written is its class's). */
  ownWritten: Written | null = null;
  /** shapedBytes wrote the context's last outcome by `ownWritten` where the class's last `written` failed. */
  ownFirst = false;
  readonly action: string;
  readonly remoteMta: string | null;
  readonly status: string | null;
  readonly hint: string | null;
  readonly hostKey: string;
  /** The recipient domain's key (the context is one of its RecipientDomain's). */
  readonly domainKey: string;
  readonly hash: number;
  entry: Entry | undefined = undefined;
  /**
   * The last entries made in it whose replies are their own diagnostics (most recent first, a few: its
   * replies may take turns among a few verdicts and forms). Each stands in for a new reply of the context
   * that is its own diagnostic too, of the same form, and classifies the same (EventClassifier.find).
   */
  private standIns: Entry[] | null = null;
  /** The probe's key `found` was given last (-1: none). */
  private lastProbed = -1;

  constructor(
    action: string,
    remoteMta: string | null,
    replyCode: number | null,
    status: string | null,
    hint: string | null,
    hostKey: string,
    domainKey: string,
    hash: number,
    shared: SharedContext,
  ) {
    this.action = action;
    // Copies: the strings may be slices of a whole decoded input chunk, which they would keep.
    this.remoteMta = detach(remoteMta);
    this.replyCode = replyCode;
    this.status = detach(status);
    this.hint = detach(hint);
    this.hostKey = hostKey;
    this.domainKey = domainKey;
    this.hash = hash;
    this.shared = shared;
  }

  /** The stand-in for a reply of the context classified as `classification`, its own diagnostic (undefined: none). */
  standInFor(classification: Classification, plain: boolean): Entry | undefined {
    const standIns = this.standIns;
    if (standIns === null) return undefined;
    for (let i = 0; i < standIns.length; i++) {
      const standIn = standIns[i];
      if (standIn.plain === plain && sameVerdict(standIn.classification, classification)) return standIn;
    }
    return undefined;
  }

  /** A new entry whose reply is its own diagnostic (the least recent stand-in dropped beyond MAX_STAND_INS). */
  addStandIn(entry: Entry): void {
    this.standIns ??= [];
    if (this.standIns.length >= MAX_STAND_INS) this.standIns.pop();
    this.standIns.unshift(entry);
  }

  get probe(): number {
    return this.shared.probe;
  }

  set probe(probe: number) {
    this.shared.probe = probe;
    this.shared.changed();
  }

  get probes(): ProbeTable | null {
    return this.shared.probes;
  }

  /** The probes key of the reply bytes[from, to) (SharedContext.probed). */
  probed(bytes: Uint8Array, from: number, to: number): number {
    return this.shared.probed(bytes, from, to);
  }

  /** `entry` was found for a reply whose probes key is `probed`. */
  found(entry: Entry, probed: number): void {
    this.entry = entry;
    this.lastProbed = probed;
    if (probed < 0) return;
    const shared = this.shared;
    if (shared.probes === null) {
      shared.probes = new ProbeTable(shared.slot);
      shared.changed();
    }
    if (shared.probes.found(probed, entry)) shared.changed();
  }

  /** The entry `found` last was written by `record` for an outcome of type `type` (see SharedContext.written). */
  wrote(type: EventType, entry: Entry, record: RecordTemplate): void {
    const written = { type, entry, record };
    this.ownWritten = written;
    const shared = this.shared;
    shared.wrote(written);
    const probed = this.lastProbed;
    // A probe class's lanes hold by their key's version (ProbeTable.versionOf), not the class's.
    if (probed >= 0) shared.probes?.wrote(probed, written);
  }
}

/**
 * A context's entries and `written`s by the key of the bytes at its probe (DomainContext.probed: a 31-bit
 * hash of them): a hash table on the whole key, so replies whose bytes there differ never take each
 * other's place (a table of PROBE_SLOTS by a few bits of the key did: Gmail's `<id>.NN - gsmtp`, a
 * hundred NN in one context, shared slots, and each reply of a pair in turn missed its first guess).
 * Open addressing; it grows to at most PROBE_SLOTS slots, and a full one is emptied (a guess is lost,
 * no answer changes: ReplyMask.matches decides).
 */
class ProbeTable {
  private keys = new Int32Array(PROBE_FIRST_SLOTS);
  /** By slot: the entry found last for the slot's key (undefined: an empty slot), the `written` last. */
  private entries: (Entry | undefined)[] = new Array(PROBE_FIRST_SLOTS);
  private writtens: (Written | undefined)[] = new Array(PROBE_FIRST_SLOTS);
  /**
   * By slot: the version of its `written` (classVersion's count; 0: none), which lanes of the key copy while
   * its slot among a ReplyBytes memory's class versions (`versions`, from the first lane filled) holds it.
   */
  private keyVersions = new Int32Array(PROBE_FIRST_SLOTS);
  versions: Int32Array | null = null;
  /** The ReplyBytes its keys are marked in (see markBit; null: none yet), and its marks' clears then. */
  private writer: ReplyBytes | null = null;
  private markedIn = -1;
  private count = 0;
  /** Mixed into a key's slot among the class versions (its class's own slot: classes' keys apart). */
  readonly mix: number;

  constructor(classSlot: number) {
    this.mix = Math.imul(classSlot + 1, 0x85ebca6b);
  }

  /** The version of the `written` of key `key` (0: none). */
  versionOf(key: number): number {
    const slot = this.slotOf(key);
    return slot < 0 ? 0 : this.keyVersions[slot];
  }

  /**
   * Its keys' versions go to `writer`'s memory from now on (its class versions), those of the keys with a `written`
   * now at once, and those keys are marked (markBit) there: a key with a `written` never has its mark 0 while the
   * memory's marks are not cleared (fillLane's lanes of the class's own; after a clear, this marks them again).
   */
  attach(writer: ReplyBytes): void {
    if (this.writer === writer && this.markedIn === writer.marksCleared) return;
    const versions = writer.versions;
    this.versions = versions;
    this.writer = writer;
    const { keys, writtens, keyVersions } = this;
    // Marks made again (`again`) neither count toward nor cause a clear, so one pass marks them all.
    this.markedIn = writer.marksCleared;
    for (let i = 0; i < keys.length; i++) {
      if (writtens[i] === undefined) continue;
      versions[this.versionSlot(keys[i])] = keyVersions[i];
      writer.mark(this.markBit(keys[i]), true);
    }
  }

  /** The mark of key `key` among a ReplyBytes memory's marks (< MARK_BITS). */
  markBit(key: number): number {
    return Math.imul(key ^ this.mix, 0x9e3779b1) >>> 16;
  }

  /** The slot of key `key` among a ReplyBytes memory's class versions (< CLASS_VERSIONS). */
  versionSlot(key: number): number {
    return (Math.imul(key ^ this.mix, 0x9e3779b1) >>> 0) % CLASS_VERSIONS;
  }

  /** A new version of key `key`'s `written` (slot `slot`): the lanes that copied the last one are void. */
  private changed(key: number, slot: number): void {
    this.newVersion(key, slot);
    const writer = this.writer;
    // Where the marks were cleared since attach, the next lane of the class's own marks them all again.
    if (writer !== null && this.markedIn === writer.marksCleared) {
      writer.mark(this.markBit(key));
      if (writer.marksCleared !== this.markedIn) this.markedIn = -1;
    }
  }

  /** A new version number in slot `slot` for key `key`, there and among the class versions. */
  private newVersion(key: number, slot: number): void {
    this.keyVersions[slot] = ++classVersion;
    if (this.versions !== null) this.versions[this.versionSlot(key)] = this.keyVersions[slot];
  }

  /** The slot of `key` (-1: none). */
  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    for (let slot = (Math.imul(key, 0x9e3779b1) >>> 16) & mask; ; slot = (slot + 1) & mask) {
      if (this.entries[slot] === undefined) return -1;
      if (this.keys[slot] === key) return slot;
    }
  }

  entry(key: number): Entry | undefined {
    const slot = this.slotOf(key);
    return slot < 0 ? undefined : this.entries[slot];
  }

  written(key: number): Written | undefined {
    const slot = this.slotOf(key);
    return slot < 0 ? undefined : this.writtens[slot];
  }

  /** `entry` was found for a reply of key `key`; whether the `written`s of other keys were let go (a full table). */
  found(key: number, entry: Entry): boolean {
    let slot = this.slotOf(key);
    let emptied = false;
    if (slot < 0) {
      // At most three quarters full: a lookup ends at an empty slot soon.
      if (4 * (this.count + 1) > 3 * this.keys.length) emptied = this.resize();
      const mask = this.keys.length - 1;
      slot = (Math.imul(key, 0x9e3779b1) >>> 16) & mask;
      while (this.entries[slot] !== undefined) slot = (slot + 1) & mask;
      this.keys[slot] = key;
      this.count++;
    }
    this.entries[slot] = entry;
    return emptied;
  }

  /**
   * `written` was written for the reply of key `key` (found before; nothing where it is no longer there):
   * whether `written(key)` now answers another type, entry or record template.
   */
  wrote(key: number, written: Written): boolean {
    const slot = this.slotOf(key);
    if (slot < 0) return false;
    const last = this.writtens[slot];
    this.writtens[slot] = written;
    const changed =
      last === undefined ||
      last.type !== written.type ||
      last.entry !== written.entry ||
      last.record !== written.record;
    if (changed) this.changed(key, slot);
    return changed;
  }

  /** Twice the slots with the keys kept, or, at PROBE_SLOTS, as many and empty (true). */
  private resize(): boolean {
    const { keys, entries, writtens, keyVersions } = this;
    const size = keys.length < PROBE_SLOTS ? 2 * keys.length : keys.length;
    this.keys = new Int32Array(size);
    this.entries = new Array(size);
    this.writtens = new Array(size);
    this.keyVersions = new Int32Array(size);
    this.count = 0;
    if (size === keys.length) {
      // The keys' `written`s are let go: their lanes are void. Not marked: a key with no `written` of its own
      // may go by a lane of the class's own (its mark, where another key's does not share it, is 0 again after
      // the next clear).
      for (let i = 0; i < keys.length; i++) if (keyVersions[i] !== 0) this.newVersion(keys[i], 0);
      this.keyVersions[0] = 0;
      return true;
    }
    for (let i = 0; i < keys.length; i++) {
      const entry = entries[i];
      if (entry === undefined) continue;
      this.found(keys[i], entry);
      const written = writtens[i];
      if (written === undefined) continue;
      // Moved with its version (its lanes still hold).
      const slot = this.slotOf(keys[i]);
      this.writtens[slot] = written;
      this.keyVersions[slot] = keyVersions[i];
    }
    return false;
  }
}

/** A record's keys that are not its classification's, and the two sameVerdict compares apart. */
type NotCompared = "recipient" | "source" | "format" | "time" | "feedbackType" | "diagnostic" | "rule";
const NOT_COMPARED: ReadonlySet<string> = new Set<NotCompared>([
  "recipient",
  "source",
  "format",
  "time",
  "feedbackType",
  "diagnostic",
  "rule",
]);
/** The fields of a classification besides its diagnostic and rule (whose id and source are compared). */
const VERDICT_FIELDS = RECORD_KEYS.filter(
  (key): key is Exclude<(typeof RECORD_KEYS)[number], NotCompared> => !NOT_COMPARED.has(key),
);
/** A field added to Classification fails to compile here until sameVerdict compares it. */
const EVERY_FIELD_COMPARED: [
  Exclude<keyof Classification, (typeof VERDICT_FIELDS)[number] | "diagnostic" | "rule">,
] extends [never]
  ? true
  : never = true;

/** Whether two classifications are the same but for their diagnostics (their records' shared JSON is). */
function sameVerdict(a: Classification, b: Classification): boolean {
  for (const field of VERDICT_FIELDS) if (a[field] !== b[field]) return false;
  return EVERY_FIELD_COMPARED && a.rule.id === b.rule.id && a.rule.source === b.rule.source;
}

/** The entry's record template for records of `file`, `format` and diagnostic form `form` (null: none yet). */
function recordFitting(entry: Entry, file: string, format: string, form: number): RecordTemplate | null {
  const records = entry.records;
  if (records === null || form < 0) return null;
  for (let i = 0; i < records.length; i++) if (records[i].fits(file, format, form)) return records[i];
  return null;
}

/** An entry and the record template it wrote a record of a type with (SharedContext.written). */
interface Written {
  type: EventType;
  entry: Entry;
  record: RecordTemplate;
}

/** Bytes hashed at a context's probe; the slots of its ProbeTable, first and at most (powers of two). */
const PROBE_BYTES = 4;
const PROBE_FIRST_SLOTS = 16;
const PROBE_SLOTS = 2048;

function isDigit(byte: number): boolean {
  return byte >= 48 && byte <= 57;
}

/** An ASCII byte in lower case (what toLowerCase gives for its character). */
function lowerCase(byte: number): number {
  return byte >= 65 && byte <= 90 ? byte + 32 : byte;
}

/** Whether the ASCII bytes [from, to) in lower case are the character codes `codes`. */
function sameInLowerCase(bytes: Uint8Array, from: number, to: number, codes: Uint16Array): boolean {
  if (to - from !== codes.length) return false;
  for (let i = from; i < to; i++) if (lowerCase(bytes[i]) !== codes[i - from]) return false;
  return true;
}

/** What the classifier looks at besides the reply: an entry's context, or a class's (SharedContext). */
type ClassFields = Pick<Entry, "action" | "hostKey" | "domainKey" | "replyCode" | "status" | "hint">;

/** Whether `entry` was classified in the class of `context` (inContext with its fields). */
function ofClass(entry: ClassFields, context: ClassFields): boolean {
  return inContext(
    entry,
    context.action,
    context.hostKey,
    context.domainKey,
    context.replyCode,
    context.status,
    context.hint,
  );
}

/** Whether `entry` (an entry, or a class) was classified in this context (everything the classifier looks at besides the reply). */
function inContext(
  entry: ClassFields,
  action: string,
  hostKey: string,
  domainKey: string,
  replyCode: number | null,
  status: string | null,
  hint: string | null,
): boolean {
  return (
    entry.action === action &&
    entry.hostKey === hostKey &&
    entry.domainKey === domainKey &&
    entry.replyCode === replyCode &&
    entry.status === status &&
    entry.hint === hint
  );
}

/**
 * An entry the memo dropped leads to no other: the guesses, contexts and probe tables that may still hold
 * it (each bounded in count) keep it alone, not the entries found after it (its branches, each new entry
 * of a context of ever-new replies parts from the one before: a chain through all of them) nor those
 * before (its hash chain).
 */
function forget(entry: Entry): void {
  entry.branches = null;
  entry.next = null;
}

/**
 * The bytes an entry of a reply of `length` characters is taken to keep (MEMO_BOUNDS.replyBytes): its
 * masked text, tokens, template, classification, diagnostic JSON and record templates, several copies of
 * the reply's size. Measured (classify, unique 2,800-character replies): ~27 KB each.
 */
function entryBytes(length: number): number {
  return ENTRY_BYTES + REPLY_COPIES * length;
}

const ENTRY_BYTES = 2048;
const REPLY_COPIES = 10;
/** The share of MEMO_BOUNDS.replyBytes each key memo (relays, recipient domains) may take. */
const KEY_MEMO_SHARE = 8;

/** A chain to put behind a new entry: `first` and its followers, cut at MAX_CHAIN. */
function chain(first: Entry | undefined): Entry | null {
  if (first === undefined) return null;
  let length = 1;
  for (let entry = first.next; entry !== null; entry = entry.next) {
    if (++length >= MAX_CHAIN) {
      entry.next = null;
      break;
    }
  }
  return first;
}

/**
 * A bounded memo in two generations: when the young one holds half the bound (in count, or in the weights
 * `set` was given) it becomes the old one, and the old one is dropped (each of its values handed to
 * `dropped`). O(1) — evicting one oldest entry at a time from a full Map asks for its first key, which is
 * quadratic as deleted slots pile up in front.
 */
class Memo<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private youngWeight = 0;
  private readonly half: number;
  private readonly halfWeight: number;
  private readonly dropped: ((value: V) => void) | null;

  constructor(
    max: number,
    maxWeight = Number.POSITIVE_INFINITY,
    dropped: ((value: V) => void) | null = null,
  ) {
    this.half = Math.max(1, Math.floor(max / 2));
    this.halfWeight = maxWeight / 2;
    this.dropped = dropped;
  }

  /** Values kept (young and old). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  get(key: K): V | undefined {
    // A hit in the old generation stays there (moving it would store the caller's key: a slice of the
    // input chunk); if it is still used after the next turn, it is computed again.
    return this.young.get(key) ?? this.old.get(key);
  }

  /** `key` must not hold a slice of a big input string (see values.ts detach). */
  set(key: K, value: V, weight = 0): void {
    if (this.young.size >= this.half || this.youngWeight >= this.halfWeight) {
      const dropped = this.dropped;
      if (dropped !== null) for (const gone of this.old.values()) dropped(gone);
      this.old = this.young;
      this.young = new Map();
      this.youngWeight = 0;
    }
    this.young.set(key, value);
    this.youngWeight += weight;
  }
}

/** A reply cache to share across calls (`ClassifyOptions.classifier`): each distinct reply classified once. */
export function createEventClassifier(): EventClassifier {
  return new EventClassifier();
}

export interface ClassifyEventsOptions {
  /** Include deliveries (records with reason `delivered`). */
  all?: boolean;
  /** Format name written into each record (default "events"). */
  format?: string;
  /** Share one cache across inputs (ingest and multi-file classify). */
  classifier?: EventClassifier;
}

/** One batch of readEventBatches output → records and problems, in order. */
export function classifyEventBatch(
  batch: readonly (DeliveryEvent | ParseProblem)[],
  classifier: EventClassifier,
  options: ClassifyEventsOptions = {},
): (BounceRecord | ParseProblem)[] {
  const format = options.format ?? "events";
  const result: (BounceRecord | ParseProblem)[] = [];
  for (const item of batch) {
    const out = classifyItem(item, classifier, format, options.all);
    if (out) result.push(out);
  }
  return result;
}

/**
 * One event → its record's JSON (jsonRecord's text, built by EventClassifier.json without the record),
 * null where classifyEventBatch gives no record: what `classify --json/--ndjson` writes.
 */
export function eventJson(
  event: DeliveryEvent,
  classifier: EventClassifier,
  format: string,
  all: boolean | undefined,
): string | null {
  return wanted(event, all) ? classifier.json(event, format) : null;
}

/** One event → its record (null for a delivery without `all`, or an event with nothing to say); problems pass. */
function classifyItem(
  item: DeliveryEvent | ParseProblem,
  classifier: EventClassifier,
  format: string,
  all: boolean | undefined,
): BounceRecord | ParseProblem | null {
  if (isProblem(item)) return item;
  return wanted(item, all) ? classifier.classify(item, format) : null;
}

/** Deliveries become records only with `all`. */
export function wanted(event: DeliveryEvent, all: boolean | undefined): boolean {
  return event.type !== "delivered" || all === true;
}

/**
 * Read and classify one input in batches (one per chunk read, so hot loops await once per chunk, not per
 * record). Without `all`, parsers are told to skip building deliveries nobody will see.
 */
export async function* classifyEventStream(
  input: Readable | AsyncIterable<Buffer | string>,
  format: FormatName,
  file: string,
  options: ReadOptions & ClassifyEventsOptions = {},
): AsyncGenerator<(BounceRecord | ParseProblem)[]> {
  const classifier = options.classifier ?? new EventClassifier();
  const counters = options.counters ?? newCounters();
  const settings = { ...options, format, types: options.all ? null : CLASSIFIED_TYPES, counters };
  for await (const batch of readEventBatches(input, format, file, settings)) {
    yield classifyEventBatch(batch, classifier, settings);
  }
  // Said once per input, after its records: what the reader forgot to stay bounded.
  if (counters.evicted > 0 && options.counters === undefined) {
    yield [problem(file, null, evictionMessage(counters))];
  }
}

/** The reader's evictions in a sentence (classify prints it with the input's problems). */
export function evictionMessage(counters: ParseCounters): string {
  const early =
    counters.evictedEarly > 0
      ? `; ${counters.evictedEarly.toLocaleString("en-US")} of them still had deferred recipients (a later expiry of those is not matched)`
      : "";
  return `note: ${counters.evicted.toLocaleString("en-US")} queue ids were forgotten without a line saying they were done (state is bounded by log time and count)${early}`;
}

/** Bounce records for failures, deferrals, drops and complaints (deliveries too with `all`); problems pass through. */
export async function* classifyEvents(
  events: AsyncIterable<DeliveryEvent | ParseProblem>,
  options: ClassifyEventsOptions,
): AsyncGenerator<BounceRecord | ParseProblem> {
  const classifier = options.classifier ?? new EventClassifier();
  const format = options.format ?? "events";
  for await (const item of events) {
    const out = classifyItem(item, classifier, format, options.all);
    if (out) yield out;
  }
}
