/**
 * The store's versioned schema. Migrations run in order, each inside its own transaction, and the
 * applied versions are recorded in `schema_version`. Never edit a released migration: append one.
 * docs/STORE.md documents every table and column.
 */
import { sqlList } from "../util/sql.ts";
import {
  BARE_MESSAGE_ID_SQL,
  LEADING_STATUS_SQL,
  REPLY_CODE_SQL,
  STATUS_KEPT_TYPES,
  WITHOUT_ROOT_DOT_SQL,
} from "./field-sql.ts";

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Column expressions a derived key is computed from (bare column names unless an insert maps them). */
export interface KeySources {
  recipient: string;
  message_id: string;
  campaign: string;
  time: string;
}
const STORED: KeySources = {
  recipient: "recipient",
  message_id: "message_id",
  campaign: "campaign",
  time: "time",
};

/**
 * Keys derived from an event row's own columns and stored with it (schema 7), so the measures group by an
 * integer instead of hashing strings on every read. Every insert into `event_rows` computes them from the
 * values it stores (`src` maps the column names to its expressions); migration 7 computed them for the
 * rows stored before. What they mean is defined with the measures (src/measures `MESSAGE_KEY_SQL`,
 * `RECIPIENT_KEY_SQL`, docs/MEASURES.md). Changing an expression needs a migration that recomputes the column.
 * Both hash the address without a root dot (WITHOUT_ROOT_DOT_SQL, schema 20): `c@gmail.com.` is `c@gmail.com`.
 * `recipient_hash`: a 64-bit hash of the address (NULL without one).
 */
export const recipientHashSql = (src: KeySources = STORED): string =>
  `CASE WHEN ${src.recipient} IS NOT NULL THEN hash(${WITHOUT_ROOT_DOT_SQL(src.recipient)}) END`;
/** `message_key`: a 64-bit hash of the recipient and its message id, else its campaign and day. */
export const messageKeySql = (src: KeySources = STORED): string =>
  messageKeyV7Sql({ ...src, recipient: WITHOUT_ROOT_DOT_SQL(src.recipient) });
/**
 * `messageKeySql` as an insert computes it: the same values (derived-keys.test.ts holds it to that), with the
 * day cast, not joined, where there is no campaign — every row of an MTA log, for which concat_ws was ~1 % of
 * the insert's instructions.
 */
export const insertMessageKeySql = (src: KeySources = STORED): string =>
  `hash(${WITHOUT_ROOT_DOT_SQL(src.recipient)}, coalesce(${src.message_id}, CASE WHEN ${src.campaign} IS NULL AND ${src.time} IS NOT NULL
    THEN ${src.time}::DATE::VARCHAR ELSE concat_ws('|', ${src.campaign}, ${src.time}::DATE) END))`;
/** The keys as schemas 7–19 defined them (the address as stored): released migrations 7 and 16 embed this text. */
const recipientHashV7Sql = (src: KeySources = STORED): string =>
  `CASE WHEN ${src.recipient} IS NOT NULL THEN hash(${src.recipient}) END`;
const messageKeyV7Sql = (src: KeySources = STORED): string =>
  `hash(${src.recipient}, coalesce(${src.message_id}, concat_ws('|', ${src.campaign}, ${src.time}::DATE)))`;

/**
 * `event_key`: the upper 64 bits of the md5 of the event's identity text (`<format>:<source id>`, else
 * `IDENTITY_SQL`'s `h:…`): the 128-bit `md5_number` the store kept up to schema 7, shifted, so migration 8
 * shortens the stored keys with the same expression and old and new rows dedupe against each other
 * (DuckDB's `md5_number_lower` gives the same bits but costs three times the CPU: 1.09 vs 0.35 s per 3M).
 * Collision budget (docs/STORE.md): two distinct events share a key with probability about n² / 2^65 —
 * 3·10⁻⁶ at 10M stored events, 3·10⁻⁴ at 100M, 3 % at 1B.
 */
export const eventKeySql = (identity: string): string => `(md5_number(${identity}) >> 64)::UBIGINT`;

/**
 * How a store keys its events (`key_state.recipe`, schema 17): `md5`, eventKeySql of the identity text, in every
 * store that held events before version 17 (their keys cannot all be made again: a source id is not stored);
 * `hash`, in a store created since (hashEventKeySql). Every insert keys its rows by its store's recipe, so a
 * store's rows always dedupe against each other.
 */
export type EventKeyRecipe = "md5" | "hash";

/** The top bit of a `hash` store's key: set on an event keyed by its columns, clear on one keyed by its source id. */
const COLUMN_KEYED = "9223372036854775808::UBIGINT";

/** Column expressions an event key is computed from (bare column names unless an insert maps them). */
export interface EventKeySources extends KeySources {
  type: string;
  sending_ip: string;
  reply: string;
  url: string;
  queue_id: string;
}
const STORED_EVENT: EventKeySources = {
  ...STORED,
  type: "type",
  sending_ip: "sending_ip",
  reply: "reply",
  url: "url",
  queue_id: "queue_id",
};

