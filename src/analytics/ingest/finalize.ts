import { CLASSIFIER_VERSION } from "../../bounce/classifier-version.ts";
import type { Classification } from "../../bounce/classify.ts";
import { FAILURE_TYPES } from "../../bounce/event-actions.ts";
import { maskReplySql } from "../../bounce/reply-key.ts";
import { hostKeySql } from "../../bounce/rules/host-key.ts";
import { PLAIN_DOMAIN, SINGLED_OUT_DOMAIN } from "../../bounce/rules/scope.ts";
import { FILE_KINDS, refreshDaySummary, scanFileKinds } from "../../measures/index.ts";
import {
  BARE_MESSAGE_ID_SQL,
  columnKeyedSql,
  type EventKeyRecipe,
  eventKeySql,
  HASH_PROBE_SQL,
  hashEventKeySql,
  IDENTITY_SQL,
  insertMessageKeySql,
  type KeySources,
  messageKeySql,
  type Params,
  recipientHashSql,
  type Store,
  type StoreAppender,
  sourceEventKeySql,
} from "../../store/index.ts";
import { FUTURE_TOLERANCE_HOURS, MAX_QUARANTINED_RAW, memoBoundOf } from "../../util/limits.ts";
import { sqlEnum, sqlEnumList, sqlList, sqlString } from "../../util/sql.ts";
import { providerOfDomainSql, providerOfHostKeySql } from "../provider-domains.ts";
import { debugLine } from "../stopwatch.ts";
import { settleHosting } from "./hosting.ts";

/**
 * A file goes into `event_rows` in one streaming INSERT (DuckDB never holds the whole file), then is
 * settled inside the same transaction: bad records move to the quarantine, records already stored are
 * dropped, and distinct replies new to the store are classified once into `reply_classes`, which the
 * `events` view joins by `reply_key` (src/store/schema.ts, migrations 2 and 3). Rows being settled carry
 * a `type` starting with `!` (a bad record's problem in `source_label`); none survive the transaction.
 */
const PROBLEM = "!problem";
const DUPLICATE = "!duplicate";
const SKIP = "!skip";
/** An event type as the store's enum (`event_type`), for a test of a stored row's `type` (sqlEnum). */
const storedType = (type: string) => sqlEnum(type, "event_type");
const storedTypes = (types: readonly string[]) => sqlEnumList(types, "event_type");
/** Flagged rows' types, as stored. */
const FLAGGED = storedTypes([PROBLEM, DUPLICATE, SKIP]);

/**
 * The event types the store classifies: those `classify` shows without --all (classify-event.ts). As text in
 * the stored-key recipe (its text is recorded: classifier_state, so it stays as written), as stored else.
 */
const CLASSIFIED_TYPES = sqlList(FAILURE_TYPES);
const STORED_CLASSIFIED_TYPES = storedTypes(FAILURE_TYPES);

/**
 * The recipient domain as a reply's key keeps it: "" for a plain domain (PLAIN_DOMAIN) of no provider that no
 * rule table singles out (SINGLED_OUT_DOMAIN, e.g. NTT docomo's docomo.ne.jp, Yahoo's yahoo.com.ar), which
 * the classifier reads as any other such domain; else the domain as written (a trailing dot, a `>`, upper
 * case: the classifier normalises what SQL does not, so such a domain is never shared).
 */
const keyDomainSql = (
  domain: string,
  provider: string,
) => `CASE WHEN ${provider} = 'other' AND regexp_full_match(${domain}, ${sqlString(PLAIN_DOMAIN)})
    AND NOT regexp_matches(${domain}, ${sqlString(SINGLED_OUT_DOMAIN)})
  THEN '' ELSE coalesce(${domain}, '') END`;

/** What a reply's key reads beyond a row's own columns: where a staged row has them, and a stored one. */
interface KeyInputs {
  /** The classified types as the row's `type` compares with them (a staged row's type is the ENUM). */
  classifiedTypes: string;
  problem: string;
  hint: string;
  recipientDomain: string;
  /**
   * The recipient domain's provider by the recipient-domain table (providerOfDomainSql): a staged row's
   * `provider`; a stored row's is its hosting provider where the table lists none (hosting.ts), which the
   * classifier does not read.
   */
  provider: string;
  /** The reply masked by the JS parsers (src/bounce/reply-key.ts); else masked in SQL. */
  replyMask?: string;
  /**
   * Every row the key reads has its reply masked by the JS parsers (`replyMask` NULL only without a reply): no
   * SQL masker to fall back on (staging.ts stagingRow and outcome-csv.ts mask every failure's reply they stage).
   */
  staged?: boolean;
  /** The remote MTA's key staged by the JS parsers (staging.ts storedHostKey); else hostKeySql's. */
  hostKey?: string;
}

/** The source's hint a reply key starts with (`expired:<md5>`), or NULL. */
const hintOfKeySql = (key: string) => `CASE WHEN contains(${key}, ':') THEN split_part(${key}, ':', 1) END`;

/**
 * Key of a distinct reply over a row `s` with its `provider`: everything the classifier looks at
 * (classifyEvent) — event type, the recipient's provider (and domain: keyDomainSql), what it reads of the remote
 * host (its provider and the tables scoped to it: hostKeySql), reply code,
 * status, and the reply with its per-message tokens masked (src/bounce/reply-key.ts; staged as `reply_mask`
 * by the JS parsers, masked here for DuckDB's readers), so replies that differ only by queue ids or
 * addresses are classified once. The source's hint, when it has one, prefixes the key (`expired:<md5>`; an
 * SMTP command where the source has no other hint: `DATA:<md5>`, sourceHint in src/bounce/classify-event.ts):
 * the settle step reads it back.
 */
function replyKeySql(k: KeyInputs): string {
  // The SQL masker of a row the JS parsers staged without a mask: it has no reply, and the masker gives ''.
  const masked = k.staged ? "coalesce(s.reply, '')" : maskReplySql("coalesce(s.reply, '')");
  return `CASE WHEN ${k.problem} IS NULL AND s.type IN ${k.classifiedTypes}
  THEN concat(${k.hint} || ':', md5(concat_ws(chr(31), s.type, ${k.provider},
    ${keyDomainSql(k.recipientDomain, k.provider)},
    ${k.hostKey ? `coalesce(${k.hostKey}, ${hostKeySql("s.remote_mta")})` : hostKeySql("s.remote_mta")},
    coalesce(s.reply_code::VARCHAR, ''), coalesce(s.status, ''),
    ${k.replyMask ? `coalesce(${k.replyMask}, ${masked})` : masked}))) END`;
}

/** The key of a staged row (insertFlagged). */
const REPLY_KEY_INPUTS: KeyInputs = {
  classifiedTypes: STORED_CLASSIFIED_TYPES,
  problem: "s.problem",
  hint: "s.hint",
  recipientDomain: "s.recipient_domain",
  provider: "s.provider",
  replyMask: "s.reply_mask",
  hostKey: "s.host_key",
};
const REPLY_KEY_SQL = replyKeySql(REPLY_KEY_INPUTS);
/**
 * REPLY_KEY_SQL of rows the JS parsers staged: the same keys without the SQL masker's twenty regexps, which
 * DuckDB compiled for every such insert (planning, and again on each of its threads) though no row reads them.
 */
