import { rebuildDaySummary } from "../src/measures/index.ts";
import { messageKeySql, recipientHashSql, Store, timestampFromMs } from "../src/store/index.ts";
import type { ScenarioEvent } from "./scenarios.ts";

/**
 * Write scenario events straight into a store's `events` table (no files, no parsing): the appender
 * fills a narrow temp table with the columns that vary, and one INSERT … SELECT adds the constant ones.
 * Columns are matched by name against the live schema (src/store/schema.ts), so schema changes that add
 * columns or retype the identity column do not break the harness.
 */
export async function storeScenario(events: readonly ScenarioEvent[], path = ":memory:"): Promise<Store> {
  const store = await Store.open(path);
  await store.run(`CREATE OR REPLACE TEMP TABLE scenario_rows (
    type VARCHAR, time TIMESTAMP, recipient VARCHAR, provider VARCHAR, campaign VARCHAR, ip VARCHAR,
    reply VARCHAR, reply_code INTEGER, provider_code VARCHAR, category VARCHAR, machine_open BOOLEAN)`);
  const appender = await store.appender("scenario_rows", "main", "temp");
  const text = (value: string | null) =>
    value === null ? appender.appendNull() : appender.appendVarchar(value);
  for (const event of events) {
    text(event.type);
    appender.appendTimestamp(timestampFromMs(event.time));
    text(event.recipient);
    text(event.provider);
    text(event.campaign);
    text(event.type === "open" || event.type === "click" ? null : event.ip);
    text(event.reply);
    if (event.replyCode === null) appender.appendNull();
    else appender.appendInteger(event.replyCode);
    text(event.providerCode);
    text(event.category);
    if (event.machineOpen === null) appender.appendNull();
    else appender.appendBoolean(event.machineOpen);
    appender.endRow();
  }
  appender.closeSync();
  await insertEvents(store, COLUMN_SQL, "scenario_rows");
  await store.run("DROP TABLE scenario_rows");
  return store;
}

/** How each store column is filled from `scenario_rows`. */
const COLUMN_SQL: Record<string, string> = {
  type: "type",
  time: "time",
  recipient: "recipient",
  provider: "provider",
  campaign: "campaign",
  sending_ip: "ip",
  sending_domain: "'news.example.com'",
  stream: "'marketing'",
  remote_mta: "CASE provider WHEN 'apple' THEN 'mx01.mail.icloud.com' ELSE 'gmail-smtp-in.l.google.com' END",
  message_id: "campaign || '.' || recipient",
  reply: "reply",
  reply_code: "reply_code",
  status: "regexp_extract(reply, '^\\d{3}[ -](\\d\\.\\d{1,3}\\.\\d{1,3})', 1)",
  provider_code: "provider_code",
  reason: "CASE WHEN category IS NULL THEN NULL ELSE 'policyviolation' END",
  category: "category",
  permanent: "CASE WHEN type = 'bounced' THEN true END",
  machine_open: "machine_open",
  format: "'scenario'",
  file_id: "0",
};

/** The event identity column (event_id, event_key…): a row number in its type; anything else NULL. */
function identityOrNull(name: string, type: string): string {
  if (!name.startsWith("event_")) return "NULL";
  return type === "VARCHAR" ? "'scenario:' || row_number() OVER ()" : `(row_number() OVER ())::${type}`;
}

/** What `insertEvents` fills besides `event_rows`' own columns: the reply's classification and the file. */
const CLASSIFICATION = {
  provider_code: "VARCHAR",
  reason: "VARCHAR",
  category: "VARCHAR",
  permanent: "BOOLEAN",
} as const;

/**
 * INSERT INTO event_rows from `source`, each column filled by its expression in `columns` (matched by name
 * against the live schema); the identity column gets a row number, any other missing column NULL.
 * Classification columns (`provider_code`, `reason`, `category`, `permanent`) go to `reply_classes`, one
 * entry per distinct classification, joined by `reply_key`; `format` goes to the `files` row of `file_id`.
 */
export async function insertEvents(
  store: Store,
  columns: Record<string, string>,
  source: string,
): Promise<void> {
  const schema = await store.all<{ name: string; type: string }>(
    "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = 'event_rows' ORDER BY ordinal_position",
  );
  // The derived keys are computed from the stored columns by the final insert, as ingest does.
  const derived: Record<string, string> = {
    recipient_hash: recipientHashSql(),
    message_key: messageKeySql(),
  };
  const own = schema.filter(({ name }) => name !== "reply_key");
  const staged = own.filter(({ name }) => !(name in derived));
  const classes = Object.entries(CLASSIFICATION).map(
    ([name, type]) => `(${columns[name] ?? "NULL"})::${type} AS ${name}`,
  );
  await store.run(
    `CREATE OR REPLACE TEMP TABLE insert_rows AS SELECT ${[
      ...staged.map(({ name, type }) => `${columns[name] ?? identityOrNull(name, type)} AS ${name}`),
      ...classes,
    ].join(", ")} FROM ${source}`,
  );
  const key = `CASE WHEN category IS NOT NULL THEN md5(concat_ws(chr(31), coalesce(provider_code, ''),
    coalesce(reason, ''), category, coalesce(permanent::VARCHAR, ''))) END`;
  await store.run(`INSERT INTO event_rows BY NAME SELECT ${own.map(({ name }) => (derived[name] ? `${derived[name]} AS ${name}` : name)).join(", ")}, ${key} AS reply_key
    FROM insert_rows`);
  await store.run(`INSERT INTO reply_classes SELECT ${key} AS k, 'bounced', 'other', 'scenario reply', NULL, NULL,
      'other', any_value(provider_code), coalesce(any_value(reason), 'unknown'), any_value(category),
      coalesce(any_value(permanent), false), 'scenario'
    FROM insert_rows WHERE category IS NOT NULL AND ${key} NOT IN (SELECT reply_key FROM reply_classes) GROUP BY k`);
  await store.run(`INSERT INTO files SELECT DISTINCT file_id, 'scenario', ${columns.format ?? "'scenario'"}, NULL,
      NULL, now()::TIMESTAMP, 0, 0, 0, 0, 0, NULL
    FROM insert_rows WHERE file_id NOT IN (SELECT file_id FROM files)`);
  await store.run("DROP TABLE insert_rows");
  // As ingest keeps it: the day summary brought up to date with the rows written here.
  await rebuildDaySummary(store);
}
