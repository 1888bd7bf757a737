import { FNV_PRIME } from "../util/fnv.ts";
import { sqlString } from "../util/sql.ts";
import { inChunkMemory, REPLY_TOKENS_MAX, ReplyBytes } from "./line-bytes.ts";
import { LOCAL_PART_CHARACTERS } from "./local-part.ts";
import type { RecordWriter } from "./render-output.ts";
import { holdsRuleWord, ruleWordsPattern } from "./rule-words.ts";
import { MemoryWords, WordLiteral } from "./word-literal.ts";

/**
 * Per-message tokens in replies — addresses' local parts, queue ids (`queued as 4F2A1B3C9D`), hex and
 * UUID transaction ids, Gmail's `… d75a77b69052e-4660d6c1234si1234567a1.123 - gsmtp`, Microsoft's
 * `[AM4PEPF00027A5F.eurprd04.prod.outlook.com <date-time> <hex>]`, Yahoo's `mta3043.mail.bf2.yahoo.com`,
 * base-62 refs (Mimecast, GMX), IP addresses, times — never change a classification. Masking them gives the key under which each distinct reply is classified once
 * (classify's cache here, the store's `reply_classes` through `maskReplySql`); the classifier itself
 * always sees a real reply, and records keep the original text.
 *
 * Deliberately narrow: 3-digit reply codes, enhanced statuses (5.7.515) and provider codes (CS01, HM08,
 * TSS04, S3150, AS(2203), RL000010, LPN007_510, IB212…) are never touched — test/bounce/reply-key.test.ts
 * classifies every rule's example raw and masked (both maskers) and requires the same result.
 *
 * One table of patterns, written in the syntax JavaScript and DuckDB's RE2 share (no lookaround, no
 * backreferences), run as one alternation in one pass: by a hand-written scanner in JavaScript, by RE2 in
 * SQL (maskReplySql; test/bounce/reply-key.test.ts holds them equal over generated replies).
 */

/**
 * Character codes as bytes: a line's ASCII bytes, or a text's codes (latin1Codes). One kind of array
 * reaches the scanner's loops, so their optimized code stays monomorphic (a text's UTF-16 units in a
 * Uint16Array deoptimized them, "wrong map", and left them checking both kinds at every access).
 */
type Codes = Buffer;

interface ReplyToken {
  name: string;
  pattern: string;
  replacement: string;
  /**
   * The token alone, where `pattern` ends by looking past it (a `\\b`) or matches more than tokens: what
   * maskReplySql replaces.
   */
  token?: string;
  /** What `pattern` matches that is no token (a capture group): maskReplySql puts it back as it is. */
  kept?: string;
}

const ALNUM = "[A-Za-z0-9]";
const LETTER = "[A-Za-z]";
/** A word of 12 or more letters and digits holding at least one digit (RE2 has no lookahead to count). */
const LONG_MIXED_WORD = Array.from({ length: 12 }, (_, i) =>
  i === 11 ? `${LETTER}{11,}[0-9]${ALNUM}*` : `${LETTER}{${i}}[0-9]${ALNUM}{${11 - i},}`,
).join("|");

const HEX_LETTER = "[A-Fa-f]";
const HEX_DIGIT = "[0-9A-Fa-f]";
/** A word of 6 or more hex characters holding at least one digit (as LONG_MIXED_WORD). */
const HEX_LABEL = Array.from({ length: 6 }, (_, i) =>
  i === 5 ? `${HEX_LETTER}{5,}[0-9]${HEX_DIGIT}*` : `${HEX_LETTER}{${i}}[0-9]${HEX_DIGIT}{${5 - i},}`,
).join("|");
/** A word of 6 or more letters and digits with a letter after a digit (the two side by side somewhere). */
const LETTER_AFTER_DIGIT = [0, 1, 2, 3, 4]
  .map((i) => `${i < 4 ? `${ALNUM}{${i}}` : `${ALNUM}{4,}`}[0-9]${LETTER}${ALNUM}{${Math.max(4 - i, 0)},}`)
  .join("|");
const WORD_CHAR = "[A-Za-z0-9_]";
/** A word joined to a token by `.` that varies as ids do (joinedWordEnd): a digit, or a lower-case letter before an upper-case one. */
const JOINED_WORD = `(?:${WORD_CHAR}*[0-9]${WORD_CHAR}*|${WORD_CHAR}*[a-z]${WORD_CHAR}*[A-Z]${WORD_CHAR}*)\\b`;
/**
 * A word holding a character of each of `classes` (character ranges): each order of their first ones, the
 * characters before each first one only of the classes met so far. One reading of each word: written as each
 * class anywhere with words between them (`\w*_\w*[0-9]\w*…`), this one entry made the store's SQL masking
 * (maskReplySql, DuckDB's RE2) about fourteen times slower.
 */
function holdingEach(classes: readonly string[], met = ""): string[] {
  if (classes.length === 0) return [""];
  return classes.flatMap((first, i) =>
    holdingEach([...classes.slice(0, i), ...classes.slice(i + 1)], met + first).map(
      (rest) => `[${first}][${met}${first}]*${rest}`,
    ),
  );
}
/** A word holding an underscore, a digit, a lower-case and an upper-case letter. */
const BASE64_ID = holdingEach(["_", "0-9", "a-z", "A-Z"]).join("|");
/**
 * A piece of an id cut by `-`: a word holding a digit, and a lower-case letter or a letter after a digit (not a
 * code's shape, upper-case letters then digits). A word without a digit may carry meaning (`mailbox-not-found-`,
 * review R98): never.
 */
const ID_PIECE = `${WORD_CHAR}*(?:[0-9]${WORD_CHAR}*[a-z]|[a-z]${WORD_CHAR}*[0-9]|[0-9][A-Z])${WORD_CHAR}*`;
/**
 * The words joined to a token that are part of it (joinedEnd): after a `-` an id's piece (ID_PIECE: a word
 * without a digit may carry meaning, `<id>-mailbox-not-found`, review R99), after a `.` one that varies.
 */
const JOINED = `(?:-${ID_PIECE}\\b|\\.${JOINED_WORD})*`;
/** A word of `length` letters and digits holding a digit (each place of its first one). */
function alnumWithDigit(length: number): string {
  return Array.from({ length }, (_, i) => `${LETTER}{${i}}[0-9]${ALNUM}{${length - 1 - i}}`).join("|");
}
/**
 * An Exim message id (its spec, "Message identification": three parts of base-62 letters and digits, 6-6-2, or
 * 6-11-4 since 4.97, e.g. `1hLICq-00001z-JU`), the first two parts holding a digit (a time and a process id
 * written with leading zeros): its last part is an id's too, digits or none (review R99 keeps any other word
 * without a digit after an id). https://www.exim.org/exim-html-current/doc/html/spec_html/ch-how_exim_receives_and_delivers_mail.html
 */
const EXIM_ID = `(?:${alnumWithDigit(6)})-(?:(?:${alnumWithDigit(6)})-${ALNUM}{2}|(?:${alnumWithDigit(11)})-${ALNUM}{4})`;
/**
 * Unit words a measurement's number is written before (a size, a duration, a rate's `KB/sec`). Letters only,
 * none a prefix of another that a letter could follow (maskReplySql's alternation takes the first that fits).
 */
const UNITS = ["bytes", "octets", "KB", "kB", "MB", "GB", "ms", "seconds", "second", "secs", "sec"];
/** What may follow a unit word: the text's end, or a character that neither goes on a word nor makes it a local part. */
const AFTER_UNIT_CHARACTER = "[^A-Za-z0-9._%+=@-]";
const AFTER_UNIT = `$|${AFTER_UNIT_CHARACTER}`;
/** Fractions of a second and a time zone as RFC 3339 writes them (both optional). */
const FRACTION = "(?:\\.[0-9]+)?";
const ZONE = "(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?";

