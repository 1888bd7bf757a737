import { FAILURE_TYPES, sourceHint } from "../../bounce/classify-event.ts";
import { leadingReplyCode } from "../../bounce/reply.ts";
import { ReplyMask } from "../../bounce/reply-key.ts";
import { hostKeyOf, plainRemoteMta } from "../../bounce/rules/host-key.ts";
import type { DeliveryEvent, ParseProblem } from "../../events/event.ts";
import type { FormatName } from "../../events/formats.ts";
import { isProblem } from "../../events/source.ts";
import { trimAscii } from "../../util/ascii.ts";
import { MAX_QUARANTINED_RAW } from "../../util/limits.ts";

/**
 * The shape every source takes before it goes into `event_rows`: the JS path writes its events as rows
 * with these columns (in this order; csv-staging.ts); the DuckDB fast paths are queries with the same
 * columns. Deduplication, quarantine and reply keys are then the same for all (finalize.ts).
 */
export const STAGING_COLUMNS = [
  /** The event's identity text; the store keeps its hash as `event_key` (`eventKeySql`). */
  ["identity", "VARCHAR"],
  /** The store's ENUM from the staged row on (read so from the staged CSV): the INSERT compares its codes. */
  ["type", "event_type"],
  ["time", "TIMESTAMP"],
  ["recipient", "VARCHAR"],
  ["recipient_domain", "VARCHAR"],
  ["campaign", "VARCHAR"],
  ["sending_ip", "VARCHAR"],
  ["pool", "VARCHAR"],
  ["sending_domain", "VARCHAR"],
  ["stream", "VARCHAR"],
  ["remote_mta", "VARCHAR"],
  ["message_id", "VARCHAR"],
  ["reply", "VARCHAR"],
  ["reply_code", "INTEGER"],
  ["status", "VARCHAR"],
  ["source_label", "VARCHAR"],
  ["machine_open", "BOOLEAN"],
  ["reader_ip", "VARCHAR"],
  ["user_agent", "VARCHAR"],
  ["url", "VARCHAR"],
  ["line", "BIGINT"],
  /** A record the source does not model (skipped, not counted). */
  ["skip", "BOOLEAN"],
  /** Set for a bad record: why it goes to the quarantine instead of `events`. */
  ["problem", "VARCHAR"],
  ["raw", "VARCHAR"],
  /**
   * The source's hint for the classifier (sourceHint, src/bounce/classify-event.ts): its reason hint
   * (`reasonHint`: Postfix `expired`, an ESP's `suppressed`/`feedback`), else the SMTP command the reply
   * answered (`smtpCommand`: `DATA`, `RCPT`… of a Postfix or Exim log line). Staged only for the types the
   * store classifies (CLASSIFIED), whose reply key is all that reads it: a delivered row's `"DATA"` cost
   * DuckDB a parsed string per row for nothing.
   */
  ["hint", "VARCHAR"],
  /**
   * The reply with its per-message tokens masked (src/bounce/reply-key.ts), for the reply key of a failure
   * the store classifies: the JS parsers mask it in one pass (a third of the time of DuckDB's chain of
   * regexps, which runs on DuckDB's one thread reading the staged rows); DuckDB's readers leave it NULL and
   * the store masks in SQL.
   */
  ["reply_mask", "VARCHAR"],
  /**
   * The remote MTA as a failure's reply key reads it (storedHostKey, hostKeySql's twin), staged by the JS
   * parsers once per distinct remote MTA: DuckDB's expression (three regexps and a list search) cost ~1 µs a
   * failure row, ~0.6 CPU-s a 4M-line log, for the few hosts a log names. DuckDB's readers leave it NULL.
   * Staged for every row naming a remote MTA: the provider it names is the one an unlisted recipient domain's
   * row is stored with (finalize.ts STORED_PROVIDER_SQL); only a failure's reply key reads the rest.
   */
  ["host_key", "VARCHAR"],
  /**
   * The log's own id of the message (DeliveryEvent.queueId: Postfix's queue id, Exim's message id), part of the
   * identity of an event without a source id (review R124). Only MTA logs' parsers set it.
   */
  ["queue_id", "VARCHAR"],
] as const;

/** Raw text kept for a quarantined record. */
export const MAX_RAW = MAX_QUARANTINED_RAW;

/**
 * Identity of an event without a source id: the same fields, in the same order, in JS and SQL
 * (`IDENTITY_SQL`), so the fast paths and the JS path give the same keys.
 */
