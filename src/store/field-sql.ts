import { EVENT_TYPES } from "../events/event.ts";
import type { Cond, EventField, Expr, FieldTable, LeafType, TransformName } from "../events/field-table.ts";
import { canonicalName, OUTCOMES } from "../events/table-parser.ts";
import { GENERIC_TYPE_ALIASES } from "../events/transforms.ts";
import { NUMBER_TEXT } from "../events/values.ts";
import { sqlEnum, sqlIdent, sqlIn, sqlList, sqlString } from "../util/sql.ts";

/**
 * A field table (src/events/field-table.ts) compiled to one DuckDB query that reads a file and yields
 * staging-shaped rows (src/analytics/ingest/staging.ts): the DuckDB twin of src/events/table-parser.ts.
 * The query reads the file bound to `$path` (times without an offset in `$tz`). It is exact where it
 * yields a value; where it cannot be (a record the JSON types do not fit, a time DuckDB does not read the
 * way JavaScript does) the row gets `problem` set, and ingest then reads the file with the JS parser.
 */

export { sqlString };

const ident = sqlIdent;

export type SqlType = "VARCHAR" | "DOUBLE" | "BOOLEAN" | "JSON" | "INTEGER" | "TIMESTAMP";
export interface Sql {
  sql: string;
  type: SqlType;
  /** Text that is never '' (NULL instead), so its field needs no `nullif(…, '')` of its own. */
  nonEmpty?: boolean;
  /** Text already in lower case, so a field stored lower-cased needs no `lower` of its own. */
  lowerCase?: boolean;
}

/** A JSON shape: a leaf type, or an object of shapes; lists of objects are `{ list: … }`. */
type Shape = { leaf: SqlType } | { fields: Map<string, Shape> } | { list: Shape };

const LEAF: Record<LeafType, SqlType> = {
  text: "VARCHAR",
  number: "DOUBLE",
  // Not BOOLEAN: DuckDB's reader would take 2, 1.5 and "t" as true, where the `bool` transform (the parser's
  // reading) finds no boolean; read as JSON, the transform's SQL reads it as the parser does.
  bool: "JSON",
  first: "JSON",
  json: "JSON",
};

export interface TableSqlOptions {
  /**
   * `ndjson`: DuckDB's parallel NDJSON reader (no line numbers); `lines`: line by line (numbered; arrays);
   * `documents`: DuckDB's JSON reader of any layout (no line numbers): pretty-printed arrays or records one
   * after another, or records concatenated without separators (Amazon Kinesis Data Firehose).
   */
  reader: "ndjson" | "lines" | "documents";
  /** DuckDB's compression name for the file (`none`, `gzip`, `zstd`). */
  compression: string;
  /** CSV: the file's header. */
  header?: readonly string[];
  /** CSV: the file has no header line (its first record is data): `header` names its columns. */
  headerless?: boolean;
  /**
   * A table with an `envelope`: every record of the file is inside one (its head shows an envelope), so only
   * the envelope's two fields are read, not the record's own fields too, which DuckDB's reader would build as
   * wide typed structs of NULLs for every enveloped record. A record outside an envelope is then a problem:
   * the caller reads the file another way.
   */
  enveloped?: boolean;
  /**
   * A batch of files read as one (`ndjson`, `documents` and CSV readers, not `lines`: its line numbers run on
   * across files): these paths, in the query, each read as `$path` is, and each row's file as `part`, its
   * position in the list from 0 (src/analytics/ingest/batch.ts).
   */
  paths?: readonly string[];
}

/** The column a batch's reader names each row's file in (TableSqlOptions.paths). */
const FILE_COLUMN = "deliverlens_file";

/** A batch's files in SQL, and each row's file as its position in them from 0 (`part`). */
function batchFiles(paths: readonly string[]): { files: string; part: string } {
  const files = `[${paths.map(sqlString).join(", ")}]`;
  return { files, part: `list_position(${files}, ${FILE_COLUMN}) - 1 AS part` };
}

// ---------------------------------------------------------------------------------------------------
// SQL twins of JS helpers (each runs on every row of a 10M-event file: cheap tests before regexps).

/** The ASCII whitespace JS `trim()` removes from the text events carry. */
const WHITESPACE_CODES = [32, 9, 10, 11, 12, 13];
const WHITESPACE = WHITESPACE_CODES.map((code) => (code === 32 ? "' '" : `chr(${code})`)).join(" || ");

/**
 * Whether a text starts with a byte up to 32 (ASCII whitespace among them) or is empty: a comparison of the
 * string's first bytes, which DuckDB keeps inline — `ascii(x) <= 32` is the same test but first reads the whole
 * string for UTF-8 (SendGrid insert, 20k events, bench/insert-instructions.ts: 398.8 → 396.6 M instructions;
 * the guard alone on 141k recipients and replies: 355 → 297 instructions a row). A multi-byte first character
 * starts with a byte ≥ 0xC2. Only a guard: the trim it lets through is the exact one.
 */
const STARTS_BLANK_SQL = (column: string): string => `${column} < '!'`;

/**
 * Trim of ASCII whitespace, like JS `trim()` on the text events carry. The guard lets through every text whose
 * first or last character is below "!" (ASCII whitespace among them, and the empty text); the trim it lets
 * through is the exact one, so a wider guard changes no value. The last character as one comparison,
 * `x[-1] < '!'`, not `ascii(x[-1])` (which reads the whole string for UTF-8) nor one `ends_with` per whitespace
 * character (six calls a row): DuckDB 1 thread, 3M SendGrid recipients 30–33 → 15–18 ms of CPU, 3M replies
 * (60 % NULL) 24–27 → 12–13 ms, the same replies 8× longer 23–27 → 11 ms; the SendGrid INSERT of 100k events
 * (callgrind, ExecuteTask) 2,191.4 → 2,152.6 M instructions (−1.8 %; its four guards: recipient, reply, smtp-id,
 * status).
 */
export const TRIM_SQL = (column: string): string =>
  `CASE WHEN ${STARTS_BLANK_SQL(column)} OR (${column})[-1] < '!'
    THEN trim(${column}, ${WHITESPACE}) ELSE ${column} END`;
/**
 * The one form of a Message-ID the store keeps (`event_rows.message_id`, and the `message_key` hashing it),
 * whichever reader read it: without the angle brackets and ASCII whitespace at its ends (every `<`, `>` and
 * blank there: `<id@host>`, ` <id@host> ` → `id@host`), NULL when nothing is left. The store's insert applies it
 * (src/analytics/ingest/finalize.ts insertFlaggedSql) to the rows of a format whose id is a Message-ID header
 * as written (FieldTable.headerMessageId: KumoMTA, Mailgun, generic NDJSON/CSV), read by DuckDB or the parsers;
 * the other readers' ids have no brackets or lose them in the reader (`stripAngles`, Postfix, bounce emails),
 * so SendGrid's rows do not pay for the test. An event's identity hashes the id as its source wrote it (the
 * keys of stored rows stay). A bare id is only tested, not copied:
 * its first character (a blank, `<`, none) and its last (`>` or a space; an id ending in another blank without
 * one before it is kept as is). No IN list: five or more constants plan a join (test/analytics/insert-plan).
 * SendGrid 100k events, bench/insert-instructions.ts: 2,081.8 M instructions without it, 2,108.5 M with it
 * (+1.3 %), 2,132.8 M testing every blank at the end (five tests more), 2,566.9 M trimming unconditionally
 * (trim with a character list copies every id).
 * Frozen once a migration used it (schema 16): a change is a new migration.
 */
export const BARE_MESSAGE_ID_SQL = (column: string): string =>
  `CASE WHEN ascii(${column}) <= 32 OR starts_with(${column}, '<') OR ends_with(${column}, '>') OR ends_with(${column}, ' ')
    THEN nullif(trim(${column}, ${WHITESPACE} || '<>'), '') ELSE ${column} END`;
/**
 * A domain, or an address, without the root dot its domain may be written with (`gmail.com.`, `c@gmail.com.`): the
 * same name (RFC 1034 §3.1), as src/bounce/provider.ts `recipientDomain` reads it (review s41 R110). One dot only:
 * `gmail.com..` is no name. Used where a provider or an address's identity is derived (providerOfDomainSql, the
 * hosting evidence, recipient_hash and message_key); the stored recipient keeps its text (its event key hashes it).
 */
export const WITHOUT_ROOT_DOT_SQL = (column: string): string =>
  `CASE WHEN ends_with(${column}, '.') THEN left(${column}, -1) ELSE ${column} END`;
const LTRIM_SQL = (column: string): string =>
  `CASE WHEN ${STARTS_BLANK_SQL(column)} THEN ltrim(${column}, ${WHITESPACE}) ELSE ${column} END`;

/**
 * SQL twin of src/analytics/ingest/staging.ts `replyCodeOf` and src/bounce/reply.ts `leadingReplyCode`.
 * Anchored (RE2 reads at most four characters), not `left(…, 4)` first: one substring fewer per row
 * (1M SendGrid replies: 45–54 vs 59–69 ms of CPU).
 */
export const REPLY_CODE_SQL = (column: string): string =>
  `CASE WHEN regexp_matches(${column}, '^[2-5][0-9][0-9]([ \\t-]|$)') THEN left(${column}, 3)::INTEGER END`;

const STATUS_PATTERN = "[2-5]\\.[0-9]{1,3}\\.[0-9]{1,3}";
/**
 * The status after an optional reply code and its separator, `^(?:[2-5][0-9][0-9][ \t-])? *(STATUS)(?:[ \t]|$)`,
 * written so that each character decides the branch (a code's second character is a digit, a status's a dot;
 * a leading space means no code): RE2 then runs it in one pass instead of backtracking, 40 % less CPU for
 * the costliest expression of a SendGrid row (1M replies, threads=1: 104–109 vs 168–203 ms). The status is
 * group b (after a code), a‖c (at the start) or d (after spaces); unmatched groups are ''.
 */
const STATUS_GROUPS = `^(?:([2-5])(?:[0-9][0-9][ \\t-] *(${STATUS_PATTERN})|(\\.[0-9]{1,3}\\.[0-9]{1,3}))| +(${STATUS_PATTERN}))(?:[ \\t]|$)`;

/** SQL twin of `leadingStatus`: the status after an optional reply code and its separator. */
export const LEADING_STATUS_SQL = (column: string): string =>
  `CASE WHEN contains(${column}, '.') THEN list_transform([regexp_extract(${column}, '${STATUS_GROUPS}', ['a', 'b', 'c', 'd'])],
    status_groups -> CASE WHEN status_groups.c <> '' THEN status_groups.a || status_groups.c
      ELSE nullif(status_groups.b || status_groups.d, '') END)[1] END`;