export const REPLY_TOKENS: readonly ReplyToken[] = [
  // The local part only (the domain can name a provider), from a word's start as every token.
  { name: "local-part", pattern: `\\b[A-Za-z0-9_][${LOCAL_PART_CHARACTERS}]*@`, replacement: "x@" },
  {
    name: "uuid",
    pattern: "\\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\\b",
    replacement: "%",
  },
  {
    name: "ipv4",
    pattern: "\\b[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\b",
    replacement: "0.0.0.0",
  },
  // RFC 3339 / ISO 8601 date-times (Microsoft 365's "[BN3P….prod.outlook.com 2025-02-20T14:30:32.425Z …]").
  {
    name: "date-time",
    pattern: `\\b[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}${FRACTION}${ZONE}\\b`,
    replacement: "0000-00-00T00:00:00",
  },
  { name: "date", pattern: "\\b[0-9]{4}-[0-9]{2}-[0-9]{2}\\b", replacement: "0000-00-00" },
  { name: "time", pattern: `\\b[0-9]{1,2}:[0-9]{2}:[0-9]{2}${FRACTION}\\b`, replacement: "00:00:00" },
  // Measurements, not codes: a number before its unit word (a size, a duration: Microsoft 365's accept
  // `250 2.6.0 <…> [InternalId=…] 92125 bytes in 0.253, 355.286 KB/sec Queued mail for delivery`), kept when the
  // unit starts an address; and a decimal fraction, a run of exactly two dotted digit parts. Codes are never
  // written so: reply codes have 3 digits (RFC 5321 4.2), enhanced statuses three parts (RFC 3463: 5.7.1, kept
  // whole as every run of three or more parts, versions too), provider codes letters (AS(2203), TSS04).
  {
    name: "measure",
    pattern: `\\b[0-9]+( (?:${UNITS.join("|")}))(${AFTER_UNIT})`,
    token: `[0-9]+( (?:${UNITS.join("|")}))(${AFTER_UNIT_CHARACTER}?)`,
    replacement: "#\\1\\2",
  },
  {
    name: "decimal",
    pattern: "\\b[0-9]+(?:\\.[0-9]+)+\\b",
    token: "[0-9]+\\.[0-9]+",
    kept: "([0-9]+(?:\\.[0-9]+){2,})",
    replacement: "#",
  },
  // Every `%` token takes the words joined to it (JOINED): Gmail's `<hex>-<id>.123`, Exim's `<id>-<id>`.
  { name: "exim-id", pattern: `\\b${EXIM_ID}\\b${JOINED}`, replacement: "%" },
  // Hex words of 8+ (short Postfix queue ids, transaction ids): no English word is made of a–f only that long.
  { name: "hex", pattern: `\\b[0-9A-Fa-f]{8,}\\b${JOINED}`, replacement: "%" },
  // A host name's label of 6+ hex characters with a digit, digits only included: per-message hosts
  // ("ac27e9.mx.prod.example.net"); shorter, or without a digit ("facade."), it may be a word. Its `.`
  // is matched (RE2 has no look-ahead), so the label with joined words is an entry of its own.
  { name: "hex-label-joined", pattern: `\\b(?:${HEX_LABEL})\\.${JOINED_WORD}${JOINED}`, replacement: "%" },
  { name: "hex-label", pattern: `\\b(?:${HEX_LABEL})\\.`, replacement: "%." },
  // Numbers of 6+ digits: timestamps, byte counts, internal ids (reply codes have 3, provider codes fewer).
  { name: "number", pattern: "\\b[0-9]{6,}\\b", replacement: "#" },
  // Long words with digits: long Postfix queue ids, Gmail's `…si123qtb`, Microsoft's host names.
  { name: "long-token", pattern: `\\b(?:${LONG_MIXED_WORD})\\b${JOINED}`, replacement: "%" },
  // Ids mixing letters and digits (a letter after a digit; codes are letters then digits: IPBL1010, TSS04).
  { name: "mixed-id", pattern: `\\b(?:${LETTER_AFTER_DIGIT})\\b${JOINED}`, replacement: "%" },
  // Base-64 ids (Mimecast's `[Oihy2B9_qX8PDlsLZy0ehG.us360]`): a word with an underscore, digits and both cases.
  { name: "base64-id", pattern: `\\b(?:${BASE64_ID})\\b${JOINED}`, replacement: "%" },
  // A host name's label of lower-case letters then digits before more of the name (Yahoo's
  // `mta3043.mail.ne1.yahoo.com`, `mx00.`): replaced by a label, so `host x.example.org[…] said:` still names a
  // host to the classifier; codes are upper case (HT204137), and a sentence's last word is followed by no label.
  { name: "host-label", pattern: "\\b[a-z]+[0-9]+\\.\\b", token: "\\b[a-z]+[0-9]+\\.", replacement: "x." },
  // The words joined by `-` before an id's word go with it, as those after it do (a base64url id, RFC 4648 §5,
  // cut by its `-` into words that are no tokens alone: Mimecast's `[0y-_1_TYc71clKwhOk9R7y.au44]`, Exim's
  // `9k-000ABC-Xy`), where each of them is an id's piece (ID_PIECE: a digit, never a code's shape; a word without a
  // digit may carry meaning: `mailbox-not-found-<id>`, review R98). Last: where an earlier entry takes the
  // first word, that one does. The id's word is one of hex, long-token, mixed-id or base64-id read alone (no
  // label, no unit after it).
  {
    name: "dash-joined-id",
    pattern: `\\b(?:${ID_PIECE}-)+(?:[0-9A-Fa-f]{8,}|${LONG_MIXED_WORD}|${LETTER_AFTER_DIGIT}|${BASE64_ID})\\b${JOINED}`,
    replacement: "%",
  },
];

/** Texts longer than this are not masked (their key is the text itself: no pattern runs over hostile input). */
export const MAX_MASKED_LENGTH = 4096;

export interface MaskedReply {
  masked: string;
  /** The masked pieces of the original, in text order. */
  tokens: string[];
}

const NONE: MaskedReply = { masked: "", tokens: [] };

// Character classes by code, as bit flags (the table's classes, for the hand-written scanner below).
const WORD = 1;
const DIGIT = 2;
const HEX = 4;
const LOCAL = 8;
const LOWER = 16;
const UPPER = 32;
const LOCAL_PART_CHARACTER = new RegExp(`[${LOCAL_PART_CHARACTERS}]`);
const CLASS = new Uint8Array(65536);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_]/.test(ch)) CLASS[c] |= WORD;
  if (/[0-9]/.test(ch)) CLASS[c] |= DIGIT;
  if (/[0-9A-Fa-f]/.test(ch)) CLASS[c] |= HEX;
  if (LOCAL_PART_CHARACTER.test(ch)) CLASS[c] |= LOCAL;
  if (/[a-z]/.test(ch)) CLASS[c] |= LOWER;
  if (/[A-Z]/.test(ch)) CLASS[c] |= UPPER;
}

/**
 * `REPLY_TOKENS` applied to a text, in one pass by character codes (a regular expression alternation
 * of the table costs 20 µs per reply; this, about 1). The SQL chain of `maskReplySql` gives the same
 * masked text (test/bounce/reply-key.test.ts compares them).
 */
export function maskReply(text: string): MaskedReply {
  if (text === "") return NONE;
  if (text.length > MAX_MASKED_LENGTH) return { masked: text, tokens: [] };
  const spans = SHARED.scan(text);
  if (spans === 0) return { masked: text, tokens: NO_TOKENS };
  return { masked: SHARED.masked(text), tokens: SHARED.tokens(text) };
}

/** maskReply(text).masked without its token list: for readers of the keyed text (classify.ts, classify-event.ts). */
export function maskedReply(text: string): string {
  if (text === "" || text.length > MAX_MASKED_LENGTH || SHARED.scan(text) === 0) return text;
  return SHARED.masked(text);
}

/**
 * The masked form of one reply at a time, without building it: `scan` finds the tokens, `hash` and
 * `equals` key a cache by the masked text (no masked string, no key string per reply: the classify hot
 * path), `masked` and `tokens` build the strings when a new reply is kept. Each method after `scan`
 * is about the text scanned last.
 */
export class ReplyMask {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Indexes into REPLACEMENTS. */
  private readonly kinds: number[] = [];
  /** Tokens found by the last scan (0 for a text over MAX_MASKED_LENGTH: it is its own key). */
  count = 0;
  /**
   * Where the last `matches` that failed left the template (the same number for every text that parts
   * from it there, and so would match the same other template): its literal character's index × 65536 +
   * a 16-bit hash of the text's characters from there (PARTING_BYTES: those of one shape mostly differ
   * in a few neighbours, Gmail's `<id>.NN - gsmtp`); for a token's place that holds no token of the template's kind, a
   * negative number below NO_MISS from the token's index and the kind found there (tokenMiss); NO_MISS
   * where the text ended early or went on after the template.
   */
  missed = NO_MISS;
  /** Where in the text the last `matches` that failed parted from a literal piece (-1: elsewhere, see `missed`). */
  partedAt = -1;
  /** The text scanned last by `scan` (its codes are in CODES). */
  private text: string | null = null;
  /** Whether the text scanned last has a character beyond Latin-1 (see latin1Codes). */
  private wide = false;

  /** The words of the memory of the bytes `matches` read last (one per input chunk). */
  private readonly memory = new MemoryWords();
  /** `matches` in WebAssembly, for replies in a chunk memory (made for the first; null: WebAssembly fails). */
  private replyBytes: ReplyBytes | null | undefined = undefined;
  /**
   * What line-bytes.wat `reply` answered for the last `matches` (1 a match, 0 none, 2 ask the scanner, 3 or more:
   * none, parted where JavaScript goes on from; -1: not asked).
   */
  answered = -1;

  /** Where token `t` of the last scan starts in the text. */
  start(t: number): number {
    return this.starts[t];
  }

  /** Where token `t` of the last scan ends in the text. */
  end(t: number): number {
    return this.ends[t];
  }

  /** Finds the tokens of `text`; their number. */
  scan(text: string): number {
    const n = text.length;
    if (n > MAX_MASKED_LENGTH) {
      this.count = 0;
      return 0;
    }
    const wide = latin1Codes(text, CODES);
    // scanBytes, with its pass for an `@` made by the string's own search: a code is 64 only for an `@` (WIDE is 0).
    this.count = 0;
    const count = this.tokensIn(CODES, 0, n, text.includes("@"), 0, n);
    this.text = text;
    this.wide = wide;
    return count;
  }

  /**
   * `scan` of the text whose character codes are bytes[from, to) (the ASCII bytes of a line, or a text's
   * codes): token positions are counted from `from`.
   */
  scanBytes(bytes: Codes, from: number, to: number): number {
    this.count = 0;
    this.text = null;
    if (to - from > MAX_MASKED_LENGTH) return 0;
    let hasAt = false;
    for (let i = from; i < to && !hasAt; i++) hasAt = bytes[i] === 64;
    return this.tokensIn(bytes, from, to, hasAt, from, to);
  }