const STAGED_REPLY_KEY_SQL = replyKeySql({ ...REPLY_KEY_INPUTS, staged: true });

/**
 * The key of a stored row, from its stored columns (its hint from the key it carries): what the key of the
 * same row staged today is. A store records which recipe its keys come from (`classifier_state`), as md5 of
 * this text, so a change to the recipe (the domains and types it names included) re-keys the stored rows once.
 */
const STORED_DOMAIN = "CASE WHEN strpos(s.recipient, '@') > 0 THEN split_part(s.recipient, '@', -1) END";
export const STORED_REPLY_KEY_SQL = replyKeySql({
  classifiedTypes: CLASSIFIED_TYPES,
  problem: "NULL",
  hint: hintOfKeySql("s.reply_key"),
  recipientDomain: STORED_DOMAIN,
  provider: providerOfDomainSql(STORED_DOMAIN),
});

/** The staging row's values as stored (a missing time is stored as the epoch): what the derived keys hash. */
const STORED_KEY_SOURCES: KeySources = {
  recipient: "s.recipient",
  message_id: "s.message_id",
  campaign: "s.campaign",
  time: "coalesce(s.time, TIMESTAMP 'epoch')",
};

let classifier: Promise<typeof import("../../bounce/classify-event.ts")> | null = null;

/**
 * The classifier's modules, loaded once: started when a file's INSERT is, so they load while DuckDB
 * inserts (the settle needs them only after it).
 */
function loadClassifier(): Promise<typeof import("../../bounce/classify-event.ts")> {
  classifier ??= import("../../bounce/classify-event.ts");
  return classifier;
}

/**
 * Where a file (or a batch) starts, in one statement: the id it takes (a batch's first) — past every `files` row
 * and every file still listed unsettled, whose rows a failed settle could not remove (Store.removeUnsettled): a
 * later file never takes their id (review s46) — and whether `event_rows` holds any row before it (else its rows
 * need no look-up of stored ones).
 */
export async function fileStart(store: Store): Promise<{ fileId: number; storedBefore: boolean }> {
  const row = await store.one<{ id: number; any: boolean }>(
    `SELECT greatest((SELECT coalesce(max(file_id), 0) FROM files),
      (SELECT coalesce(max(file_id), 0) FROM unsettled_files)) + 1 AS id, EXISTS (SELECT 1 FROM event_rows) AS any`,
  );
  return { fileId: row?.id ?? 1, storedBefore: row?.any ?? true };
}

/**
 * Bounce-email files stored before their events' identity was the report itself (schema 14): those rows'
 * keys hash the diagnostic the reader of the day extracted. A bounce email's row matches one of them by
 * this key, the old identity without the reply (and without the campaign, sending IP and URL, which no
 * bounce email sets), so the same mailbox ingested again after any change to the readers stores nothing new.
 */
const LEGACY_EMAIL_FILES = "legacy_email_files";
const legacyEmailKeySql = (row: string, time: string) =>
  `hash(${row}.type::VARCHAR, epoch_ms(${time}), coalesce(${row}.recipient, ''), coalesce(${row}.message_id, ''))`;

/**
 * Which stored bounces a file's bounces may repeat from the other kind of source: a log (or an ESP's
 * events) records a failure, and the MTA mails the sender a bounce (DSN) for it, which `ingest` also reads.
 * `email`: the file is no bounce email and the store holds bounce-email files; `other`: the reverse.
 */
export type CrossSource = "email" | "other" | null;

/** The file's CrossSource (insertFlagged): null when nothing stored can be the other report of its bounces. */
export async function crossSourceOf(store: Store, format: string, stored: boolean): Promise<CrossSource> {
  if (!stored) return null;
  const email = format === "email";
  const any = await store.one<{ any: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM files WHERE (format = 'email') = $other) AS any",
    { other: !email },
  );
  return any?.any ? (email ? "other" : "email") : null;
}

/**
 * The `source_label` a row carries, inside the ingest's transaction, when it is a bounce the other kind of
 * source already stored (crossSourceOf): counted a duplicate, and counted apart for the summary's note.
 */
export const CROSS_MARK = "!reported by the other source";

/**
 * How many of the file's (or batch's, per file) rows insertFlagged marked CROSS_MARK, by file_id. Rows of a
 * log or events file (`format` not email) also give the bounce-email rows they repeat what a DSN does not
 * say (crossContext).
 */
export async function crossReported(
  store: Store,
  where: string,
  params: Params,
  format: string,
): Promise<Map<number, number>> {
  const rows = await store.all<{ file_id: number; n: number }>(
    `SELECT file_id, count(*)::INTEGER AS n FROM event_rows WHERE ${where} AND source_label = ${sqlString(CROSS_MARK)}
      GROUP BY file_id`,
    params,
  );
  if (rows.length > 0 && format !== "email") await crossContext(store, where, params);
  return new Map(rows.map((row) => [Number(row.file_id), row.n]));
}

/** What a log or an ESP's events know of a bounce that its DSN does not: filled in where the DSN's row has none. */
const CONTEXT_COLUMNS = ["campaign", "sending_ip", "pool", "sending_domain", "stream", "remote_mta"];

/**
 * A bounce stored from a DSN keeps its row when the log (or events file) reporting it comes after (the first
 * stored stays, as for any duplicate), but takes the log row's sending IP, pool, campaign, sending domain,
 * stream and remote MTA where it has none — the row a store holds is then the same whichever came first,
 * but for its time and reply (the DSN's). No column the day summary counts by changes (provider, day, type,
 * message and recipient keys), so the summary stays current. Of several log rows of one bounce, the first
 * file's, then line's, then the least values'.
 */
async function crossContext(store: Store, where: string, params: Params): Promise<void> {
  const set = CONTEXT_COLUMNS.map((column) => `${column} = coalesce(o.${column}, d.${column})`).join(", ");
  await store.run(
    `UPDATE event_rows AS o SET ${set}
    FROM (SELECT message_id, recipient, ${CONTEXT_COLUMNS.join(", ")} FROM event_rows
      WHERE ${where} AND source_label = ${sqlString(CROSS_MARK)}
      QUALIFY row_number() OVER (PARTITION BY message_id, recipient
        ORDER BY file_id, line, ${CONTEXT_COLUMNS.join(", ")}) = 1) d
    WHERE o.message_id = d.message_id AND o.recipient = d.recipient AND o.type = ${storedType("bounced")}
      AND o.file_id IN (SELECT file_id FROM files WHERE format = 'email')
      AND (${CONTEXT_COLUMNS.map((column) => `(o.${column} IS NULL AND d.${column} IS NOT NULL)`).join(" OR ")})`,
    params,
  );
}

/** The summary's note for `n` bounces of a file the other kind of source reported first. */
export function crossNote(n: number, format: string): string {
  const other =
    format === "email" ? "a log or events file stored before" : "a bounce email (DSN) stored before";
  const kept =
    format === "email" ? "" : ", the stored one given their sending IP, pool and campaign where it had none";
  return `${n.toLocaleString("en-US")} bounce${n === 1 ? "" : "s"} also reported by ${other} (same Message-ID and recipient): counted as duplicates${kept}`;
}