/**
 * A `hash` store's key of an event without a source id: DuckDB's 64-bit hash of the identity's fields (those of
 * `IDENTITY_SQL`: type, time in epoch ms, recipient, campaign, sending IP, message id, reply, url; a NULL as '',
 * as the identity text reads it), its top bit set — with no text built and no md5 over it, the key cost a ninth
 * of the insert's instructions (100k grep'd Postfix rows, one thread, bench/insert-instructions.ts: 2,347.5 →
 * 2,065.5 M). The fields are those the row stores (the message id in its stored form, the time as stored), so
 * the keys can be computed again from the stored rows (analytics/ingest/finalize.ts `eventKeyRecipe`): DuckDB does not promise its hash
 * across versions, and the store records what this DuckDB's hash gives (`HASH_PROBE_SQL`).
 */
export const hashEventKeySql = (src: EventKeySources = STORED_EVENT): string => {
  const fields = `${src.type}::VARCHAR, epoch_ms(${src.time}), coalesce(${src.recipient}, ''), coalesce(${src.campaign}, ''),
    coalesce(${src.sending_ip}, ''), coalesce(${src.message_id}, ''), coalesce(${src.reply}, ''), coalesce(${src.url}, '')`;
  // A log row's queue id (schema 21, review R124) joins the fields; a row without one keeps the key it had.
  return `(CASE WHEN ${src.queue_id} IS NULL THEN hash(${fields}) ELSE hash(${fields}, ${src.queue_id}) END
    | ${COLUMN_KEYED})`;
};

/**
 * A `hash` store's key of an event with a source id (`<format>:<id>`, short): the md5 key's upper 63 bits, its
 * top bit clear, so column-keyed rows are told apart from these, whose key cannot be computed again.
 */
export const sourceEventKeySql = (identity: string): string => `(md5_number(${identity}) >> 65)::UBIGINT`;

/** Whether a stored key is column-keyed (hashEventKeySql) in a `hash` store. */
export const columnKeyedSql = (key: string): string => `${key} >= ${COLUMN_KEYED}`;

/**
 * What this DuckDB's hash gives for the kinds of values the store's hashed keys hash (text, a BIGINT, several
 * combined): the store records it (`key_state.hash_probe`), and a store whose record differs had its keys
 * (`event_key` of a `hash` store, `recipient_hash`, `message_key`) hashed by another DuckDB.
 */
export const HASH_PROBE_SQL = "hash('deliverlens@example.com', 1767225600000::BIGINT, '', 'h')";

/** A stored row's Message-ID in the store's one form (migration 16). */
const BARE_ID = BARE_MESSAGE_ID_SQL("message_id");

// Statements the migrations below and a fresh store's schema (FRESH_SCHEMA_SQL) share; frozen like the
// migrations that use them.
const FILES_TABLE_V1 = `
      CREATE TABLE files (
        file_id INTEGER PRIMARY KEY,
        path VARCHAR NOT NULL,
        format VARCHAR NOT NULL,
        size BIGINT,
        mtime TIMESTAMP,
        ingested_at TIMESTAMP NOT NULL,
        records_read BIGINT NOT NULL,
        stored BIGINT NOT NULL,
        duplicates BIGINT NOT NULL,
        quarantined BIGINT NOT NULL,
        seconds DOUBLE NOT NULL
      );`;
const QUARANTINE_AND_REPLY_CLASSES_V1 = `
      CREATE TABLE quarantine (
        file_id INTEGER NOT NULL,
        path VARCHAR NOT NULL,
        line BIGINT,
        reason VARCHAR NOT NULL,
        raw VARCHAR
      );
      CREATE TABLE reply_classes (
        reply_key VARCHAR NOT NULL,
        event_type VARCHAR NOT NULL,
        provider_of_recipient VARCHAR NOT NULL,
        reply VARCHAR NOT NULL,
        reply_code INTEGER,
        status VARCHAR,
        provider VARCHAR NOT NULL,
        provider_code VARCHAR,
        reason VARCHAR NOT NULL,
        category VARCHAR NOT NULL,
        permanent BOOLEAN NOT NULL,
        rule_id VARCHAR NOT NULL
      );`;
const EVENT_ENUMS_V3 = `
      CREATE TYPE event_type AS ENUM ('!duplicate', '!problem', '!skip', 'bounced', 'click', 'complaint',
        'deferred', 'delivered', 'dropped', 'open', 'sent', 'unsubscribe');
      CREATE TYPE mailbox_provider AS ENUM ('apple', 'att', 'charter', 'comcast', 'cox', 'fastmail', 'gmx',
        'google', 'microsoft', 'other', 'proton', 'unknown', 'yahoo', 'zoho');`;
/** event_rows' columns as migration 3 created them (its key a UHUGEINT until migration 8). */
const eventRowsColumnsV3 = (keyType: string): string => `
        event_key ${keyType} NOT NULL,
        type event_type NOT NULL,
        time TIMESTAMP NOT NULL,
        recipient VARCHAR,
        provider mailbox_provider NOT NULL,
        campaign VARCHAR,
        sending_ip VARCHAR,
        pool VARCHAR,
        sending_domain VARCHAR,
        stream VARCHAR,
        remote_mta VARCHAR,
        message_id VARCHAR,
        reply VARCHAR,
        reply_code INTEGER,
        status VARCHAR,
        source_label VARCHAR,
        machine_open BOOLEAN,
        reader_ip VARCHAR,
        user_agent VARCHAR,
        url VARCHAR,
        file_id INTEGER NOT NULL,
        line BIGINT,
        reply_key VARCHAR`;
/** event_rows' columns from migration 8 on: migration 7's two keys added, the event key 64 bits. */
const EVENT_ROWS_COLUMNS_V8 = `${eventRowsColumnsV3("UBIGINT")},
        recipient_hash UBIGINT,
        message_key UBIGINT`;