  /**
   * The tokens of bytes[from, to), added after the `count` found so far (positions counted from `origin`),
   * for a text that holds an `@` somewhere iff `hasAt` and ends at `textEnd` (a unit word may follow `to`);
   * the new count.
   */
  private tokensIn(
    bytes: Codes,
    from: number,
    to: number,
    hasAt: boolean,
    origin: number,
    textEnd: number,
  ): number {
    // A local: a module constant read in a loop is loaded (and checked) again at every byte.
    const classes = CLASS;
    /** Positions before this lie in a run of local-part characters known not to end in `@`. */
    let noAddressUntil = from;
    let i = from;
    while (i < to) {
      const c = bytes[i];
      // A 128-bit id whole (id128End), before any reading of its words.
      if (((classes[c] & WORD) !== 0 || c === 45) && (i === origin || !ID_NEIGHBOUR[bytes[i - 1]])) {
        const idEnd = id128End(bytes, i, textEnd);
        if (idEnd >= 0) {
          const at = this.count++;
          this.starts[at] = i - origin;
          this.ends[at] = idEnd - origin;
          this.kinds[at] = PERCENT;
          i = idEnd;
          continue;
        }
      }
      if ((classes[c] & WORD) === 0) {
        // maskReplySql's token marks: a text holding one is not masked.
        if (c >= 1 && c <= 4) {
          this.count = 0;
          return 0;
        }
        i++;
        continue;
      }
      // A word starts at i (the previous character is not a word character).
      let end = -1;
      let kind = -1;
      if (hasAt && i >= noAddressUntil) {
        let k = i;
        while (k < to && (classes[bytes[k]] & LOCAL) !== 0) k++;
        if (k < to && bytes[k] === 64 /* @ */) {
          end = k + 1;
          kind = LOCAL_PART;
        } else noAddressUntil = k;
      }
      // The word: letters, digits, underscores.
      let j = i;
      let digits = 0;
      let all = HEX | WORD;
      while (j < to) {
        const d = bytes[j];
        const flags = classes[d];
        if ((flags & WORD) === 0) break;
        if ((flags & DIGIT) !== 0) digits++;
        all &= d === 95 ? 0 : flags;
        j++;
      }
      const hex = (all & HEX) !== 0;
      const length = j - i;
      if (end < 0 && hex && length <= 8 && j < to) {
        // Maybe the first part of a UUID, an IPv4 address, a date or a time.
        const next = bytes[j];
        if (
          (next === 45 && (length === 8 || (length === 4 && digits === 4))) ||
          (next === 46 && digits === length && length <= 3) ||
          (next === 58 && digits === length && length <= 2)
        ) {
          end = compound(bytes, i, to);
          if (end >= 0) kind = COMPOUND_KINDS[compoundKind];
        }
      }
      if (end < 0 && digits === length && j + 1 < to && bytes[j] === 46) {
        // Maybe a decimal fraction (a token), or a run of three or more parts (none, passed over whole).
        const run = numberRunEnd(bytes, j, to);
        if (run >= 0 && partsOf(bytes, j, run) > 2) {
          i = run;
          continue;
        }
        if (run >= 0) {
          end = run;
          kind = NUMBER;
        }
      }
      if (end < 0 && length === 6 && digits > 0 && (all & WORD) !== 0) {
        const exim = eximIdEnd(bytes, j, to);
        if (exim >= 0) {
          end = joinedEnd(bytes, exim, to);
          kind = PERCENT;
        }
      }
      if (end < 0) {
        kind = wordKind(
          bytes,
          i,
          j,
          digits,
          all,
          labelAt(bytes, j, to),
          unitAt(bytes, j, textEnd, digits, length),
        );
        if (kind === PERCENT) end = joinedEnd(bytes, j, to);
        else if (kind >= 0) end = j;
        else if (digits > 0) {
          // A word without a digit is no id's piece (idPiece): dashJoinedId would find none.
          const idEnd = dashJoinedId(bytes, i, j, to);
          if (idEnd >= 0) {
            kind = PERCENT;
            end = joinedEnd(bytes, idEnd, to);
          }
        }
      }
      if (end < 0) {
        i = j;
        continue;
      }
      const at = this.count++;
      this.starts[at] = i - origin;
      this.ends[at] = end - origin;
      this.kinds[at] = kind;
      i = end;
    }
    return this.count;
  }

  /** What token `t` of the last scan is replaced by in the masked text. */
  replacement(t: number): string {
    return REPLACEMENTS[this.kinds[t]];
  }

  /** A 32-bit hash of the masked text (the same for every text with that masked form). */
  hash(text: string): number {
    return this.hashBytes(this.codesOf(text), 0, text.length);
  }

  /** `hash` of the text bytes[from, to) scanned last (the same number for the same text). */
  hashBytes(bytes: Codes, from: number, to: number): number {
    let hash = 0x811c9dc5;
    let copied = 0;
    const n = to - from;
    for (let t = 0; t <= this.count; t++) {
      const start = t < this.count ? this.starts[t] : n;
      for (let i = copied; i < start; i++) hash = Math.imul(hash ^ bytes[from + i], FNV_PRIME);
      if (t === this.count) break;
      hash = Math.imul(hash ^ this.kinds[t], FNV_PRIME);
      copied = this.ends[t];
    }
    return (hash ^ (hash >>> 16)) >>> 0;
  }

  /** `equals` of the text bytes[from, to) scanned last. */
  equalsBytes(bytes: Codes, from: number, to: number, masked: string): boolean {
    let copied = 0;
    let m = 0;
    const n = to - from;
    for (let t = 0; t <= this.count; t++) {
      const start = t < this.count ? this.starts[t] : n;
      if (masked.length - m < start - copied) return false;
      for (let i = copied; i < start; i++) if (masked.charCodeAt(m++) !== bytes[from + i]) return false;
      if (t === this.count) break;
      const replacement = REPLACEMENTS[this.kinds[t]];
      if (!masked.startsWith(replacement, m)) return false;
      m += replacement.length;
      copied = this.ends[t];
    }
    return m === masked.length;
  }

  /** Whether the masked text is `masked` (built by `masked` from some text). */
  equals(text: string, masked: string): boolean {
    const codes = this.codesOf(text);
    // Characters beyond Latin-1 share one code: such a text is compared as the string it masks to.
    if (this.codesWide) return this.masked(text) === masked;
    return this.equalsBytes(codes, 0, text.length, masked);
  }

  /** Whether the codes codesOf gave last stand for a character beyond Latin-1 somewhere. */
  private codesWide = false;

  /** The codes of `text`, scanned last (over MAX_MASKED_LENGTH: not copied by scan, so here). */
  private codesOf(text: string): Codes {
    if (text.length <= MAX_MASKED_LENGTH && text === this.text) {
      this.codesWide = this.wide;
      return CODES;
    }
    const codes = Buffer.allocUnsafe(text.length);
    this.codesWide = latin1Codes(text, codes);
    return codes;
  }

  /** The masked text. */
  masked(text: string): string {
    if (this.count === 0) return text;
    let masked = "";
    let copied = 0;
    for (let t = 0; t < this.count; t++) {
      masked += text.slice(copied, this.starts[t]) + REPLACEMENTS[this.kinds[t]];
      copied = this.ends[t];
    }
    return masked + text.slice(copied);
  }

  /** The masked pieces of the text, in text order. */
  tokens(text: string): string[] {
    if (this.count === 0) return NO_TOKENS;
    const tokens: string[] = [];
    for (let t = 0; t < this.count; t++) tokens.push(text.slice(this.starts[t], this.ends[t]));
    return tokens;
  }

  /**
   * The shape of `text` (scanned last, by `scan` or as bytes), for `matches`: null when a reply of its
   * masked form cannot be recognised without a whole scan (a token not set apart from its neighbours, a
   * character beyond Latin-1).
   */
  template(text: string): ReplyTemplate | null {
    const n = text.length;
    if (n > MAX_MASKED_LENGTH) return null;
    const literal = new Uint8Array(n);
    const pieceEnds = new Int32Array(this.count + 1);
    const kinds = new Uint8Array(this.count);
    const places = new Uint8Array(this.count);
    let length = 0;
    let copied = 0;
    for (let t = 0; t <= this.count; t++) {
      const start = t < this.count ? this.starts[t] : n;
      for (let i = copied; i < start; i++) {
        const c = text.charCodeAt(i);
        if (c > 255) return null;
        literal[length++] = c;
      }
      pieceEnds[t] = length;
      if (t === this.count) break;
      const end = this.ends[t];
      const kind = this.kinds[t];
      const before = start === 0 ? 32 : text.charCodeAt(start - 1);
      const after = end === n ? 32 : text.charCodeAt(end);
      const afterDot = before === 46 /* . */ && apartAfterDot(text, copied, start, t > 0 ? kinds[t - 1] : -1);
      if (!separator(before) && before !== 61 /* = */ && !afterDot) return null;
      if (kind === LOCAL_PART) places[t] = TO_AT;
      else if (/^\w+$/.test(text.slice(start, end))) {
        // A word (its end: the next character not a word character): not one a UUID could go on from.
        if (after === 45 /* - */) return null;
        places[t] = WORD_RUN;
      } else if (separator(after)) places[t] = separatedPlace(text, start, end, kind);
      else if (after === 46 /* . */ && kind === PERCENT && !UUID.test(text.slice(start, end)))
        // A joined run before more of a host name (Microsoft's `%.prod.outlook.com`): its words end it.
        places[t] = JOINED_RUN;
      else return null;
      // After a `.` only a place read by its words (not up to a separator, nor to an `@`).
      if (afterDot && (places[t] === TO_SEPARATOR || places[t] === TO_AT)) return null;
      kinds[t] = kind;
      copied = end;
    }
    const literalBytes = literal.subarray(0, length);
    return {
      literal: literalBytes,
      pieces: null,
      pieceEnds,
      kinds,
      places,
      hasAt: text.includes("@"),
      address: 0,
      round: 0,
    };
  }

