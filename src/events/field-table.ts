import { feedbackTypesOf } from "../bounce/rules/feedback-types.ts";
import type { Reason } from "../bounce/vocabulary.ts";
import type { EventType } from "./event.ts";
import type { FormatName } from "./formats.ts";

/**
 * A field table says, as plain data, where each event field of one JSON or CSV format comes from: the
 * JSON path or CSV column and the transform applied. Both readers of the format are derived from it:
 * the streaming JS parser (src/events/table-parser.ts) and the DuckDB reader that ingest uses
 * (src/store/field-sql.ts compiles the table to SQL). Adding a format adds a table; the two readers
 * cannot drift apart (test/analytics/field-tables.test.ts compares them on every fixture).
 */
export interface FieldTable {
  format: FormatName;
  /** Where the format is documented (public URL). */
  source: string;
  /** How records are named in problems ("SendGrid event"). */
  label: string;
  shape: "json" | "csv";
  /**
   * CSV: columns the header must have, else the file is refused with `headerProblem`. A header with
   * none of `headerNames` is taken as data (PowerMTA may write none) and `defaultHeader` applies.
   */
  csv?: {
    required: readonly string[];
    headerProblem: string;
    defaultHeader?: readonly string[];
    /** A first record matching this (its first two fields joined by ',') is data, not a header. */
    dataRow?: string;
  };
  /**
   * Field names are matched trimmed and case-insensitively, through these aliases (the generic schema):
   * the first name of a record that maps to a field gives its value.
   */
  aliases?: Readonly<Record<string, string>>;
  /** JSON: a record whose `path` holds an array is a page of records (Mailgun Events API `items`). */
  pages?: string;
  /**
   * JSON: a record inside an envelope (Amazon SNS): when `message` is a string and `kind` is set, the
   * record is `message` parsed as JSON, and envelopes of another kind than `accept` are skipped.
   */
  envelope?: { kind: string; accept: string; message: string };
  /** JSON: the record is the first of these paths holding an object ("" = the whole record); none → skipped. */
  roots?: readonly string[];
  /** Checked on the whole record, before `roots`: a record failing one is a problem. */
  requires?: readonly { cond: Cond; message: string }[];
  /** The source's own name of the event (for messages) and the deliverlens event type (null = skipped). */
  name: Expr;
  type: Expr;
  /** A record whose type is null is a problem (not skipped) when this holds; `{name}` in the message is the name. */
  unknown: { cond: Cond; message: string };
  /**
   * One event per element of a list (per-recipient lists): the first `lists` entry whose `cond` holds
   * gives the list (the first of its paths holding an array; `orScalar`: a single value is a list of one);
   * each element is read into the named `item` values (path "" = the element itself), used as `{ item }`.
   */
  each?: readonly EachList[];
  /** Event fields, evaluated in this order (a field may use one listed before it). */
  fields: Readonly<Partial<Record<EventField, Expr>>>;
  /**
   * `messageId` is a Message-ID header's value as the message carried it, which keeps its angle brackets
   * (`<id@host>`, blanks around them in a hand-made export): the store keeps it in its one form
   * (BARE_MESSAGE_ID_SQL, src/store/field-sql.ts), the event's identity hashes it as read. Unset where the
   * table's id never has them (an ESP's own id) or its field already strips them (`stripAngles`): the
   * store's insert then leaves the id alone, and its rows do not pay for the test (docs/FORMATS.md).
   */
  headerMessageId?: true;
  /** Checked after the fields: a record failing one is a problem ("unreadable time"). */
  checks?: readonly { cond: Cond; message: string }[];
}

export interface EachList {
  cond?: Cond;
  lists: readonly string[];
  orScalar?: boolean;
  item: Readonly<Record<string, string>>;
}

/** Event fields a table fills (DeliveryEvent's, minus type and source). */
export type EventField =
  | "time"
  | "recipient"
  | "sender"
  | "eventId"
  | "messageId"
  | "campaign"
  | "sendingIp"
  | "pool"
  | "sendingDomain"
  | "stream"
  | "remoteMta"
  | "reply"
  | "replyCode"
  | "status"
  | "sourceLabel"
  | "machineOpen"
  | "readerIp"
  | "userAgent"
  | "url"
  | "reasonHint"
  | "feedbackType";

/**
 * How a JSON value is read: `text` a string (numbers as their text; anything else null), `number`,
 * `bool`, `first` a string or the first string of an array, `json` the value as it is.
 */
