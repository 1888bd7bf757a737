/**
 * PowerMTA accounting CSV with the default header: `d` delivered, `b` bounced, `t` transient
 * (deferral) records — no opens or clicks (an MTA never sees them). `jobId` is the campaign,
 * `dlvSourceIp` the sending IP and `vmtaPool` the pool.
 */
import type { Program } from "../model.ts";
import { happenings, LineFile } from "./common.ts";

const HEADER =
  "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool";

const BOUNCE_CAT: Record<string, string> = {
  hard: "bad-mailbox",
  policy: "policy-related",
  "ip-policy": "policy-related",
  blocklist: "spam-related",
  auth: "policy-related",
  rate: "policy-related",
  transient: "other",
};

function csv(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function time(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}+0000`;
}

export function writePmta(program: Program, file: string): void {
  const lines = new LineFile(file);
  lines.push(HEADER);
  for (const h of happenings(program, false)) {
    if (h.kind !== "attempt") continue;
    const { m, attempt } = h;
    const r = program.recipients[m.recipient];
    const c = program.campaigns[m.campaign];
    const type = attempt.outcome === "delivered" ? "d" : attempt.outcome === "bounced" ? "b" : "t";
    const vmta = `vmta-${m.ip.split(".").join("-")}`;
    const row = [
      type,
      time(attempt.at),
      time(m.sentAt),
      `bounces@mail.${program.brand.domain}`,
      r.address,
      "",
      attempt.outcome === "delivered" ? "relayed" : attempt.outcome === "bounced" ? "failed" : "delayed",
      attempt.outcome === "delivered"
        ? "2.0.0 (success)"
        : attempt.reply.status || (attempt.reply.code >= 500 ? "5.0.0" : "4.0.0"),
      `smtp;${attempt.reply.text}`,
      `${attempt.mx[0]} (${attempt.mx[1]})`,
      attempt.outcome === "delivered" ? "" : (BOUNCE_CAT[attempt.reply.kind] ?? "other"),
      "smtp",
      "app01.internal (10.20.3.14)",
      "smtp",
      m.ip,
      attempt.mx[1],
      "PIPELINING,8BITMIME,SIZE,STARTTLS",
      String(38_000 + (m.seq % 4000)),
      vmta,
      c.id,
      m.id,
      `${r.domain}/${vmta}`,
      m.pool,
    ];
    lines.push(row.map(csv).join(","));
  }
  lines.close();
}