/** Whether a bounce-email file must also be matched against email rows keyed the old way (insertFlagged). */
export async function hasLegacyEmailRows(store: Store): Promise<boolean> {
  return (
    (await store.one<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${LEGACY_EMAIL_FILES}) AS any`))?.any ??
    false
  );
}

/**
 * Streams a staging-shaped query into `event_rows`, flagging problems and already-stored events
 * (`stored`: storeHasRows before the file; a file inserted in parts also flags a later part's repeats of
 * an earlier one, which settleFile counts as duplicates either way; `legacyEmail`: a bounce-email file
 * where hasLegacyEmailRows).
 */
export async function insertFlagged(
  store: Store,
  sourceSql: string,
  params: Params,
  fileId: number,
  clock: number,
  stored: boolean,
  matchTime = false,
  legacyEmail = false,
  parted = false,
  cross: CrossSource = null,
  headerMessageIds = false,
  /** The rows are the JS parsers' staged rows (csv-staging.ts partSql), not a DuckDB reader's. */
  staged = false,
): Promise<number> {
  void loadClassifier();
  const recipe = await eventKeyRecipe(store);
  const legacyLog = stored && (await hasLegacyLogRows(store));
  return store.exec(
    insertFlaggedSql(
      sourceSql,
      recipe,
      stored,
      matchTime,
      legacyEmail,
      parted,
      cross,
      headerMessageIds,
      legacyLog,
      staged,
    ),
    {
      ...params,
      file_id: fileId,
      not_after: notAfter(clock),
    },
  );
}

/** What a record dated after the ingest's clock plus FUTURE_TOLERANCE_HOURS is quarantined as. */
export const FUTURE_PROBLEM = `time in the future (more than ${FUTURE_TOLERANCE_HOURS} hours after the ingest's clock)`;

/** The latest time a record read at `clock` (ms since the epoch) may carry, as insertFlagged binds it. */
function notAfter(clock: number): string {
  return new Date(clock + FUTURE_TOLERANCE_HOURS * 3_600_000).toISOString().replace("Z", "");
}

/**
 * The store's event key recipe (`key_state`, schema 17). When the store's record of its DuckDB's hash
 * (HASH_PROBE_SQL) differs from this DuckDB's — a DuckDB of another version made its keys —, the keys DuckDB's
 * hash made are made again first from the stored rows (in the caller's transaction): a `hash` store's keys of
 * events without a source id, and every store's `recipient_hash` and `message_key`; the day summary, which sums
 * the event keys and counts by message key, is cleared (rebuilt by the ingest; `stats` reads the rows until then).
 * Without it, a file ingested again after such an upgrade would be stored a second time.
 */
export async function eventKeyRecipe(store: Store): Promise<EventKeyRecipe> {
  const state = await store.one<{ recipe: string; same: boolean }>(
    `SELECT recipe, hash_probe = ${HASH_PROBE_SQL} AS same FROM key_state`,
  );
  const recipe: EventKeyRecipe = state?.recipe === "hash" ? "hash" : "md5";
  if (state && !state.same) {
    const rekey =
      recipe === "hash"
        ? `event_key = CASE WHEN ${columnKeyedSql("event_key")} THEN ${hashEventKeySql()} ELSE event_key END, `
        : "";
    await store.run(
      `UPDATE event_rows SET ${rekey}recipient_hash = ${recipientHashSql()}, message_key = ${messageKeySql()};
      DELETE FROM summary_state;
      UPDATE key_state SET hash_probe = ${HASH_PROBE_SQL};`,
    );
  }
  return recipe;
}

/**
 * The key of a staged row under `recipe` (EventKeyRecipe): `md5`, eventKeySql of its identity text; `hash`, a
 * source id's sourceEventKeySql, else hashEventKeySql of the values the row is stored with (`message_id`: the
 * stored form's expression).
 */
function stagedKeySql(recipe: EventKeyRecipe, messageId: string, queueId = "queue_id"): string {
  if (recipe === "md5") {
    // A log row's queue id (schema 21) ends its identity text; a row without one keeps the text it had.
    return eventKeySql(
      `coalesce(identity, concat(${IDENTITY_SQL}, CASE WHEN ${queueId} IS NOT NULL THEN chr(31) || ${queueId} END))`,
    );
  }
  const columns = hashEventKeySql({
    type: "type",
    time: "coalesce(time, TIMESTAMP 'epoch')",
    recipient: "recipient",
    campaign: "campaign",
    sending_ip: "sending_ip",
    message_id: messageId,
    reply: "reply",
    url: "url",
    queue_id: queueId,
  });
  return `CASE WHEN identity IS NOT NULL THEN ${sourceEventKeySql("identity")} ELSE ${columns} END`;
}

/**
 * MTA log files stored before a log row's identity held its queue id (schema 21, LEGACY_LOG_FILES in
 * src/store/schema.ts): a row with a queue id also matches their rows by the key it would have had without it
 * (`legacy_log_key`), so such a log ingested again stores nothing twice. Distinct keys, as for bounce emails.
 */
const LEGACY_LOG_FILES = "legacy_log_files";

/** Whether a file's rows must also be matched against log rows keyed without their queue id (insertFlagged). */
async function hasLegacyLogRows(store: Store): Promise<boolean> {
  return (
    (await store.one<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${LEGACY_LOG_FILES}) AS any`))?.any ??
    false
  );
}

/**
 * insertFlagged's statement (the file's id bound as `$file_id`; `recipe`: the store's, eventKeyRecipe). `parted`: the rows of a batch of files
 * (partSql's PART column, batch.ts), file `$file_id + part` each; a row repeating an event of an earlier
 * file of the batch is flagged as already stored, as it would be had that file been settled before.
 * `headerMessageIds`: the rows' message ids are Message-ID headers as written (FieldTable.headerMessageId),
 * stored in the store's one form.
 */
export function insertFlaggedSql(
  sourceSql: string,
  recipe: EventKeyRecipe,
  stored: boolean,
  matchTime = false,
  legacyEmail = false,
  parted = false,
  cross: CrossSource = null,
  headerMessageIds = false,
  legacyLog = false,
  staged = false,
): string {
  // The key is computed once (a join condition would hash every row a second time), and an empty store
  // has nothing to join against. `matchTime` (IngestOptions.dedupeWithTime) also matches the time: DuckDB
  // then pushes the new rows' time range into the scan of the stored ones, which skips every row group
  // outside it (zone maps), so the look-up costs in proportion to the batch, not to the store.
  // An empty store: no join at all (a join with nothing still ran as a cross product over every row).
  const already = !stored
    ? ""
    : matchTime
      ? `LEFT JOIN (SELECT event_key, time FROM event_rows) e ON e.event_key = s.event_key
          AND e.time = coalesce(s.time, TIMESTAMP 'epoch')`
      : "LEFT JOIN (SELECT event_key FROM event_rows) e ON e.event_key = s.event_key";
  // Distinct keys: two old rows with one key must not make the new row two.
  const legacy = legacyEmail
    ? `LEFT JOIN (SELECT DISTINCT ${legacyEmailKeySql("r", "r.time")} AS legacy_key FROM event_rows r
        WHERE r.file_id IN (SELECT file_id FROM ${LEGACY_EMAIL_FILES})) l
        ON l.legacy_key = ${legacyEmailKeySql("s", "coalesce(s.time, TIMESTAMP 'epoch')")}`
    : "";
  // A bounce the other kind of source stored (crossSourceOf): the same Message-ID and recipient. Only equalities
  // in ON (the type inside the key): a test of the new row alone there planned a nested-loop join, every new row
  // against every stored DSN bounce (bench/serve-drain.ts --email-bounces 300000: 1.9 → 0.1 CPU-s per insert).
  const bounced = storedType("bounced");
  const other =
    cross && stored
      ? `LEFT JOIN (SELECT DISTINCT message_id, recipient FROM event_rows
        WHERE type = ${bounced} AND message_id IS NOT NULL AND recipient IS NOT NULL
          AND file_id IN (SELECT file_id FROM files WHERE format ${cross === "email" ? "=" : "<>"} 'email')) x
        ON x.message_id = CASE WHEN s.type = ${bounced} THEN s.message_id END AND x.recipient = s.recipient`
      : "";
  const crossed = other ? "x.recipient IS NOT NULL AND e.event_key IS NULL" : null;
  // Rows of a log stored before schema 21 (LEGACY_LOG_FILES): matched by the key without the queue id, which is
  // NULL for a row that has none (an equality only: see `other`).
  const oldLog =
    stored && legacyLog
      ? `LEFT JOIN (SELECT DISTINCT event_key FROM event_rows
          WHERE file_id IN (SELECT file_id FROM ${LEGACY_LOG_FILES})) g ON g.event_key = s.legacy_log_key`
      : "";
  // The Message-ID a row's key reads: the header's bare form where the source gives headers.
  const keyedMessageId = headerMessageIds ? BARE_MESSAGE_ID_SQL("message_id") : "message_id";
  const duplicates = [
    ...(stored ? ["e.event_key IS NOT NULL", ...(legacyEmail ? ["l.legacy_key IS NOT NULL"] : [])] : []),
    ...(oldLog ? ["g.event_key IS NOT NULL"] : []),
    ...(crossed ? ["x.recipient IS NOT NULL"] : []),
    ...(parted ? ["s.first_part < s.part"] : []),
  ];
  // A record dated after the ingest's clock (`$not_after`, insertFlagged) is a bad record: every path's rows
  // come through here, and a file DuckDB read goes to the parsers for it (a problem), so its line is kept.
  const future = `problem IS NULL AND time > $not_after::TIMESTAMP`;
  // One form of a Message-ID, whichever reader read it (BARE_MESSAGE_ID_SQL), in the stored column, the message
  // key and the cross-source match (stored rows have it since schema 16); the identity hashes the source's.
  // Only ids that may carry brackets pay for it (FieldTable.headerMessageId): the others have none (an ESP's own
  // id, Exim's `id=`) or their reader strips them (`stripAngles`, Postfix's `message-id=`, a bounce email's).
  const keyed = `SELECT * REPLACE (CASE WHEN ${future} THEN ${sqlString(FUTURE_PROBLEM)} ELSE problem END AS problem,
        CASE WHEN ${future} THEN ${FUTURE_RAW_SQL} ELSE raw END AS raw${
          headerMessageIds ? `, ${BARE_MESSAGE_ID_SQL("message_id")} AS message_id` : ""
        }),
      ${stagedKeySql(recipe, keyedMessageId)} AS event_key,${
        oldLog
          ? `
      CASE WHEN queue_id IS NOT NULL THEN ${stagedKeySql(recipe, keyedMessageId, "NULL")} END
        AS legacy_log_key,`
          : ""
      }
      ${providerOfDomainSql("recipient_domain")} AS provider FROM (${sourceSql})`;
  // The first file of the batch holding a row of the event that is stored (neither skipped nor bad).
  const rows = parted
    ? `SELECT *, min(CASE WHEN NOT skip AND problem IS NULL THEN part END) OVER (PARTITION BY event_key)
        AS first_part FROM (${keyed})`
    : keyed;
  return `INSERT INTO event_rows
    SELECT s.event_key,
      CASE WHEN s.skip THEN ${storedType(SKIP)} WHEN s.problem IS NOT NULL THEN ${storedType(PROBLEM)}
        ${duplicates.length ? `WHEN ${duplicates.join(" OR ")} THEN ${storedType(DUPLICATE)}` : ""} ELSE s.type END,
      coalesce(s.time, TIMESTAMP 'epoch'), s.recipient, ${STORED_PROVIDER_SQL},
      s.campaign, s.sending_ip, s.pool, s.sending_domain, s.stream, s.remote_mta, s.message_id,
      CASE WHEN s.problem IS NOT NULL THEN s.raw ELSE s.reply END, s.reply_code, s.status,
      CASE WHEN s.problem IS NOT NULL THEN s.problem
        ${crossed ? `WHEN ${crossed} THEN ${sqlString(CROSS_MARK)}` : ""} ELSE s.source_label END, s.machine_open, s.reader_ip,
      s.user_agent, s.url, ${parted ? "$file_id + s.part" : "$file_id"}, s.line, ${staged ? STAGED_REPLY_KEY_SQL : REPLY_KEY_SQL},
      ${recipientHashSql(STORED_KEY_SOURCES)}, ${insertMessageKeySql(STORED_KEY_SOURCES)}, s.queue_id
    FROM (${rows}) s
    ${already} ${stored ? legacy : ""} ${other} ${oldLog}`;
}

/**
 * The provider a staged row is stored with: its recipient domain's (`provider`, providerOfDomainSql), else the
 * provider of the host it names (its staged host key; the settle then gives every row of the domain the
 * provider that hosts it: hosting.ts), else `other`. The reply key keeps the domain's.
 */
const STORED_PROVIDER_SQL = `CASE WHEN s.provider = 'other'
  THEN coalesce(${providerOfHostKeySql("s.host_key")}, s.provider) ELSE s.provider END`;

/** A future-dated record's raw text in the quarantine: what staging.ts noTimeRow keeps of a record without a time. */
const FUTURE_RAW_SQL = `left(json_object('type', type::VARCHAR, 'recipient', recipient,
  'time', strftime(time, '%Y-%m-%dT%H:%M:%S.%gZ'))::VARCHAR, ${MAX_QUARANTINED_RAW})`;

export interface Settled {
  read: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  newReplies: number;
}

/**
 * A file's counts with the `repeats` its parsers left out (js-path.ts LineRepeats): read, and duplicates, as
 * the settle would have counted them.
 */
export function withRepeats(settled: Settled, repeats: number): Settled {
  return repeats
    ? { ...settled, read: settled.read + repeats, duplicates: settled.duplicates + repeats }
    : settled;
}

/** A file's inserted rows by what the settle does with them (`countFile`). */
export interface FileCounts {
  skip: number;
  problem: number;
  /** Skipped, bad and already stored rows: none stays. */
  flagged: number;
}

/** countFile's counts, and the file's repeats among its unflagged rows (repeatsSql) as it was inserted. */
export interface FileScan extends FileCounts {
  repeats: number;
}

/**
 * The one scan of a file's inserted rows (FILE_KINDS, src/measures/day-counts.ts): the settle's counts
 * from it, and the day summary's groups, kept for refreshDaySummary.
 */
export async function countFile(store: Store, fileId: number): Promise<FileScan> {
  // The file's repeats counted in the same statement (repeatsSql): DuckDB sorts the keys while it groups.
  await scanFileKinds(store, fileId, fileId, `${repeatsSql(`AND type NOT IN ${FLAGGED}`)} AS repeats`);
  const counts = await store.one<FileScan>(
    `SELECT coalesce(sum(n) FILTER (WHERE type = ${storedType(SKIP)}), 0) AS skip,
      coalesce(sum(n) FILTER (WHERE type = ${storedType(PROBLEM)}), 0) AS problem,
      coalesce(sum(n) FILTER (WHERE type IN ${FLAGGED}), 0) AS flagged,
      coalesce(any_value(repeats), 0) AS repeats FROM ${FILE_KINDS}`,
  );
  return counts ?? { skip: 0, problem: 0, flagged: 0, repeats: 0 };
}

/**
 * The file's (`$file_id`) repeats — rows beyond the first of a key — among its rows that also match `rows`
 * (`AND …`), as a scalar subquery: the rows whose key equals the one before in key order. Sorting the keys
 * costs a third less CPU than grouping them (SendGrid 3M rows, nearly all keys distinct: 0.37 vs 0.60 CPU-s),
 * and a grouping was in turn a third faster than count(DISTINCT event_key); also 10M rows: the sort 1.2–1.6
 * CPU-s, the grouping 2.2–3.1, a list_distinct 15–27.
 */
function repeatsSql(rows: string): string {
  return `(SELECT count(*) FROM (SELECT event_key = lag(event_key) OVER (ORDER BY event_key) AS repeat
    FROM event_rows WHERE file_id = $file_id ${rows}) WHERE repeat)`;
}

/**
 * Settles a file counted by `countFile`, then brings the day summary up to date from that scan
 * (`storedBefore`: whether the store held rows before the file; `format`: the file's, not in `files` yet).
 */
export async function settleFile(
  store: Store,
  path: string,
  fileId: number,
  format: string,
  inserted: number,
  counts: FileScan,
  storedBefore: boolean,
  lap: (step: string) => void = () => {},
): Promise<Settled> {
  const file = { file_id: fileId };
  const again = await reclassifyIfStale(store);
  if (again.rekeyed || again.classified) lap("classify stored replies again");
  const adopted =
    storedBefore && counts.flagged > counts.skip + counts.problem ? await adoptHints(store, fileId) : 0;
  if (adopted) lap("stored rows take their duplicates' hint");
  // Repeats (repeatsSql): counted with the scan, unless the rows were keyed again since. A file with no
  // flagged row (the scan counted them) sorts its keys alone. Then the settle's last steps (finishSettle:
  // quarantine, unkept rows, day summary), which read no class, run in DuckDB while JS classifies the first
  // page of new replies (their distinct replies were read into the pages' table before): the wide 1M log's
  // first page took 0.5 CPU-s in JS, its day summary 0.45 in DuckDB, one after the other.
  const unflagged = counts.flagged ? `AND type NOT IN ${FLAGGED}` : "";
  const { perFile, meanwhile: finished } = await recordNewReplies(
    store,
    newRepliesWhere(adopted > 0),
    file,
    async () => {
      const repeats =
        again.rekeyed || adopted
          ? ((await store.one<{ repeats: number }>(`SELECT ${repeatsSql(unflagged)} AS repeats`, file))
              ?.repeats ?? 0)
          : counts.repeats;
      // The file's new replies are counted once its pages are: none of these steps reads them.
      return finishSettle(
        store,
        { firstId: fileId, where: "file_id = $file_id", params: file, paths: [path] },
        { inserted: [inserted], counts: [counts], repeats: [repeats], newReplies: [0] },
        storedBefore,
        format,
        lap,
      );
    },
  );
  lap("count, classify and record new replies");
  const settled = { ...finished[0], newReplies: [...perFile.values()].reduce((sum, n) => sum + n, 0) };
  return settled;
}

/** Each of files `firstId`…`lastId`'s inserted rows, and how many are bad (a DuckDB batch's read: batch.ts). */
export function rowsByFile(
  store: Store,
  firstId: number,
  lastId: number,
): Promise<{ file_id: number; rows: number; problems: number }[]> {
  return store.all(
    `SELECT file_id, count(*) AS rows, count(*) FILTER (WHERE type = ${storedType(PROBLEM)}) AS problems
      FROM event_rows WHERE file_id BETWEEN $file_id AND $last_id GROUP BY file_id`,
    { file_id: firstId, last_id: lastId },
  );
}

/**
 * A batch settled as it stands would not be what settling its files one by one gives (settleBatch): its
 * file `at` (from 0) is settled alone, those before and after it as batches.
 */
export class SplitBatch extends Error {
  readonly at: number;
  constructor(at: number) {
    super(`file ${at} of the batch gives stored rows its duplicates' hint`);
    this.at = at;
  }
}

/**
 * Settles the rows of a batch of files inserted by one insertFlagged (`parted`), files `firstId` on in the
 * order of `inserted` (each file's rows): what settleFile does for each of them in turn, once for all —
 * one scan, one look-up of new replies, one day-summary upkeep — and each file's counts as settleFile's.
 * A file's new replies are those of the first file of the batch holding them, classified from its rows.
 * `writeFiles` writes the files' `files` rows before the day summary reads them. Throws SplitBatch (the
 * caller rolls back) at the first file whose duplicates would give a row of a file before it their hint
 * (adoptHints: a row of an older store, or the same report read with another hint by an earlier file):
 * one by one that changes the earlier row's key and the file's new replies.
 */
export async function settleBatch(
  store: Store,
  firstId: number,
  inserted: readonly number[],
  paths: readonly string[],
  storedBefore: boolean,
  writeFiles: (settled: Settled[]) => Promise<void>,
  lap: (step: string) => void = () => {},
): Promise<Settled[]> {
  const lastId = firstId + inserted.length - 1;
  const batch = { file_id: firstId, last_id: lastId };
  const inBatch = "file_id BETWEEN $file_id AND $last_id";
  await scanFileKinds(store, firstId, lastId);
  const flaggedRows = await store.all<FileCounts & { file_id: number }>(
    `SELECT file_id, count(*) FILTER (WHERE type = ${storedType(SKIP)}) AS skip,
      count(*) FILTER (WHERE type = ${storedType(PROBLEM)}) AS problem, count(*) AS flagged
    FROM event_rows WHERE ${inBatch} AND type IN ${FLAGGED} GROUP BY file_id`,
    batch,
  );
  const none: FileCounts = { skip: 0, problem: 0, flagged: 0 };
  const counts = inserted.map((_, at) => flaggedRows.find((row) => row.file_id === firstId + at) ?? none);
  const total = (key: keyof FileCounts) => counts.reduce((sum, file) => sum + file[key], 0);
  lap("scan");
  const again = await reclassifyIfStale(store);
  if (again.rekeyed || again.classified) lap("classify stored replies again");
  if (total("flagged") > total("skip") + total("problem")) {
    const adopting = await store.one<{ file_id: number | null }>(
      `SELECT min(d.file_id) AS file_id FROM (SELECT file_id, event_key, time,
          arg_min_null(reply_key, line) AS reply_key FROM event_rows
        WHERE ${inBatch} AND type = ${storedType(DUPLICATE)} GROUP BY ALL) d
      JOIN event_rows o ON o.event_key = d.event_key AND o.time = d.time AND o.file_id < d.file_id
      WHERE ${ADOPTS_HINT} AND o.type NOT IN ${FLAGGED}`,
      batch,
    );
    if (typeof adopting?.file_id === "number") throw new SplitBatch(adopting.file_id - firstId);
  }
  // A reply new to the store is the first file's that holds it, and classified from that file's rows. A
  // repeat of an earlier file's event is flagged: those left repeat one within their file.
  const { perFile, meanwhile: repeatRows } = await recordNewReplies(
    store,
    `${inBatch} AND reply_key NOT IN (SELECT reply_key FROM reply_classes) AND file_id = (SELECT min(f.file_id)
      FROM event_rows f WHERE f.reply_key = event_rows.reply_key AND f.file_id BETWEEN $file_id AND $last_id
        AND f.type IN ${STORED_CLASSIFIED_TYPES})`,
    batch,
    () =>
      store.all<{ file_id: number; repeats: number }>(
        `SELECT file_id, count(*) AS repeats FROM (SELECT file_id,
            event_key = lag(event_key) OVER (PARTITION BY file_id ORDER BY event_key) AS repeat
          FROM event_rows WHERE ${inBatch} AND type NOT IN ${FLAGGED}) WHERE repeat GROUP BY file_id`,
        batch,
      ),
  );
  const repeats = inserted.map(
    (_, at) => repeatRows.find((row) => row.file_id === firstId + at)?.repeats ?? 0,
  );
  lap("count, classify and record new replies");
  const newReplies = inserted.map((_, at) => perFile.get(firstId + at) ?? 0);
  return finishSettle(
    store,
    { firstId, where: inBatch, params: batch, paths },
    { inserted, counts, repeats, newReplies },
    storedBefore,
    undefined,
    lap,
    writeFiles,
  );
}

/** The files a settle's last steps work on: ids `firstId` on (`paths` theirs), their rows `where` selects. */
interface SettleScope {
  firstId: number;
  where: string;
  /** Binds `$file_id` to `firstId` (and what `where` reads besides). */
  params: Params;
  paths: readonly string[];
}

/** Per file of a settle: rows inserted, the scan's counts, repeats within the file, new replies classified. */
interface SettleCounts {
  inserted: readonly number[];
  counts: readonly FileCounts[];
  repeats: readonly number[];
  newReplies: readonly number[];
}

/**
 * The last steps settleFile and settleBatch share, once the new replies are recorded: bad rows to the
 * quarantine, unkept rows dropped (dropUnkept), each file's counts, the files'
 * `files` rows (`writeFiles`: a batch's, written before the day summary reads them; settleFile's caller
 * writes its own after, the summary told its `format`), then the day summary brought up to date.
 */
async function finishSettle(
  store: Store,
  { firstId, where, params, paths }: SettleScope,
  { inserted, counts, repeats, newReplies }: SettleCounts,
  storedBefore: boolean,
  format: string | undefined,
  lap: (step: string) => void,
  writeFiles: (settled: Settled[]) => Promise<void> = async () => {},
): Promise<Settled[]> {
  const lastId = firstId + inserted.length - 1;
  const total = (key: keyof FileCounts) => counts.reduce((sum, file) => sum + file[key], 0);
  if (total("problem")) {
    await store.run(
      `INSERT INTO quarantine SELECT file_id, [${paths.map(sqlString).join(", ")}][file_id - $file_id + 1], line, source_label,
        left(reply, 2048) FROM event_rows WHERE ${where} AND type = ${storedType(PROBLEM)}`,
      params,
    );
  }
  await dropUnkept(
    store,
    where,
    params,
    total("flagged") > 0,
    repeats.some((n) => n > 0),
    () => scanFileKinds(store, firstId, lastId),
  );
  lap("settle");
  // Who hosts the recipient domains no table lists (hosting.ts): the files' rows of a hosted domain take its
  // provider (their groups are counted again), and rows stored before, when a domain's provider changed (the
  // day summary, which counts by provider, is then rebuilt from the rows).
  const hosting = await settleHosting(store, where, params, storedBefore);
  if (hosting.fileRows) await scanFileKinds(store, firstId, lastId);
  if (hosting.olderRows) await store.run("DELETE FROM summary_state");
  lap(
    `hosted domains (rows given their domain's provider: ${hosting.fileRows} of the file, ${hosting.olderRows} before)`,
  );
  const settled = inserted.map((rows, at): Settled => {
    const read = rows - counts[at].skip;
    const stored = rows - counts[at].flagged - repeats[at];
    const quarantined = counts[at].problem;
    return {
      read,
      stored,
      duplicates: read - stored - quarantined,
      quarantined,
      newReplies: newReplies[at],
    };
  });
  await writeFiles(settled);
  const stored = settled.reduce((sum, file) => sum + file.stored, 0);
  await refreshDaySummary(store, firstId, stored, { storedBefore }, format, lastId);
  await store.run(`DROP TABLE ${FILE_KINDS}`);
  lap("day summary");
  return settled;
}

/**
 * Removes the settled files' rows that do not stay (`where` selects the files' rows): the flagged ones
 * (skipped, bad, already stored), from FILE_KINDS too, and with `repeats` an event's rows beyond the first
 * line within its file — after which `rescan` reads the files' groups again (the scan counted those rows).
 * One statement each for settleFile and settleBatch.
 */
async function dropUnkept(
  store: Store,
  where: string,
  params: Params,
  flagged: boolean,
  repeats: boolean,
  rescan: () => Promise<void>,
): Promise<void> {
  if (flagged) {
    await store.run(`DELETE FROM event_rows WHERE ${where} AND type IN ${FLAGGED}`, params);
    await store.run(`DELETE FROM ${FILE_KINDS} WHERE type IN ${FLAGGED}`);
  }
  if (!repeats) return;
  await store.run(
    `DELETE FROM event_rows WHERE rowid IN (SELECT rowid FROM (SELECT rowid, row_number() OVER
      (PARTITION BY file_id, event_key ORDER BY line) AS n FROM event_rows WHERE ${where}) WHERE n > 1)`,
    params,
  );
  await rescan();
}

interface NewReply {
  reply_key: string;
  file_id: number;
  type: string;
  provider: string;
  hint: string | null;
  reply: string | null;
  reply_code: number | null;
  status: string | null;
  recipient: string | null;
  remote_mta: string | null;
}

/**
 * Which rows hold the file's (`$file_id`) distinct replies the store has not classified yet (flagged rows
 * aside), and with `adopted` those of stored rows that took a key from the file's duplicates (adoptHints).
 */
function newRepliesWhere(adopted: boolean): string {
  const rows = adopted
    ? `(file_id = $file_id OR reply_key IN (SELECT reply_key FROM event_rows
        WHERE file_id = $file_id AND type = ${storedType(DUPLICATE)}))`
    : "file_id = $file_id";
  return `${rows} AND reply_key NOT IN (SELECT reply_key FROM reply_classes)`;
}

/**
 * Classifies the distinct replies of the rows `where` selects (classifyInPages) and appends their classes to
 * `reply_classes`. `meanwhile` as classifyInPages'. How many replies each file id got.
 */
async function recordNewReplies<T>(
  store: Store,
  where: string,
  params: Params,
  meanwhile: () => Promise<T>,
): Promise<{ perFile: Map<number, number>; meanwhile: T }> {
  const perFile = new Map<number, number>();
  const { meanwhile: result } = await classifyInPages(
    store,
    "new replies",
    where,
    params,
    async (classified) => {
      await appendClassifications(store, classified);
      for (const { reply } of classified)
        perFile.set(Number(reply.file_id), (perFile.get(Number(reply.file_id)) ?? 0) + 1);
    },
    meanwhile,
  );
  return { perFile, meanwhile: result };
}

/**
 * The distinct replies of the rows `where` selects (distinctRepliesSql) classified and handed to `record` a
 * page (MEMO_BOUNDS.newRepliesPage) at a time in key order: a file (or store) whose every reply is another
 * holds one page of them in JS, never all (review R50: ~1.15 KB a reply held until the last was classified).
 * They wait in a temporary table, ranked by key, that each page reads by its ranks (zone maps skip the row
 * groups before them). `meanwhile` is started once the first page is read and awaited before anything is
 * recorded: DuckDB runs it while JS classifies that page. How many were classified (`what`, for the debug line).
 */
async function classifyInPages<T>(
  store: Store,
  what: string,
  where: string,
  params: Params,
  record: (classified: Classified[]) => Promise<void>,
  meanwhile: () => Promise<T>,
): Promise<{ replies: number; meanwhile: T }> {
  const size = memoBoundOf("newRepliesPage");
  await store.run(
    `CREATE OR REPLACE TEMP TABLE ${PAGED_REPLIES} AS SELECT row_number() OVER (ORDER BY reply_key) AS rank, *
      FROM (${distinctRepliesSql(where)}) ORDER BY rank`,
    params,
  );
  // The ranks written in the statement, not bound: a bound one was not pushed into the scan (500,000 rows read
  // 10,000 at a time: 3.1 CPU-s bound, 2.4–2.8 written). A row crosses as one JSON text (Store.allOfJson),
  // its rank in it too.
  const read = (after: number) =>
    store.allOfJson<NewReply>(
      `SELECT to_json(p)::VARCHAR FROM temp.${PAGED_REPLIES} p WHERE rank > ${after} AND rank <= ${after + size}
        ORDER BY rank`,
    );
  let page = await read(0);
  const started = meanwhile();
  let classified: Classified[];
  try {
    classified = await classifyYielding(page);
  } catch (error) {
    // DuckDB done with `meanwhile` before the caller rolls back.
    await started.catch(() => {});
    throw error;
  }
  const result = await started;
  let pages = 0;
  let replies = 0;
  for (;;) {
    if (classified.length > 0) await record(classified);
    pages += page.length > 0 ? 1 : 0;
    replies += page.length;
    if (page.length < size) break;
    page = await read(replies);
    classified = await classifyYielding(page);
  }
  await store.run(`DROP TABLE temp.${PAGED_REPLIES}`);
  debugLine(`${what}: ${replies} classified in ${pages} page(s) of at most ${size}`);
  return { replies, meanwhile: result };
}

/** The temporary table classifyInPages pages. */
const PAGED_REPLIES = "paged_replies";

/**
 * Whether stored row `o` takes the hinted key of its duplicate `d` (adoptHints): `o` keyed without a hint, `d`
 * with one, for the same reply — the md5 after the hint is `o`'s key (review s24 R16).
 */
const ADOPTS_HINT = `contains(d.reply_key, ':') AND o.reply_key IS NOT NULL AND NOT contains(o.reply_key, ':')
  AND split_part(d.reply_key, ':', 2) = o.reply_key`;

/**
 * A stored row keyed without a hint (no `:`) whose duplicate in this file has one takes the duplicate's key:
 * rows a log stored before the SMTP phase was read (classifier version 6) have phase-less keys, and the same
 * line read today shows its phase (`DATA:<md5>`; review s15 R3). The duplicate is the same line (same event
 * key and time; of several, the first line's, as a fresh store keeps it): its key is the one a fresh store
 * would hold. Only for the same reply (ADOPTS_HINT): a bounce email's identity is its report's, not its
 * text's, so a duplicate report can carry another reply. Only the key changes — no row is added or removed —
 * and classes no row carries any more are dropped. The number of rows given a key.
 */
async function adoptHints(store: Store, fileId: number): Promise<number> {
  const adopted = await store.exec(
    `UPDATE event_rows AS o SET reply_key = d.reply_key
     FROM (SELECT event_key, time, arg_min_null(reply_key, line) AS reply_key FROM event_rows
       WHERE file_id = $file_id AND type = ${storedType(DUPLICATE)} GROUP BY event_key, time) d
     WHERE o.event_key = d.event_key AND o.time = d.time AND o.file_id <> $file_id
       AND ${ADOPTS_HINT}`,
    { file_id: fileId },
  );
  if (adopted) await dropUncarriedClasses(store);
  return adopted;
}

/** Drops the classes no stored row carries (a later row with such a key is classified as a new one). */
function dropUncarriedClasses(store: Store): Promise<void> {
  return store.run(
    `DELETE FROM reply_classes WHERE reply_key NOT IN
      (SELECT reply_key FROM event_rows WHERE type IN ${STORED_CLASSIFIED_TYPES} AND reply_key IS NOT NULL)`,
  );
}

/**
 * A query of the distinct replies of the event rows `where` selects, each with what classifyEvent reads (and the
 * least file id of its rows). Its reply is the least of its rows' (they differ only where the key masks):
 * any_value took the first in the plan's order, which a batch's join changed (review s24 R14).
 */
function distinctRepliesSql(where: string): string {
  return `SELECT reply_key, min(file_id) AS file_id, any_value(type) AS type,
      ${providerOfDomainSql("CASE WHEN strpos(min(recipient), '@') > 0 THEN split_part(min(recipient), '@', -1) END")}::VARCHAR AS provider,
      ${hintOfKeySql("reply_key")} AS hint, min(reply) AS reply,
      any_value(reply_code) AS reply_code, any_value(status) AS status, min(recipient) AS recipient,
      min(remote_mta) AS remote_mta
    FROM event_rows
    WHERE type IN ${STORED_CLASSIFIED_TYPES} AND reply_key IS NOT NULL AND ${where}
    GROUP BY reply_key`;
}

/** What reclassifyIfStale did: stored rows given another key, distinct stored replies classified again. */
export interface Reclassified {
  rekeyed: number;
  classified: number;
}

const NOTHING_AGAIN: Reclassified = { rekeyed: 0, classified: 0 };

/**
 * A store keeps each distinct reply's class from the classifier that classified it, under the key recipe
 * of the ingest that stored it: when the store recorded another classifier version (CLASSIFIER_VERSION,
 * src/bounce/classifier-version.ts) or key recipe (STORED_REPLY_KEY_SQL), or none (a store from before
 * schema 11 or 12), every stored row is first keyed again by today's recipe when that changed (an old key
 * could join rows the classifier tells apart, e.g. a docomo.ne.jp and an example.org recipient), then every
 * reply it holds is classified again, so the store and `classify` agree after an upgrade. A class no stored
 * row carries any more is dropped (a later row with its key is classified as a new one). One pass over the
 * distinct replies; nothing when both match.
 */
export async function reclassifyIfStale(store: Store): Promise<Reclassified> {
  const recipe = { recipe: STORED_REPLY_KEY_SQL };
  const state = await store.one<{ version: number | null; same_recipe: boolean | null; classes: boolean }>(
    `SELECT (SELECT max(classifier_version) FROM classifier_state) AS version,
      (SELECT bool_and(reply_key_recipe = md5($recipe)) FROM classifier_state) AS same_recipe,
      EXISTS (SELECT 1 FROM reply_classes) AS classes`,
    recipe,
  );
  const sameRecipe = state?.same_recipe === true;
  if (state?.version === CLASSIFIER_VERSION && sameRecipe) return NOTHING_AGAIN;
  // No class yet: no row was keyed before the file being settled (a new store's first file).
  const again = state?.classes ? await classifyStoredAgain(store, !sameRecipe) : NOTHING_AGAIN;
  await store.run("DELETE FROM classifier_state");
  await store.run("INSERT INTO classifier_state VALUES ($version, md5($recipe))", {
    version: CLASSIFIER_VERSION,
    ...recipe,
  });
  return again;
}

/** reclassifyIfStale's pass: every stored row keyed again (`rekey`), then every stored reply classified again. */
async function classifyStoredAgain(store: Store, rekey: boolean): Promise<Reclassified> {
  // The file's flagged rows keep their staged keys (a duplicate's hinted key is what adoptHints gives the
  // stored row it repeats; the recipe of a stored row would drop it: not a classified type).
  // Only the rows whose key changes are written: each updated row is held in memory until the commit (1M
  // keyed rows all rewritten: +110 MB peak RSS, review s15 R2), and most recipe changes move few keys.
  const rekeyed = rekey
    ? await store.exec(`UPDATE event_rows AS s SET reply_key = ${STORED_REPLY_KEY_SQL}
        WHERE s.reply_key IS NOT NULL AND s.type NOT IN ${FLAGGED}
          AND s.reply_key IS DISTINCT FROM ${STORED_REPLY_KEY_SQL}`)
    : 0;
  await dropUncarriedClasses(store);
  // A page's replies in key order: those of them `reply_classes` holds are within its first and last key.
  const { replies } = await classifyInPages(
    store,
    "stored replies",
    "true",
    {},
    async (classified) => {
      const known = new Set(
        (
          await store.all<{ reply_key: string }>(
            "SELECT reply_key FROM reply_classes WHERE reply_key BETWEEN $first AND $last",
            { first: classified[0].reply.reply_key, last: classified.at(-1)?.reply.reply_key ?? "" },
          )
        ).map((row) => row.reply_key),
      );
      await updateClassifications(
        store,
        classified.filter(({ reply }) => known.has(reply.reply_key)),
      );
      await appendClassifications(
        store,
        classified.filter(({ reply }) => !known.has(reply.reply_key)),
      );
    },
    async () => {},
  );
  return { rekeyed, classified: replies };
}

/**
 * Replaces the classes of replies already in `reply_classes` in place: deleting and appending the same
 * keys in one transaction trips DuckDB's unique index on `reply_key` ("Duplicate key").
 */
async function updateClassifications(store: Store, classified: Classified[]): Promise<void> {
  await store.run(`CREATE OR REPLACE TEMP TABLE reclassified (reply_key VARCHAR, provider VARCHAR,
    provider_code VARCHAR, reason VARCHAR, category VARCHAR, permanent BOOLEAN, rule_id VARCHAR)`);
  const appender = await store.appender("reclassified", "main", "temp");
  const row = rowAppender(appender);
  for (const { reply, result } of classified) {
    row.text(reply.reply_key);
    row.classification(result);
  }
  appender.closeSync();
  await store.run(`UPDATE reply_classes SET provider = r.provider, provider_code = r.provider_code,
      reason = r.reason, category = r.category, permanent = r.permanent, rule_id = r.rule_id
    FROM temp.reclassified r WHERE reply_classes.reply_key = r.reply_key`);
  await store.run("DROP TABLE temp.reclassified");
}

interface Classified {
  reply: NewReply;
  result: Classification;
}

/** Classifies in slices, yielding between them so DuckDB's pending query keeps being served. */
async function classifyYielding(replies: NewReply[]): Promise<Classified[]> {
  if (replies.length === 0) return [];
  const classifier = await loadClassifier();
  const classify = (reply: NewReply) => classifyOne(classifier, reply);
  const classified: Classified[] = [];
  for (let at = 0; at < replies.length; at += 256) {
    for (const reply of replies.slice(at, at + 256)) classified.push(classify(reply));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return classified;
}

/** Each distinct reply classified once, as `classify` does (`classifyEvent`). */
function classifyOne(
  { classifyEvent, eventFactsOfHint }: typeof import("../../bounce/classify-event.ts"),
  reply: NewReply,
): Classified {
  const result = classifyEvent({
    type: reply.type,
    reply: reply.reply,
    replyCode: reply.reply_code,
    status: reply.status,
    remoteMta: reply.remote_mta,
    recipient: reply.recipient,
    ...eventFactsOfHint(reply.hint),
  });
  if (result === null) throw new Error(`no classification for event type ${reply.type}`);
  return { reply, result };
}

/** Records classifications in `reply_classes`, which the `events` view joins by `reply_key`. */
async function appendClassifications(store: Store, classified: Classified[]): Promise<void> {
  if (classified.length === 0) return;
  const appender = await store.appender("reply_classes");
  const row = rowAppender(appender);
  for (const { reply, result } of classified) {
    row.text(reply.reply_key);
    row.text(reply.type);
    row.text(reply.provider);
    row.text(reply.reply ?? "");
    if (reply.reply_code === null) appender.appendNull();
    else appender.appendInteger(reply.reply_code);
    row.text(reply.status);
    row.classification(result);
  }
  appender.closeSync();
}

/** Text values, and a classification's columns in `reply_classes` order (provider … rule_id) ending the row. */
function rowAppender(appender: StoreAppender) {
  const text = (value: string | null) =>
    value === null ? appender.appendNull() : appender.appendVarchar(value);
  const classification = (result: Classification) => {
    text(result.provider);
    text(result.providerCode);
    text(result.reason);
    text(result.category);
    appender.appendBoolean(result.permanent);
    text(result.rule.id);
    appender.endRow();
  };
  return { text, classification };
}