  /**
   * Whether bytes[from, to) has the masked form `template` was made from; if so, its tokens are found as
   * `scanBytes` finds them (a hit needs no whole scan). Each literal piece is compared as it is; each
   * token's place (its word, up to the next separator, or to its `@`) scanned alone must be one token of
   * the template's kind. Exact (test/bounce/reply-key.test.ts, property): the template's own pieces, with
   * the same `@` or none, hold no token; the scanner's look-ahead from a piece into a token's place, or
   * from there on, passes characters of the same classes as over the template's token.
   */
  matches(bytes: Codes, from: number, to: number, template: ReplyTemplate): boolean {
    this.count = 0;
    this.text = null;
    this.missed = NO_MISS;
    this.partedAt = -1;
    this.answered = -1;
    if (to - from > MAX_MASKED_LENGTH) return false;
    const { literal, pieceEnds, kinds, places, hasAt } = template;
    // Where the compare starts: WebAssembly's answer (`answered`) may be whole, or tell where the reply
    // parts from the template (the step: token t's literal piece, or its place), to go on from there.
    let step = 0;
    let at = from;
    if (template.round !== NEVER) {
      const answer = this.answerInChunk(bytes, from, to, template);
      if (answer === 1) return true;
      if (answer === 0) {
        this.missed = goesOnMiss(template);
        return false;
      }
      if (answer >= 3) {
        step = answer - 3;
        at = this.partingStart(step, from);
      }
    }
    template.pieces ??= wordPieces(literal, pieceEnds);
    const pieces = template.pieces;
    // A piece is compared by words where it fits (a reply is mostly literal); byte by byte where it
    // does not, which finds where the reply parts from it.
    const memory = this.memory.of(bytes);
    const classes = CLASS;
    let onPlace = (step & 1) === 1;
    let t = step >> 1;
    let copied = onPlace ? pieceEnds[t] : t === 0 ? 0 : pieceEnds[t - 1];
    for (; ; t++) {
      if (onPlace) onPlace = false;
      else {
        const pieceEnd = pieceEnds[t];
        const piece = pieces[t];
        if (to - at >= piece.length && piece.at(memory, bytes, at)) at += piece.length;
        else {
          for (let i = copied; i < pieceEnd; i++) {
            if (at === to || bytes[at] !== literal[i]) {
              // A reply that ends inside the piece parts there too (a shorter one of the same start).
              this.missed = i * 65536 + partingHash(bytes, at, to);
              if (at < to) this.partedAt = at - from;
              return false;
            }
            at++;
          }
        }
        copied = pieceEnd;
        if (t === kinds.length) break;
      }
      const place = places[t];
      if (place === UUID_PLACE && uuidAt(bytes, at, to)) {
        // The UUID the template had there, set apart: what tokensIn finds in the place (see uuidAt).
        this.starts[t] = at - from;
        this.ends[t] = at + UUID_LENGTH - from;
        this.kinds[t] = PERCENT;
        this.count = t + 1;
        at += UUID_LENGTH;
        continue;
      }
      let end = at;
      // A word's digits and classes, counted as it is scanned (see wordKind).
      let digits = 0;
      let all = HEX | WORD;
      if (place === WORD_RUN) {
        for (; end < to; end++) {
          const d = bytes[end];
          const flags = classes[d];
          if ((flags & WORD) === 0) break;
          if ((flags & DIGIT) !== 0) digits++;
          all &= d === 95 ? 0 : flags;
        }
      } else if (place !== TO_AT) {
        for (; end < to; end++) {
          const d = bytes[end];
          if ((classes[d] & (WORD | LOCAL)) === 0 && d !== 58 && d !== 64) break;
        }
      } else {
        while (end < to && bytes[end] !== 64) end++;
        if (end++ === to) return false;
      }
      if (place === WORD_RUN && end > at) {
        // A word alone: what tokensIn finds there is decided by the word itself and whether a `.` follows
        // (no `@`; the character after it is the next literal piece's, the template's own).
        // A word of digits before `.` may start a decimal fraction or a longer run (tokensIn).
        const run =
          digits === end - at && end + 1 < to && bytes[end] === 46 ? numberRunEnd(bytes, end, to) : -1;
        // A word of 22 characters standing alone may be a 128-bit id's run (tokensIn reads it first): one with
        // words joined to it is no word's token.
        const idEnd =
          end - at === ID_128_LENGTH && (at === from || !ID_NEIGHBOUR[bytes[at - 1]])
            ? id128End(bytes, at, to)
            : -1;
        if (idEnd > end) {
          this.count = 0;
          this.missed = tokenMiss(t, -1);
          return false;
        }
        const kind =
          idEnd >= 0
            ? PERCENT
            : run >= 0
              ? -1
              : wordKind(
                  bytes,
                  at,
                  end,
                  digits,
                  all,
                  labelAt(bytes, end, to),
                  unitAt(bytes, end, to, digits, end - at),
                );
        if (kind !== kinds[t]) {
          this.count = 0;
          this.missed = tokenMiss(t, kind);
          return false;
        }
        this.starts[t] = at - from;
        this.ends[t] = end - from;
        this.kinds[t] = kinds[t];
        this.count = t + 1;
      } else {
        const found = this.tokensIn(bytes, at, end, hasAt, from, to);
        if (place === JOINED_RUN && found > t && this.starts[t] === at - from && this.kinds[t] === kinds[t]) {
          // A joined run ends with its words (the literal piece after it may go on with more of a name).
          end = this.ends[t] + from;
          this.count = t + 1;
        } else if (
          found !== t + 1 ||
          this.starts[t] !== at - from ||
          this.ends[t] !== end - from ||
          this.kinds[t] !== kinds[t]
        ) {
          // The kind of a token found in the place, if that is all it holds (else none).
          const whole = found === t + 1 && this.starts[t] === at - from && this.ends[t] === end - from;
          this.missed = tokenMiss(t, whole ? this.kinds[t] : -1);
          this.count = 0;
          return false;
        }
      }
      at = end;
    }
    if (at === to) return true;
    this.count = 0;
    this.missed = goesOnMiss(template);
    return false;
  }

  /**
   * The address of `template` in the memory of `writer(bytes)` (placed there now if need be), for a
   * RecordWriter to match the reply bytes[from, to) against it before it writes a record
   * (render-output.ts RecordTemplate.write with a reply template): what `matches` decides, without its token places. -1
   * where it cannot be matched there (`matches` decides).
   */
  placed(bytes: Codes, from: number, to: number, template: ReplyTemplate): number {
    if (template.round === NEVER || to - from > MAX_MASKED_LENGTH) return -1;
    return this.placedIn(bytes, template);
  }

  /** `placed`, but for the reply's length. */
  private placedIn(bytes: Codes, template: ReplyTemplate): number {
    let wasm = this.replyBytes;
    if (wasm === undefined) {
      // Made for the first reply in a chunk memory: where there is one, there is WebAssembly.
      if (!inChunkMemory(bytes)) return -1;
      wasm = this.replyBytes = ReplyBytes.of(CLASS);
    }
    if (wasm === null) return -1;
    wasm.bind(bytes);
    if (wasm.reply === null) return -1;
    if (template.round !== wasm.round) {
      if (!placeable(template)) {
        template.round = NEVER;
        return -1;
      }
      template.address = wasm.place(template.literal, template.pieceEnds, template.places, template.kinds);
      template.round = wasm.round;
    }
    return template.address;
  }

  /** Its ReplyBytes (null: none made yet, or WebAssembly fails): lanes copy where templates are placed there. */
  lanes(): ReplyBytes | null {
    return this.replyBytes ?? null;
  }

  /** The writer of records whose reply lies in `bytes` (render-output.ts TokenPlaces): where they lie in a chunk memory. */
  writer(bytes: Uint8Array): RecordWriter | null {
    const wasm = this.replyBytes;
    return wasm === undefined || wasm === null ? null : wasm.writerOf(bytes);
  }

  /**
   * line-bytes.wat `reply`'s answer for a reply in a chunk memory (see `answered`; 2 where it is not there):
   * on 1 the tokens are found; on 3 or more those before the step it parted at (partingStart).
   */
  private answerInChunk(bytes: Codes, from: number, to: number, template: ReplyTemplate): number {
    const address = this.placedIn(bytes, template);
    if (address < 0) return 2;
    const wasm = this.replyBytes as ReplyBytes;
    const answer = (wasm.reply as NonNullable<ReplyBytes["reply"]>)(
      wasm.base + from,
      wasm.base + to,
      address,
    );
    this.answered = answer;
    if (answer === 0 || answer === 2) return answer;
    const { kinds } = template;
    const found = answer === 1 ? kinds.length : (answer - 3) >> 1;
    const out = wasm.out;
    for (let t = 0; t < found; t++) {
      this.starts[t] = out[2 * t];
      this.ends[t] = out[2 * t + 1];
      this.kinds[t] = kinds[t];
    }
    this.count = found;
    return answer;
  }

  /**
   * Where the reply's step `step` (of `reply`'s answer 3 + step: token t = step >> 1's literal piece, or with
   * step's low bit its place) starts: a piece after the token before it (from `from` for the first), a place
   * where `reply` left it.
   */
  private partingStart(step: number, from: number): number {
    const t = step >> 1;
    if ((step & 1) === 1) return from + (this.replyBytes as ReplyBytes).out[2 * t];
    return t === 0 ? from : from + this.ends[t - 1];
  }
}