/** SQL twin of `stripDiagnosticType`. */
const STRIP_DIAGNOSTIC_SQL = (column: string): string =>
  `CASE WHEN strpos(left(${column}, 13), ';') > 1 AND lower(split_part(${column}, ';', 1)) IN ('smtp', 'x-postfix', 'x-unix', 'x-local')
    THEN ${LTRIM_SQL(`substr(${column}, strpos(${column}, ';') + 1)`)} ELSE ${column} END`;

/** Epoch milliseconds → TIMESTAMP (JS Date's range and truncation toward zero). */
const FROM_MS = (ms: string): string =>
  `CASE WHEN abs(${ms}) <= 8.64e15 THEN make_timestamp(CAST(trunc(${ms}) AS BIGINT) * 1000) END`;

/** JS `isoTime` of a number: unix seconds, or milliseconds above 1e11. */
const ISO_NUMBER = (n: string): string => FROM_MS(`(CASE WHEN ${n} > 1e11 THEN ${n} ELSE ${n} * 1000 END)`);

/** A TIMESTAMPTZ to millisecond precision, as a UTC TIMESTAMP. */
const FROM_TZ = (value: string): string => `make_timestamp(epoch_ms(${value}) * 1000)`;

/** A four-digit year from 1970 on, as a regular expression. */
const ISO_YEAR = "(19[7-9][0-9]|[2-9][0-9][0-9][0-9])";
/** `HH:MM` of a clock or a zone: hours 00–23 (RFC 3339 §5.6). */
const CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9]";
/** A zone's `HHMM` or `HH:MM`. */
const CLOCK_ZONE = "([01][0-9]|2[0-3]):?[0-5][0-9]";

/** JS `isoTime` of text: a number, else a date DuckDB reads (V8 reads more: those rows fall back). */
const ISO_TEXT = (t: string): string =>
  // A date alone, or with a zone after an optional time. Tested before the number: no such text is a
  // number, and a failing cast to DOUBLE costs as much as the regexp (ISO times are the common case).
  // The cast reads NUMBER_TEXT and more: `1_000`, which is no number (one `contains`, not the regexp per
  // row: SparkPost's times are text), and `inf`/`nan`, which are no time either way.
  // Years 1970–9999, hours 00–23 and zones under 24 hours as src/util/dates.ts isoTextMs reads them: DuckDB's
  // cast reads `24:00` and `+99:59`; a day the month lacks is NULL from the cast, and the row falls back.
  `CASE WHEN regexp_full_match(${t}, '${ISO_YEAR}-[0-9][0-9]-[0-9][0-9](([T ]${CLOCK}(:[0-5][0-9](\\.[0-9]+)?)?)?(Z|[+-]${CLOCK}))?')
    THEN ${FROM_TZ(`TRY_CAST(${t} AS TIMESTAMPTZ)`)}
    WHEN TRY_CAST(${t} AS DOUBLE) IS NOT NULL AND NOT contains(${t}, '_') THEN ${ISO_NUMBER(`TRY_CAST(${t} AS DOUBLE)`)} END`;

/** src/events/syslog-time.ts `zonedIso`: the forms it reads; a zone-less time is in `$tz`. */
const ZONED_TEXT = (t: string): string =>
  `CASE WHEN regexp_full_match(${t}, '[0-9]{4}-[0-9][0-9]-[0-9][0-9][T ]${CLOCK}:[0-9][0-9](\\.[0-9]+)?(Z|[+-]${CLOCK_ZONE})?')
    THEN CASE WHEN regexp_matches(right(${t}, 6), '(Z|[+-][0-9][0-9]:?[0-9][0-9])$')
      THEN ${FROM_TZ(`TRY_CAST(${t} AS TIMESTAMPTZ)`)}
      ELSE ${FROM_TZ(`timezone($tz, TRY_CAST(${t} AS TIMESTAMP))`)} END END`;

/**
 * `CASE key WHEN from THEN to … ELSE otherwise END` with `key` evaluated once: DuckDB rewrites a simple
 * CASE into one `key = from` test per arm, each computing `key` again (the generic formats' event type,
 * trimmed and lower-cased, 24 times per row). The key is cast to an ENUM of the `from` values (NULL when it
 * is none of them) and its code picks the value.
 */
function lookupSql(key: string, pairs: ReadonlyArray<readonly [string, string]>, otherwise = "NULL"): string {
  if (pairs.length === 0) return otherwise;
  const from = pairs.map(([value]) => sqlString(value)).join(", ");
  const to = pairs.map(([, value]) => value).join(", ");
  const picked = `[${to}][enum_code(TRY_CAST(${key} AS ENUM(${from}))) + 1]`;
  return otherwise === "NULL" ? picked : `coalesce(${picked}, ${otherwise})`;
}

/**
 * The text at `path` of the JSON value `json`, parenthesised (review R150): `->>` and `::` bind tighter than most
 * operators, so a value given as an expression (not a bare column) would otherwise be read in part. Every JSON
 * read here goes through these two, so one value's reads are one text (a value read once is shared by its text).
 */
const JSON_TEXT = (json: string, path = "'$'"): string => `(${json})->>${path}`;
/** A JSON value's own text (JSON_TEXT's parentheses). */
const JSON_VARCHAR = (json: string): string => `(${json})::VARCHAR`;
/**
 * Whether a JSON value is a number, as one test: DuckDB rewrites `json_type(x) IN (…)` (and a simple CASE
 * on it) into one comparison per value, each parsing the JSON again; `list_contains` parses it once.
 */

const IS_JSON_NUMBER = (json: string): string =>
  `list_contains(['BIGINT', 'UBIGINT', 'DOUBLE'], json_type(${json}))`;

/**
 * The text of a JSON value at `path` when it is a string or a number (`->>` gives a number's text and
 * SQL NULL for JSON null), else NULL. Each JSON function appears once: DuckDB parses the JSON text per
 * call, and hoists a call written twice into a projection of its own, evaluated for every row even where
 * a lazy `coalesce`/`CASE` around it would never have needed it (SendGrid's `category` after `campaign_id`).
 */
const JSON_SCALAR_TEXT = (json: string, path: string): string =>
  `CASE WHEN list_contains(['ARRAY', 'OBJECT', 'BOOLEAN'], json_type(${json}, ${path})) THEN NULL ELSE ${JSON_TEXT(json, path)} END`;

/**
 * A JSON item value as text, an object, list or boolean as its JSON text: no value to the parser, which makes
 * an item recipient of that kind a problem — its text here sends the file to the parsers (otherKindsSql, and
 * the insert's row test of `true`/`false`).
 */
const KIND_TEXT = (json: string): string =>
  `CASE WHEN list_contains(['ARRAY', 'OBJECT', 'BOOLEAN'], json_type(${json})) THEN ${JSON_VARCHAR(json)} ELSE ${JSON_TEXT(json)} END`;

/** Any value as JS `str()` reads it: strings and numbers as text, anything else null. */
function text(value: Sql): string {
  switch (value.type) {
    case "VARCHAR":
      return value.sql;
    case "JSON":
      return JSON_SCALAR_TEXT(value.sql, "'$'");
    case "INTEGER":
      return `CAST(${value.sql} AS VARCHAR)`;
    case "DOUBLE":
      return `CASE WHEN ${value.sql} = trunc(${value.sql}) AND abs(${value.sql}) < 1e15 THEN CAST(CAST(${value.sql} AS BIGINT) AS VARCHAR) ELSE CAST(${value.sql} AS VARCHAR) END`;
    case "TIMESTAMP":
      return `strftime(${value.sql}, '%Y-%m-%dT%H:%M:%S.%gZ')`;
    default:
      return "NULL::VARCHAR";
  }
}

/** Text as a number: only NUMBER_TEXT (src/events/values.ts), which DuckDB's cast reads as JavaScript does. */
const NUMBER_FROM_TEXT = (t: string): string =>
  `CASE WHEN regexp_full_match(${t}, ${sqlString(NUMBER_TEXT)}) THEN TRY_CAST(${t} AS DOUBLE) END`;

/** A value as a number (JSON numbers and numeric text), for `int`. */
function number(value: Sql, once: Once): string {
  if (value.type === "DOUBLE" || value.type === "INTEGER") return `TRY_CAST(${value.sql} AS DOUBLE)`;
  if (value.type === "JSON")
    return `CASE WHEN ${IS_JSON_NUMBER(value.sql)} THEN TRY_CAST(${value.sql} AS DOUBLE) WHEN json_type(${value.sql}) = 'VARCHAR' THEN ${NUMBER_FROM_TEXT(once({ sql: JSON_TEXT(value.sql), type: "VARCHAR" }).sql)} END`;
  if (value.type === "VARCHAR") return NUMBER_FROM_TEXT(value.sql);
  return "NULL::DOUBLE";
}

const INT = (n: string): string =>
  `CASE WHEN ${n} = trunc(${n}) AND abs(${n}) < 2147483648 THEN CAST(${n} AS INTEGER) END`;

/** JS `isoTime` of any value. */
function isoTime(value: Sql, once: Once): string {
  if (value.type === "DOUBLE" || value.type === "INTEGER") return ISO_NUMBER(value.sql);
  if (value.type === "VARCHAR") return ISO_TEXT(value.sql);
  if (value.type === "JSON") {
    // A JSON value's number and text, each read once: written out, the tests repeat them a dozen times.
    const n = once({
      sql: `CASE WHEN ${IS_JSON_NUMBER(value.sql)} THEN TRY_CAST(${value.sql} AS DOUBLE) END`,
      type: "DOUBLE",
    });
    const t = once({
      sql: `CASE WHEN json_type(${value.sql}) = 'VARCHAR' THEN ${JSON_TEXT(value.sql)} END`,
      type: "VARCHAR",
    });
    return `CASE WHEN ${n.sql} IS NOT NULL THEN ${ISO_NUMBER(n.sql)} WHEN ${t.sql} IS NOT NULL THEN ${ISO_TEXT(t.sql)} END`;
  }
  return "NULL::TIMESTAMP";
}

