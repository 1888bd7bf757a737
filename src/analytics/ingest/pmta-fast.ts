import { PMTA_ACTION_TYPES, PMTA_RECORD_TYPES } from "../../events/index.ts";
import { sqlCase } from "./event-tables-sql.ts";
import { CLEAN_STATUS_SQL, IDENTITY_SQL, REPLY_CODE_SQL } from "./staging.ts";

/** PowerMTA fields deliverlens reads; the file's header decides which exist (`record-fields` is configurable). */
const FIELDS = [
  "type",
  "timeLogged",
  "orig",
  "rcpt",
  "dsnAction",
  "dsnStatus",
  "dsnDiag",
  "dsnMta",
  "bounceCat",
  "dlvSourceIp",
  "vmta",
  "vmtaPool",
  "jobId",
  "header_x-job",
  "header_x-campaign",
  "srcMta",
  "header_message-id",
] as const;

/** Column names of a PowerMTA CSV header line, or null when it is not one. */
export function pmtaHeader(head: string): string[] | null {
  const first = head.split(/\r?\n/, 1)[0] ?? "";
  const columns = first.split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
  return columns.includes("type") && columns.includes("rcpt") ? columns : null;
}

/**
 * PowerMTA accounting CSV loaded by DuckDB itself (all columns as text, parsed here). Times without an
 * offset are read in `$tz`; the file is `$path`. A staging-shaped query; it throws on a malformed CSV row,
 * and the caller then uses the line-precise JS path.
 */
export function pmtaSourceSql(header: string[], numbered = true): string {
  // Header names match case-insensitively, like src/events/csv-records.ts.
  const lower = header.map((name) => name.toLowerCase());
  const column = (name: (typeof FIELDS)[number]) => {
    const at = lower.indexOf(name.toLowerCase());
    return at >= 0 ? `nullif(f."${header[at].replaceAll('"', '""')}", '')` : "NULL::VARCHAR";
  };
  // Record and DSN-action types are the JS reader's tables (`rs` records take theirs from dsnAction).
  const type = `CASE WHEN f.type = 'rs' THEN ${sqlCase(`lower(${column("dsnAction")})`, PMTA_ACTION_TYPES)}
    ELSE ${sqlCase("f.type", PMTA_RECORD_TYPES)} END`;
  const naiveTime = `timezone($tz, TRY_CAST(${column("timeLogged")} AS TIMESTAMP))::TIMESTAMP`;
  const columns = `{${header.map((name) => `'${name.replaceAll("'", "''")}': 'VARCHAR'`).join(", ")}}`;
  return `
    WITH rows AS (
      SELECT *, ${numbered ? "ordinality + 1" : "NULL::BIGINT"} AS line FROM read_csv($path, header = true,
        auto_detect = false, columns = ${columns}, delim = ',', quote = '"', escape = '"', compression = 'auto')
        ${numbered ? "WITH ORDINALITY" : ""}
    ), mapped AS (
      SELECT line, f.type AS raw_type, ${type} AS type,
        CASE WHEN regexp_full_match(right(${column("timeLogged")}, 6), '.*([+-][0-9]{2}:?[0-9]{2}|Z)')
          THEN TRY_CAST(${column("timeLogged")} AS TIMESTAMPTZ)::TIMESTAMP ELSE ${naiveTime} END AS time,
        lower(${column("rcpt")}) AS recipient,
        coalesce(${column("jobId")}, ${column("header_x-job")}, ${column("header_x-campaign")}) AS campaign,
        nullif(regexp_replace(${column("dsnDiag")}, '^(smtp|x-postfix|x-unix|x-local);\\s*', '', 'i'), '') AS reply,
        nullif(regexp_replace(${column("header_message-id")}, '^<(.*)>$', '\\1'), '') AS message_id,
        coalesce(${column("dlvSourceIp")}, ${column("srcMta")}) AS sending_ip,
        NULL::VARCHAR AS url,
        ${column("vmtaPool")} AS vmta_pool, ${column("vmta")} AS vmta,
        ${column("orig")} AS orig, ${CLEAN_STATUS_SQL(column("dsnStatus"))} AS status,
        -- Most dsnMta values are a bare host: only those with ';', '(' or space need the prefixes cut.
        lower(CASE WHEN regexp_matches(${column("dsnMta")}, '[;(\\s]') THEN nullif(regexp_extract(regexp_replace(
          regexp_replace(${column("dsnMta")}, '^dns;\\s*', '', 'i'), '^(smtp|x-postfix|x-unix|x-local);\\s*', '', 'i'),
          '^[^\\s(]*'), '') ELSE ${column("dsnMta")} END) AS remote_mta,
        ${column("bounceCat")} AS source_label
      FROM rows f
    )
    -- Lower-case record types PowerMTA may add are skipped, as the JS parser does; anything else is a problem.
    SELECT line, type IS NULL AND regexp_full_match(coalesce(raw_type, ''), '[a-z]{1,3}') AS skip, type, time, recipient, campaign, reply, message_id, sending_ip, url, status, remote_mta,
      source_label, ${IDENTITY_SQL} AS identity,
      CASE WHEN strpos(recipient, '@') > 0
        THEN split_part(recipient, '@', -1) END AS recipient_domain,
      coalesce(vmta_pool, vmta) AS pool, NULL::VARCHAR AS stream, NULL::BOOLEAN AS machine_open,
      NULL::VARCHAR AS reader_ip, NULL::VARCHAR AS user_agent,
      CASE WHEN strpos(orig, '@') > 0
        THEN lower(split_part(orig, '@', -1)) END AS sending_domain,
      ${REPLY_CODE_SQL("reply")} AS reply_code,
      CASE
        WHEN type IS NULL THEN 'unknown PowerMTA record'
        WHEN time IS NULL THEN 'no usable timeLogged'
        WHEN recipient IS NULL THEN 'no rcpt'
      END AS problem,
      CASE WHEN problem IS NOT NULL THEN concat_ws(',', raw_type, recipient, reply) END AS raw
    FROM mapped`;
}