/**
 * event_rows' columns in a new store: migration 8's, the reply compressed by zstd, then migration 21's queue_id
 * in DuckDB's choice of encoding: NULL on every row but an MTA log's, whose ids are short and unique. Forced
 * uncompressed, it saved DuckDB's trying its encodings (whole ingest of 100k SendGrid events, DuckDB's
 * instructions, one thread: 2,360.9 → 2,350.8 M, −0.4 %) but stored a NULL in 4 bytes: the 3M SendGrid bench
 * store 133.7 → 146.8 MB (+10 %), 1M grep'd Postfix lines 84.9 → 96.7 MB (+14 %), more to write, sync and read
 * back; forced zstd stored no less. Which compression DuckDB
 * uses is the file's storage, not the schema (no catalog text or column shows it, and DuckDB cannot change it
 * in place): a store from before keeps its own, as it keeps its storage format (docs/STORE.md).
 */
const EVENT_ROWS_COLUMNS_NEW = `${EVENT_ROWS_COLUMNS_V8.replace(
  "reply VARCHAR,",
  "reply VARCHAR USING COMPRESSION zstd,",
)},
        queue_id VARCHAR`;
const EVENTS_VIEW_V7 = `
        SELECT e.event_key, e.type, e.time, e.recipient,
          CASE WHEN strpos(e.recipient, '@') > 0 THEN split_part(e.recipient, '@', -1) END AS recipient_domain,
          e.provider, e.campaign, e.sending_ip, e.pool, e.sending_domain, e.stream, e.remote_mta, e.message_id,
          e.reply, e.reply_code, e.status, rc.provider_code, rc.reason, rc.category, rc.permanent,
          e.source_label, e.machine_open, e.reader_ip, e.user_agent, e.url, f.format, e.file_id, e.line,
          e.recipient_hash, e.message_key
        FROM event_rows e
        LEFT JOIN reply_classes rc ON rc.reply_key = e.reply_key
        LEFT JOIN files f ON f.file_id = e.file_id;`;
/**
 * The events view from schema 13: `reply_code` and `status` of a row whose file's reader left them to the
 * view (`files.derived_from_reply`, src/store/field-sql.ts replyDerivedHeads) are derived from the stored
 * reply, as the reader would have; a status '' is one the reader found none of (its reply was trimmed).
 */
const DERIVED = `f.derived_from_reply AND e.type NOT IN ${sqlList(STATUS_KEPT_TYPES)}`;
const EVENTS_VIEW_V13 = EVENTS_VIEW_V7.replace(
  "e.reply_code, e.status,",
  `CASE WHEN ${DERIVED} AND e.reply_code IS NULL THEN ${REPLY_CODE_SQL("e.reply")} ELSE e.reply_code END AS reply_code,
          CASE WHEN f.derived_from_reply AND e.status = '' THEN NULL
            WHEN ${DERIVED} AND e.status IS NULL THEN ${LEADING_STATUS_SQL("e.reply")} ELSE e.status END AS status,`,
);
/**
 * The day summary (schema 9): per provider and day, what `stats` counts (src/measures/day-counts.ts), kept
 * by ingest in each file's transaction. `summary_state` holds how many event rows it was last brought up to
 * date with; a store with rows starts without one (behind: rebuilt by its next ingest, read around until then).
 */
const SUMMARY_STATE_V10 = `
      DROP TABLE summary_state;
      CREATE TABLE summary_state (event_rows BIGINT NOT NULL, key_sum HUGEINT NOT NULL, definition INTEGER NOT NULL);`;
/**
 * The classifier version `reply_classes` were classified with (schema 11): a store that records another
 * one, or none (a store from before), has its distinct replies classified again by its next ingest.
 */
const CLASSIFIER_STATE_V11 = `
      CREATE TABLE classifier_state (classifier_version INTEGER NOT NULL);`;
/**
 * The reply-key recipe the stored rows' keys come from (schema 12): md5 of ingest's stored-row key SQL
 * (src/analytics/ingest/finalize.ts). A store that records another or none has its rows keyed again and its
 * replies classified again by its next ingest.
 */
const KEY_RECIPE_V12 = `
      ALTER TABLE classifier_state ADD COLUMN reply_key_recipe VARCHAR;`;
/** How the store keys its events and what its DuckDB's hash gave (schema 17; EventKeyRecipe, HASH_PROBE_SQL). */
const KEY_STATE_V17 = `
      CREATE TABLE key_state (recipe VARCHAR NOT NULL, hash_probe UBIGINT NOT NULL);`;
/**
 * Who hosts a recipient domain that the recipient-domain table does not list (version 18): `recipient_hosts`,
 * how many stored events of each recipient domain name each receiving host (the remote MTA's host); the
 * decision `hosted_domains`, the provider whose hosts receive most of an unlisted domain's events
 * (src/analytics/ingest/hosting.ts), which the domain's events that name no provider's host are stored with
 * (version 19; before it, every event of the domain); `hosting_state.complete`
 * false while `recipient_hosts` does not yet count the rows stored before (a migrated store: the next ingest
 * counts them).
 */
const HOSTING_V18 = `
      CREATE TABLE recipient_hosts (domain VARCHAR NOT NULL, host VARCHAR NOT NULL, events UBIGINT NOT NULL);
      CREATE TABLE hosted_domains (domain VARCHAR NOT NULL, provider mailbox_provider NOT NULL);
      CREATE TABLE hosting_state (complete BOOLEAN NOT NULL);`;