function bool(value: Sql): string {
  const fromText = (t: string) =>
    lookupSql(t, [
      ["1", "true"],
      ["true", "true"],
      ["yes", "true"],
      ["0", "false"],
      ["false", "false"],
      ["no", "false"],
    ]);
  if (value.type === "BOOLEAN") return value.sql;
  if (value.type === "VARCHAR") return fromText(value.sql);
  if (value.type === "DOUBLE" || value.type === "INTEGER")
    return `CASE ${value.sql} WHEN 1 THEN true WHEN 0 THEN false END`;
  // A JSON boolean first, by its text: DuckDB writes a JSON value's text as its writer (yyjson) does, a
  // boolean as `true` or `false` and nothing else (a string keeps its quotes), so the comparison reads no JSON;
  // the rest parse it (json_type, the cast) as before.
  if (value.type === "JSON")
    return `CASE ${JSON_VARCHAR(value.sql)} WHEN 'true' THEN true WHEN 'false' THEN false
      ELSE CASE json_type(${value.sql}) WHEN 'BOOLEAN' THEN TRY_CAST(${value.sql} AS BOOLEAN)
      WHEN 'VARCHAR' THEN ${fromText(JSON_TEXT(value.sql))}
      ELSE CASE WHEN ${IS_JSON_NUMBER(value.sql)} THEN CASE TRY_CAST(${value.sql} AS DOUBLE) WHEN 1 THEN true WHEN 0 THEN false END END END END`;
  return "NULL::BOOLEAN";
}

const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES);

/**
 * A staged row's `type` is the store's ENUM (`event_type`) from the reader on: its tests compare codes, and
 * the INSERT stores it without a cast (a string per row compared with each type's text and cast once more:
 * 100k SendGrid events, bench/insert-instructions.ts, see the commit).
 */
const EVENT_TYPE = "event_type";
const storedType = (name: string): string => sqlEnum(name, EVENT_TYPE);

/** Whether the event type in `column` is an outcome (table-parser.ts OUTCOMES). */
const outcome = (column: string): string => `coalesce(${sqlIn(column, [...OUTCOMES], EVENT_TYPE)}, false)`;

/**
 * A value as a column computed once when the transform is compiled into a table's query (`bind`), as it is
 * where its SQL is tested alone: transforms write their argument several times (a test, then the value).
 */
type Once = (value: Sql) => Sql;
const textOnce = (value: Sql, once: Once): string => once({ sql: text(value), type: "VARCHAR" }).sql;

const TRANSFORM_SQL: Record<TransformName, (args: Sql[], once: Once) => Sql> = {
  isoTime: ([a], once) => ({ sql: isoTime(a, once), type: "TIMESTAMP" }),
  zonedTime: ([a], once) => ({ sql: ZONED_TEXT(textOnce(a, once)), type: "TIMESTAMP" }),
  genericTime: ([a], once) => {
    const zoned = (t: string) =>
      ZONED_TEXT(
        once({
          sql: `CASE WHEN regexp_full_match(${t}, '[0-9]{4}-[0-9][0-9]-[0-9][0-9]') THEN ${t} || ' 00:00:00' ELSE ${t} END`,
          type: "VARCHAR",
        }).sql,
      );
    if (a.type !== "JSON" && a.type !== "VARCHAR") return { sql: isoTime(a, once), type: "TIMESTAMP" };
    // A JSON string's text; other values are read by isoTime.
    const t = once({
      sql:
        a.type === "JSON"
          ? `CASE WHEN json_type(${a.sql}) = 'VARCHAR' THEN ${JSON_TEXT(a.sql)} END`
          : text(a),
      type: "VARCHAR",
    }).sql;
    const textual = a.type === "JSON" ? `${t} IS NOT NULL` : "true";
    const isoText = a.type === "JSON" ? ISO_TEXT(t) : isoTime(a, once);
    return {
      sql: `CASE WHEN ${textual} AND regexp_matches(${t}, '^[0-9]{4}-') THEN ${zoned(textOnce({ sql: TRIM_SQL(t), type: "VARCHAR" }, once))}
        WHEN ${textual} THEN ${isoText} ELSE ${isoTime(a, once)} END`,
      type: "TIMESTAMP",
    };
  },
  lower: ([a]) => ({ sql: `lower(${text(a)})`, type: "VARCHAR", lowerCase: true }),
  stripAngles: ([a], once) => {
    const t = textOnce({ sql: TRIM_SQL(textOnce(a, once)), type: "VARCHAR" }, once);
    return {
      sql: `CASE WHEN starts_with(${t}, '<') AND ends_with(${t}, '>') THEN (${t})[2:-2] ELSE ${t} END`,
      type: "VARCHAR",
    };
  },
  stripDiagnosticType: ([a], once) => ({
    sql: STRIP_DIAGNOSTIC_SQL(`(${textOnce(a, once)})`),
    type: "VARCHAR",
  }),
  domainOf: ([a], once) => {
    const t = `(${textOnce(a, once)})`;
    return {
      sql: `CASE WHEN strpos(${t}, '@') > 0 THEN lower(CASE WHEN ends_with(${t}, '>') THEN split_part(${t}, '@', -1)[:-2] ELSE split_part(${t}, '@', -1) END) END`,
      type: "VARCHAR",
      lowerCase: true,
    };
  },
  leadingReplyCode: ([a], once) => ({ sql: REPLY_CODE_SQL(`(${textOnce(a, once)})`), type: "INTEGER" }),
  leadingStatus: ([a], once) => ({
    sql: LEADING_STATUS_SQL(`(${textOnce(a, once)})`),
    type: "VARCHAR",
    nonEmpty: true,
  }),
  cleanStatus: ([a], once) => ({
    sql: LEADING_STATUS_SQL(textOnce({ sql: TRIM_SQL(`(${textOnce(a, once)})`), type: "VARCHAR" }, once)),
    type: "VARCHAR",
    nonEmpty: true,
  }),
  mtaName: ([a], once) => {
    const t = `(${textOnce(a, once)})`;
    // Not bound: only values with `;`, `(` or a space need it.
    const stripped = STRIP_DIAGNOSTIC_SQL(`regexp_replace(${t}, '^dns;\\s*', '', 'i')`);
    return {
      sql: `lower(CASE WHEN regexp_matches(${t}, '[;(\\s]') THEN regexp_extract(${stripped}, '^[^\\s(]*') ELSE ${t} END)`,
      type: "VARCHAR",
    };
  },
  int: ([a], once) => ({ sql: INT(once({ sql: number(a, once), type: "DOUBLE" }).sql), type: "INTEGER" }),
  bool: ([a]) => ({ sql: bool(a), type: "BOOLEAN" }),
  replyWithCode: ([content, code, status], once) => {
    const c = `(${textOnce(content, once)})`;
    const s = status ? `(${textOnce(status, once)})` : "NULL::VARCHAR";
    const prefix = textOnce({ sql: `concat_ws(' ', ${text(code)}, ${s})`, type: "VARCHAR" }, once);
    return {
      sql: `CASE WHEN ${c} <> '' AND ${prefix} <> '' AND ${REPLY_CODE_SQL(c)} IS NULL AND NOT coalesce(starts_with(${c}, ${s}), false)
        THEN ${prefix} || ' ' || ${c} ELSE ${c} END`,
      type: "VARCHAR",
    };
  },
  enhancedCode: (parts, once) => {
    const ints = parts
      .map((part) => TRANSFORM_SQL.int([part], once).sql)
      .map((i) => once({ sql: i, type: "INTEGER" }).sql);
    return {
      sql: `CASE WHEN ${ints.map((i) => `${i} IS NOT NULL`).join(" AND ")} THEN concat_ws('.', ${ints.join(", ")}) END`,
      type: "VARCHAR",
    };
  },
  queueCampaign: ([a], once) => {
    const t = `(${textOnce(a, once)})`;
    return { sql: `CASE WHEN strpos(${t}, ':') > 1 THEN split_part(${t}, ':', 1) END`, type: "VARCHAR" };
  },
  hostAddress: ([a], once) => {
    const t = textOnce(
      a.type === "JSON"
        ? {
            sql: `(CASE json_type(${a.sql}) WHEN 'OBJECT' THEN ${text({ sql: `(${a.sql}->'address')`, type: "JSON" })} ELSE ${text(a)} END)`,
            type: "VARCHAR",
          }
        : a,
      once,
    );
    return {
      sql: `CASE WHEN regexp_full_match(${t}, '\\[([^\\]]+)\\](:[0-9]+)?') THEN regexp_extract(${t}, '^\\[([^\\]]+)\\]', 1)
        WHEN strpos(${t}, ':') > 1 AND length(${t}) - length(replace(${t}, ':', '')) = 1 THEN split_part(${t}, ':', 1)
        ELSE ${t} END`,
      type: "VARCHAR",
    };
  },
  eventType: ([a], once) => {
    const key = textOnce({ sql: `lower(${TRIM_SQL(`(${textOnce(a, once)})`)})`, type: "VARCHAR" }, once);
    const pairs = [
      ...EVENT_TYPE_NAMES.map((name) => [name, name] as const),
      ...Object.entries(GENERIC_TYPE_ALIASES),
    ].map(([from, to]) => [from, sqlString(to)] as const);
    return { sql: lookupSql(key, pairs), type: "VARCHAR" };
  },
};

/** The SQL twin of one transform over SQL values (test/analytics/transforms.test.ts compares it with JS). */
export function transformSql(name: TransformName, args: Sql[]): Sql {
  return TRANSFORM_SQL[name](args, (value) => value);
}

// ---------------------------------------------------------------------------------------------------
// Paths: JSON struct fields, or CSV columns.

interface Context {
  table: FieldTable;
  /** SQL of a path's value (raw type) for the current base ("root", or "r" for `requires`). */
  path(path: string, as: LeafType, base: string): Sql;
  /** SQL type of each computed field so far. */
  fields: Map<EventField, SqlType>;
  /** Values computed once, as columns: see `bind`. */
  shared: SharedValues;
}

/**
 * Values a row's SQL would otherwise compute more than once, each computed once as a column of a projection
 * below the one that uses it. DuckDB's own common-subexpression elimination does not look inside CASE, AND
 * or OR (it would lose their laziness), which is where field tables put almost everything: SES names its
 * event type in thirty conditions, and `isoTime` repeats its argument ten times.
 */
interface SharedValues {
  /** SQL → its column. */
  columns: Map<string, string>;
  /** Bound since the last projection, in the order bound (a value may use one bound before it). */
  pending: { sql: string; column: string }[];
  /** Expressions (JSON text) the table writes more than once. */
  repeated: ReadonlySet<string>;
}

function sharedValues(table: FieldTable): SharedValues {
  const counts = new Map<string, number>();
  const count = (e: Expr) => {
    const key = JSON.stringify(e);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  forEachExpr(table, count);
  return {
    columns: new Map(),
    pending: [],
    repeated: new Set([...counts].filter(([, n]) => n > 1).map(([key]) => key)),
  };
}

/**
 * A constant, a column, a struct field of one, or either with '' as NULL: as cheap to read again as a bound
 * column.
 */
const CHEAP = /^(?:'(?:[^']|'')*'|NULL::\w+|true|false|(?:nullif\()?\w+(?:\."(?:[^"]|"")*")*(?:, '')?\)?)$/;

