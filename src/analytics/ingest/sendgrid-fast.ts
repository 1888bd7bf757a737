import { LINES_SQL, RAW_SQL } from "./lines.ts";
import { IDENTITY_SQL, REPLY_CODE_SQL } from "./staging.ts";

/**
 * SendGrid event webhook NDJSON loaded by DuckDB itself: each line parsed once into a typed struct.
 * Field semantics follow docs/FORMATS.md (SendGrid): `ip` is the sending IP except on open/click, where
 * it is the reader's. Bad records are rows with `problem` set.
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
  pool: "JSON",
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
export const SENDGRID_TYPES: Record<string, string> = {
  processed: "sent",
  delivered: "delivered",
  deferred: "deferred",
  bounce: "bounced",
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
        try(make_timestamp(CAST(round(j.timestamp * 1000) AS BIGINT) * 1000)) AS time,
        nullif(lower(trim(j.email)), '') AS recipient,
        coalesce(j.campaign_id, CASE json_type(j.category) WHEN 'ARRAY' THEN j.category->>0
          WHEN 'VARCHAR' THEN j.category->>'$' END) AS campaign,
        nullif(trim(coalesce(j.reason, j.response)), '') AS reply,
        coalesce(j.sg_message_id, j."smtp-id") AS message_id,
        CASE WHEN j.event IN ('open', 'click') THEN NULL ELSE j.ip END AS sending_ip,
        j.url AS url
      FROM parsed
      -- trim() over whole lines is slow in DuckDB: only lines that failed to parse are checked for blankness.
      WHERE j IS NOT NULL OR trim(raw) <> ''
    )
    SELECT line, type, time, recipient, campaign, reply, message_id, sending_ip, url,
      CASE WHEN j.sg_event_id IS NOT NULL THEN 'sendgrid:' || j.sg_event_id ELSE ${IDENTITY_SQL} END AS identity,
      CASE WHEN strpos(recipient, '@') > 0
        THEN substr(recipient, length(recipient) - strpos(reverse(recipient), '@') + 2) END AS recipient_domain,
      j.pool->>'name' AS pool,
      ${REPLY_CODE_SQL("reply")} AS reply_code,
      j.status AS status,
      CASE WHEN j.event = 'bounce' THEN coalesce(j.bounce_classification, j.type) END AS source_label,
      CASE WHEN type = 'open' THEN j.sg_machine_open END AS machine_open,
      CASE WHEN j.event IN ('open', 'click') THEN j.ip END AS reader_ip,
      j.useragent AS user_agent,
      NULL::VARCHAR AS sending_domain, NULL::VARCHAR AS stream, NULL::VARCHAR AS remote_mta,
      CASE
        WHEN j IS NULL THEN CASE WHEN json_valid(raw) THEN 'not a SendGrid event' ELSE 'invalid JSON' END
        WHEN type IS NULL THEN 'unsupported SendGrid event: ' || coalesce(j.event, '(none)')
        WHEN time IS NULL THEN 'no usable timestamp'
      END AS problem,
      CASE WHEN problem IS NOT NULL THEN ${RAW_SQL("raw")} END AS raw
    FROM mapped`;