const STATUS_FROM_REPLY_V13 = `
      ALTER TABLE files ADD COLUMN derived_from_reply BOOLEAN;`;
/**
 * The bounce-email files whose rows' event keys hash the diagnostic the reader of the day extracted (every
 * email file stored before version 14); ingest matches a new bounce email's rows against theirs by type, time,
 * recipient and message id (src/analytics/ingest/finalize.ts). Empty in a store created at version 14 or later.
 */
const LEGACY_EMAIL_FILES_V14 = `
      CREATE TABLE legacy_email_files (file_id INTEGER PRIMARY KEY);`;
/**
 * The MTA log files (Postfix, Exim) stored before a log row's identity held its queue id (schema 21, review
 * R124): their rows' keys have none, and ingest matches a new log row against theirs by the key it would have had
 * without it (src/analytics/ingest/finalize.ts), so a log ingested again after the upgrade stores nothing twice.
 * Empty in a store created at version 21 or later.
 */
const LEGACY_LOG_FILES_V21 = `
      CREATE TABLE legacy_log_files (file_id INTEGER PRIMARY KEY);`;
/**
 * The files whose rows are committed but not settled yet (schema 22): an ingest lists its file with its rows
 * and removes it with the settle; Store.open removes the rows of a file still listed (an ingest killed between).
 */
const UNSETTLED_FILES_V22 = `
      CREATE TABLE unsettled_files (file_id INTEGER NOT NULL);`;
/**
 * The day summary's first attempts (schema 15): per provider and day, the messages of the files counted by
 * first attempts whose first attempt falls on that day (measure `sent`, src/measures/sent.ts), and which
 * files those are. Existing summaries are then behind (their definition changes): rebuilt by the next ingest.
 */
const FIRST_ATTEMPTS_V15 = `
      CREATE TABLE day_first_attempts (
        provider mailbox_provider NOT NULL,
        day DATE NOT NULL,
        messages BIGINT NOT NULL
      );
      ALTER TABLE summary_state ADD COLUMN first_attempt_files INTEGER[];`;
