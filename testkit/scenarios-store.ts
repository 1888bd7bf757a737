import { DuckDBTimestampValue } from "@duckdb/node-api";
import { Store } from "../src/store/index.ts";
import type { ScenarioEvent } from "./scenarios.ts";

/**
 * Write scenario events straight into a store's `events` table (no files, no parsing): the appender
 * fills a narrow temp table with the columns that vary, and one INSERT … SELECT adds the constant ones
 * in the store schema's column order (src/store/schema.ts, version 1).
 */
export async function storeScenario(events: readonly ScenarioEvent[], path = ":memory:"): Promise<Store> {
  const store = await Store.open(path);
  await store.run(`CREATE OR REPLACE TEMP TABLE scenario_rows (
    type VARCHAR, time TIMESTAMP, recipient VARCHAR, provider VARCHAR, campaign VARCHAR, ip VARCHAR,
    reply VARCHAR, reply_code INTEGER, provider_code VARCHAR, category VARCHAR, machine_open BOOLEAN)`);
  const appender = await store.connection.createAppender("scenario_rows", "main", "temp");
  const text = (value: string | null) =>
    value === null ? appender.appendNull() : appender.appendVarchar(value);
  for (const event of events) {
    text(event.type);
    appender.appendTimestamp(new DuckDBTimestampValue(BigInt(event.time) * 1000n));
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
  await store.run(`INSERT INTO events SELECT
      'scenario:' || row_number() OVER () AS event_id, type, time, recipient,
      split_part(recipient, '@', 2) AS recipient_domain, provider, campaign, ip AS sending_ip, NULL AS pool,
      'news.example.com' AS sending_domain, 'marketing' AS stream,
      CASE provider WHEN 'apple' THEN 'mx01.mail.icloud.com' ELSE 'gmail-smtp-in.l.google.com' END AS remote_mta,
      campaign || '.' || recipient AS message_id, reply, reply_code,
      regexp_extract(reply, '^\\d{3}[ -](\\d\\.\\d{1,3}\\.\\d{1,3})', 1) AS status, provider_code,
      CASE WHEN category IS NULL THEN NULL ELSE 'policyviolation' END AS reason, category,
      CASE WHEN type = 'bounced' THEN true END AS permanent, NULL AS source_label, machine_open,
      NULL AS reader_ip, NULL AS user_agent, NULL AS url, 'scenario' AS format, 0 AS file_id, NULL AS line
    FROM scenario_rows`);
  await store.run("DROP TABLE scenario_rows");
  return store;
}
