import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { readAll } from "../../testkit/events-read.ts";

const modified = new Date("2026-03-01T00:00:00Z");

const MAILLOG = `Feb  2 12:34:50 mail postfix/qmgr[111]: ABC123DEF: from=<news@send.example.com>, size=1234, nrcpt=3 (queue active)
Feb  2 12:34:50 mail postfix/cleanup[112]: ABC123DEF: message-id=<m1@send.example.com>
Feb  2 12:34:51 mail postfix/smtpd[99]: connect from unknown[192.0.2.1]
Feb  2 12:34:56 mail postfix/smtp[12345]: ABC123DEF: to=<user@example.com>, relay=mx.example.com[1.2.3.4]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.1.1, status=bounced (host mx.example.com[1.2.3.4] said: 550 unrouteable mail domain example.com (in reply to RCPT TO command))
Feb  2 12:34:57 mail postfix-239.58.50.50/smtp[5084]: ABC123DEF: to=<jane@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=2, delays=0.18/0/1.6/0.19, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137 (in reply to end of DATA command))
Feb  2 12:34:58 mail postfix/polite/smtp[5085]: ABC123DEF: to=<bob@gmail.com>, relay=gmail-smtp-in.l.google.com[142.250.1.27]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 OK  1700000000 a1si123 - gsmtp)
Feb  2 12:34:59 mail postfix/qmgr[111]: ABC123DEF: removed
`;

test("Postfix: status lines joined with qmgr sender and cleanup message-id", async () => {
  const { events, problems } = await readAll(MAILLOG, "postfix", { modified });
  assert.deepEqual(problems, []);
  assert.deepEqual(
    events.map((e) => [e.type, e.recipient, e.source.line]),
    [
      ["bounced", "user@example.com", 4],
      ["bounced", "jane@icloud.com", 5],
      ["delivered", "bob@gmail.com", 6],
    ],
  );
  const [first, apple, gmail] = events;
  assert.equal(first.sender, "news@send.example.com");
  assert.equal(first.sendingDomain, "send.example.com");
  assert.equal(first.messageId, "m1@send.example.com");
  assert.equal(first.remoteMta, "mx.example.com");
  assert.equal(first.status, "5.1.1");
  assert.equal(first.replyCode, 550);
  assert.equal(first.reply, "550 unrouteable mail domain example.com");
  assert.equal(first.time, "2026-02-02T12:34:56.000Z");
  assert.equal(apple.reply?.startsWith("550 5.7.1 [CS01] Message rejected"), true);
  assert.equal(apple.pool, "239.58.50.50", "multi-instance name kept as the pool");
  assert.equal(apple.sendingIp, "239.58.50.50", "an instance named after an IP is the sending IP");
  assert.equal(gmail.reply, "250 2.0.0 OK  1700000000 a1si123 - gsmtp");
});

test("Postfix: a malformed dsn= is no status, as a field table's cleanStatus reads one (read on bytes and as text)", async () => {
  const line = (qid: string, rcpt: string, dsn: string) =>
    `Feb  2 12:34:56 mail postfix/smtp[12345]: ${qid}: to=<${rcpt}>, relay=mx.example.com[192.0.2.1]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=${dsn}, status=bounced (host mx.example.com[192.0.2.1] said: 550 rejected (in reply to RCPT TO command))`;
  const dsns = ["5.x", "", "5.1.1", "5.1.1", "0.0.0", "5.7.1", "x5.7.1", "5.1.1"];
  const log = dsns.map((dsn, i) => line(`QDSN${i}ABC`, `r${i}@example.com`, dsn)).join("\n");
  // As ASCII lines (read on their bytes) and with a non-ASCII recipient line among them (read as text).
  for (const input of [log, log.replace("r3@example.com", "r3@exämple.com")]) {
    const { events } = await readAll(`${input}\n`, "postfix", { modified });
    assert.deepEqual(
      events.map((e) => e.status),
      [null, null, "5.1.1", "5.1.1", null, "5.7.1", null, "5.1.1"],
    );
  }
});

test("Postfix: RFC 3339 timestamps with offsets become UTC", async () => {
  const log =
    "2026-06-14T18:08:39.620674-03:00 mx1 postfix/smtp[77]: 4QxYz1abcdz: to=<a@yahoo.com>, relay=mta7.am0.yahoodns.net[67.195.204.72]:25, delay=1, delays=0/0/0/1, dsn=4.7.0, status=deferred (host mta7.am0.yahoodns.net[67.195.204.72] said: 421 4.7.0 [TSS04] Messages from 192.0.2.10 temporarily deferred (in reply to MAIL FROM command))\n";
  const { events } = await readAll(log, "postfix");
  assert.equal(events.length, 1);
  assert.equal(events[0].type, "deferred");
  assert.equal(events[0].time, "2026-06-14T21:08:39.620Z");
  assert.equal(events[0].replyCode, 421);
  assert.equal(events[0].remoteMta, "mta7.am0.yahoodns.net");
  const spaced = await readAll(
    log.replace("2026-06-14T18:08:39.620674-03:00", "2026-06-14 18:08:39"),
    "postfix",
  );
  assert.equal(
    spaced.events[0].time,
    "2026-06-14T18:08:39.000Z",
    "date and time apart, zone-less: --tz (UTC)",
  );
});