/**
 * Whether a token at `start` after a `.` (the last character of the literal piece from `from`; the token before
 * that piece of kind `previousKind`, -1 for none) is set apart from what comes before as a token after a
 * separator is: no look-ahead of the scanner from before the `.` reaches into its place — the word before the `.`
 * is no number (a run of dotted digits, an address or a time's fraction would go on into a place starting with
 * digits), and no `%` token's joined words reach the `.` (they would go on into a place whose first word varies).
 * Yahoo's `- mta3593.mail.ne1.yahoo.com`, Mimecast's `MCSpamSignature.sa.8.6`.
 */
function apartAfterDot(text: string, from: number, start: number, previousKind: number): boolean {
  const dot = start - 1;
  if (dot < from) return false;
  let digitsOnly = true;
  let k = dot - 1;
  for (; k >= 0; k--) {
    const c = text.charCodeAt(k);
    if (c > 255 || (CLASS[c] & WORD) === 0) break;
    if ((CLASS[c] & DIGIT) === 0) digitsOnly = false;
  }
  if (k < dot - 1 && digitsOnly) return false;
  if (previousKind !== PERCENT) return true;
  for (let i = from; i < dot; i++) {
    const c = text.charCodeAt(i);
    if (c > 255 || ((CLASS[c] & WORD) === 0 && c !== 45 && c !== 46)) return true;
  }
  return false;
}

/** ReplyTemplate.round of a template line-bytes.wat does not match (see placeable). */
const NEVER = -1;

/**
 * Whether line-bytes.wat `reply` matches by `template`: no TO_SEPARATOR place (the scanner decides what such a
 * place holds), a TO_AT place's token a local part, at most REPLY_TOKENS_MAX tokens.
 */
function placeable(template: ReplyTemplate): boolean {
  const { kinds, places } = template;
  if (kinds.length > REPLY_TOKENS_MAX) return false;
  for (let t = 0; t < kinds.length; t++) {
    if (places[t] === TO_SEPARATOR) return false;
    if (places[t] === TO_AT && (kinds[t] !== LOCAL_PART || !template.hasAt)) return false;
  }
  return true;
}

/** The literal pieces of a template, each ending at its pieceEnds in `literal`, to be compared by words. */
function wordPieces(literal: Uint8Array, pieceEnds: Int32Array): WordLiteral[] {
  return Array.from(
    pieceEnds,
    (end, t) => new WordLiteral(literal.subarray(t === 0 ? 0 : pieceEnds[t - 1], end)),
  );
}

/** Characters of a text hashed where it parts from a template's literal piece (ReplyMask.missed). */
const PARTING_BYTES = 4;

/** A 16-bit hash of the codes [at, at + PARTING_BYTES) (fewer at `to`). */
function partingHash(codes: Codes, at: number, to: number): number {
  let hash = 0;
  for (let i = at, end = Math.min(to, at + PARTING_BYTES); i < end; i++)
    hash = Math.imul(hash ^ codes[i], FNV_PRIME);
  return (hash ^ (hash >>> 16)) & 0xffff;
}

/** ReplyMask.missed of a match that parted from its template nowhere it can tell. */
export const NO_MISS = -1;

/**
 * ReplyMask.missed of a reply that has the whole template and goes on after it (Outlook's replies with one,
 * two or three bracketed server stamps): past the literal's last character.
 */
function goesOnMiss(template: ReplyTemplate): number {
  return template.literal.length * 65536;
}

/** ReplyMask.missed for token `t`'s place holding a token of `kind` (-1: none) instead of the template's. */
function tokenMiss(t: number, kind: number): number {
  return NO_MISS - 1 - (t * 256 + kind + 1);
}

/** A masked reply's shape (ReplyMask.template). */
export interface ReplyTemplate {
  /** Its literal pieces' characters, one after another. */
  literal: Uint8Array;
  /**
   * Its literal pieces, to be compared by words (made for the first compare in JavaScript: a reply in a
   * chunk memory is matched in WebAssembly; null: not yet).
   */
  pieces: WordLiteral[] | null;
  /** Where literal piece t ends in `literal` (one piece more than tokens). */
  pieceEnds: Int32Array;
  /** Its tokens' kinds. */
  kinds: Uint8Array;
  /** Where each token's place ends (WORD_RUN, TO_SEPARATOR, TO_AT, UUID_PLACE, JOINED_RUN, DECIMAL, IPV4_PLACE,
   * DATE_TIME_PLACE). */
  places: Uint8Array;
  /** The text holds an `@` (the scanner looks for local parts only then). */
  hasAt: boolean;
  /** Where it is placed in a ReplyBytes memory, in round `round` of it (0: none yet; NEVER: not placeable). */
  address: number;
  round: number;
}

/**
 * A token's place ends with its word, before the next separator, after the next `@`; UUID_PLACE: before the
 * next separator, the template's token there a UUID (a place holding one is recognised without tokensIn).
 * In JavaScript (`matches`) a UUID_PLACE place that holds no UUID, a JOINED_RUN, a DECIMAL, an IPV4_PLACE and a
 * DATE_TIME_PLACE place are scanned as TO_SEPARATOR ones (a joined run then ends with its words).
 */
const WORD_RUN = 0;
const TO_SEPARATOR = 1;
const TO_AT = 2;
const UUID_PLACE = 3;
/**
 * The template's token there a word with the words joined to it (joinedEnd: Gmail's `<hex>-<id>.NNN`, Exim's
 * and GMX's `-`-joined ids, `<ref>.us360`, Microsoft's `<host>.eurprd04` before `.prod.outlook.com`), ending
 * where they end: line-bytes.wat `reply` reads such a place as tokensIn does (the word's kind, then its joined
 * words), so it needs no scanner.
 */
const JOINED_RUN = 4;

/**
 * Before the next separator, the template's token there a decimal fraction (`0.253`, `355.286` in Microsoft's
 * `… bytes in 0.253, 355.286 KB/sec`): line-bytes.wat `reply` reads a place of digits, `.`, digits up to a
 * separator as the NUMBER tokensIn finds there (two parts: no address, no longer run); any other the scanner
 * decides.
 */
const DECIMAL = 5;
/**
 * Before the next separator, the template's token there an IPv4 address (a client's in Yahoo's `Messages from
 * 192.0.2.1 temporarily deferred`, Gmail's `[192.0.2.1      15]`, Postfix's `connect to host[192.0.2.1]:25`):
 * line-bytes.wat `reply` reads a place of four parts of 1 to 3 digits joined by `.` up to a separator as the
 * address compound finds there; any other the scanner decides.
 */
const IPV4_PLACE = 6;
/**
 * Before the next separator, the template's token there an RFC 3339 date-time (Microsoft's traces
 * `[<host>.prod.outlook.com 2024-04-14T14:41:58.000Z <hex>]`): line-bytes.wat `reply` reads a place holding
 * one alone (date, `T`, time, maybe a fraction and a zone) as compound finds it; any other the scanner decides.
 */
const DATE_TIME_PLACE = 7;

/** The place of a token text[start, end) of `kind` that is no single word, a separator after it. */
function separatedPlace(text: string, start: number, end: number, kind: number): number {
  if (kind === IPV4) return IPV4_PLACE;
  if (kind === DATE_TIME) return DATE_TIME_PLACE;
  const token = text.slice(start, end);
  if (kind === PERCENT) return UUID.test(token) ? UUID_PLACE : JOINED_RUN;
  return kind === NUMBER && DECIMAL_TOKEN.test(token) ? DECIMAL : TO_SEPARATOR;
}

const DECIMAL_TOKEN = /^[0-9]+\.[0-9]+$/;

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const UUID_LENGTH = 36;

/**
 * Whether bytes[at, to) starts with a UUID (8-4-4-4-12 hex digits) followed by a separator or `to`: then
 * the place there (up to that separator) is that UUID, and tokensIn over it finds it alone, of kind
 * PERCENT — its characters are local-part ones up to the place's end (no `@`), its first word is 8 hex
 * digits before a `-`, and compound reads the UUID to a word boundary at the place's end.
 */
function uuidAt(bytes: Codes, at: number, to: number): boolean {
  const end = at + UUID_LENGTH;
  if (end > to || (end < to && !separator(bytes[end]))) return false;
  if (bytes[at + 8] !== 45 || bytes[at + 13] !== 45 || bytes[at + 18] !== 45 || bytes[at + 23] !== 45)
    return false;
  return (
    hexDigits(bytes, at, at + 8) &&
    hexDigits(bytes, at + 9, at + 13) &&
    hexDigits(bytes, at + 14, at + 18) &&
    hexDigits(bytes, at + 19, at + 23) &&
    hexDigits(bytes, at + 24, end)
  );
}

/** Whether bytes[from, to) are all hex digits. */
function hexDigits(bytes: Codes, from: number, to: number): boolean {
  const classes = CLASS;
  let all = HEX;
  for (let i = from; i < to; i++) all &= classes[bytes[i]];
  return all !== 0;
}

/**
 * A character no token holds and no look-ahead of the scanner passes: not a word or local-part
 * character, nor a compound's `:`, nor `@`.
 */
function separator(code: number): boolean {
  return (CLASS[code] & (WORD | LOCAL)) === 0 && code !== 58 && code !== 64;
}

