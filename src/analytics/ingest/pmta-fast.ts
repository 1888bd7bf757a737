import { IDENTITY_SQL, REPLY_CODE_SQL } from "./staging.ts";

/** PowerMTA accounting record type → deliverlens event type (docs/FORMATS.md, PowerMTA). */
export const PMTA_TYPES: Record<string, string> = {
  r: "sent",
  d: "delivered",
  b: "bounced",
  rb: "bounced",
  t: "deferred",
  tq: "deferred",
  f: "complaint",
};

/** PowerMTA fields deliverlens reads; the file's header decides which exist (`record-fields` is configurable). */
const FIELDS = [
  "type",
  "timeLogged",
  "orig",
  "rcpt",
  "dsnStatus",
  "dsnDiag",
  "dsnMta",
  "bounceCat",
  "dlvSourceIp",
  "vmta",
  "vmtaPool",
  "jobId",
  "envId",
  "header_Message-Id",
] as const;

const TYPE_CASE = `CASE lower(trim(f.type)) ${Object.entries(PMTA_TYPES)
  .map(([from, to]) => `WHEN '${from}' THEN '${to}'`)
  .join(" ")} END`;

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
export function pmtaSourceSql(header: string[]): string {
  const column = (name: (typeof FIELDS)[number]) =>
    header.includes(name) ? `nullif(f."${name}", '')` : "NULL::VARCHAR";
  const naiveTime = `timezone($tz, TRY_CAST(${column("timeLogged")} AS TIMESTAMP))::TIMESTAMP`;
  const columns = `{${header.map((name) => `'${name.replaceAll("'", "''")}': 'VARCHAR'`).join(", ")}}`;
  return `
    WITH rows AS (
      SELECT *, ordinality + 1 AS line FROM read_csv($path, header = true, auto_detect = false,
        columns = ${columns}, delim = ',', quote = '"', escape = '"', compression = 'auto') WITH ORDINALITY
    ), mapped AS (
      SELECT line, f.type AS raw_type, ${TYPE_CASE} AS type,
        CASE WHEN regexp_matches(${column("timeLogged")}, '([+-][0-9]{2}:?[0-9]{2}|Z)$')
          THEN TRY_CAST(${column("timeLogged")} AS TIMESTAMPTZ)::TIMESTAMP ELSE ${naiveTime} END AS time,
        lower(${column("rcpt")}) AS recipient,
        ${column("jobId")} AS campaign,
        nullif(regexp_replace(${column("dsnDiag")}, '^smtp;\\s*', '', 'i'), '') AS reply,
        coalesce(${column("header_Message-Id")}, ${column("envId")}) AS message_id,
        ${column("dlvSourceIp")} AS sending_ip,
        NULL::VARCHAR AS url,
        ${column("vmtaPool")} AS vmta_pool, ${column("vmta")} AS vmta,
        ${column("orig")} AS orig, ${column("dsnStatus")} AS status, ${column("dsnMta")} AS remote_mta,
        ${column("bounceCat")} AS source_label
      FROM rows f
    )
    SELECT line, type, time, recipient, campaign, reply, message_id, sending_ip, url, status, remote_mta,
      source_label, ${IDENTITY_SQL} AS identity,
      CASE WHEN strpos(recipient, '@') > 0
        THEN substr(recipient, length(recipient) - strpos(reverse(recipient), '@') + 2) END AS recipient_domain,
      coalesce(vmta_pool, vmta) AS pool, NULL::VARCHAR AS stream, NULL::BOOLEAN AS machine_open,
      NULL::VARCHAR AS reader_ip, NULL::VARCHAR AS user_agent,
      CASE WHEN strpos(orig, '@') > 0
        THEN lower(substr(orig, length(orig) - strpos(reverse(orig), '@') + 2)) END AS sending_domain,
      ${REPLY_CODE_SQL("reply")} AS reply_code,
      CASE
        WHEN type IS NULL THEN 'unsupported PowerMTA record type: ' || coalesce(raw_type, '(none)')
        WHEN time IS NULL THEN 'no usable timeLogged'
        WHEN recipient IS NULL THEN 'no rcpt'
      END AS problem,
      CASE WHEN problem IS NOT NULL THEN concat_ws(',', raw_type, recipient, reply) END AS raw
    FROM mapped`;
}