/** `value` as a column computed once (see SharedValues), unless it is as cheap to compute again. */
function bind(value: Sql, cx: Context): Sql {
  if (CHEAP.test(value.sql)) return value;
  let column = cx.shared.columns.get(value.sql);
  if (column === undefined) {
    column = `v_${cx.shared.columns.size}`;
    cx.shared.columns.set(value.sql, column);
    cx.shared.pending.push({ sql: value.sql, column });
  }
  return { ...value, sql: column };
}

/** `query` with the values bound since the last projection as its columns (those using others a level up). */
function withShared(query: string, cx: Context): string {
  const levels: string[][] = [];
  const level = new Map<string, number>();
  for (const { sql, column } of cx.shared.pending) {
    const uses = [...level].filter(([used]) => new RegExp(`\\b${used}\\b`).test(sql));
    const at = Math.max(0, ...uses.map(([, n]) => n + 1));
    level.set(column, at);
    levels[at] ??= [];
    levels[at].push(`${sql} AS ${column}`);
  }
  cx.shared.pending = [];
  return levels.reduce((q, columns) => `SELECT *, ${columns.join(", ")} FROM (${q})`, query);
}

function compileExpr(e: Expr, cx: Context, base = "root"): Sql {
  const value = compileOnce(e, cx, base);
  return cx.shared.repeated.has(JSON.stringify(e)) ? bind(value, cx) : value;
}