/** What a token is replaced by (REPLY_TOKENS' replacements), by kind. */
const REPLACEMENTS = ["x@", "%", "0.0.0.0", "0000-00-00", "00:00:00", "#", "0000-00-00T00:00:00", "x"];
const LOCAL_PART = 0;
const PERCENT = 1;
const IPV4 = 2;
const NUMBER = 5;
const DATE_TIME = 6;
const HOST_LABEL = 7;
/** compound's kinds (UUID, IPv4, date, time, date-time) as REPLACEMENTS indexes. */
const COMPOUND_KINDS = [PERCENT, IPV4, 3, 4, DATE_TIME];
const SHARED = new ReplyMask();
/** A text's character codes for the scanner (one scan at a time: JavaScript runs one at a time). */
const CODES = Buffer.alloc(MAX_MASKED_LENGTH);
/**
 * The code a character beyond Latin-1 gets in a text's codes: one the scanner treats exactly as it treats
 * those (CLASS 0, and none it compares with: `@`, `-`, `.`, `:`, `_`, `=`). Only hashes and equality read
 * the codes themselves: a hash may collide (entries are compared anyway), `equals` compares such a text
 * as a string.
 */
const WIDE = 0;

/** A character beyond Latin-1 (V8 rules it out at once in a one-byte string, whatever its length). */
const BEYOND_LATIN1 = /[\u0100-\uffff]/;
/** Texts shorter than this are copied code by code: Buffer#write's own cost is more than their loop's. */
const WRITTEN_FROM = 32;

/** `text`'s codes into `codes` (each character beyond Latin-1 as WIDE); whether there was one. */
function latin1Codes(text: string, codes: Buffer): boolean {
  // Latin-1 only: its codes are its bytes in latin1, written by one native copy.
  if (text.length >= WRITTEN_FROM && !BEYOND_LATIN1.test(text)) {
    codes.write(text, 0, text.length, "latin1");
    return false;
  }
  let wide = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 255) {
      codes[i] = WIDE;
      wide = true;
    } else codes[i] = c;
  }
  return wide;
}

const NO_TOKENS: string[] = [];
/**
 * The kind of token the word bytes[from, to) is by itself (its digits, its characters' classes and-ed, an
 * underscore counting as none) and what follows it (labelAt: a host name's label; unitAt: a unit word after a
 * number, a measurement), -1 for none. Codes are
 * letters then digits (RL000010, IPBL1010, TSS04, AS16012607) and stay; an id mixes them (`4660d6c1234si1`,
 * Orange's `mwinf5c52`, Exim's `1hLICq`, Mimecast's and GMX's base-62 refs). A host's label of lower-case letters
 * then digits before more of the name (Yahoo's `mta3043.mail…`) is HOST_LABEL: replaced by a label (`x`), never
 * `%`, as `host x.example.org[…] said:` must still name a host to the classifier (smtp-reply.ts REMOTE_HOST).
 */
function wordKind(
  bytes: Codes,
  from: number,
  to: number,
  digits: number,
  all: number,
  label: number,
  unit: boolean,
): number {
  const length = to - from;
  if (unit) return NUMBER;
  if ((all & HEX) !== 0 && length >= 8) return PERCENT;
  if (label !== NO_LABEL && (all & HEX) !== 0 && digits > 0 && length >= 6) return PERCENT;
  if (digits === length && length >= 6) return NUMBER;
  if (digits === 0 || digits === length) return -1;
  // A word with an underscore: a base-64 id where it mixes digits and both cases (codes have one case).
  if ((all & WORD) === 0) return (any(bytes, from, to) & (LOWER | UPPER)) === (LOWER | UPPER) ? PERCENT : -1;
  if (length >= 12) return PERCENT;
  if (length >= 6 && letterAfterDigit(bytes, from, to)) return PERCENT;
  return label === LABEL_GOES_ON && lettersThenDigits(bytes, from, to) ? HOST_LABEL : -1;
}

/** labelAt: no `.` after the word; a `.`; a `.` and a word character (the word is a label of a longer host name). */
const NO_LABEL = 0;
const LABEL = 1;
const LABEL_GOES_ON = 2;

/** What follows the word ending at `end` (before `to`): NO_LABEL, LABEL or LABEL_GOES_ON. */
function labelAt(bytes: Codes, end: number, to: number): number {
  if (end >= to || bytes[end] !== 46) return NO_LABEL;
  return end + 1 < to && (CLASS[bytes[end + 1]] & WORD) !== 0 ? LABEL_GOES_ON : LABEL;
}

/**
 * Whether the word ending at `end` (before `to`), of `length` characters, `digits` of them digits, is a number
 * followed by a space and a unit word (UNITS) that is followed by the text's end or AFTER_UNIT.
 */
function unitAt(bytes: Codes, end: number, to: number, digits: number, length: number): boolean {
  if (digits !== length || end + 2 >= to || bytes[end] !== 32) return false;
  const classes = CLASS;
  let k = end + 1;
  while (k < to && (classes[bytes[k]] & (LOWER | UPPER)) !== 0) k++;
  if (k < to && ((classes[bytes[k]] & (WORD | LOCAL)) !== 0 || bytes[k] === 64)) return false;
  return UNIT_CODES.some(
    (unit) => unit.length === k - end - 1 && unit.every((c, u) => bytes[end + 1 + u] === c),
  );
}

const UNIT_CODES = UNITS.map((unit) => Array.from(unit, (c) => c.charCodeAt(0)));

/**
 * The end of the longest run of dotted digit parts from a number ending at `end` (a `.` there) that ends at a
 * word boundary, with two parts or more (partsOf counts them), else -1.
 */
function numberRunEnd(bytes: Codes, end: number, to: number): number {
  const classes = CLASS;
  let found = -1;
  let at = end;
  while (at + 1 < to && bytes[at] === 46 && (classes[bytes[at + 1]] & DIGIT) !== 0) {
    at += 2;
    while (at < to && (classes[bytes[at]] & DIGIT) !== 0) at++;
    if (boundary(bytes, at, to)) found = at;
  }
  return found;
}

/** The parts of the run of dotted digits that numberRunEnd found from the number ending at `end`: its dots, +1. */
function partsOf(bytes: Codes, end: number, runEnd: number): number {
  let parts = 1;
  for (let at = end; at < runEnd; at++) if (bytes[at] === 46) parts++;
  return parts;
}

/** Whether the word bytes[from, to) is lower-case letters, then digits (one of each at least). */
function lettersThenDigits(bytes: Codes, from: number, to: number): boolean {
  const classes = CLASS;
  if ((classes[bytes[from]] & LOWER) === 0) return false;
  let digit = false;
  for (let i = from + 1; i < to; i++) {
    const flags = classes[bytes[i]];
    if ((flags & DIGIT) !== 0) digit = true;
    else if (digit || (flags & LOWER) === 0) return false;
  }
  return digit;
}

/**
 * A 128-bit id: 128 bits in base64url (RFC 4648 §5, https://www.rfc-editor.org/rfc/rfc4648#section-5: A–Z a–z
 * 0–9 `-` `_`, no padding) are ID_128_LENGTH characters — Mimecast's references `[Oihy2B9_qX8PDlsLZy0ehG.us360]`,
 * Orange's `250 2.0.0 <22 characters> mail accepted for delivery`. One is a run of exactly that many such
 * characters with the words joined to it by `.` (`.us360`), standing alone: no ID_NEIGHBOUR character before it
 * or after it, nor a local-part one after it (it is no address's local part), and random (id128Random).
 */
const ID_128_LENGTH = 22;
/**
 * Characters an id-128 never has beside it: base64url ones, `.`, `@` (and after it `%`, `+`, `=`: see ID_AFTER; before
 * it `:` and `+`, which stand inside a time and a zone: a run after them may be a time's seconds and what follows
 * them, `07:08:24Z-42536T9k-000ABC-Xy`, which the scanner takes as a time and maskReplySql's first pass, reading no
 * other token, would take as an id: review R132).
 */
const ID_NEIGHBOUR = new Uint8Array(65536);
const ID_AFTER = new Uint8Array(65536);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.@") {
  ID_NEIGHBOUR[c.charCodeAt(0)] = 1;
  ID_AFTER[c.charCodeAt(0)] = 1;
}
for (const c of "%+=") ID_AFTER[c.charCodeAt(0)] = 1;
for (const c of ":+") ID_NEIGHBOUR[c.charCodeAt(0)] = 1;

/**
 * The end of the 128-bit id at bytes[from] (its joined words included), where one starts there (the caller
 * checks the character before it), else -1. maskReplySql's ID_128 steps find the same.
 */
function id128End(bytes: Codes, from: number, textEnd: number): number {
  const runEnd = from + ID_128_LENGTH;
  if (runEnd > textEnd) return -1;
  // A run that goes on past its 22nd character is none (what the end's ID_AFTER check finds, without the loop): a
  // shorter word followed by `-` tried as one (Gmail's `<13 hex>-<…>si<…>` ids) is mostly such a run.
  if (runEnd < textEnd && bytes[runEnd] !== 46 && ID_AFTER[bytes[runEnd]]) return -1;
  const classes = CLASS;
  for (let k = from; k < runEnd; k++) if ((classes[bytes[k]] & WORD) === 0 && bytes[k] !== 45) return -1;
  let end = runEnd;
  // Its joined words: after a `.`, a word holding a digit or mixing cases (joinedWordEnd, JOINED_WORD).
  while (end + 1 < textEnd && bytes[end] === 46) {
    const next = joinedWordEnd(bytes, end + 1, textEnd);
    if (next < 0) break;
    end = next;
  }
  if (end < textEnd && ID_AFTER[bytes[end]]) return -1;
  return id128Random(bytes, from, runEnd) || !holdsRuleWord(bytes, from, end) ? end : -1;
}