export type LeafType = "text" | "number" | "bool" | "first" | "json";

/** A value: a path (text), a typed path, an item value, an earlier field, or a combination. */
export type Expr =
  | string
  | { path: string; as: LeafType }
  | { item: string }
  | { field: EventField }
  | { value: string | boolean | null }
  | { first: readonly Expr[] }
  | { fn: TransformName; args: readonly Expr[] }
  | { lookup: Readonly<Record<string, string>>; key: Expr; otherwise?: Expr }
  | { when: Cond; use: Expr; otherwise?: Expr }
  /** Non-null, non-empty parts joined by `sep`; null when there are none. */
  | { join: readonly Expr[]; sep: string }
  /** All parts as text (null ones empty) concatenated. */
  | { concat: readonly Expr[] };

export type Cond =
  | { type: readonly EventType[] }
  | { eq: readonly [Expr, string] }
  | { oneOf: readonly [Expr, readonly string[]] }
  | { present: Expr }
  | { prefix: readonly [Expr, string] }
  /** A regular expression both JavaScript and DuckDB (RE2) read the same way; case-insensitive. */
  | { match: readonly [Expr, string] }
  /** The JSON value at a path is an object. */
  | { object: string }
  | { not: Cond }
  | { all: readonly Cond[] }
  | { any: readonly Cond[] };

/**
 * Transforms, each with a JavaScript implementation (src/events/transforms.ts) and an SQL twin
 * (src/store/field-sql.ts); test/analytics/field-tables.test.ts runs both over the same values.
 */
export const TRANSFORMS = {
  isoTime: "unix seconds or milliseconds, or an ISO 8601 string → ISO UTC",
  zonedTime: "a time without an offset read in the ingest's time zone (--tz) → ISO UTC",
  genericTime:
    "deliverlens generic `time`: a date/time string (zone-less → --tz, a date alone = midnight) or unix time",
  lower: "lower case",
  stripAngles: "`<id@host>` → `id@host`",
  stripDiagnosticType: "drop a DSN diagnostic-type prefix (`smtp; 550 …` → `550 …`)",
  domainOf: "the domain of an address, lower case",
  leadingReplyCode: "the 3-digit SMTP reply code a text starts with",
  leadingStatus: "the enhanced status code right after the reply code, or at the start",
  cleanStatus: "a well-formed enhanced status from a status field (`0.0.0` = none)",
  mtaName: "`dns; mx.example.com (192.0.2.1)` → `mx.example.com`",
  int: "an integer (number or numeric text)",
  bool: "true/false/1/0/yes/no → boolean",
  replyWithCode: "reply text kept apart from its code and status (Mailgun, KumoMTA) → `code status text`",
  enhancedCode: "class, subject, detail numbers → `5.7.1`",
  queueCampaign: "KumoMTA queue `campaign:tenant@domain` → campaign",
  hostAddress: "`192.0.2.1:4321`, `[2001:db8::1]:25` or {address: …} → the address",
  eventType: "deliverlens generic event type names and their aliases → event type",
} as const;
export type TransformName = keyof typeof TRANSFORMS;

/** Reason hints are plain data too; this only narrows the type for table authors. */
export const hint = (reason: Reason): Expr => ({ value: reason });

const NOT_EVENTS = feedbackTypesOf(null);
const UNSUBSCRIBES = feedbackTypesOf("unsubscribe");

/**
 * A record the source calls a complaint is what its feedback type says (src/bounce/rules/feedback-types.ts, the
 * classifier's table too): an `unsubscribe` for an opt-out, nothing for a report that is no complaint (not-spam,
 * virus, auth-failure: skipped, see `notAComplaint`), else the `type` the table gives. Both readers compile it.
 */
export function byFeedbackType(isComplaint: Cond, feedbackType: Expr, type: Expr): Expr {
  const key: Expr = { fn: "lower", args: [feedbackType] };
  return {
    when: { all: [isComplaint, { oneOf: [key, NOT_EVENTS] }] },
    use: { value: null },
    otherwise: {
      when: { all: [isComplaint, { oneOf: [key, UNSUBSCRIBES] }] },
      use: { value: "unsubscribe" },
      otherwise: type,
    },
  };
}

/** A complaint record whose feedback type says it is none: skipped (not an unknown type). */
export function notAComplaint(isComplaint: Cond, feedbackType: Expr): Cond {
  return { all: [isComplaint, { oneOf: [{ fn: "lower", args: [feedbackType] }, NOT_EVENTS] }] };
}