export function eventIdentity(event: {
  type: string;
  timeMs: number;
  recipient: string | null;
  campaign: string | null;
  sendingIp: string | null;
  messageId: string | null;
  reply: string | null;
  url: string | null;
}): string {
  const parts = [
    event.type,
    String(event.timeMs),
    event.recipient ?? "",
    event.campaign ?? "",
    event.sendingIp ?? "",
    event.messageId ?? "",
    event.reply ?? "",
    event.url ?? "",
  ];
  return `h:${parts.join("\u001f")}`;
}

/**
 * The identity text of a staged row, as the store hashes it into `event_key`: its source's, else eventIdentity
 * (IDENTITY_SQL) of its columns.
 */
export function rowIdentity(row: StagingRow): string {
  return typeof row.identity === "string"
    ? row.identity
    : eventIdentity({
        type: String(row.type),
        timeMs: row.time as number,
        recipient: row.recipient as string | null,
        campaign: row.campaign as string | null,
        sendingIp: row.sending_ip as string | null,
        messageId: row.message_id as string | null,
        reply: row.reply as string | null,
        url: row.url as string | null,
      });
}

/**
 * Staging columns a JS row leaves out: DuckDB derives them from the row's others as it reads the rows
 * (csv-staging.ts partSql): the recipient's domain, and `skip` (a row with neither a type nor a problem).
 */
export const DERIVED_COLUMNS = ["recipient_domain", "skip"] as const;
type Derived = (typeof DERIVED_COLUMNS)[number];

/** The columns of a JS row (STAGING_COLUMNS but the derived), in their order. */
export const ROW_COLUMNS = STAGING_COLUMNS.filter(
  (column): column is Exclude<(typeof STAGING_COLUMNS)[number], readonly [Derived, string]> =>
    !(DERIVED_COLUMNS as readonly string[]).includes(column[0]),
);

/** A staged row's column (ROW_COLUMNS). */
export type RowColumn = (typeof ROW_COLUMNS)[number][0];

/** The columns a format's parser may leave out of its staged rows (UNSET): none is a key or a time. */
export type UnsetColumn =
  | "identity"
  | "campaign"
  | "stream"
  | "source_label"
  | "machine_open"
  | "reader_ip"
  | "user_agent"
  | "url";

/**
 * Columns a log format's parser never sets (its events leave them null: no source id, campaign, stream,
 * label or engagement fields in an MTA's delivery lines): its staged CSV leaves them out and partSql reads
 * them as NULL, so DuckDB parses 8 fields fewer per row (100k grep'd Postfix rows, insertFlagged under
 * callgrind: the CSV scan 677M → 550M instructions, the whole insert −4 %). A row that sets one fails
 * loudly (CsvRows.add, OutcomeCsv.add): a parser that comes to set one must be taken off this table.
 */
const MTA_LOG_UNSET: readonly UnsetColumn[] = [
  "identity",
  "campaign",
  "stream",
  "source_label",
  "machine_open",
  "reader_ip",
  "user_agent",
  "url",
];
const UNSET_BY_FORMAT: Partial<Record<FormatName, readonly UnsetColumn[]>> = {
  postfix: MTA_LOG_UNSET,
  exim: MTA_LOG_UNSET,
};

/** The row columns `format`'s staged CSV leaves out (none for a format not in UNSET_BY_FORMAT). */
export function unsetColumns(format: string | null): readonly UnsetColumn[] {
  return (format !== null && UNSET_BY_FORMAT[format as FormatName]) || [];
}

/** A row of a format setting a column its staged rows leave out (a parser that changed: see UNSET_BY_FORMAT). */
export function unsetError(column: string): Error {
  return new Error(
    `a staged row sets ${column}, which its format's rows leave out (staging.ts UNSET_BY_FORMAT)`,
  );
}

export type StagingRow = {
  [K in Exclude<(typeof STAGING_COLUMNS)[number][0], Derived>]: string | number | boolean | null;
};

/**
 * Normalizes a parsed event to a staging row; null when it has no usable time (quarantined). `text`: the
 * reply where the event's is left on the line's bytes (as outcome-csv.ts writes such an event's row).
 */