test("Postfix: status=expired on the qmgr line bounces every recipient still deferred", async () => {
  const log = `Mar  1 10:00:00 h postfix/qmgr[1]: Q1AAAA: from=<s@example.org>, size=1, nrcpt=2 (queue active)
Mar  1 10:00:01 h postfix/smtp[2]: Q1AAAA: to=<a@example.net>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect to mx.example.net[198.51.100.7]:25: Connection timed out)
Mar  1 10:00:02 h postfix/smtp[2]: Q1AAAA: to=<b@example.net>, relay=mx.example.net[198.51.100.7]:25, delay=1, delays=0/0/1/0, dsn=2.0.0, status=sent (250 ok)
Mar  6 10:00:03 h postfix/qmgr[1]: Q1AAAA: from=<s@example.org>, status=expired, returned to sender
Mar  6 10:00:04 h postfix/qmgr[1]: Q1AAAA: removed
`;
  const { events } = await readAll(log, "postfix", { modified: new Date("2026-03-07T00:00:00Z") });
  assert.deepEqual(
    events.map((e) => [e.type, e.recipient, e.reasonHint, e.source.line]),
    [
      ["deferred", "a@example.net", null, 2],
      ["delivered", "b@example.net", null, 3],
      ["bounced", "a@example.net", "expired", 4],
    ],
  );
  assert.equal(events[0].remoteMta, null, "relay=none is no remote MTA");
  assert.equal(events[2].reply, "connect to mx.example.net[198.51.100.7]:25: Connection timed out");
  assert.equal(events[2].time, "2026-03-06T10:00:03.000Z");
});

test("Postfix: an expiry's bounce is its deferral's event (but type, time, line and hint) for replies that share parts or none (property, review R97)", async () => {
  // Replies kept as where they differ from the reply kept before them: any mix of shared starts and ends.
  const part = fc.constantFrom(
    "421-4.7.28 Gmail has detected ",
    "451 4.7.1 ",
    "try again ",
    "",
    "é ",
    "[x]",
    "  ",
  );
  const token = fc.string({ unit: fc.constantFrom(..."aZ09-_. "), maxLength: 12 });
  const reply = fc.tuple(part, token, part, token).map((p) => p.join(""));
  await fc.assert(
    fc.asyncProperty(fc.array(reply, { minLength: 1, maxLength: 12 }), async (replies) => {
      const lines: string[] = [];
      replies.forEach((text, n) => {
        const qid = `Q${(0x10000 + n).toString(16).toUpperCase()}`;
        lines.push(
          `Mar  1 10:00:${String(n).padStart(2, "0")} h postfix/smtp[2]: ${qid}: to=<u${n}@example.net>, relay=mx.example.net[198.51.100.7]:25, delay=1, delays=0/0/1/0, dsn=4.7.28, status=deferred (host mx.example.net[198.51.100.7] said: ${text} (in reply to end of DATA command))`,
        );
      });
      replies.forEach((_, n) => {
        const qid = `Q${(0x10000 + n).toString(16).toUpperCase()}`;
        lines.push(
          `Mar  6 10:00:${String(n).padStart(2, "0")} h postfix/qmgr[1]: ${qid}: from=<s@example.org>, status=expired, returned to sender`,
        );
      });
      const { events } = await readAll(`${lines.join("\n")}\n`, "postfix", {
        modified: new Date("2026-03-07T00:00:00Z"),
      });
      const deferrals = events.filter((e) => e.type === "deferred");
      const bounces = events.filter((e) => e.type === "bounced");
      assert.equal(bounces.length, replies.length);
      bounces.forEach((bounce, n) => {
        const { type, time, source, reasonHint, ...rest } = deferrals[n];
        const { type: _t, time: _m, source: _s, reasonHint: hint, ...kept } = bounce;
        assert.equal(hint, "expired");
        assert.deepEqual(kept, rest, replies[n]);
      });
    }),
    { numRuns: 150 },
  );
});

test("Postfix: lines of other programs and garbage are skipped, not fatal", async () => {
  const log = `garbage\n\nFeb  2 12:00:00 h dovecot[1]: imap-login: Login\nFeb  2 12:00:00 h postfix/smtp[1]: short: x\n${MAILLOG}`;
  const { events, problems } = await readAll(log, "postfix", { modified, chunkSize: 7 });
  assert.equal(events.length, 3);
  assert.equal(events[0].source.line, 8, "line numbers count every line, across chunk boundaries");
  assert.deepEqual(problems, []);
});
