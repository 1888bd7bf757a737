import { READER_IP_EVENTS, SENDGRID_EVENT_TYPES } from "../../events/index.ts";
import { sqlCase, sqlNamesWhere } from "./event-tables-sql.ts";
import { LINES_SQL, RAW_SQL } from "./lines.ts";
import { CLEAN_STATUS_SQL, IDENTITY_SQL, REPLY_PARTS_SQL, TRIM_SQL } from "./staging.ts";

/**
 * SendGrid event webhook NDJSON loaded by DuckDB itself: each line parsed once into a typed struct.
 * Field for field the twin of src/events/sendgrid.ts (test/analytics/ingest.test.ts checks it):
 * `ip` is the reader's on open/click/unsubscribe/spamreport, the sending IP elsewhere; events of other
 * names (group_resubscribe…) are skipped. Bad records are rows with `problem` set.
 */
const SENDGRID_STRUCT = JSON.stringify({
  email: "VARCHAR",
  timestamp: "DOUBLE",
  event: "VARCHAR",
  sg_event_id: "VARCHAR",
  sg_message_id: "VARCHAR",
  "smtp-id": "VARCHAR",
  campaign_id: "VARCHAR",
  category: "JSON",
  ip: "VARCHAR",
  ip_pool: "VARCHAR",
  ip_pool_name: "VARCHAR",
  stream: "VARCHAR",
  marketing_campaign_id: "VARCHAR",
  reason: "VARCHAR",
  response: "VARCHAR",
  status: "VARCHAR",
  type: "VARCHAR",
  bounce_classification: "VARCHAR",
  sg_machine_open: "BOOLEAN",
  useragent: "VARCHAR",
  url: "VARCHAR",
});

/** SendGrid event name → deliverlens event type: the JS reader's table. */
const TYPE_CASE = sqlCase("u.event", SENDGRID_EVENT_TYPES);
/** Event names whose `ip` is the reader's. */
const READER_EVENTS = sqlNamesWhere(SENDGRID_EVENT_TYPES, (type) => READER_IP_EVENTS.has(type));

/**
 * The file bound to `$path` read line by line, numbered, each line parsed once. The parsed struct is
 * unnested into columns once (`u`): referring to fields of an un-unnested `from_json` result re-parsed
 * the line for every field.
 */
const PARSED_LINES = `
      SELECT line, raw, unnest(try(from_json(raw, '${SENDGRID_STRUCT}'))) FROM ${LINES_SQL}
      WHERE raw IS NOT NULL`;

/** DuckDB's own NDJSON reader, typed: the fastest read, but it stops at the first malformed line. */
const READ_JSON = `
      SELECT NULL::BIGINT AS line, NULL::VARCHAR AS raw, * FROM read_json($path, format = 'newline_delimited',
        columns = ${toDuckdbStruct(SENDGRID_STRUCT)}, maximum_object_size = 16777216)`;

function toDuckdbStruct(json: string): string {
  const fields = Object.entries(JSON.parse(json) as Record<string, string>);
  return `{${fields.map(([name, type]) => `"${name}": '${type}'`).join(", ")}}`;
}

const sendgridSql = (parsed: string) => `
    WITH u AS (${parsed}
    ), mapped AS (
      SELECT line, raw, u.event AS event, ${TYPE_CASE} AS event_type,
        try(make_timestamp(CAST(round(CASE WHEN u.timestamp > 1e11 THEN u.timestamp ELSE u.timestamp * 1000 END)
          AS BIGINT) * 1000)) AS event_time,
        nullif(lower(${TRIM_SQL("u.email")}), '') AS recipient,
        -- A CASE, not coalesce: DuckDB evaluated the JSON parse of every category even with a campaign_id.
        CASE WHEN u.campaign_id IS NOT NULL THEN u.campaign_id ELSE CASE json_type(u.category)
          WHEN 'ARRAY' THEN u.category->>0 WHEN 'VARCHAR' THEN u.category->>'$' END END AS campaign,
        nullif(${TRIM_SQL("coalesce(nullif(u.response, ''), u.reason)")}, '') AS reply,
        coalesce(nullif(regexp_replace(u."smtp-id", '^<(.*)>$', '\\1'), ''), u.sg_message_id) AS message_id,
        CASE WHEN u.event IN ${READER_EVENTS} THEN NULL ELSE u.ip END AS sending_ip,
        CASE WHEN u.event IN ${READER_EVENTS} THEN u.ip END AS reader_ip,
        u.url AS event_url, u.sg_event_id, coalesce(u.ip_pool, u.ip_pool_name) AS pool, u.status AS sg_status,
        nullif(concat_ws('/', nullif(u.type, ''), nullif(u.bounce_classification, '')), '') AS source_label,
        u.sg_machine_open, u.useragent AS user_agent,
        coalesce(u.stream, CASE WHEN u.marketing_campaign_id IS NOT NULL THEN 'marketing' END) AS event_stream
      FROM u
    ), parts AS (
      SELECT *, ${REPLY_PARTS_SQL("reply")} AS reply_parts FROM mapped
    )
    -- No WHERE on parsed fields: DuckDB would push it below the parse and parse every line again.
    -- Blank lines and events of other names are flagged \`skip\` instead (trim() only on unparsed lines).
    SELECT line, CASE WHEN event IS NOT NULL THEN event_type IS NULL ELSE trim(raw) = '' END AS skip,
      event_type AS type, event_time AS time, recipient, campaign, reply, message_id, sending_ip,
      event_url AS url, reader_ip, pool, source_label, user_agent, event_stream AS stream,
      CASE WHEN sg_event_id IS NOT NULL THEN 'sendgrid:' || sg_event_id ELSE ${IDENTITY_SQL} END AS identity,
      CASE WHEN strpos(recipient, '@') > 0
        THEN split_part(recipient, '@', -1) END AS recipient_domain,
      nullif(reply_parts.code, '')::INTEGER AS reply_code,
      coalesce(${CLEAN_STATUS_SQL("sg_status")}, nullif(reply_parts.status, '')) AS status,
      CASE WHEN event_type = 'open' THEN sg_machine_open END AS machine_open,
      NULL::VARCHAR AS sending_domain, NULL::VARCHAR AS remote_mta,
      CASE
        WHEN event IS NULL THEN CASE WHEN NOT json_valid(raw) THEN 'invalid JSON'
          WHEN NOT starts_with(ltrim(raw), '{') THEN 'SendGrid event is not an object'
          ELSE 'SendGrid event without \`event\`' END
        WHEN event_time IS NULL THEN 'no usable timestamp'
      END AS problem,
      CASE WHEN problem IS NOT NULL THEN ${RAW_SQL("raw")} END AS raw
    FROM parts`;

export const SENDGRID_SOURCE_SQL = sendgridSql(PARSED_LINES);

/**
 * Read by `read_json` without line numbers (parallel, typed). Used first; a file it cannot read, or with
 * bad records, is read again line by line, numbered.
 */
export const SENDGRID_UNNUMBERED_SQL = sendgridSql(READ_JSON);