export function stagingRow(event: DeliveryEvent, format: string, text = event.reply): StagingRow | null {
  const timeMs = timeOf(event.time);
  if (!Number.isFinite(timeMs)) return null;
  const recipient = event.recipient ? trimAscii(event.recipient).toLowerCase() || null : null;
  const reply = text ? trimAscii(text) || null : null;
  return {
    // Without a source id, the store computes the identity (IDENTITY_SQL) from the same columns.
    identity: event.eventId ? `${format}:${event.eventId}` : null,
    type: event.type,
    time: timeMs,
    recipient,
    campaign: event.campaign,
    sending_ip: event.sendingIp,
    pool: event.pool,
    sending_domain: event.sendingDomain?.toLowerCase() ?? null,
    stream: event.stream,
    remote_mta: event.remoteMta,
    message_id: event.messageId,
    reply,
    reply_code: event.replyCode ?? replyCodeOf(reply),
    status: event.status,
    source_label: event.sourceLabel,
    machine_open: event.type === "open" ? event.machineOpen : null,
    reader_ip: event.readerIp,
    user_agent: event.userAgent,
    url: event.url,
    line: event.source.line,
    problem: null,
    raw: null,
    // Only a classified type's reply key reads the hint (finalize.ts REPLY_KEY_SQL): other rows stage none.
    hint: CLASSIFIED.has(event.type) ? sourceHint(event) : null,
    reply_mask: reply !== null && CLASSIFIED.has(event.type) ? masked(reply) : null,
    host_key: CLASSIFIED.has(event.type) || event.remoteMta ? storedHostKey(event.remoteMta) : null,
    queue_id: event.queueId ?? null,
  };
}

/** The staging row of what a parser gave: an event's, or a bad record's (quarantined). */
export function itemRow(item: DeliveryEvent | ParseProblem, format: string): StagingRow {
  return isProblem(item) ? problemRow(item) : (stagingRow(item, format) ?? noTimeRow(item));
}

/** What a named limit that cut the input says (the run exits 1); null for any other problem. */
export function limitOf(problem: ParseProblem): string | null {
  if (!problem.failed) return null;
  return problem.source.line === null ? problem.message : `line ${problem.source.line}: ${problem.message}`;
}

/**
 * A batch of parsed items as staging rows into `rows` (a staging, or a thread's rows); the problems of a
 * named limit are noted in `limits`.
 */
export function addItems(
  rows: { add(row: StagingRow): void },
  batch: readonly (DeliveryEvent | ParseProblem)[],
  format: string,
  limits: string[],
): void {
  for (const item of batch) {
    if (isProblem(item)) {
      const limit = limitOf(item);
      if (limit !== null) limits.push(limit);
    }
    rows.add(itemRow(item, format));
  }
}

/** A row with every column NULL: with a line, the row of a record the source does not model (skipped). */
export const EMPTY_ROW: StagingRow = Object.fromEntries(
  ROW_COLUMNS.map(([name]) => [name, null]),
) as StagingRow;

export function problemRow(problem: ParseProblem): StagingRow {
  return {
    ...EMPTY_ROW,
    line: problem.source.line,
    problem: problem.message,
    raw: problem.raw?.slice(0, MAX_RAW) ?? null,
  };
}

export function noTimeRow(event: DeliveryEvent): StagingRow {
  const raw = JSON.stringify({ type: event.type, recipient: event.recipient, time: event.time }).slice(
    0,
    MAX_RAW,
  );
  return { ...EMPTY_ROW, line: event.source.line, problem: "no usable timestamp", raw };
}

/** The types whose replies the store classifies (finalize.ts keys only those). */
export const CLASSIFIED: ReadonlySet<string> = new Set(FAILURE_TYPES);
const MASK = new ReplyMask();

export function masked(reply: string): string {
  MASK.scan(reply);
  return MASK.masked(reply);
}

/** storedHostKey's last answers: a log names a few hosts, a hostile one any number (cleared when full). */
const HOST_KEYS = new Map<string, string>();
const HOST_KEYS_HELD = 4096;

/**
 * What the reply key reads of a remote MTA (finalize.ts replyKeySql, in SQL hostKeySql): none for none, a plain
 * one's host key (hostKeyOf), any other's own text after `=`.
 */
export function storedHostKey(remoteMta: string | null): string {
  if (!remoteMta) return "";
  let key = HOST_KEYS.get(remoteMta);
  if (key === undefined) {
    key = plainRemoteMta(remoteMta) ? hostKeyOf(remoteMta) : `=${remoteMta}`;
    if (HOST_KEYS.size >= HOST_KEYS_HELD) HOST_KEYS.clear();
    HOST_KEYS.set(remoteMta, key);
  }
  return key;
}

/** Epoch ms of an event time; consecutive events mostly share theirs (a log's second), parsed once. */
let lastTime: string | null = null;
let lastMs = Number.NaN;
export function timeOf(time: string | null): number {
  if (time !== lastTime) {
    lastMs = time ? Date.parse(time) : Number.NaN;
    // A copy: the time may be a slice of a whole decoded input chunk.
    lastTime = time === null ? null : ` ${time}`.slice(1);
  }
  return lastMs;
}

/** The reply code a stored reply starts with (src/bounce/reply.ts leadingReplyCode, the SQL reader's twin). */
export function replyCodeOf(reply: string | null): number | null {
  return reply === null ? null : leadingReplyCode(reply);
}