/**
 * Whether the base64url run bytes[from, to) looks random: each of its pieces between cuts (`-`, `_`) holds a digit
 * (an empty piece holds no word). A word without one may be what the reply says (`mailbox-not-found-…`, review R98;
 * `DNSBLListedSenderBlock`, whose mixed case alone does not tell it from an id's letters; a SNAKE_CASE name,
 * `RAZOR2_CF_RANGE_51_100`, joins its words by `_` as a phrase does by `-`).
 */
function id128Random(bytes: Codes, from: number, to: number): boolean {
  let inPiece = false;
  let pieceDigit = false;
  for (let k = from; k < to; k++) {
    const c = bytes[k];
    if (c === 45 || c === 95) {
      if (inPiece && !pieceDigit) return false;
      inPiece = false;
      pieceDigit = false;
    } else {
      inPiece = true;
      if ((CLASS[c] & DIGIT) !== 0) pieceDigit = true;
    }
  }
  return !inPiece || pieceDigit;
}

/** Whether a letter follows a digit in the word bytes[from, to) of letters and digits. */
function letterAfterDigit(bytes: Codes, from: number, to: number): boolean {
  const classes = CLASS;
  for (let i = from + 1; i < to; i++) {
    if ((classes[bytes[i - 1]] & DIGIT) !== 0 && (classes[bytes[i]] & DIGIT) === 0) return true;
  }
  return false;
}

/**
 * Where the word that is an id alone (REPLY_TOKENS dash-joined-id: its kind read with no label and no unit after
 * it) ends that the word bytes[from, end) (no token alone) is joined to by `-`, it and the words joined between
 * them ids' pieces (idPiece); the last such word (the pattern's `(?:…-)+` takes as many pieces as it can, in SQL
 * too: `1Xz-Q00_0m1_z_z_mXQ-46475734` is one); -1 where there is none.
 */
function dashJoinedId(bytes: Codes, from: number, end: number, to: number): number {
  const classes = CLASS;
  if (!idPiece(bytes, from, end)) return -1;
  let found = -1;
  let at = end;
  while (at + 1 < to && bytes[at] === 45 && (classes[bytes[at + 1]] & WORD) !== 0) {
    const start = at + 1;
    let digits = 0;
    let all = HEX | WORD;
    for (at = start; at < to; at++) {
      const d = bytes[at];
      const flags = classes[d];
      if ((flags & WORD) === 0) break;
      if ((flags & DIGIT) !== 0) digits++;
      all &= d === 95 ? 0 : flags;
    }
    if (wordKind(bytes, start, at, digits, all, NO_LABEL, false) === PERCENT) found = at;
    if (!idPiece(bytes, start, at)) return found;
  }
  return found;
}

/**
 * The end of an Exim message id (EXIM_ID) whose first part, of 6 letters and digits holding a digit, ends at
 * `end` (-1: none).
 */
function eximIdEnd(bytes: Codes, end: number, to: number): number {
  if (end + 1 >= to || bytes[end] !== 45) return -1;
  const middle = alnumEnd(bytes, end + 1, to, true);
  const length = middle - end - 1;
  if ((length !== 6 && length !== 11) || middle + 1 >= to || bytes[middle] !== 45) return -1;
  const last = alnumEnd(bytes, middle + 1, to, false);
  return last - middle - 1 === (length === 6 ? 2 : 4) ? last : -1;
}

/**
 * The end of the word at `from` (letters, digits, underscores) where it is letters and digits only, holding a
 * digit if `digit` says so; else -1.
 */
function alnumEnd(bytes: Codes, from: number, to: number, digit: boolean): number {
  const classes = CLASS;
  let digits = !digit;
  let j = from;
  for (; j < to; j++) {
    const c = bytes[j];
    const flags = classes[c];
    if ((flags & WORD) === 0) break;
    if (c === 95) return -1;
    if ((flags & DIGIT) !== 0) digits = true;
  }
  return digits ? j : -1;
}

/** Whether the word bytes[from, to) is an id's piece (ID_PIECE): a digit, and a lower-case letter or a letter after a digit. */
function idPiece(bytes: Codes, from: number, to: number): boolean {
  const classes = CLASS;
  let digits = false;
  let lettered = false;
  let digit = false;
  for (let i = from; i < to; i++) {
    const flags = classes[bytes[i]];
    if ((flags & LOWER) !== 0 || (digit && (flags & UPPER) !== 0)) lettered = true;
    digit = (flags & DIGIT) !== 0;
    if (digit) digits = true;
  }
  return digits && lettered;
}

/** The class flags of bytes[from, to) or-ed. */
function any(bytes: Codes, from: number, to: number): number {
  const classes = CLASS;
  let flags = 0;
  for (let i = from; i < to; i++) flags |= classes[bytes[i]];
  return flags;
}

/**
 * The end of the words joined to a token ending at `end` that are part of it: after a `-`, an id's piece
 * (idPiece: Exim's `1hLICq-00001z`, a base-64 ref's parts; not `-mailbox-not-found` nor Exim's `-JU` tail, review
 * R99); after a `.`, one that varies as ids do (joinedWordEnd: Gmail's `…si1234567a1.123`, Microsoft's
 * `….eurprd04`, not `.prod.outlook.com`).
 */
function joinedEnd(bytes: Codes, end: number, to: number): number {
  let joined = end;
  while (joined + 1 < to && (bytes[joined] === 46 || bytes[joined] === 45)) {
    let next: number;
    if (bytes[joined] === 46) next = joinedWordEnd(bytes, joined + 1, to);
    else {
      next = wordEnd(bytes, joined + 1, to);
      if (next >= 0 && !idPiece(bytes, joined + 1, next)) next = -1;
    }
    if (next < 0) break;
    joined = next;
  }
  return joined;
}

/** The end of the word at `from` (letters, digits, underscores), else -1. */
function wordEnd(bytes: Codes, from: number, to: number): number {
  const classes = CLASS;
  let j = from;
  while (j < to && (classes[bytes[j]] & WORD) !== 0) j++;
  return j > from ? j : -1;
}

/**
 * The end of the word at `from` (letters, digits, underscores) if it holds a digit, or a lower-case letter
 * before an upper-case one (random mixed case); else -1.
 */
function joinedWordEnd(bytes: Codes, from: number, to: number): number {
  const classes = CLASS;
  let lower = false;
  let varies = false;
  let j = from;
  for (; j < to; j++) {
    const c = bytes[j];
    const flags = classes[c];
    if ((flags & WORD) === 0) break;
    if ((flags & DIGIT) !== 0) varies = true;
    else if ((flags & LOWER) !== 0) lower = true;
    else if (lower && (flags & UPPER) !== 0) varies = true;
  }
  return varies ? j : -1;
}

/** Which compound `compound` found (an index into COMPOUND_KINDS). */
let compoundKind = 0;

/** The end of a UUID, IPv4 address, date, time or date-time starting at `i` (and ending at a word boundary), else -1. */
function compound(bytes: Codes, i: number, to: number): number {
  const c = bytes[i];
  if ((CLASS[c] & HEX) === 0) return -1;
  let end = run(bytes, i, to, HEX, 8, 8);
  if (end > 0 && end < to && bytes[end] === 45) {
    // 8-4-4-4-12: each part after a `-` (a missing one fails the whole).
    end = run(bytes, end + 1, to, HEX, 4, 4);
    for (const length of UUID_PARTS) {
      end = end > 0 && end < to && bytes[end] === 45 ? run(bytes, end + 1, to, HEX, length, length) : -1;
    }
    if (end > 0 && boundary(bytes, end, to)) {
      compoundKind = 0;
      return end;
    }
  }
  if ((CLASS[c] & DIGIT) === 0) return -1;
  // IPv4 (1-3 digits, 3 × `.` 1-3 digits), date (4 digits, 2 × `-` 2 digits), time (1-2 digits, 2 × `:` 2 digits).
  for (let kind = 1; kind < 4; kind++) {
    const [min, max, separator, restMin, restMax, parts] = SHAPES[kind - 1];
    end = run(bytes, i, to, DIGIT, min, max);
    for (let part = 0; part < parts && end > 0; part++) {
      end = end < to && bytes[end] === separator ? run(bytes, end + 1, to, DIGIT, restMin, restMax) : -1;
    }
    if (end <= 0) continue;
    if (kind === DATE && end < to && (bytes[end] | 32) === 116 /* T or t */) {
      const dateTime = dateTimeEnd(bytes, end + 1, to);
      if (dateTime > 0) {
        compoundKind = 4;
        return dateTime;
      }
    }
    if (kind === TIME) end = secondsEnd(bytes, end, to);
    if (end > 0 && boundary(bytes, end, to)) {
      compoundKind = kind;
      return end;
    }
  }
  return -1;
}

const DATE = 2;
const TIME = 3;

/**
 * The end of the time of an RFC 3339 date-time from `at` (after its `T`): `hh:mm:ss`, maybe a fraction and a
 * zone, ending at a word boundary (the longest that does, as the table's pattern matches), else -1.
 */
function dateTimeEnd(bytes: Codes, at: number, to: number): number {
  let end = run(bytes, at, to, DIGIT, 2, 2);
  for (let part = 0; part < 2 && end > 0; part++) {
    end = end < to && bytes[end] === 58 ? run(bytes, end + 1, to, DIGIT, 2, 2) : -1;
  }
  if (end < 0) return -1;
  const fraction = fractionEnd(bytes, end, to);
  const zoned = zoneEnd(bytes, fraction > 0 ? fraction : end, to);
  if (zoned > 0 && boundary(bytes, zoned, to)) return zoned;
  if (fraction > 0 && boundary(bytes, fraction, to)) return fraction;
  return boundary(bytes, end, to) ? end : -1;
}

