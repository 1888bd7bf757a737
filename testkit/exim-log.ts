/**
 * An Exim main log for tests: messages arrive (`<=`), their recipients are delivered (`=>`), deferred
 * (`==`, retried later in the log) or bounced (`**`), and most end with `Completed`; the lines of a few
 * dozen messages interleave, as on a busy server. Deterministic for a seed.
 */
import { seededRandom } from "./events-postfix-log.ts";

const OUTCOMES = [
  (r: string) =>
    `=> ${r} R=dnslookup T=remote_smtp H=mx.example.com [198.51.100.1] X=TLS1.3 C="250 2.0.0 Ok: queued as ${r.length}A1B2C3D4"`,
  (r: string) =>
    `** ${r} R=dnslookup T=remote_smtp H=mx01.mail.icloud.com [17.57.155.25]: SMTP error from remote mail server after end of data: 554 5.7.1 [CS01] Message rejected due to local policy`,
  (r: string) =>
    `== ${r} R=dnslookup T=remote_smtp defer (-44) H=mx.example.org [203.0.113.9]: SMTP error from remote mail server after RCPT TO:<${r}>: 451 4.7.1 Greylisted, try again`,
  (r: string) => `** ${r}: Unrouteable address`,
];

export function eximLog(messages: number, seed = 1): string {
  const random = seededRandom(seed);
  const lines: [number, string][] = [];
  let clock = Date.UTC(2026, 0, 15, 10, 0, 0);
  for (let m = 0; m < messages; m++) {
    clock += Math.floor(random() * 3000);
    const id = `1v${(100000 + m).toString(36).padStart(4, "0")}-${String(m).padStart(6, "0")}-${"ABCD"[m % 4]}B`;
    const at = (offset: number) => clock + offset;
    lines.push([
      at(0),
      `${id} <= news@send.example.com H=app.example.com [192.0.2.5] P=esmtp S=1234 id=m${m}@send.example.com`,
    ]);
    const recipients = 1 + Math.floor(random() * 3);
    let last = 0;
    for (let r = 0; r < recipients; r++) {
      const rcpt = `user${Math.floor(random() * 5000)}@example${r}.com`;
      const outcome = Math.floor(random() * OUTCOMES.length);
      last = 1000 + Math.floor(random() * 60_000);
      lines.push([at(last), `${id} ${OUTCOMES[outcome](rcpt)}`]);
      if (outcome === 2) {
        last += 600_000;
        lines.push([at(last), `${id} ${OUTCOMES[random() < 0.5 ? 0 : 1](rcpt)}`]);
      }
    }
    if (random() < 0.9) lines.push([at(last + 1000), `${id} Completed`]);
  }
  lines.sort((a, b) => a[0] - b[0]);
  const stamp = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
  return lines.map(([ms, text]) => `${stamp(ms)} ${text}\n`).join("");
}
