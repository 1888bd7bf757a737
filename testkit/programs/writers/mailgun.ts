/**
 * Mailgun webhooks as a receiver stores them: one POST body per line, `{signature, "event-data"}`.
 * `envelope.sending-ip` on deliveries and failures; `ip` and `client-info` on opens and clicks.
 */
import type { Program } from "../model.ts";
import { happenings, hex, idFrom, LineFile, withoutCode } from "./common.ts";

const CLIENTS: Record<string, Record<string, string>> = {
  mobile: {
    "client-type": "mobile browser",
    "client-os": "iOS",
    "device-type": "mobile",
    "client-name": "Mobile Safari",
  },
  desktop: {
    "client-type": "browser",
    "client-os": "Windows",
    "device-type": "desktop",
    "client-name": "Chrome",
  },
  proxy: {
    "client-type": "unknown",
    "client-os": "unknown",
    "device-type": "unknown",
    "client-name": "unknown",
  },
};

export function writeMailgun(program: Program, file: string): void {
  const lines = new LineFile(file);
  const mgDomain = `mg.${program.brand.domain}`;
  for (const h of happenings(program, true)) {
    const { m } = h;
    const r = program.recipients[m.recipient];
    const c = program.campaigns[m.campaign];
    const key = `${m.seq}:${h.kind}:${"n" in h ? h.n : 0}`;
    const data: Record<string, unknown> = {
      id: idFrom(`mg:${key}`, 22),
      timestamp: Number((h.at / 1000).toFixed(6)),
      recipient: r.address,
      "recipient-domain": r.domain,
      tags: c.stream === "marketing" ? ["newsletter"] : [c.id],
      campaigns: [],
      "user-variables": c.stream === "marketing" ? { campaign_id: c.id } : {},
      flags: { "is-routed": false, "is-authenticated": true, "is-system-test": false, "is-test-mode": false },
      message: {
        headers: {
          to: r.address,
          "message-id": m.id,
          from: `${program.brand.name} <${program.brand.from}>`,
          subject: c.subject,
        },
        attachments: [],
        size: 38_000 + (m.seq % 4000),
      },
    };
    const envelope = {
      "sending-ip": m.ip,
      sender: `bounce+${hex(key, 6)}@${mgDomain}`,
      transport: "smtp",
      targets: r.address,
    };
    if (h.kind === "sent")
      Object.assign(data, { event: "accepted", "log-level": "info", method: "HTTP", envelope });
    else if (h.kind === "attempt") {
      const { attempt } = h;
      const status: Record<string, unknown> = {
        tls: true,
        "mx-host": attempt.mx[0],
        code: attempt.reply.code,
        description: "",
        "session-seconds": 1.2,
        utf8: true,
        "attempt-no": h.n + 1,
        message: attempt.outcome === "delivered" ? "OK" : withoutCode(attempt.reply.text),
        "certificate-verified": true,
      };
      if (attempt.reply.status) status["enhanced-code"] = attempt.reply.status;
      if (attempt.outcome === "delivered")
        Object.assign(data, { event: "delivered", "log-level": "info", envelope });
      else if (attempt.outcome === "deferred") {
        status["retry-seconds"] = 600;
        Object.assign(data, {
          event: "failed",
          severity: "temporary",
          reason: "generic",
          "log-level": "warn",
          envelope,
        });
      } else {
        Object.assign(data, {
          event: "failed",
          severity: "permanent",
          reason: attempt.reply.kind === "hard" ? "bounce" : "generic",
          "log-level": "error",
          envelope,
        });
      }
      data["delivery-status"] = status;
    } else {
      const e = h.engagement;
      const client = e.userAgent.includes("iPhone")
        ? CLIENTS.mobile
        : e.machine || e.userAgent.includes("Proxy")
          ? CLIENTS.proxy
          : CLIENTS.desktop;
      const reader = {
        ip: e.ip,
        geolocation: { country: "US", region: "Unknown", city: "Unknown" },
        "client-info": { ...client, "user-agent": e.userAgent },
      };
      if (e.kind === "open") Object.assign(data, { event: "opened", "log-level": "info", ...reader });
      else if (e.kind === "click")
        Object.assign(data, { event: "clicked", "log-level": "info", url: e.url, ...reader });
      else if (e.kind === "unsubscribe")
        Object.assign(data, { event: "unsubscribed", "log-level": "info", ...reader });
      else Object.assign(data, { event: "complained", "log-level": "warn" });
    }
    const timestamp = String(Math.floor(h.at / 1000));
    const token = hex(`tok:${key}`, 50);
    lines.push(
      JSON.stringify({
        signature: { timestamp, token, signature: hex(`sig:${key}`, 64) },
        "event-data": data,
      }),
    );
  }
  lines.close();
}
