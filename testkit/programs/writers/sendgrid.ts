/**
 * SendGrid Event Webhook export, one JSON object per line (NDJSON), the way a webhook receiver that
 * appends each POSTed batch's events writes them. `ip` is the sending IP on delivery events and the
 * reader's IP on opens and clicks; `sg_machine_open` marks Apple MPP prefetches.
 */
import type { Message, Program } from "../model.ts";
import { happenings, idFrom, Kept, LineFile, MESSAGES_KEPT } from "./common.ts";

const CLASSIFICATION: Record<string, string> = {
  hard: "Invalid Address",
  policy: "Reputation",
  "ip-policy": "Reputation",
  blocklist: "Reputation",
  auth: "Technical Failure",
};

/**
 * The JSON of a message's fields every one of its events repeats, made once per message: `email` and
 * `smtp-id` (before the event's `timestamp` and `sg_event_id`), then `sg_message_id`, `category` and a
 * marketing message's `campaign_id` (`tail`, without its braces).
 */
interface MessageJson {
  email: string;
  smtpId: string;
  tail: string;
}

/** idFrom(`f:${i}`, 10, hex) for each i = seq % 7 a message's `sg_message_id` takes its filter name from. */
const FILTERS: string[] = [];

function messageJson(program: Program, m: Message): MessageJson {
  const c = program.campaigns[m.campaign];
  const f = m.seq % 7;
  FILTERS[f] ??= idFrom(`f:${f}`, 10, "abcdef0123456789");
  const id = `${idFrom(`msg:${m.seq}`, 22)}.filterdrecv-${FILTERS[f]}-1-${idFrom(`q:${m.seq}`, 8, "0123456789ABCDEF")}-1.0`;
  // JSON.stringify({ sg_message_id, category, campaign_id? }) without its braces, written out.
  const campaign = JSON.stringify(c.id);
  return {
    email: JSON.stringify(program.recipients[m.recipient].address),
    smtpId: JSON.stringify(`<${m.id}>`),
    tail:
      c.stream === "marketing"
        ? `"sg_message_id":${JSON.stringify(id)},"category":["newsletter"],"campaign_id":${campaign}`
        : `"sg_message_id":${JSON.stringify(id)},"category":["transactional",${campaign}]`,
  };
}

export function writeSendGrid(program: Program, file: string): void {
  const lines = new LineFile(file);
  const messages = new Kept<number, MessageJson>(MESSAGES_KEPT);
  for (const h of happenings(program, true)) {
    const { m } = h;
    const json = messages.get(m.seq, () => messageJson(program, m));
    const eventId = idFrom(`${m.seq}:${h.kind}:${"n" in h ? h.n : 0}`, 22);
    // JSON.stringify of the event's object (the message's fields, its time and id — B64 characters, nothing to
    // escape — then its own: `rest`, never empty, none of the same name), from the message's JSON made once.
    const head = `{"email":${json.email},"timestamp":${Math.floor(h.at / 1000)},"smtp-id":${json.smtpId},"sg_event_id":"${eventId}",${json.tail},`;
    if (h.kind === "sent") lines.push(`${head}"event":"processed","send_at":0}`);
    else if (h.kind === "attempt") {
      const { attempt } = h;
      if (attempt.outcome === "delivered")
        // The most frequent events written out: JSON.stringify({ event, response, ip, tls: 1 }).
        lines.push(
          `${head}"event":"delivered","response":${JSON.stringify(attempt.reply.text)},"ip":${JSON.stringify(m.ip)},"tls":1}`,
        );
      else if (attempt.outcome === "deferred")
        lines.push(
          head +
            rest({
              event: "deferred",
              response: attempt.reply.text,
              attempt: String(h.n + 1),
              ip: m.ip,
              tls: 1,
            }),
        );
      else {
        const kind = attempt.reply.kind;
        const event: Record<string, unknown> = {
          event: "bounce",
          reason: attempt.reply.text,
          type: kind === "hard" ? "bounce" : "blocked",
          bounce_classification: CLASSIFICATION[kind] ?? "Unclassified",
          ip: m.ip,
          tls: 1,
        };
        if (attempt.reply.status) event.status = attempt.reply.status;
        lines.push(head + rest(event));
      }
    } else {
      const e = h.engagement;
      if (e.kind === "open")
        // JSON.stringify({ event: "open", useragent, ip, sg_machine_open }), every field always there.
        lines.push(
          `${head}"event":"open","useragent":${JSON.stringify(e.userAgent)},"ip":${JSON.stringify(e.ip)},"sg_machine_open":${e.machine}}`,
        );
      else if (e.kind === "click")
        lines.push(
          head +
            rest({
              event: "click",
              useragent: e.userAgent,
              ip: e.ip,
              url: e.url,
              url_offset: { index: 0, type: "html" },
            }),
        );
      else if (e.kind === "unsubscribe")
        lines.push(head + rest({ event: "unsubscribe", useragent: e.userAgent, ip: e.ip }));
      else lines.push(`${head}"event":"spamreport"}`);
    }
  }
  lines.close();
}

/** An event's own fields as the end of its JSON (after the message's): JSON.stringify without its `{`. */
function rest(fields: Record<string, unknown>): string {
  return JSON.stringify(fields).slice(1);
}