const DAY_SUMMARY_V9 = `
      CREATE TABLE day_counts (
        provider mailbox_provider NOT NULL,
        day DATE NOT NULL,
        type event_type NOT NULL,
        machine BOOLEAN,
        n BIGINT NOT NULL
      );
      CREATE TABLE day_deferred (
        provider mailbox_provider NOT NULL,
        day DATE NOT NULL,
        recipients BIGINT NOT NULL
      );
      CREATE TABLE summary_state (event_rows BIGINT NOT NULL);
      INSERT INTO summary_state SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM event_rows);`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "events, files, quarantine, reply classifications",
    sql: `
      ${FILES_TABLE_V1}
      CREATE TABLE events (
        event_key UHUGEINT NOT NULL,
        type VARCHAR NOT NULL,
        time TIMESTAMP NOT NULL,
        recipient VARCHAR,
        recipient_domain VARCHAR,
        provider VARCHAR NOT NULL,
        campaign VARCHAR,
        sending_ip VARCHAR,
        pool VARCHAR,
        sending_domain VARCHAR,
        stream VARCHAR,
        remote_mta VARCHAR,
        message_id VARCHAR,
        reply VARCHAR,
        reply_code INTEGER,
        status VARCHAR,
        provider_code VARCHAR,
        reason VARCHAR,
        category VARCHAR,
        permanent BOOLEAN,
        source_label VARCHAR,
        machine_open BOOLEAN,
        reader_ip VARCHAR,
        user_agent VARCHAR,
        url VARCHAR,
        format VARCHAR NOT NULL,
        file_id INTEGER NOT NULL,
        line BIGINT
      );
      ${QUARANTINE_AND_REPLY_CLASSES_V1}
    `,
  },
  {
    version: 2,
    description: "event rows keep a reply_key; the events view joins each reply's classification",
    // Classifying new replies after the insert, by key, instead of writing classifications into the
    // rows: an UPDATE (or delete + re-insert) of rows written in the same transaction made DuckDB's
    // commit rewrite them, and classifying before the insert cost a second read of the file.
    // Version-1 rows keep their written classification (their reply_key is NULL).
    sql: `
      ALTER TABLE events RENAME TO event_rows;
      ALTER TABLE event_rows ADD COLUMN reply_key VARCHAR;
      CREATE UNIQUE INDEX reply_classes_key ON reply_classes (reply_key);
      CREATE VIEW events AS
        SELECT e.* EXCLUDE (reply_key) REPLACE (
          coalesce(e.provider_code, rc.provider_code) AS provider_code,
          coalesce(e.reason, rc.reason) AS reason,
          coalesce(e.category, rc.category) AS category,
          coalesce(e.permanent, rc.permanent) AS permanent)
        FROM event_rows e LEFT JOIN reply_classes rc ON rc.reply_key = e.reply_key;
    `,
  },
  {
    version: 3,
    description:
      "event_rows narrowed: enum type and provider; format, recipient_domain and classifications only in the events view",
    // Writing a string column costs DuckDB about 0.6 s per 10M rows whatever its content (an enum, like an
    // integer, a third of that), so columns derivable from others left the table (docs/STORE.md). Enum
    // values are sorted, so ORDER BY gives the same order as on text. A provider or event type added
    // to the code needs a migration that extends the enum (test/store/store.test.ts checks they match).
    // Version-1 rows kept their classification in the row: they get reply keys (the same key ingest
    // computes) and their classifications a reply_classes entry unless one exists.
    sql: `
      ${EVENT_ENUMS_V3}
      DROP VIEW events;
      UPDATE event_rows SET reply_key = md5(concat_ws(chr(31), type, provider, coalesce(reply_code::VARCHAR, ''),
          coalesce(status, ''), reply))
        WHERE reply_key IS NULL AND category IS NOT NULL AND reply IS NOT NULL AND type IN ('bounced', 'deferred');
      INSERT INTO reply_classes
        SELECT reply_key, any_value(type), any_value(provider), any_value(reply), any_value(reply_code),
          any_value(status), any_value(provider), any_value(provider_code), any_value(reason),
          any_value(category), any_value(permanent), 'schema-1'
        FROM event_rows
        WHERE reply_key IS NOT NULL AND category IS NOT NULL AND reply_key NOT IN (SELECT reply_key FROM reply_classes)
        GROUP BY reply_key;
      CREATE TABLE event_rows_3 (${eventRowsColumnsV3("UHUGEINT")});
      INSERT INTO event_rows_3 SELECT event_key, type, time, recipient, provider, campaign, sending_ip, pool,
        sending_domain, stream, remote_mta, message_id, reply, reply_code, status, source_label, machine_open,
        reader_ip, user_agent, url, file_id, line, reply_key
      FROM event_rows;
      DROP TABLE event_rows;
      ALTER TABLE event_rows_3 RENAME TO event_rows;
      CREATE VIEW events AS
        SELECT e.event_key, e.type, e.time, e.recipient,
          CASE WHEN strpos(e.recipient, '@') > 0 THEN split_part(e.recipient, '@', -1) END AS recipient_domain,
          e.provider, e.campaign, e.sending_ip, e.pool, e.sending_domain, e.stream, e.remote_mta, e.message_id,
          e.reply, e.reply_code, e.status, rc.provider_code, rc.reason, rc.category, rc.permanent,
          e.source_label, e.machine_open, e.reader_ip, e.user_agent, e.url, f.format, e.file_id, e.line
        FROM event_rows e
        LEFT JOIN reply_classes rc ON rc.reply_key = e.reply_key
        LEFT JOIN files f ON f.file_id = e.file_id;
    `,
  },
  {
    version: 4,
    description:
      "DMARC aggregate and SMTP TLS reports: dmarc_reports, dmarc_rows (view dmarc_records), tls_reports, tls_policies, tls_failures",
    // One row per report record per day its date range covers (a multi-day report's counts spread as whole
    // numbers that add up to the record's count: src/dmarc/spread.ts). Deduplicated by report_key.
    sql: `
      CREATE TABLE dmarc_reports (
        report_key VARCHAR PRIMARY KEY,
        reporter VARCHAR NOT NULL,
        reporter_email VARCHAR,
        report_id VARCHAR NOT NULL,
        begin_time TIMESTAMP NOT NULL,
        end_time TIMESTAMP NOT NULL,
        days INTEGER NOT NULL,
        policy_domain VARCHAR NOT NULL,
        p VARCHAR,
        sp VARCHAR,
        np VARCHAR,
        pct INTEGER,
        adkim VARCHAR,
        aspf VARCHAR,
        fo VARCHAR,
        testing VARCHAR,
        schema VARCHAR NOT NULL,
        generator VARCHAR,
        errors VARCHAR,
        records BIGINT NOT NULL,
        messages BIGINT NOT NULL,
        path VARCHAR NOT NULL,
        part VARCHAR NOT NULL,
        ingested_at TIMESTAMP NOT NULL
      );
      CREATE TABLE dmarc_rows (
        report_key VARCHAR NOT NULL,
        record INTEGER NOT NULL,
        day DATE NOT NULL,
        source_ip VARCHAR NOT NULL,
        messages BIGINT NOT NULL,
        disposition VARCHAR NOT NULL,
        dkim_aligned VARCHAR NOT NULL,
        spf_aligned VARCHAR NOT NULL,
        reasons VARCHAR,
        reason_comment VARCHAR,
        header_from VARCHAR NOT NULL,
        envelope_from VARCHAR,
        envelope_to VARCHAR,
        dkim_domain VARCHAR,
        dkim_selector VARCHAR,
        dkim_result VARCHAR,
        dkim_results VARCHAR,
        spf_domain VARCHAR,
        spf_scope VARCHAR,
        spf_result VARCHAR
      );
      CREATE VIEW dmarc_records AS
        SELECT r.day, rep.reporter, rep.policy_domain, r.source_ip, r.messages, r.disposition,
          r.dkim_aligned, r.spf_aligned, (r.dkim_aligned = 'pass' OR r.spf_aligned = 'pass') AS dmarc_pass,
          r.reasons, r.reason_comment, r.header_from, r.envelope_from, r.envelope_to,
          r.dkim_domain, r.dkim_selector, r.dkim_result, r.dkim_results, r.spf_domain, r.spf_scope, r.spf_result,
          r.report_key, r.record
        FROM dmarc_rows r JOIN dmarc_reports rep ON rep.report_key = r.report_key;
      CREATE TABLE tls_reports (
        report_key VARCHAR PRIMARY KEY,
        reporter VARCHAR NOT NULL,
        contact VARCHAR,
        report_id VARCHAR NOT NULL,
        begin_time TIMESTAMP NOT NULL,
        end_time TIMESTAMP NOT NULL,
        days INTEGER NOT NULL,
        policies INTEGER NOT NULL,
        successful BIGINT NOT NULL,
        failed BIGINT NOT NULL,
        path VARCHAR NOT NULL,
        part VARCHAR NOT NULL,
        ingested_at TIMESTAMP NOT NULL
      );
      CREATE TABLE tls_policies (
        report_key VARCHAR NOT NULL,
        policy INTEGER NOT NULL,
        day DATE NOT NULL,
        policy_type VARCHAR NOT NULL,
        policy_domain VARCHAR NOT NULL,
        mx_host VARCHAR,
        successful BIGINT NOT NULL,
        failed BIGINT NOT NULL
      );
      CREATE TABLE tls_failures (
        report_key VARCHAR NOT NULL,
        policy INTEGER NOT NULL,
        day DATE NOT NULL,
        result_type VARCHAR NOT NULL,
        sending_ip VARCHAR,
        receiving_mx VARCHAR,
        receiving_helo VARCHAR,
        receiving_ip VARCHAR,
        sessions BIGINT NOT NULL,
        reason_code VARCHAR,
        additional_info VARCHAR
      );
    `,
  },
  {
    version: 5,
    description:
      "report_mailboxes: how far `dmarc fetch` has read each IMAP mailbox (UIDVALIDITY + last UID)",
    sql: `
      CREATE TABLE report_mailboxes (
        mailbox VARCHAR PRIMARY KEY,
        uid_validity VARCHAR NOT NULL,
        last_uid BIGINT NOT NULL,
        fetched BIGINT NOT NULL,
        updated_at TIMESTAMP NOT NULL
      );
    `,
  },
  {
    version: 6,
    description: "seed-list placement tests: seed_tests, seed_results and the seed_latest view",
    // One row per test (what `seeds send` sent) and one per seed per check (placement over time); the
    // secret of a seed mailbox is never stored, only results. docs/STORE.md documents the columns.
    sql: `
      CREATE TABLE seed_tests (
        test_id VARCHAR PRIMARY KEY,
        campaign VARCHAR,
        sent_at TIMESTAMP,
        subject VARCHAR,
        message_id VARCHAR,
        envelope_from VARCHAR,
        body_token VARCHAR NOT NULL,
        seeds INTEGER NOT NULL,
        recorded_at TIMESTAMP NOT NULL
      );
      CREATE TABLE seed_results (
        test_id VARCHAR NOT NULL,
        checked_at TIMESTAMP NOT NULL,
        address VARCHAR NOT NULL,
        provider VARCHAR NOT NULL,
        placement VARCHAR NOT NULL,
        folder VARCHAR,
        matched_by VARCHAR,
        received_at TIMESTAMP,
        error VARCHAR,
        reasons VARCHAR NOT NULL,
        apple_verdict VARCHAR,
        proofpoint_score DOUBLE,
        proofpoint_spamscore DOUBLE,
        proofpoint_rule VARCHAR,
        microsoft_scl INTEGER,
        spamassassin_score DOUBLE,
        dkim VARCHAR,
        spf VARCHAR,
        dmarc VARCHAR
      );
      CREATE VIEW seed_latest AS
        SELECT r.*, t.campaign,
          strftime(coalesce(t.sent_at, min(r.checked_at) OVER (PARTITION BY r.test_id)), '%Y-%m-%d') AS day
        FROM seed_results r LEFT JOIN seed_tests t ON t.test_id = r.test_id
        QUALIFY row_number() OVER (PARTITION BY r.test_id, r.address ORDER BY r.checked_at DESC) = 1;
    `,
  },
  {
    version: 7,
    description:
      "event_rows keep each row's recipient_hash and message_key (measure keys), also in the events view",
    // Grouping 10M rows by these keys hashed the address and message id strings on every read (a third
    // of `stats`' time on the 10M bench store); stored once, the groupings read integers.
    sql: `
      ALTER TABLE event_rows ADD COLUMN recipient_hash UBIGINT;
      ALTER TABLE event_rows ADD COLUMN message_key UBIGINT;
      UPDATE event_rows SET recipient_hash = ${recipientHashV7Sql()}, message_key = ${messageKeyV7Sql()};
      CREATE OR REPLACE VIEW events AS ${EVENTS_VIEW_V7}
    `,
  },
  {
    version: 8,
    description: "event_rows.event_key is 64 bits (the upper half of the md5 key stored so far)",
    // The 16-byte random key was a third of the bytes an ingest wrote (47 of 150 MB at 3M SendGrid events:
    // random bits do not compress) and every dedupe join and within-file repeat sort read it. The upper
    // half is what `eventKeySql` computes for new rows, so stored and new rows still dedupe.
    // The table is rebuilt, not altered: DuckDB 1.5 cannot replay an `ALTER … TYPE … USING <function>`
    // from the WAL (a store killed before its checkpoint would no longer open); an INSERT replays as data.
    sql: `
      CREATE TABLE event_rows_8 (${EVENT_ROWS_COLUMNS_V8});
      INSERT INTO event_rows_8 SELECT * REPLACE ((event_key >> 64)::UBIGINT AS event_key) FROM event_rows;
      DROP VIEW events;
      DROP TABLE event_rows;
      ALTER TABLE event_rows_8 RENAME TO event_rows;
      CREATE VIEW events AS ${EVENTS_VIEW_V7}
    `,
  },
  {
    version: 9,
    description: "day summary: day_counts, day_deferred and summary_state, kept by ingest for stats",
    // stats counted every event row per day on each run (a third of its CPU at 10M events); ingest now
    // keeps those counts per file, so stats reads a table of a few thousand rows.
    sql: DAY_SUMMARY_V9,
  },
  {
    version: 10,
    description:
      "summary_state also records the sum of the covered rows' event keys and the summary's definition version",
    // A row count alone let a writer that deleted and appended as many rows leave the summary looking
    // current, and a changed definition be served from summaries counted the old way. Every store's
    // summary is then behind: its next ingest rebuilds it (stats reads the rows until then).
    sql: SUMMARY_STATE_V10,
  },
  {
    version: 11,
    description:
      "classifier_state records the classifier version of reply_classes; a store with another or none re-classifies its replies",
    // A store kept each distinct reply's class from the classifier that first saw it, so after an upgrade the
    // store and `classify` disagreed on the same reply.
    sql: CLASSIFIER_STATE_V11,
  },
  {
    version: 12,
    description:
      "classifier_state also records the reply-key recipe of the stored rows; a store with another or none re-keys them",
    // A re-classification alone kept keys written by an older recipe, which could join rows the classifier
    // tells apart (a docomo.ne.jp and an example.org recipient under one domain-less key): the first row's
    // class kept being shown for the others (review s14 R2).
    sql: KEY_RECIPE_V12,
  },
  {
    version: 13,
    description:
      "files.derived_from_reply: DuckDB's readers store no reply code or status on rows that are not failures where the reply gives them; the events view derives them",
    // The status and code leading a reply, derived per row, were the costliest expressions of a SendGrid
    // insert (6.5 % of its instructions), and nothing reads them from event_rows but for failures (reply keys,
    // classification, diagnose's replies). Older files keep their stored values (their flag is NULL).
    sql: `${STATUS_FROM_REPLY_V13}
      CREATE OR REPLACE VIEW events AS ${EVENTS_VIEW_V13}`,
  },
  {
    version: 14,
    description:
      "a bounce email's event identity is its report (Message-ID, else Date and body), recipient and type; legacy_email_files lists the email files keyed before",
    // The identity hashed the diagnostic the text reader extracts, so each change to the readers' knowledge
    // stored a re-ingested mailbox's bounces a second time (review s20 P1). The rows stored before cannot be
    // keyed again without their report: they keep their keys and are matched by what the reader does not move.
    sql: `${LEGACY_EMAIL_FILES_V14}
      INSERT INTO legacy_email_files SELECT file_id FROM files WHERE format = 'email';`,
  },
  {
    version: 15,
    description:
      "day_first_attempts: the day summary also keeps the messages counted by their first attempt, per provider and day",
    // Grouping every attempt by message (6.3M groups on the 10M-event bench store) was two thirds of the
    // CPU of every `stats` run; ingest now decides the first attempt of the messages each file touches.
    sql: FIRST_ATTEMPTS_V15,
  },
  {
    version: 16,
    description:
      "event_rows.message_id holds one form of a Message-ID, without angle brackets or blanks at its ends, and message_key is computed from it",
    // KumoMTA, generic NDJSON/CSV (and bounce emails before s26) stored `<id@host>` where the other readers
    // stored `id@host`: one message had two message keys (`sent` counted it twice) and a DSN stored first did
    // not match its log's bounce (review s26 R29). Ingest now stores BARE_MESSAGE_ID_SQL's form; the rows
    // stored before take it here, and a summary that counted their old keys is cleared (rebuilt by the next
    // ingest; `stats` reads the rows until then). Event keys do not change (identities hash the source's id).
    sql: `
      DELETE FROM summary_state WHERE EXISTS (SELECT 1 FROM event_rows
        WHERE message_id IS NOT NULL AND message_id IS DISTINCT FROM ${BARE_ID});
      UPDATE event_rows SET message_id = ${BARE_ID},
        message_key = ${messageKeyV7Sql({ ...STORED, message_id: BARE_ID })}
      WHERE message_id IS NOT NULL AND message_id IS DISTINCT FROM ${BARE_ID};
    `,
  },
  {
    version: 17,
    description:
      "key_state: how the store keys its events (md5 of the identity text in a store that held events; DuckDB's hash of the identity's fields in a new one) and what its DuckDB's hash gave",
    // The md5 over the identity text was the largest piece of the insert we define (a ninth of its
    // instructions on a grep'd Postfix log). A store that holds events keeps md5: its keys of source ids cannot
    // be made again, and new rows must dedupe against them.
    sql: `${KEY_STATE_V17}
      INSERT INTO key_state SELECT CASE WHEN EXISTS (SELECT 1 FROM event_rows) THEN 'md5' ELSE 'hash' END,
        ${HASH_PROBE_SQL};`,
  },
  {
    version: 18,
    description:
      "recipient_hosts, hosted_domains, hosting_state: an unlisted recipient domain's provider is the provider that hosts it, learned from the receiving hosts its events name",
    // An iCloud+ custom domain, a Google Workspace or Microsoft 365 tenant was `other`, so a diagnose of the
    // provider missed its policy bounces (review s39 R96). The store's next ingest counts the stored rows'
    // hosts (hosting_state) and gives the domains it finds hosted their provider, clearing the day summary.
    sql: `${HOSTING_V18}
      INSERT INTO hosting_state SELECT NOT EXISTS (SELECT 1 FROM event_rows);`,
  },
  {
    version: 19,
    description:
      "an unlisted recipient domain's event takes the provider of the receiving host it names (unless a relay); the domain's vote only where it names none",
    // One provider per domain by vote relabelled a moved domain's history and counted a split domain under one
    // provider (review s40 R105). The store's next ingest counts the stored rows' hosts again and sets every row
    // by the new definition (hosting_state), rebuilding the day summary when a row changed.
    sql: `DELETE FROM recipient_hosts; DELETE FROM hosted_domains;
      UPDATE hosting_state SET complete = NOT EXISTS (SELECT 1 FROM event_rows);`,
  },
  {
    version: 20,
    description:
      "a recipient domain written with a root dot (gmail.com.) is the domain: its provider, its hosting evidence, its address's recipient_hash and message_key",
    // Such rows were `other` and another address than their plain form (review s41 R110). Their keys are made
    // again here and the day summary, which counts by message key, is cleared (rebuilt by the next ingest; `stats`
    // reads the rows until then). A store that holds one counts its hosts again at its next ingest, which sets
    // every row's provider by today's definition (listed domains too).
    sql: `UPDATE hosting_state SET complete = false WHERE EXISTS (SELECT 1 FROM event_rows WHERE ends_with(recipient, '.'));
      DELETE FROM recipient_hosts WHERE NOT (SELECT complete FROM hosting_state);
      DELETE FROM hosted_domains WHERE NOT (SELECT complete FROM hosting_state);
      DELETE FROM summary_state WHERE EXISTS (SELECT 1 FROM event_rows WHERE ends_with(recipient, '.'));
      UPDATE event_rows SET recipient_hash = ${recipientHashSql()}, message_key = ${messageKeySql()}
      WHERE ends_with(recipient, '.');`,
  },
  {
    version: 21,
    description:
      "event_rows.queue_id: a log row's queue id (Postfix) or message id (Exim), part of its identity; legacy_log_files: the log files stored before",
    // Two messages failing (or delivered) for one recipient in one second with one reply were one event when the
    // log named no Message-ID (review R124). Stored rows keep their keys (they have no queue id); the log files
    // stored so far are listed, so their logs ingested again match them (finalize.ts).
    sql: `ALTER TABLE event_rows ADD COLUMN queue_id VARCHAR;
      ${LEGACY_LOG_FILES_V21}
      INSERT INTO legacy_log_files SELECT file_id FROM files WHERE format IN ('postfix', 'exim');`,
  },
  {
    version: 22,
    description:
      "unsettled_files: a file whose rows are committed before its settle is listed until the settle commits; an open removes the rows of one listed",
    // A file's rows are committed before they are settled (src/analytics/ingest/ingest.ts loadFile): a DELETE or
    // UPDATE of rows inserted in the same transaction makes DuckDB append the whole insert again at COMMIT.
    sql: UNSETTLED_FILES_V22,
  },
  {
    version: 23,
    description:
      "an unlisted recipient domain's event that names a receiving host of no provider (not a relay) is `other`, as `classify` reads its line; the domain's vote only where it names no host or a relay",
    // Version 19 gave such an event its domain's vote: a domain mostly on Google Workspace had its own MX's (or a
    // backup MX's) refusals stored as google while `classify` named them other (review R148). As version 19, the
    // store's next ingest counts the stored rows' hosts again and sets every row by the new definition.
    sql: `DELETE FROM recipient_hosts; DELETE FROM hosted_domains;
      UPDATE hosting_state SET complete = NOT EXISTS (SELECT 1 FROM event_rows);`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/**
 * A new store's schema at SCHEMA_VERSION in one statement (one transaction), instead of replaying every
 * migration: those create event_rows, then alter and rebuild it twice (Store.open of a new file:
 * 0.13–0.16 → 0.06–0.07 CPU-s, the schema statements themselves 0.03). Migrations 4–6 only add tables of their own and run as written. A new migration must
 * be reflected here: test/store/fresh-schema.test.ts compares the catalogs both roads build.
 */
export const FRESH_SCHEMA_SQL = `
  ${FILES_TABLE_V1}
  ${QUARANTINE_AND_REPLY_CLASSES_V1}
  CREATE UNIQUE INDEX reply_classes_key ON reply_classes (reply_key);
  ${EVENT_ENUMS_V3}
  CREATE TABLE event_rows (${EVENT_ROWS_COLUMNS_NEW});
  ${MIGRATIONS.filter((m) => m.version >= 4 && m.version <= 6)
    .map((m) => m.sql)
    .join("\n")}
  ${DAY_SUMMARY_V9}
  ${SUMMARY_STATE_V10}
  ${CLASSIFIER_STATE_V11}
  ${KEY_RECIPE_V12}
  ${STATUS_FROM_REPLY_V13}
  ${LEGACY_EMAIL_FILES_V14}
  ${FIRST_ATTEMPTS_V15}
  ${KEY_STATE_V17}
  INSERT INTO key_state VALUES ('hash', ${HASH_PROBE_SQL});
  ${HOSTING_V18}
  INSERT INTO hosting_state VALUES (true);
  ${LEGACY_LOG_FILES_V21}
  ${UNSETTLED_FILES_V22}
  CREATE VIEW events AS ${EVENTS_VIEW_V13}`;
