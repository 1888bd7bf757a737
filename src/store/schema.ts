/**
 * The store's versioned schema. Migrations run in order, each inside its own transaction, and the
 * applied versions are recorded in `schema_version`. Never edit a released migration: append one.
 * docs/STORE.md documents every table and column.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "events, files, quarantine, reply classifications",
    sql: `
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
      );
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
      );
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
