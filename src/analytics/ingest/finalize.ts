import { classifyReply } from "../../bounce/classify.ts";
import type { Store } from "../../store/index.ts";
import { PROVIDER_DOMAINS } from "../provider-domains.ts";

/**
 * Key of a distinct reply: the text and codes, the event type (failed vs delayed) and the recipient's
 * provider (provider rules apply per provider). Each key is classified once per store.
 */
const REPLY_KEY_SQL = `CASE WHEN s.reply IS NOT NULL AND s.type IN ('bounced', 'deferred') THEN
  md5(concat_ws(chr(31), s.type, coalesce(pd.provider, ''), coalesce(s.reply_code::VARCHAR, ''),
  coalesce(s.status, ''), s.reply)) END`;

const DSN_ACTION: Record<string, string> = { bounced: "failed", deferred: "delayed" };

export async function loadProviderDomains(store: Store): Promise<void> {
  await store.run("CREATE OR REPLACE TEMP TABLE provider_domains (domain VARCHAR, provider VARCHAR)");
  await store.run(
    `INSERT INTO provider_domains SELECT unnest(from_json($rows, '[{"domain":"VARCHAR","provider":"VARCHAR"}]'), recursive := true)`,
    { rows: JSON.stringify(PROVIDER_DOMAINS.map(({ domain, provider }) => ({ domain, provider }))) },
  );
}

interface NewReply {
  reply_key: string;
  type: string;
  domain_provider: string | null;
  reply: string;
  reply_code: number | null;
  status: string | null;
  recipient: string | null;
  remote_mta: string | null;
}

/** Classifies the replies in `staging` that the store has not seen yet; returns how many. */
export async function classifyNewReplies(store: Store): Promise<number> {
  const replies = await store.all<NewReply>(`
    SELECT ${REPLY_KEY_SQL} AS reply_key, s.type, pd.provider AS domain_provider, s.reply, s.reply_code,
      s.status, min(s.recipient) AS recipient, min(s.remote_mta) AS remote_mta
    FROM staging s LEFT JOIN provider_domains pd ON pd.domain = s.recipient_domain
    WHERE s.problem IS NULL AND s.reply IS NOT NULL AND s.type IN ('bounced', 'deferred')
    GROUP BY ALL
    HAVING reply_key NOT IN (SELECT reply_key FROM reply_classes)`);
  if (replies.length === 0) return 0;
  const appender = await store.connection.createAppender("reply_classes");
  for (const reply of replies) {
    const result = classifyReply({
      text: reply.reply,
      replyCode: reply.reply_code,
      status: reply.status,
      remoteMta: reply.remote_mta,
      recipient: reply.recipient,
      action: DSN_ACTION[reply.type] ?? null,
    });
    appender.appendVarchar(reply.reply_key);
    appender.appendVarchar(reply.type);
    appendNullable(appender, reply.domain_provider);
    appender.appendVarchar(reply.reply);
    if (reply.reply_code === null) appender.appendNull();
    else appender.appendInteger(reply.reply_code);
    appendNullable(appender, reply.status);
    appender.appendVarchar(result.provider);
    appendNullable(appender, result.providerCode);
    appender.appendVarchar(result.reason);
    appender.appendVarchar(result.category);
    appender.appendBoolean(result.permanent);
    appender.appendVarchar(result.rule.id);
    appender.endRow();
  }
  appender.closeSync();
  return replies.length;
}

function appendNullable(
  appender: { appendVarchar(v: string): void; appendNull(): void },
  value: string | null,
) {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

/**
 * Moves `staging` into `events`: provider from the recipient domain, classification joined by reply
 * key, events already stored (or repeated within the file) skipped. Returns the number stored.
 */
export async function storeStaged(store: Store, format: string, fileId: number): Promise<number> {
  return store.exec(
    `INSERT INTO events
    SELECT s.event_id, s.type, s.time, s.recipient, s.recipient_domain, coalesce(pd.provider, 'other'),
      s.campaign, s.sending_ip, s.pool, s.sending_domain, s.stream, s.remote_mta, s.message_id,
      s.reply, s.reply_code, s.status, rc.provider_code, rc.reason, rc.category, rc.permanent,
      s.source_label, s.machine_open, s.reader_ip, s.user_agent, s.url, $format, $file_id, s.line
    FROM staging s
    LEFT JOIN provider_domains pd ON pd.domain = s.recipient_domain
    LEFT JOIN reply_classes rc ON rc.reply_key = ${REPLY_KEY_SQL}
    WHERE s.problem IS NULL AND s.event_id NOT IN (SELECT event_id FROM events)
    QUALIFY row_number() OVER (PARTITION BY s.event_id ORDER BY s.line) = 1`,
    { format, file_id: fileId },
  );
}

/** Moves the flagged bad records of `staging` into the quarantine; returns how many. */
export async function quarantineStaged(store: Store, path: string, fileId: number): Promise<number> {
  return store.exec(
    `INSERT INTO quarantine SELECT $file_id, $path, line, problem, raw FROM staging WHERE problem IS NOT NULL`,
    { file_id: fileId, path },
  );
}