function compileOnce(e: Expr, cx: Context, base: string): Sql {
  if (typeof e === "string") return nonEmpty(cx.path(e, "text", base));
  if ("path" in e) {
    const value = cx.path(e.path, e.as, base);
    if (e.as === "text") return nonEmpty(value);
    if (e.as === "first" && value.type === "JSON")
      return {
        // An array's text starts with "[" (no JSON parse to learn its type), one whose first item is a
        // string with '["': its text is read with one parse, not a type test and a read (SES tags, 4
        // fields × 290k records, one thread: 138–180 vs 196–273 ms). The text is bound once (a
        // lambda's parameter): `nullif(x, '')` writes x twice, and DuckDB hoists a repeated expression
        // into a projection of its own, evaluated for every row even where a `coalesce` around it would
        // never need it (SendGrid's `category` after `campaign_id`: two JSON parses a row).
        sql: `list_transform([CASE WHEN starts_with(${JSON_VARCHAR(value.sql)}, '["') THEN ${JSON_TEXT(value.sql, "'$[0]'")}
          WHEN starts_with(ltrim(${JSON_VARCHAR(value.sql)}), '[') THEN ${JSON_SCALAR_TEXT(value.sql, "'$[0]'")} ELSE ${JSON_SCALAR_TEXT(value.sql, "'$'")} END], t -> nullif(t, ''))[1]`,
        type: "VARCHAR",
        nonEmpty: true,
      };
    return e.as === "first" ? nonEmpty(value) : value;
  }
  if ("item" in e) return { sql: `it.${ident(e.item)}`, type: "VARCHAR" };
  if ("field" in e) {
    const type = cx.fields.get(e.field);
    if (!type) throw new Error(`${cx.table.format}: field ${e.field} used before it is computed`);
    // A computed text field is never '' (see `mapped`).
    return { sql: fieldColumn(e.field), type, nonEmpty: true };
  }
  if ("value" in e) {
    if (e.value === null) return { sql: "NULL::VARCHAR", type: "VARCHAR", nonEmpty: true };
    if (typeof e.value === "boolean") return { sql: String(e.value), type: "BOOLEAN" };
    return { sql: sqlString(e.value), type: "VARCHAR", nonEmpty: e.value !== "" };
  }
  if ("first" in e) {
    // A part giving "" is no value, as in the parser (`first` skips it): a transform's "" (hostAddress of
    // KumoMTA's `source_address.address: ""`, stripAngles of "<>") falls to the next part. The part is bound
    // (its column is read twice by nullif, DuckDB would compute it twice).
    const parts = e.first.map((part) => {
      const value = compileExpr(part, cx, base);
      if (value.type !== "VARCHAR" || value.nonEmpty) return value;
      return nonEmpty(bind(value, cx));
    });
    const type = parts[0].type;
    const sqls = parts.map((part) => (part.type === type ? part.sql : castTo(part, type)));
    return {
      sql: parts.length === 1 ? sqls[0] : `coalesce(${sqls.join(", ")})`,
      type,
      nonEmpty: parts.every((part) => part.type === type && part.nonEmpty),
    };
  }
  // Transforms read their argument several times (tests, then the value): a computed one is bound.
  if ("fn" in e) {
    const once = (value: Sql) => bind(value, cx);
    return TRANSFORM_SQL[e.fn](
      e.args.map((arg) => once(compileExpr(arg, cx, base))),
      once,
    );
  }
  if ("lookup" in e) return { sql: compileLookup(e, cx, base, sqlString), type: "VARCHAR" };
  if ("when" in e) {
    const use = compileExpr(e.use, cx, base);
    const otherwise = e.otherwise ? compileExpr(e.otherwise, cx, base) : null;
    const elseSql = otherwise
      ? otherwise.type === use.type
        ? otherwise.sql
        : castTo(otherwise, use.type)
      : "NULL";
    return {
      sql: `CASE WHEN ${compileCond(e.when, cx, base)} THEN ${use.sql} ELSE ${elseSql} END`,
      type: use.type,
      nonEmpty: use.nonEmpty && (!otherwise || (otherwise.type === use.type && otherwise.nonEmpty)),
    };
  }
  if ("join" in e) {
    const texts = e.join.map((part) => text(compileExpr(part, cx, base)));
    const joined = `nullif(concat_ws(${sqlString(e.sep)}, ${texts.map((t) => `nullif(${t}, '')`).join(", ")}), '')`;
    // Parts that are columns (or their '' → NULL) are tested before the join: concat_ws costs a call per row
    // even when every part is NULL, the common case of a label only some events carry (SendGrid's bounce
    // `type` and `bounce_classification`: −0.8 % of its insert's instructions).
    const columns = texts.map((t) => /^(?:nullif\()?([\w."]+)(?:, '')?\)?$/.exec(t)?.[1]);
    return {
      sql: columns.every((c) => c !== undefined)
        ? `CASE WHEN ${columns.map((c) => `${c} IS NOT NULL`).join(" OR ")} THEN ${joined} END`
        : joined,
      type: "VARCHAR",
      nonEmpty: true,
    };
  }
  const parts = e.concat.map((part) => `coalesce(${text(compileExpr(part, cx, base))}, '')`);
  return { sql: `concat(${parts.join(", ")})`, type: "VARCHAR" };
}

/** A lookup's SQL, each value it gives written by `literal` (a string, or an ENUM's literal). */
function compileLookup(
  e: Extract<Expr, { lookup: unknown }>,
  cx: Context,
  base: string,
  literal: (value: string) => string,
): string {
  const key = text(compileExpr(e.key, cx, base));
  const otherwise = e.otherwise ? text(compileExpr(e.otherwise, cx, base)) : "NULL";
  const pairs = Object.entries(e.lookup).map(([from, to]) => [from, literal(to)] as const);
  // A plain column (or its '' → NULL) is as cheap to compare per arm as to cast.
  if (/^(?:[\w."]+|nullif\([\w."]+, ''\))$/.test(key)) {
    const arms = pairs.map(([from, to]) => `WHEN ${sqlString(from)} THEN ${to}`);
    return `CASE ${key} ${arms.join(" ")} ELSE ${otherwise} END`;
  }
  return lookupSql(key, pairs, otherwise);
}

function castTo(value: Sql, type: SqlType): string {
  if (type === "VARCHAR") return text(value);
  return `TRY_CAST(${value.sql} AS ${type})`;
}

/** JS `str()` turns "" into null. */
function nonEmpty(value: Sql): Sql {
  if (value.type !== "VARCHAR" || value.nonEmpty) return value;
  return { sql: `nullif(${value.sql}, '')`, type: "VARCHAR", nonEmpty: true };
}

function compileCond(c: Cond, cx: Context, base = "root"): string {
  const sure = (sql: string) => `coalesce(${sql}, false)`;
  if ("type" in c) return sure(sqlIn("etype", c.type, EVENT_TYPE));
  if ("eq" in c) {
    const value = compileExpr(c.eq[0], cx, base);
    const t = value.type === "BOOLEAN" ? `CAST(${value.sql} AS VARCHAR)` : text(value);
    return sure(`${t} = ${sqlString(c.eq[1])}`);
  }
  if ("oneOf" in c) {
    const t = text(compileExpr(c.oneOf[0], cx, base));
    return sure(sqlIn(t, c.oneOf[1]));
  }
  if ("present" in c) return `(${compileExpr(c.present, cx, base).sql}) IS NOT NULL`;
  if ("prefix" in c)
    return sure(`starts_with(${text(compileExpr(c.prefix[0], cx, base))}, ${sqlString(c.prefix[1])})`);
  if ("match" in c)
    return sure(`regexp_matches(${text(compileExpr(c.match[0], cx, base))}, ${sqlString(c.match[1])}, 'i')`);
  if ("object" in c) return `(${cx.path(c.object, "json", base).sql}) IS NOT NULL`;
  if ("not" in c) return `NOT ${compileCond(c.not, cx, base)}`;
  const parts = ("all" in c ? c.all : c.any).map((part) => compileCond(part, cx, base));
  if (parts.length === 0) return "all" in c ? "true" : "false";
  return `(${parts.join("all" in c ? " AND " : " OR ")})`;
}

const fieldColumn = (field: EventField): string => `f_${field}`;

/**
 * The event types whose rows always store their status (the failures `classify` shows and the store
 * classifies: FAILURE_TYPES, src/bounce/event-actions.ts; a test keeps them equal). Their status feeds the
 * reply keys and classification, which read `event_rows`.
 */
export const STATUS_KEPT_TYPES: readonly string[] = ["bounced", "deferred", "dropped", "complaint"];

/**
 * What an expression is without a last part that is `fn` of the `reply` field (alone, or last in a `first`):
 * null when it is nothing else, the rest when it is, undefined when it does not end so.
 */
function withoutReplyTail(e: Expr | undefined, fn: TransformName): Expr | null | undefined {
  if (!e || typeof e === "string") return undefined;
  const tail = JSON.stringify({ fn, args: [{ field: "reply" }] });
  if (JSON.stringify(e) === tail) return null;
  if ("first" in e && e.first.length > 1 && JSON.stringify(e.first.at(-1)) === tail) {
    const head = e.first.slice(0, -1);
    return head.length === 1 ? head[0] : { first: head };
  }
  return undefined;
}

/**
 * The status and reply code a table's DuckDB reader stores itself, when the table derives both from its reply
 * last (`leadingStatus` and `leadingReplyCode` of the `reply` field: SendGrid, Postmark): then only rows of
 * STATUS_KEPT_TYPES also store those the reply gives; on the others the `events` view derives them from the
 * stored reply (docs/STORE.md, `files.derived_from_reply`), which saves two regexps and a lambda per
 * delivered row (6.5 % of a SendGrid insert's instructions). Null: the table derives it from the reply only.
 */
export function replyDerivedHeads(
  table: FieldTable,
): { status: Expr | null; replyCode: Expr | null } | undefined {
  const status = withoutReplyTail(table.fields.status, "leadingStatus");
  const replyCode = withoutReplyTail(table.fields.replyCode, "leadingReplyCode");
  return status === undefined || replyCode === undefined ? undefined : { status, replyCode };
}

/** Whether DuckDB's reader of `table` leaves status and reply code of rows not in STATUS_KEPT_TYPES to the view. */
export const derivedFromReply = (table: FieldTable): boolean => replyDerivedHeads(table) !== undefined;

// ---------------------------------------------------------------------------------------------------
// The JSON shape a table reads, from the paths its expressions use.

/** `e` and every expression and condition inside it, outermost first. */
function visitExpr(e: Expr, onExpr: (x: Expr) => void, onCond: (c: Cond) => void = () => {}): void {
  onExpr(e);
  const inner = (x: Expr) => visitExpr(x, onExpr, onCond);
  if (typeof e === "string" || "path" in e || "item" in e || "field" in e || "value" in e) return;
  if ("first" in e) e.first.forEach(inner);
  else if ("fn" in e) e.args.forEach(inner);
  else if ("lookup" in e) {
    inner(e.key);
    if (e.otherwise) inner(e.otherwise);
  } else if ("when" in e) {
    visitCond(e.when, onExpr, onCond);
    inner(e.use);
    if (e.otherwise) inner(e.otherwise);
  } else if ("join" in e) e.join.forEach(inner);
  else e.concat.forEach(inner);
}

function visitCond(c: Cond, onExpr: (x: Expr) => void, onCond: (c: Cond) => void = () => {}): void {
  onCond(c);
  const inner = (x: Cond) => visitCond(x, onExpr, onCond);
  if ("eq" in c) visitExpr(c.eq[0], onExpr, onCond);
  else if ("oneOf" in c) visitExpr(c.oneOf[0], onExpr, onCond);
  else if ("present" in c) visitExpr(c.present, onExpr, onCond);
  else if ("prefix" in c) visitExpr(c.prefix[0], onExpr, onCond);
  else if ("match" in c) visitExpr(c.match[0], onExpr, onCond);
  else if ("not" in c) inner(c.not);
  else if ("all" in c) c.all.forEach(inner);
  else if ("any" in c) c.any.forEach(inner);
}

/** Every expression a table's reader compiles (its JSON record `requires` included). */
function forEachExpr(table: FieldTable, onExpr: (x: Expr) => void): void {
  const cond = (c: Cond) => visitCond(c, onExpr);
  visitExpr(table.name, onExpr);
  visitExpr(table.type, onExpr);
  cond(table.unknown.cond);
  for (const check of table.checks ?? []) cond(check.cond);
  for (const required of table.requires ?? []) cond(required.cond);
  for (const list of table.each ?? []) if (list.cond) cond(list.cond);
  for (const e of Object.values(table.fields)) visitExpr(e as Expr, onExpr);
}

/** The paths an expression reads, with how each is read. */
function walkExpr(e: Expr, visit: (path: string, as: LeafType) => void): void {
  visitExpr(e, pathsOf(visit), (c) => {
    if ("object" in c) visit(c.object, "json");
  });
}

function walkCond(c: Cond, visit: (path: string, as: LeafType) => void): void {
  visitCond(c, pathsOf(visit), (x) => {
    if ("object" in x) visit(x.object, "json");
  });
}

const pathsOf =
  (visit: (path: string, as: LeafType) => void) =>
  (e: Expr): void => {
    if (typeof e === "string") visit(e, "text");
    else if ("path" in e) visit(e.path, e.as);
  };

function addPath(shape: Map<string, Shape>, keys: string[], leaf: Shape, format: string): void {
  const [key, ...rest] = keys;
  const existing = shape.get(key);
  if (rest.length === 0) {
    if (existing === undefined) shape.set(key, leaf);
    // A value read as two types is read as JSON, and converted where it is used.
    else if ("leaf" in existing && "leaf" in leaf && existing.leaf !== leaf.leaf)
      shape.set(key, { leaf: "JSON" });
    else if ("fields" in existing && "fields" in leaf)
      for (const [k, v] of leaf.fields) addPath(existing.fields, [k], v, format);
    else if ("leaf" in existing && existing.leaf === "JSON" && !("leaf" in leaf)) shape.set(key, leaf);
    return;
  }
  if (existing === undefined || ("leaf" in existing && existing.leaf === "JSON")) {
    const fields = new Map<string, Shape>();
    shape.set(key, { fields });
    addPath(fields, rest, leaf, format);
  } else if ("fields" in existing) addPath(existing.fields, rest, leaf, format);
  else throw new Error(`${format}: ${keys.join(".")} is inside a value read as a leaf`);
}

/** The shape of the record root (what field expressions read) and of the whole record. */
function jsonShapes(
  table: FieldTable,
  enveloped: boolean,
): { root: Map<string, Shape>; record: Map<string, Shape> } {
  const root = new Map<string, Shape>();
  const add = (path: string, as: LeafType) =>
    addPath(root, path.split("."), { leaf: LEAF[as] }, table.format);
  walkExpr(table.name, add);
  walkExpr(table.type, add);
  walkCond(table.unknown.cond, add);
  for (const check of table.checks ?? []) walkCond(check.cond, add);
  for (const e of Object.values(table.fields)) walkExpr(e as Expr, add);
  for (const list of table.each ?? []) {
    if (list.cond) walkCond(list.cond, add);
    const element = new Map<string, Shape>();
    const scalar = Object.values(list.item).every((p) => p === "");
    for (const p of Object.values(list.item))
      if (p !== "") addPath(element, p.split("."), { leaf: "VARCHAR" }, table.format);
    for (const p of list.lists) {
      const shape: Shape = list.orScalar
        ? { leaf: "JSON" }
        : { list: scalar ? { leaf: "VARCHAR" } : { fields: element } };
      addPath(root, p.split("."), shape, table.format);
    }
  }
  // Generic schema: every alias of a field is read, with the field's shape.
  if (table.aliases)
    for (const [alias, field] of Object.entries(table.aliases)) {
      const shape = root.get(field);
      if (shape) root.set(alias, shape);
    }
  jsonWhereCaseCollides(root);
  const record = new Map<string, Shape>();
  if (enveloped) {
    // The record's own fields are not read (TableSqlOptions.enveloped).
  } else if (table.roots) {
    const first = firstNestedRoot(table.roots);
    for (const p of table.roots) {
      if (p === "") for (const [k, v] of root) record.set(k, v);
      else addPath(record, p.split("."), p === first ? { fields: root } : { leaf: "JSON" }, table.format);
    }
  } else for (const [k, v] of root) record.set(k, v);
  if (table.envelope) {
    addPath(record, [table.envelope.kind], { leaf: "VARCHAR" }, table.format);
    addPath(record, [table.envelope.message], { leaf: "VARCHAR" }, table.format);
  }
  const addRecord = (path: string, as: LeafType) =>
    addPath(record, path.split("."), { leaf: LEAF[as] }, table.format);
  for (const required of table.requires ?? []) walkCond(required.cond, addRecord);
  return { root, record };
}

/**
 * The first of `roots` inside the record: read as a struct of the root's fields. A later one is read as JSON and
 * made that struct only where no earlier root holds a record: a struct per root was built for every record
 * (SparkPost's message_event, track_event, unsubscribe_event: three structs of 21 fields a record; its
 * staging, 27,674 events, one thread: 0.30 → 0.26 CPU-s).
 */
function firstNestedRoot(roots: readonly string[]): string | undefined {
  return roots.find((p) => p !== "");
}

/**
 * DuckDB's struct field names are case-insensitive: an object read by names differing only in case
 * (`Message-ID`, `Message-Id`) is read as JSON and its values extracted by exact name.
 */
function jsonWhereCaseCollides(fields: Map<string, Shape>): void {
  for (const [key, shape] of fields) {
    if (!("fields" in shape)) continue;
    const lower = [...shape.fields.keys()].map((k) => k.toLowerCase());
    if (new Set(lower).size < lower.length) fields.set(key, { leaf: "JSON" });
    else jsonWhereCaseCollides(shape.fields);
  }
}

/** SQL of a path inside `base` with `shape`: struct fields, then exact JSON extraction below a JSON leaf. */
function pathSql(root: Map<string, Shape>, base: string, path: string, as: LeafType): Sql {
  let sql = base;
  let fields: Map<string, Shape> | null = root;
  const keys = path.split(".");
  for (let i = 0; i < keys.length; i++) {
    const shape: Shape | undefined = fields?.get(keys[i]);
    sql = `${sql}.${ident(keys[i])}`;
    if (shape && "leaf" in shape && shape.leaf === "JSON" && i < keys.length - 1) {
      const rest = keys
        .slice(i + 1)
        .map((k) => `"${k.replaceAll('"', '\\"')}"`)
        .join(".");
      return fromJson(`json_extract(${sql}, ${sqlString(`$.${rest}`)})`, LEAF[as]);
    }
    if (i === keys.length - 1 && shape && "leaf" in shape && shape.leaf === "JSON")
      return fromJson(sql, LEAF[as]);
    fields = shape && "fields" in shape ? shape.fields : null;
  }
  return { sql, type: LEAF[as] };
}

/** A JSON value read as `type` (text or a number as the parser reads them; else the JSON value itself). */
function fromJson(json: string, type: SqlType): Sql {
  const value = { sql: json, type: "JSON" as const };
  if (type === "VARCHAR") return { sql: text(value), type };
  if (type === "DOUBLE") return { sql: number(value, (v) => v), type };
  return value;
}

/** DuckDB type text of a shape (`STRUCT("a" VARCHAR)`, `VARCHAR[]`). */
function duckType(shape: Shape): string {
  if ("leaf" in shape) return shape.leaf;
  if ("list" in shape) return `${duckType(shape.list)}[]`;
  return `STRUCT(${[...shape.fields].map(([k, v]) => `${ident(k)} ${duckType(v)}`).join(", ")})`;
}

/** from_json's structure argument for a shape. */
function jsonStructure(shape: Shape): unknown {
  if ("leaf" in shape) return shape.leaf;
  if ("list" in shape) return [jsonStructure(shape.list)];
  return Object.fromEntries([...shape.fields].map(([k, v]) => [k, jsonStructure(v)]));
}

/** `{'a': x.a, …}`: a struct of `fields` taken from `source`, typed like `fields`. */
function structOf(fields: Map<string, Shape>, source: string): string {
  return `{${[...fields.keys()].map((k) => `${sqlString(k)}: ${source}.${ident(k)}`).join(", ")}}`;
}

/** Whether text `t` is DuckDB's text of a JSON object, list or boolean (or a string that looks like one). */
const OTHER_KIND_SQL = (t: string): string =>
  `coalesce(starts_with(${t}, '{') OR starts_with(${t}, '[') OR ${t} IN ('true', 'false'), false)`;

/** The `event_rows` text column of each event field stored as it was computed. */
const STORED_TEXT: Partial<Record<EventField, string>> = {
  recipient: "recipient",
  campaign: "campaign",
  sendingIp: "sending_ip",
  pool: "pool",
  sendingDomain: "sending_domain",
  stream: "stream",
  remoteMta: "remote_mta",
  messageId: "message_id",
  reply: "reply",
  status: "status",
  sourceLabel: "source_label",
  readerIp: "reader_ip",
  userAgent: "user_agent",
  url: "url",
};

/**
 * Where a JSON record holds an object, a list or a boolean where a field reads text, DuckDB's reader reads
 * its JSON text (`{"a":1}`, `[1]`, `true`) where the parser finds no value (issue 12's two readers of one
 * table). The query, run on a file's inserted rows (`$file_id`) before they are settled, tells whether any
 * stored text column of the fields `table` fills starts with `{` or `[`, or is `true` or `false` (or a time,
 * reply code or status holds a boolean read as a number): DuckDB's text of such a value, never a real recipient, message id, reply… — the file is then read by the parsers
 * (a real value of that form only costs the faster reader). Transforms keep that evidence at the start of
 * the value (field-sql's `keepsOtherKind`). One EXISTS per column and kind, each a range or IN filter on
 * one column: DuckDB skips every row group whose min/max cannot hold such a value, without reading it
 * (SendGrid, 2.9M rows: ~30–45 ms CPU without the recipients' `true`/`false`, ~500 ms for one scan testing
 * all columns). A file of at most ONE_SCAN_ROWS rows (`rows`) is tested in that one scan instead: the ~40
 * subqueries cost more to plan than its rows to read (a 12-line SendGrid file: 7.2–7.8 vs 3.1–3.7 ms CPU).
 * Null for CSV tables (a CSV value is text).
 */
export function otherKindsSql(
  table: FieldTable | undefined,
  rows = Number.POSITIVE_INFINITY,
  /** The rows of the file(s) to test: a batch's (batch.ts) are a range of files. */
  files = "file_id = $file_id",
): string | null {
  if (table?.shape !== "json") return null;
  const columns = (Object.keys(table.fields) as EventField[]).flatMap((field) => STORED_TEXT[field] ?? []);
  if (columns.length === 0) return null;
  // DuckDB writes an object's or list's text compact: `{"…` or `{}`, `[` then a value or `]` — not the
  // `[CS01] …` or `[192.0.2.1]`-like text a reply or host can start with (the range is what skips row groups;
  // the rest is tested only on the rows within it).
  const kinds = [
    (c: string) => `${c} >= '{' AND ${c} < '|' AND (starts_with(${c}, '{"') OR ${c} = '{}')`,
    (c: string) => `${c} >= '[' AND ${c} < '\\' AND regexp_matches(${c}, '^\\[(?:["{\\[\\]tfn0-9-])')`,
    (c: string) => `${c} IN ('true', 'false')`,
  ];
  // A number leaf reads a boolean as 1 or 0 (DOUBLE): a time in the epoch's first two seconds (rows of no
  // known type, skipped, store the epoch for none), a reply code 0 or 1, an enhanced status of class 0 or 1.
  const numbers = [
    `time >= TIMESTAMP '1970-01-01' AND time < TIMESTAMP '1970-01-01 00:00:02' AND type <> ${storedType("!skip")}`,
    ...(table.fields.replyCode ? ["reply_code IN (0, 1)"] : []),
    ...(table.fields.status ? ["status >= '0' AND status < '2'"] : []),
  ];
  // Not `recipient IN ('true', 'false')`: no zone map skips it (every row group's recipients span "true"), and
  // its scan was 40 of the check's ~70 ms (SendGrid 2.9M rows); the insert tests each row's instead (`mapped`).
  const tests = [
    ...columns.flatMap((c) => (c === "recipient" ? kinds.slice(0, 2) : kinds).map((kind) => kind(c))),
    ...numbers,
  ];
  if (rows <= ONE_SCAN_ROWS) {
    return `SELECT coalesce(bool_or(${tests.map((test) => `(${test})`).join(" OR ")}), false) AS hit
      FROM event_rows WHERE ${files}`;
  }
  const exists = tests.map((test) => `EXISTS (SELECT 1 FROM event_rows WHERE ${files} AND ${test})`);
  return `SELECT ${exists.join(" OR ")} AS hit`;
}

/** otherKindsSql's most rows read in one scan (~0.2 ms of CPU a thousand rows, at 2.9M rows). */
const ONE_SCAN_ROWS = 10_000;

// ---------------------------------------------------------------------------------------------------

/** The staging-shaped query reading a file of `table`'s format (see the top of this file). */
export function fieldTableSql(table: FieldTable, options: TableSqlOptions): string {
  return table.shape === "csv" ? csvSql(table, options) : jsonSql(table, options);
}

/** The longest line DuckDB's line reader takes (a longer one fails the read: the parsers take the file). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A line of READ_LINES whose first byte is above a space (NULL for NULL). */
const NOT_BLANK_START = `NOT ${STARTS_BLANK_SQL("raw")}`;

// No new_line: DuckDB then takes the file's own line end, LF or CR LF (Windows tools write CR LF; with
// new_line = '\n' a CR LF file failed the read and went to the parsers). A file mixing both still fails it.
// buffer_size as small as a line may be: with DuckDB's default, a 105 MB file of webhook batches (one JSON
// array per line, 242k SendGrid events) came in one chunk whose records passed the memory limit ("Out of
// Memory": the parsers read it instead, 4.9 CPU-s; with it, 2.9).
const READ_LINES = (
  compression: string,
) => `(SELECT raw, ordinality AS line FROM read_csv($path, columns = {'raw': 'VARCHAR'},
  header = false, auto_detect = false, delim = chr(1), quote = '', escape = '',
  max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${MAX_LINE_BYTES}, compression = ${sqlString(compression)}) WITH ORDINALITY)`;

/**
 * The lines reader's records. A line DuckDB cannot read as a record or an array of records is one NULL record (a
 * problem). The list is built in a subquery and unnested outside it: unnested where it is built, DuckDB built it
 * again for every output chunk of a line's records (4,827 SendGrid events as 14 webhook batches, one array per
 * line: 9.87 → 0.12 CPU-s). A UTF-8 byte order mark before the first line is not JSON. A line's tests look at its
 * first byte before trimming it: DuckDB's trim reads every character of a line for Unicode spaces, and ltrim
 * copies the line (a webhook batch is one line of ~200 KB; SendGrid batches' staging, 45,639 events, one thread:
 * 0.36–0.42 → 0.23–0.25 CPU-s). A line whose first byte is above a space is not blank and starts with what it
 * starts with; the others (and NULL) are trimmed of ASCII whitespace, which the parser skips between records
 * (json-records.ts): DuckDB's trim and ltrim without characters take Unicode spaces but not a tab, so a tab
 * before a batch's `[` sent the file to the parsers.
 */
function linesSource(compression: string, recordShape: Shape): string {
  return `SELECT line, blank, unnest(records) AS r FROM (SELECT line,
          CASE WHEN ${NOT_BLANK_START} THEN false ELSE trim(raw, ${WHITESPACE}) = '' END AS blank,
          CASE WHEN starts_with(${LTRIM_SQL("raw")}, '[')
            THEN coalesce(try(from_json(raw, ${sqlString(JSON.stringify([jsonStructure(recordShape)]))})), [NULL])
            ELSE [try(from_json(raw, ${sqlString(JSON.stringify(jsonStructure(recordShape)))}))] END AS records
        FROM (SELECT CASE WHEN line = 1 THEN ltrim(raw, chr(65279)) ELSE raw END AS raw, line
          FROM ${READ_LINES(compression)}))`;
}

/**
 * A table with pages (FieldTable.pages): the file's records are read with the page key as a list of records
 * (`pages`), and a record whose page key holds one stands for its elements, as the parser reads a page (a
 * top-level value, or an element of a top-level array: json-records.ts hands those one by one). DuckDB's reader
 * types the list as it reads it: a page key holding anything but an array of objects (and nulls: NULL records, a
 * problem) fails the read, and the parsers read the file. Typed by the reader, not a JSON text parsed again
 * per element (88 Mailgun API pages, 26,400 events, 1 thread: 0.54–0.57 CPU-s that way). An element's own page
 * key is not read, as the parser reads none. The list is unnested outside the subquery that builds it
 * (linesSource).
 */
function pagedSource(table: FieldTable, record: Map<string, Shape>, source: string, part: string): string {
  if (!table.pages) return source;
  const items = `r.${ident(table.pages)}`;
  return `SELECT line, blank, ${part}unnest(records) AS r FROM (SELECT line, blank, ${part}
      CASE WHEN ${items} IS NOT NULL THEN ${items} ELSE [${structOf(record, "r")}] END AS records
    FROM (${source}))`;
}

/** The record as the file is read: with a table's page key, a list of records (pagedSource). */
function readShape(table: FieldTable, record: Map<string, Shape>): Map<string, Shape> {
  if (!table.pages) return record;
  return new Map([...record, [table.pages, { list: { fields: record } }]]);
}

function jsonSql(table: FieldTable, options: TableSqlOptions): string {
  const enveloped = options.enveloped === true && table.envelope !== undefined;
  if (enveloped && (table.roots || table.aliases))
    throw new Error(`${table.format}: an enveloped reader reads neither roots nor aliases`);
  const { root, record } = jsonShapes(table, enveloped);
  const fileRecord = readShape(table, record);
  const rootShape: Shape = { fields: root };
  const batch = options.paths ? batchFiles(options.paths) : null;
  if (batch && options.reader === "lines") throw new Error("the lines reader reads one file");
  const read = `read_json(${batch?.files ?? "$path"},
          format = ${options.reader === "ndjson" ? "'newline_delimited'" : "'auto'"},
          columns = {${[...fileRecord].map(([k, v]) => `${sqlString(k)}: ${sqlString(duckType(v))}`).join(", ")}},
          maximum_object_size = 16777216,
          compression = ${sqlString(options.compression === "none" ? "uncompressed" : options.compression)}${
            batch ? `, filename = ${sqlString(FILE_COLUMN)}` : ""
          })`;
  // A batch's rows carry their file (`part`), and the record is made of its columns without it.
  const records = batch
    ? `SELECT NULL::BIGINT AS line, FALSE AS blank, ${batch.part}, ${structOf(fileRecord, "f")} AS r FROM ${read} f`
    : `SELECT NULL::BIGINT AS line, FALSE AS blank, r FROM ${read} r`;
  const source = pagedSource(
    table,
    record,
    options.reader !== "lines" ? records : linesSource(options.compression, { fields: fileRecord }),
    batch ? "part, " : "",
  );
  const cx: Context = {
    table,
    path: (path, as, base) => pathSql(base === "r" ? record : root, base, path, as),
    fields: new Map(),
    shared: sharedValues(table),
  };
  // The record's root: inside an envelope, under a wrapper key, or the record itself.
  // A record read for exactly the root's fields is the root itself (no struct built per row).
  const plainRoot = [...root.keys()].join("\n") === [...record.keys()].join("\n");
  let rootSql = plainRoot ? "r" : structOf(root, "r");
  let envelopeSkip = "false";
  let recordProblem = "r IS NULL";
  if (table.envelope) {
    const { kind, accept, message } = table.envelope;
    const inEnvelope = `(r.${ident(message)} IS NOT NULL AND nullif(r.${ident(kind)}, '') IS NOT NULL)`;
    envelopeSkip = `coalesce(${inEnvelope} AND r.${ident(kind)} <> ${sqlString(accept)}, false)`;
    // Only an accepted envelope's message is parsed, and without `try`: a message that is not JSON fails
    // the query, and ingest reads the file with the JS parser, as it does for any problem row (try() cost
    // a third more CPU than the parse itself: 290k SES notifications, one thread, 0.73 vs 0.54 CPU-s).
    // Other envelopes (SubscriptionConfirmation: a text message) are skipped without being parsed.
    const accepted = `r.${ident(kind)} = ${sqlString(accept)}`;
    const parsed = `from_json(r.${ident(message)}, ${sqlString(JSON.stringify(jsonStructure(rootShape)))})`;
    // Enveloped: a record outside an envelope has none of its fields read, so it is a problem.
    rootSql = enveloped
      ? `CASE WHEN ${inEnvelope} AND ${accepted} THEN ${parsed} END`
      : `CASE WHEN ${inEnvelope} AND ${accepted} THEN ${parsed} WHEN ${inEnvelope} THEN NULL ELSE ${rootSql} END`;
    recordProblem = `(r IS NULL${enveloped ? ` OR NOT ${inEnvelope}` : ""} OR (${inEnvelope} AND ${accepted} AND root IS NULL))`;
  }
  if (table.roots) {
    const first = firstNestedRoot(table.roots);
    const rootStructure = sqlString(JSON.stringify(jsonStructure(rootShape)));
    const rootOf = (p: string) =>
      p === ""
        ? structOf(root, "r")
        : p === first
          ? cx.path(p, "json", "r").sql
          : `from_json(${cx.path(p, "json", "r").sql}, ${rootStructure})`;
    rootSql = `coalesce(${table.roots.map(rootOf).join(", ")})`;
  }
  if (table.aliases) {
    // The first name of a record that maps to a field wins in JS; DuckDB cannot tell which came first,
    // so a record naming a field twice is left to the JS parser.
    const groups = new Map<string, string[]>();
    for (const key of root.keys()) {
      const field = canonicalName(key, table.aliases);
      groups.set(field, [...(groups.get(field) ?? []), key]);
    }
    rootSql = `{${[...groups].map(([field, keys]) => `${sqlString(field)}: coalesce(${keys.map((k) => `r.${ident(k)}`).join(", ")})`).join(", ")}}`;
    const doubled = [...groups.values()]
      .filter((keys) => keys.length > 1)
      .map((keys) => `(${keys.map((k) => `(r.${ident(k)} IS NOT NULL)::INTEGER`).join(" + ")}) > 1`);
    if (doubled.length > 0) recordProblem = `(r IS NULL OR ${doubled.join(" OR ")})`;
  }
  const requires = (table.requires ?? []).map((required) => `NOT ${compileCond(required.cond, cx, "r")}`);
  const problem = [recordProblem, ...requires].join(" OR ");
  const rooted = withShared(
    `SELECT line, blank, ${batch ? "part, " : ""}r, ${rootSql} AS root FROM (${source})`,
    cx,
  );
  const checked = `SELECT *, ${envelopeSkip} AS envelope_skip, (${problem}) AS record_problem FROM (${rooted})`;
  return mapped(table, cx, checked, table.roots ? "root IS NULL" : "false", batch !== null);
}

function csvSql(table: FieldTable, options: TableSqlOptions): string {
  const header = options.header;
  if (!header) throw new Error(`${table.format}: a CSV reader needs the file's header`);
  const positions = new Map<string, number>();
  header.forEach((name, i) => {
    const key = canonicalName(name, table.aliases ?? {});
    if (!positions.has(key)) positions.set(key, i);
  });
  // Columns are c0, c1, …: header names may repeat or hold any character.
  const columns = `{${header.map((_, i) => `'c${i}': 'VARCHAR'`).join(", ")}}`;
  const numbered = options.reader === "lines";
  const batch = options.paths ? batchFiles(options.paths) : null;
  if (batch && numbered) throw new Error("the lines reader reads one file");
  const read = `read_csv(${batch?.files ?? "$path"}, header = ${options.headerless !== true}, auto_detect = false, columns = ${columns}, delim = ',', quote = '"',
      escape = '"', compression = ${sqlString(options.compression)}${batch ? `, filename = ${sqlString(FILE_COLUMN)}` : ""})`;
  const source = batch
    ? `SELECT NULL::BIGINT AS line, FALSE AS blank, ${batch.part}, r, r AS root, FALSE AS envelope_skip,
        FALSE AS record_problem FROM (SELECT *, {${header.map((_, i) => `'c${i}': c${i}`).join(", ")}} AS r FROM ${read})`
    : `SELECT ${numbered ? `ordinality + ${options.headerless ? 0 : 1}` : "NULL::BIGINT"} AS line, FALSE AS blank, f AS r, f AS root,
      FALSE AS envelope_skip, FALSE AS record_problem
    FROM ${read} ${numbered ? "WITH ORDINALITY" : ""} f`;
  const cx: Context = {
    table,
    path: (path) => {
      const at = positions.get(canonicalName(path, table.aliases ?? {}));
      return at === undefined
        ? { sql: "NULL::VARCHAR", type: "VARCHAR" }
        : { sql: `nullif(root.c${at}, '')`, type: "VARCHAR", nonEmpty: true };
    },
    fields: new Map(),
    shared: sharedValues(table),
  };
  return mapped(table, cx, source, "false", batch !== null);
}

/**
 * The mapping shared by JSON and CSV: type, per-recipient items, fields in dependency layers, then the
 * staging columns. `rows` has line, blank, root, envelope_skip, record_problem.
 */
function mapped(table: FieldTable, cx: Context, rows: string, noRoot: string, parted: boolean): string {
  const part = parted ? "part, " : "";
  // A lookup that names only event types gives the store's ENUM values themselves, with no check of its
  // result (a long IN list costs a join).
  const known = (name: string) => Object.hasOwn(EVENT_TYPES, name);
  const type = table.type;
  const onlyTypes =
    typeof type === "object" &&
    "lookup" in type &&
    !type.otherwise &&
    Object.values(type.lookup).every(known);
  // Otherwise the value is kept when it names an event type: a cast to an ENUM of the types is NULL for
  // anything else, and reads the value once (an IN list of twelve became a join, and the value was
  // computed twice); its code picks the store's value (not a cast to event_type, which also takes the
  // flagged rows' `!…` types).
  const typeSql = onlyTypes
    ? compileLookup(type, cx, "root", storedType)
    : `([${EVENT_TYPE_NAMES.map(sqlString).join(", ")}]::${EVENT_TYPE}[])[enum_code(TRY_CAST(${text(compileExpr(type, cx))} AS ENUM${sqlList(EVENT_TYPE_NAMES)})) + 1]`;
  const source = withShared(rows, cx);
  const typed = `SELECT *, ${typeSql} AS etype FROM (${source})`;
  // A record of no known type whose type key holds an object, a list or a boolean: the parser reads no
  // type there (and `unknown` then holds: a problem), DuckDB its text (present: skipped). Only rows of no
  // known type test it (the CASE), so the reading of the others pays nothing.
  const typeLeaves = new Set<string>();
  const addLeaf = (path: string, as: LeafType) => {
    if (as === "text") typeLeaves.add(path);
  };
  walkExpr(table.type, addLeaf);
  walkCond(table.unknown.cond, addLeaf);
  const otherKindType =
    typeLeaves.size > 0 && table.shape === "json"
      ? `(${[...typeLeaves].map((path) => OTHER_KIND_SQL(cx.path(path, "text", "root").sql)).join(" OR ")})`
      : null;
  const skipUnknown = otherKindType
    ? `CASE WHEN etype IS NULL THEN NOT ${compileCond(table.unknown.cond, cx)} AND NOT ${otherKindType} ELSE false END`
    : `etype IS NULL AND NOT ${compileCond(table.unknown.cond, cx)}`;
  let fanned = `SELECT *, NULL AS it FROM (${typed})`;
  if (table.each) {
    // Items share one struct type: every list's keys, as text.
    const allKeys = [...new Set(table.each.flatMap((list) => Object.keys(list.item)))];
    const itemType = `STRUCT(${allKeys.map((k) => `${ident(k)} VARCHAR`).join(", ")})`;
    const arms = table.each.map((list) => {
      const element = (x: string) =>
        `{${allKeys
          .map((k) => {
            const p = list.item[k];
            const value =
              p === undefined ? "NULL::VARCHAR" : p === "" ? x : `${x}.${p.split(".").map(ident).join(".")}`;
            return `${sqlString(k)}: ${value}`;
          })
          .join(", ")}}`;
      const paths = list.lists.map((p) => cx.path(p, "json", "root").sql);
      let listSql: string;
      if (list.orScalar) {
        const x = paths[0];
        listSql = `CASE WHEN json_type(${x}) = 'ARRAY'
            THEN list_transform(from_json(${x}, '["JSON"]'), e -> ${element(KIND_TEXT("e"))})
          ELSE [${element(KIND_TEXT(x))}] END`;
      } else {
        const objects = Object.values(list.item).some((p) => p !== "");
        const source = paths.length === 1 ? paths[0] : `coalesce(${paths.join(", ")})`;
        listSql = objects
          ? `list_transform(list_filter(${source}, e -> e IS NOT NULL), e -> ${element("e")})`
          : `list_transform(${source}, e -> ${element("e")})`;
      }
      return `WHEN ${list.cond ? compileCond(list.cond, cx) : "true"} THEN CAST(${listSql} AS ${itemType}[])`;
    });
    // Rows that are problems or skipped keep one (empty) item, so they are still seen; so does an outcome
    // whose list holds none (a problem of no recipient, as in the parser: table-parser.ts items).
    fanned = `SELECT * EXCLUDE (its), unnest(CASE WHEN len(its) = 0 AND ${outcome("etype")} THEN [NULL::${itemType}]
        ELSE its END) AS it FROM (SELECT *, CASE WHEN record_problem OR envelope_skip OR ${noRoot} OR etype IS NULL
        THEN [NULL::${itemType}] ${arms.join(" ")} ELSE []::${itemType}[] END AS its FROM (${withShared(typed, cx)}))`;
  }
  // Fields in layers: a field that uses another is computed one SELECT later.
  const layers: EventField[][] = [];
  /** Fields whose SQL gives lower-case text already. */
  const lowered = new Set<EventField>();
  const depth = new Map<EventField, number>();
  const heads = replyDerivedHeads(table);
  const fields: Partial<Record<EventField, Expr>> = { ...table.fields };
  if (heads) {
    for (const name of ["status", "replyCode"] as const) {
      const head = heads[name];
      if (head === null) delete fields[name];
      else fields[name] = head;
    }
  }
  for (const [name, e] of Object.entries(fields) as [EventField, Expr][]) {
    const uses = fieldsUsed(e);
    const level = Math.max(0, ...uses.map((u) => (depth.get(u) ?? -1) + 1));
    depth.set(name, level);
    layers[level] ??= [];
    layers[level].push(name);
  }
  let query = fanned;
  for (const layer of layers) {
    const texts: string[] = [];
    const columns = layer.map((name) => {
      const value = compileExpr(fields[name] as Expr, cx);
      cx.fields.set(name, value.type);
      if (value.lowerCase) lowered.add(name);
      if (value.type === "VARCHAR" && !value.nonEmpty) texts.push(fieldColumn(name));
      return `${value.sql} AS ${fieldColumn(name)}`;
    });
    query = `SELECT *, ${columns.join(", ")} FROM (${withShared(query, cx)})`;
    // "" is no value (JS `str()`), applied to the computed column one projection up (unless its SQL
    // already gives NULL for "", `Sql.nonEmpty`): DuckDB expands nullif(x, '') to a CASE that evaluates
    // x twice, which would double every field's regexps and JSON parses.
    if (texts.length > 0)
      query = `SELECT * REPLACE (${texts.map((c) => `nullif(${c}, '') AS ${c}`).join(", ")}) FROM (${query})`;
  }
  const f = (name: EventField, type: SqlType = "VARCHAR") =>
    cx.fields.has(name)
      ? cx.fields.get(name) === type
        ? fieldColumn(name)
        : castTo({ sql: fieldColumn(name), type: cx.fields.get(name) as SqlType }, type)
      : `NULL::${type}`;
  const checks = (table.checks ?? []).map((check) => `NOT ${compileCond(check.cond, cx)}`);
  const problem = [
    "record_problem",
    `etype IS NULL AND ${compileCond(table.unknown.cond, cx)}`,
    ...(otherKindType ? [`CASE WHEN etype IS NULL THEN ${otherKindType} ELSE false END`] : []),
    `${f("time", "TIMESTAMP")} IS NULL`,
    ...checks,
    // A boolean where a JSON record's recipient is read: DuckDB's reader gives its text (`true`), the parser
    // no recipient. A problem here sends the file to the parsers, as otherKindsSql's hits do; tested on the
    // row (two comparisons of a value in hand), as that check after the insert would scan every stored
    // recipient, which no zone map can skip. SendGrid 100k, bench/insert-instructions.ts: 2,083.7 → 2,086.7 M
    // instructions (+0.14 %).
    ...(table.shape === "json" && cx.fields.has("recipient")
      ? [`${f("recipient")} IN ('true', 'false')`]
      : []),
    // An outcome of no one (table-parser.ts OUTCOMES): the parser's problem.
    `${outcome("etype")} AND nullif(${TRIM_SQL(f("recipient"))}, '') IS NULL`,
  ].join(" OR ");
  // A recipient holding a character no address holds (util/ascii.ts NOT_IN_ADDRESS: C0 or DEL), tested on the
  // stored (trimmed) text as the parser tests it: the parser's problem (CONTROL_RECIPIENT). The regexp (~120 ns a
  // row) runs only where JSON's text of the recipient escapes something (RFC 8259 §7 escapes every C0 control,
  // besides a quote and a backslash) or DEL is present (~35 ns a row in all; 3M addresses: 120 vs 380 ms of CPU).
  const controlRecipient = `CASE WHEN contains(to_json(recipient)::VARCHAR, '\\') OR contains(recipient, chr(127))
    THEN regexp_matches(recipient, '[\\x00-\\x1f\\x7f]') ELSE false END`;
  return `
    WITH m AS (${withShared(query, cx)}),
    s AS (
      SELECT line, ${part}blank OR envelope_skip OR (${noRoot} AND NOT record_problem) OR (NOT record_problem AND ${skipUnknown}) AS skip,
        etype AS type, ${f("time", "TIMESTAMP")} AS time,
        nullif(lower(${TRIM_SQL(f("recipient"))}), '') AS recipient,
        ${f("campaign")} AS campaign, ${f("sendingIp")} AS sending_ip, ${f("pool")} AS pool,
        ${lowered.has("sendingDomain") ? f("sendingDomain") : `lower(${f("sendingDomain")})`} AS sending_domain, ${f("stream")} AS stream, ${f("remoteMta")} AS remote_mta,
        ${f("messageId")} AS message_id, nullif(${TRIM_SQL(f("reply"))}, '') AS reply, ${f("replyCode", "INTEGER")} AS code_field,
        ${f("status")} AS status, ${heads ? `${f("reply")} AS untrimmed_reply, ` : ""}${f("sourceLabel")} AS source_label,
        CASE WHEN etype = ${storedType("open")} THEN ${f("machineOpen", "BOOLEAN")} END AS machine_open,
        ${f("readerIp")} AS reader_ip, ${f("userAgent")} AS user_agent, ${f("url")} AS url,
        ${f("eventId")} AS event_id, ${f("reasonHint")} AS hint,
        CASE WHEN ${problem} THEN 'needs the JS parser' END AS problem
      FROM m
    )
    SELECT line, ${part}skip, type, time, recipient,
      ${RECIPIENT_DOMAIN_SQL} AS recipient_domain,
      campaign, sending_ip, pool, sending_domain, stream, remote_mta, message_id, reply,
      ${heads ? KEPT_SQL : `coalesce(code_field, ${REPLY_CODE_SQL("reply")}) AS reply_code, status`}, source_label, machine_open,
      reader_ip, user_agent, url,
      CASE WHEN event_id IS NOT NULL THEN ${sqlString(`${table.format}:`)} || event_id END AS identity,
      coalesce(problem, CASE WHEN NOT skip AND ${controlRecipient} THEN 'needs the JS parser' END) AS problem,
      NULL::VARCHAR AS raw, hint, NULL::VARCHAR AS reply_mask, NULL::VARCHAR AS host_key, NULL::VARCHAR AS queue_id
    FROM s`;
}

/**
 * Reply code and status of a reader that leaves them to the view (replyDerivedHeads): the heads', else on rows
 * of STATUS_KEPT_TYPES those of the reply. The view reads the stored (trimmed) reply, the table the reply as
 * the source wrote it. A reply code is the same either way (a leading code has no whitespace before it, and
 * trimming after it leaves the code's end); a status is not: where trimming changed the reply ("250 2.0.0\n",
 * "  250 2.0.0") the row stores the status of the untrimmed reply, '' for none (the view's NULL).
 */
const KEPT = sqlIn("type", STATUS_KEPT_TYPES, EVENT_TYPE);
const KEPT_SQL = `coalesce(code_field, CASE WHEN ${KEPT} THEN ${REPLY_CODE_SQL("reply")} END) AS reply_code,
    coalesce(status, CASE WHEN ${KEPT} THEN ${LEADING_STATUS_SQL("untrimmed_reply")}
    WHEN untrimmed_reply IS DISTINCT FROM reply THEN coalesce(${LEADING_STATUS_SQL("untrimmed_reply")}, '') END) AS status`;

function fieldsUsed(e: Expr): EventField[] {
  const out: EventField[] = [];
  visitExpr(e, (x) => {
    if (typeof x === "object" && "field" in x) out.push(x.field);
  });
  return out;
}

/**
 * A staged row's recipient domain: what follows the recipient's last `@`, as stagingRow reads it. `contains`,
 * not `strpos(…) > 0`, which counts characters to give a position (100k SendGrid events, one thread,
 * bench/insert-instructions.ts: 2,165.9 → 2,142.3 M instructions).
 */
export const RECIPIENT_DOMAIN_SQL =
  "CASE WHEN contains(recipient, '@') THEN split_part(recipient, '@', -1) END";

/**
 * SQL twin of src/analytics/ingest/staging.ts `eventIdentity` over staging-shaped columns: the same text as
 * `'h:' || concat_ws(chr(31), type, epoch_ms(time)::VARCHAR, coalesce(recipient, ''), …, coalesce(url, ''))`
 * (the stored event keys hash it), built in one `concat`, which reads a NULL as '' — a NULL type or time,
 * which concat_ws would skip with its separator, is skipped with it as `x || chr(31)` is NULL. One copy of
 * the text instead of two (concat_ws, then `||`): 400k grep'd Postfix rows, one thread, the event key
 * 285 → 248 ms CPU (median of 4 interleaved; identical text on every row).
 */
export const IDENTITY_SQL = `concat('h:', type || chr(31), epoch_ms(time)::VARCHAR || chr(31), recipient, chr(31),
  campaign, chr(31), sending_ip, chr(31), message_id, chr(31), reply, chr(31), url)`;
