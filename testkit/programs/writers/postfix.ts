/**
 * Postfix syslog (maillog): per message a cleanup `message-id=` line, a qmgr `from=` line, one smtp
 * line per delivery attempt (`status=sent|deferred|bounced`), a bounce notification and `removed`.
 * With two or more sending IPs the program runs one Postfix instance per IP (`postfix-<ip>/smtp`), as
 * multi-IP Postfix setups do. No campaigns, opens or clicks: a log has none.
 */
import type { Program } from "../model.ts";
import { happenings, hash32, idFrom, LineFile } from "./common.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function classic(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${d.toISOString().slice(11, 19)}`;
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

export function writePostfix(
  program: Program,
  file: string,
  timestamps: "classic" | "rfc3339" = "classic",
): void {
  const stamp = timestamps === "classic" ? classic : rfc3339;
  const multi = program.ips.length > 1;
  const lines = new LineFile(file);
  const host = "mta1";
  for (const h of happenings(program, false)) {
    const { m } = h;
    const r = program.recipients[m.recipient];
    const qid = idFrom(`qid:${m.seq}`, 10, "0123456789ABCDEF");
    const name = multi ? `postfix-${m.ip}` : "postfix";
    const pid = (n: number) => 1000 + (hash32(`${m.seq}:${n}`) % 60000);
    if (h.kind === "sent") {
      lines.push(
        `${stamp(m.sentAt)} ${host} ${name}/pickup[${pid(1)}]: ${qid}: uid=1001 from=<bounces@mail.${program.brand.domain}>`,
      );
      lines.push(`${stamp(m.sentAt)} ${host} ${name}/cleanup[${pid(2)}]: ${qid}: message-id=<${m.id}>`);
      lines.push(
        `${stamp(m.sentAt)} ${host} ${name}/qmgr[${pid(3)}]: ${qid}: from=<bounces@mail.${program.brand.domain}>, size=${38_000 + (m.seq % 4000)}, nrcpt=1 (queue active)`,
      );
      continue;
    }
    if (h.kind !== "attempt") continue;
    const { attempt } = h;
    const [mxHost, mxIp] = attempt.mx;
    const delay = ((attempt.at - m.sentAt) / 1000).toFixed(1);
    const dsn =
      attempt.reply.status ||
      (attempt.reply.code >= 500 ? "5.0.0" : attempt.reply.code >= 400 ? "4.0.0" : "2.0.0");
    const command =
      attempt.reply.kind === "hard" || attempt.reply.kind === "rate" ? "RCPT TO" : "end of DATA";
    const text =
      attempt.outcome === "delivered"
        ? `(${attempt.reply.text})`
        : `(host ${mxHost}[${mxIp}] said: ${attempt.reply.text} (in reply to ${command} command))`;
    const status = attempt.outcome === "delivered" ? "sent" : attempt.outcome;
    lines.push(
      `${stamp(attempt.at)} ${host} ${name}/smtp[${pid(10 + h.n)}]: ${qid}: to=<${r.address}>, relay=${mxHost}[${mxIp}]:25, delay=${delay}, delays=0.02/0.01/0.4/0.6, dsn=${dsn}, status=${status} ${text}`,
    );
    if (h.n === m.attempts.length - 1) {
      if (attempt.outcome === "bounced")
        lines.push(
          `${stamp(attempt.at)} ${host} ${name}/bounce[${pid(20)}]: ${qid}: sender non-delivery notification: ${idFrom(`nd:${m.seq}`, 10, "0123456789ABCDEF")}`,
        );
      lines.push(`${stamp(attempt.at)} ${host} ${name}/qmgr[${pid(3)}]: ${qid}: removed`);
    }
  }
  lines.close();
}