/** The end of seconds ending at `end` and their fraction if one follows and ends at a word boundary. */
function secondsEnd(bytes: Codes, end: number, to: number): number {
  const fraction = fractionEnd(bytes, end, to);
  return fraction > 0 && boundary(bytes, fraction, to) ? fraction : end;
}

/**
 * The end of a fraction (`.` and digits) at `at`, else -1 (a shorter one is followed by a digit: never at a
 * word boundary, so the table's pattern never stops there).
 */
function fractionEnd(bytes: Codes, at: number, to: number): number {
  if (at >= to || bytes[at] !== 46) return -1;
  const classes = CLASS;
  let j = at + 1;
  while (j < to && (classes[bytes[j]] & DIGIT) !== 0) j++;
  return j > at + 1 ? j : -1;
}

/** The end of a time zone (`Z`, `+hh:mm`, `-hhmm`) at `at`, else -1. */
function zoneEnd(bytes: Codes, at: number, to: number): number {
  if (at >= to) return -1;
  const c = bytes[at];
  if ((c | 32) === 122 /* Z or z */) return at + 1;
  if (c !== 43 && c !== 45) return -1;
  const hours = run(bytes, at + 1, to, DIGIT, 2, 2);
  if (hours < 0) return -1;
  return hours < to && bytes[hours] === 58
    ? run(bytes, hours + 1, to, DIGIT, 2, 2)
    : run(bytes, hours, to, DIGIT, 2, 2);
}

/** A UUID's parts after its first and second. */
const UUID_PARTS = [4, 4, 12];

/** Digit compounds: first part's length range, separator, other parts' length range, how many others. */
const SHAPES: [number, number, number, number, number, number][] = [
  [1, 3, 46, 1, 3, 3],
  [4, 4, 45, 2, 2, 2],
  [1, 2, 58, 2, 2, 2],
];

/** The end of `min`..`max` bytes of class `flag` from `i` (as many as there are before `to`, up to max), else -1. */
function run(bytes: Codes, i: number, to: number, flag: number, min: number, max: number): number {
  const classes = CLASS;
  let j = i;
  while (j < to && j - i < max && (classes[bytes[j]] & flag) !== 0) j++;
  return j - i >= min ? j : -1;
}

/** A word boundary after position end - 1 (`\b` after a word character). */
function boundary(bytes: Codes, end: number, to: number): boolean {
  return end >= to || (CLASS[bytes[end]] & WORD) === 0;
}

/** The table as one alternation: the scanner's order (each place takes the first entry matching there). */
const TOKEN_PATTERN = REPLY_TOKENS.map((token) => token.pattern).join("|");
/** What maskReplySql puts around each token found, then replaces: characters a masked text never holds. */
const OPEN = "\x01";
const CLOSE = "\x02";
/** What maskReplySql puts around each 128-bit id found first (tokensIn: a text holding one is not masked either). */
const ID_OPEN = "\x03";
const ID_CLOSE = "\x04";
const ID_JOINED = `(?:\\.${JOINED_WORD})*`;
/**
 * id128End in RE2 (no look-around): a run of ID_128_LENGTH base64url characters and its joined words, with the
 * character before it (or the start) and the one after it (or the end), which it puts back.
 */
const ID_128_RUN = `(^|[^A-Za-z0-9_.@:+${ID_OPEN}-])([A-Za-z0-9_-]{${ID_128_LENGTH}}${ID_JOINED})($|[^A-Za-z0-9_.@%+=${ID_CLOSE}-])`;
/**
 * A marked id-128 whose run looks random (id128Random): each of its pieces between cuts (`-`, `_`) holds a digit.
 */
const RANDOM_ID_128 = `${ID_OPEN}((?:[-_]+|[A-Za-z]*[0-9][A-Za-z0-9]*)*${ID_JOINED})${ID_CLOSE}`;
/** A marked id-128 (marked once: not RANDOM_ID_128) that holds a word the classifier reads (holdsRuleWord), to put back. */
const wordyId128 = () =>
  `(^|[^${ID_OPEN}])${ID_OPEN}([^${ID_OPEN}${ID_CLOSE}]*${ruleWordsPattern()}[^${ID_CLOSE}]*)${ID_CLOSE}`;

/**
 * SQL twin of `maskReply(...).masked` over a VARCHAR expression (DuckDB, RE2): the table as one alternation
 * in one pass, as the scanner reads it (a chain of one `regexp_replace` per entry would let an entry take
 * text that an earlier place's token holds), each token found put between OPEN and CLOSE; then each entry in
 * table order replaces the tokens it matches whole, so a token takes the first entry that does, the one that
 * matched it there (an earlier entry matching it whole would have matched there). Texts over
 * MAX_MASKED_LENGTH UTF-16 units (the scanner's unit), or holding OPEN or CLOSE, are kept as they are.
 * (Splitting the text into tokens and gaps as lists costs a SendGrid INSERT a quarter more CPU, though only
 * failures' replies are masked.)
 */
export function maskReplySql(column: string): string {
  // UTF-8 bytes ≥ UTF-16 units ≥ code points: only texts between the limits count their astral characters.
  const units = `length(${column}) + length(regexp_replace(${column}, '[^\\x{10000}-\\x{10FFFF}]', '', 'g'))`;
  // 128-bit ids first (id128End), marked (a pass takes every other one of ids one character apart), in the
  // texts that hold a run of their length at all (few do: one cheap test instead of three passes).
  let ids = column;
  for (let pass = 0; pass < 2; pass++)
    ids = `regexp_replace(${ids}, ${sqlString(ID_128_RUN)}, ${sqlString(`\\1${ID_OPEN}\\2${ID_CLOSE}\\3`)}, 'g')`;
  // Those with a piece of letters only (id128Random false) that hold a word the classifier reads are put back:
  // the others marked twice first, and once again after.
  ids = `regexp_replace(${ids}, ${sqlString(RANDOM_ID_128)}, ${sqlString(`${ID_OPEN}${ID_OPEN}\\1${ID_CLOSE}`)}, 'g')`;
  ids = `regexp_replace(${ids}, ${sqlString(wordyId128())}, '\\1\\2', 'g')`;
  ids = `replace(${ids}, ${sqlString(ID_OPEN + ID_OPEN)}, ${sqlString(ID_OPEN)})`;
  const run = sqlString(`[A-Za-z0-9_-]{${ID_128_LENGTH}}`);
  // NULL when kept as it is (a CASE around the chain would cost as much again); the column, not this CASE, inside
  // it (each copy of an expression is planned and its patterns compiled again, per query and thread).
  let sql = `(CASE WHEN (strlen(${column}) <= ${MAX_MASKED_LENGTH}
    OR (length(${column}) <= ${MAX_MASKED_LENGTH} AND ${units} <= ${MAX_MASKED_LENGTH}))
    AND NOT contains(${column}, ${sqlString(OPEN)}) AND NOT contains(${column}, ${sqlString(CLOSE)})
    AND NOT contains(${column}, ${sqlString(ID_OPEN)}) AND NOT contains(${column}, ${sqlString(ID_CLOSE)})
    THEN (CASE WHEN regexp_matches(${column}, ${run}) THEN ${ids} ELSE ${column} END) END)`;
  sql = `regexp_replace(${sql}, ${sqlString(TOKEN_PATTERN)}, ${sqlString(`${OPEN}\\0${CLOSE}`)}, 'g')`;
  for (const token of REPLY_TOKENS) {
    const whole = sqlString(`${OPEN}(?:${token.token ?? token.pattern})${CLOSE}`);
    sql = `regexp_replace(${sql}, ${whole}, ${sqlString(token.replacement)}, 'g')`;
    if (token.kept) sql = `regexp_replace(${sql}, ${sqlString(`${OPEN}${token.kept}${CLOSE}`)}, '\\1', 'g')`;
  }
  // An id's words may have been read as tokens meanwhile: the id whole is one. (Once: a CASE that tested for a mark
  // first held the whole chain three times, to be planned and its patterns compiled three times per query.)
  sql = `regexp_replace(${sql}, ${sqlString(`${ID_OPEN}[^${ID_CLOSE}]*${ID_CLOSE}`)}, '%', 'g')`;
  return `coalesce(${sql}, ${column})`;
}

/**
 * The diagnostic of a reply that shares its masked key with a reply already classified: the cached
 * diagnostic with the original's noise tokens swapped for this reply's, in order. Null when the tokens
 * cannot be placed (the caller then unfolds the reply itself).
 */
export function swapTokens(
  diagnostic: string,
  from: readonly string[],
  to: readonly string[],
): string | null {
  if (from.length !== to.length) return null;
  const places = tokenPlaces(diagnostic, from);
  if (places === null) return null;
  let result = "";
  let position = 0;
  for (let i = 0; i < from.length; i++) {
    result += diagnostic.slice(position, places[2 * i]) + to[i];
    position = places[2 * i + 1];
  }
  return result + diagnostic.slice(position);
}

/**
 * Where swapTokens puts each token into `diagnostic` (start, end per token, in order; the same for any
 * tokens put there), or null when they cannot be placed.
 */
export function tokenPlaces(diagnostic: string, from: readonly string[]): number[] | null {
  const places: number[] = [];
  let position = 0;
  for (const token of from) {
    const at = diagnostic.indexOf(token, position);
    if (at < 0) return null;
    position = at + token.length;
    places.push(at, position);
  }
  return places;
}
