import { LINES_SQL, RAW_SQL } from "./lines.ts";
import { CLEAN_STATUS_SQL, IDENTITY_SQL, LEADING_STATUS_SQL, REPLY_CODE_SQL } from "./staging.ts";

/**
 * SendGrid event webhook NDJSON loaded by DuckDB itself: each line parsed once into a typed struct.
 * Field for field the twin of src/events/sendgrid.ts (test/analytics/fast-path-agrees.test.ts checks it):
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

/** SendGrid event name → deliverlens event type (src/events/event.ts). */
const READER_EVENTS = "('open', 'click', 'unsubscribe', 'group_unsubscribe', 'spamreport')";

export const SENDGRID_TYPES: Record<string, string> = {
  processed: "sent",
  delivered: "delivered",
  deferred: "deferred",
  bounce: "bounced",
  blocked: "bounced",
  dropped: "dropped",
  open: "open",
  click: "click",
  spamreport: "complaint",
  unsubscribe: "unsubscribe",
  group_unsubscribe: "unsubscribe",
};

const TYPE_CASE = `CASE j.event ${Object.entries(SENDGRID_TYPES)
  .map(([from, to]) => `WHEN '${from}' THEN '${to}'`)
  .join(" ")} END`;

/** A staging-shaped query over the file bound to `$path`. */
export const SENDGRID_SOURCE_SQL = `
    WITH parsed AS (
      SELECT line, raw, try(from_json(raw, '${SENDGRID_STRUCT}')) AS j FROM ${LINES_SQL}
      WHERE raw IS NOT NULL
    ), mapped AS (
      SELECT line, raw, j, ${TYPE_CASE} AS type,
        try(make_timestamp(CAST(round(CASE WHEN j.timestamp > 1e11 THEN j.timestamp ELSE j.timestamp * 1000 END)
          AS BIGINT) * 1000)) AS time,
        nullif(lower(trim(j.email)), '') AS recipient,
        coalesce(j.campaign_id, CASE json_type(j.category) WHEN 'ARRAY' THEN j.category->>0
          WHEN 'VARCHAR' THEN j.category->>'$' END) AS campaign,
        nullif(trim(coalesce(nullif(j.response, ''), j.reason)), '') AS reply,
        coalesce(nullif(regexp_replace(j."smtp-id", '^<(.*)>$', '\\1'), ''), j.sg_message_id) AS message_id,
        CASE WHEN j.event IN ${READER_EVENTS} THEN NULL ELSE j.ip END AS sending_ip,
        j.url AS url
      FROM parsed
      -- trim() over whole lines is slow in DuckDB: only lines that failed to parse are checked for blankness.
      WHERE (j IS NOT NULL OR trim(raw) <> '') AND (j IS NULL OR j.event IS NULL OR ${TYPE_CASE} IS NOT NULL)
    )
    SELECT line, type, time, recipient, campaign, reply, message_id, sending_ip, url,
      CASE WHEN j.sg_event_id IS NOT NULL THEN 'sendgrid:' || j.sg_event_id ELSE ${IDENTITY_SQL} END AS identity,
      CASE WHEN strpos(recipient, '@') > 0
        THEN substr(recipient, length(recipient) - strpos(reverse(recipient), '@') + 2) END AS recipient_domain,
      coalesce(j.ip_pool, j.ip_pool_name) AS pool,
      ${REPLY_CODE_SQL("reply")} AS reply_code,
      coalesce(${CLEAN_STATUS_SQL("j.status")}, ${LEADING_STATUS_SQL("reply")}) AS status,
      nullif(concat_ws('/', nullif(j.type, ''), nullif(j.bounce_classification, '')), '') AS source_label,
      CASE WHEN type = 'open' THEN j.sg_machine_open END AS machine_open,
      CASE WHEN j.event IN ${READER_EVENTS} THEN j.ip END AS reader_ip,
      j.useragent AS user_agent,
      NULL::VARCHAR AS sending_domain, NULL::VARCHAR AS remote_mta,
      coalesce(j.stream, CASE WHEN j.marketing_campaign_id IS NOT NULL THEN 'marketing' END) AS stream,
      CASE
        WHEN j IS NULL THEN CASE WHEN json_valid(raw) THEN 'not a SendGrid event' ELSE 'invalid JSON' END
        WHEN j.event IS NULL THEN 'SendGrid event without \`event\`'
        WHEN time IS NULL THEN 'no usable timestamp'
      END AS problem,
      CASE WHEN problem IS NOT NULL THEN ${RAW_SQL("raw")} END AS raw
    FROM mapped`;
