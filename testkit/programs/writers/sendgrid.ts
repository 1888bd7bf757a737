/**
 * SendGrid Event Webhook export, one JSON object per line (NDJSON), the way a webhook receiver that
 * appends each POSTed batch's events writes them. `ip` is the sending IP on delivery events and the
 * reader's IP on opens and clicks; `sg_machine_open` marks Apple MPP prefetches.
 */
import type { Program } from "../model.ts";
import { happenings, idFrom, LineFile } from "./common.ts";

const CLASSIFICATION: Record<string, string> = {
  hard: "Invalid Address",
  policy: "Reputation",
  "ip-policy": "Reputation",
  blocklist: "Reputation",
  auth: "Technical Failure",
};

export function writeSendGrid(program: Program, file: string): void {
  const lines = new LineFile(file);
  for (const h of happenings(program, true)) {
    const { m } = h;
    const r = program.recipients[m.recipient];
    const c = program.campaigns[m.campaign];
    const base: Record<string, unknown> = {
      email: r.address,
      timestamp: Math.floor(h.at / 1000),
      "smtp-id": `<${m.id}>`,
      sg_event_id: idFrom(`${m.seq}:${h.kind}:${"n" in h ? h.n : 0}`, 22),
      sg_message_id: `${idFrom(`msg:${m.seq}`, 22)}.filterdrecv-${idFrom(`f:${m.seq % 7}`, 10, "abcdef0123456789")}-1-${idFrom(`q:${m.seq}`, 8, "0123456789ABCDEF")}-1.0`,
      category: c.stream === "marketing" ? ["newsletter"] : ["transactional", c.id],
    };
    if (c.stream === "marketing") base.campaign_id = c.id;
    if (h.kind === "sent") lines.push(JSON.stringify({ ...base, event: "processed", send_at: 0 }));
    else if (h.kind === "attempt") {
      const { attempt } = h;
      if (attempt.outcome === "delivered")
        lines.push(
          JSON.stringify({ ...base, event: "delivered", response: attempt.reply.text, ip: m.ip, tls: 1 }),
        );
      else if (attempt.outcome === "deferred")
        lines.push(
          JSON.stringify({
            ...base,
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
          ...base,
          event: "bounce",
          reason: attempt.reply.text,
          type: kind === "hard" ? "bounce" : "blocked",
          bounce_classification: CLASSIFICATION[kind] ?? "Unclassified",
          ip: m.ip,
          tls: 1,
        };
        if (attempt.reply.status) event.status = attempt.reply.status;
        lines.push(JSON.stringify(event));
      }
    } else {
      const e = h.engagement;
      if (e.kind === "open")
        lines.push(
          JSON.stringify({
            ...base,
            event: "open",
            useragent: e.userAgent,
            ip: e.ip,
            sg_machine_open: e.machine,
          }),
        );
      else if (e.kind === "click")
        lines.push(
          JSON.stringify({
            ...base,
            event: "click",
            useragent: e.userAgent,
            ip: e.ip,
            url: e.url,
            url_offset: { index: 0, type: "html" },
          }),
        );
      else if (e.kind === "unsubscribe")
        lines.push(JSON.stringify({ ...base, event: "unsubscribe", useragent: e.userAgent, ip: e.ip }));
      else lines.push(JSON.stringify({ ...base, event: "spamreport" }));
    }
  }
  lines.close();
}
