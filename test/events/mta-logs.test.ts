import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { classifyEventStream } from "../../src/pipeline/classify-events.ts";
import { readAll } from "../../testkit/events-read.ts";

const EXIM = `2026-01-15 10:00:00 1vAbCd-000123-AB <= news@send.example.com H=app.example.com [192.0.2.5] P=esmtp S=1234 id=m1@send.example.com
2026-01-15 10:00:01 1vAbCd-000123-AB => a@example.com R=dnslookup T=remote_smtp H=mx.example.com [198.51.100.1] X=TLS1.3 C="250 2.0.0 Ok: queued as 123"
2026-01-15 10:00:02 1vAbCd-000123-AB ** b@icloud.com R=dnslookup T=remote_smtp H=mx01.mail.icloud.com [17.57.155.25]: SMTP error from remote mail server after end of data: 554 5.7.1 [CS01] Message rejected due to local policy
2026-01-15 10:00:03 1vAbCd-000123-AB == c@example.org R=dnslookup T=remote_smtp defer (-44) H=mx.example.org [203.0.113.9]: SMTP error from remote mail server after RCPT TO:<c@example.org>: 451 4.7.1 Greylisted, try again
2026-01-15 10:00:04 1vAbCd-000123-AB ** d@nowhere.invalid: Unrouteable address
2026-01-15 10:00:05 1vAbCd-000123-AB Completed
`;

test("Exim main log: => delivered, ** bounced, == deferred, sender and message-id from <=", async () => {
  const { events, problems } = await readAll(EXIM, "exim", { tz: "Europe/Berlin" });
  assert.deepEqual(problems, []);
  assert.deepEqual(
    events.map((e) => [e.type, e.recipient, e.source.line]),
    [
      ["delivered", "a@example.com", 2],
      ["bounced", "b@icloud.com", 3],
      ["deferred", "c@example.org", 4],
      ["bounced", "d@nowhere.invalid", 5],
    ],
  );
  const [delivered, apple, greylisted, unroutable] = events;
  assert.equal(delivered.reply, "250 2.0.0 Ok: queued as 123");
  assert.equal(delivered.sender, "news@send.example.com");
  assert.equal(delivered.messageId, "m1@send.example.com");
  assert.equal(delivered.time, "2026-01-15T09:00:01.000Z", "zone-less Exim time read in --tz");
  assert.equal(apple.remoteMta, "mx01.mail.icloud.com");
  assert.equal(apple.reply, "554 5.7.1 [CS01] Message rejected due to local policy");
  assert.equal(apple.status, "5.7.1");
  assert.equal(greylisted.replyCode, 451);
  assert.equal(unroutable.reply, "Unrouteable address");
  assert.equal(unroutable.remoteMta, null);
  // The command Exim names before the reply: the classifier reads the phase as a bounce report's.
  assert.deepEqual(
    events.map((e) => e.smtpCommand),
    [null, "DATA", "RCPT", null],
  );
});

test("an Exim delivery line whose stamp is not Exim's is a problem, not nothing; a line of no delivery stays unread (review R154)", async () => {
  const [, , bounce, deferral] = EXIM.split("\n");
  const text = [
    bounce.replace(/^\S+ \S+ /, "- "),
    deferral.replace(/^(\S+) \S+ /, "$1 "),
    "- 1vAbCd-000123-AB Completed",
    "2026-01-15 10:00:06 SMTP connection from [192.0.2.9] lost",
    bounce,
  ].join("\n");
  const { events, problems } = await readAll(`${text}\n`, "exim");
  const why = "an Exim delivery line whose time cannot be read (no Exim stamp)";
  assert.deepEqual(
    problems.map((p) => [p.source.line, p.message]),
    [
      [1, why],
      [2, why],
    ],
  );
  assert.deepEqual(
    events.map((e) => e.source.line),
    [5],
  );
});
test("Postfix and Exim log lines keep the SMTP command their reply answered (smtpCommand)", async () => {
  const postfix = [
    "said: 550 Unknown user (in reply to end of DATA command)",
    "said: 550 5.1.0 User unknown (in reply to MAIL FROM command)",
    "said: 550 5.1.1 No such user (in reply to RCPT TO command)",
    "said: 554 5.7.1 go away (in reply to EHLO command)",
    "refused to talk to me: 554 5.7.1 go away",
    "said: 550 no trailer",
    "said: 451 4.3.0 later (in reply to QUIT command)",
  ].map(
    (status, i) =>
      `Feb  2 12:00:0${i} h postfix/smtp[4]: AAAAAA000${i}: to=<u${i}@example.org>, relay=mx.example.org[192.0.2.9]:25, dsn=5.0.0, status=bounced (host mx.example.org[192.0.2.9] ${status})`,
  );
  // Twice: the second time each line is read by the template the first one made.
  for (const chunkSize of [65536, 97]) {
    const { events } = await readAll(`${[...postfix, ...postfix].join("\n")}\n`, "postfix", { chunkSize });
    const commands = ["DATA", "MAIL", "RCPT", "HELO", "CONN", null, null];
    assert.deepEqual(
      events.map((e) => e.smtpCommand),
      [...commands, ...commands],
    );
  }
  const exim = [
    "SMTP error from remote mail server after pipelined MAIL FROM:<s@example.net> SIZE=1234: 550 5.1.0 User unknown",
    "SMTP error from remote mail server after initial connection: 554 go away",
    "SMTP error from remote mailer after EHLO mail.example.net: 550 go away",
    "SMTP error from remote mail server after end of data: 550 Unknown user",
  ].map(
    (error, i) =>
      `2026-01-15 10:00:0${i} 1vAbCd-00012${i}-AB ** u@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.1]: ${error}`,
  );
  const { events } = await readAll(`${exim.join("\n")}\n`, "exim");
  assert.deepEqual(
    events.map((e) => e.smtpCommand),
    ["MAIL", "CONN", "HELO", "DATA"],
  );
});

test("Exim's log writes a multi-line reply's line breaks as \\n: read back, the reply's phrase spans its lines (review R121)", async () => {
  // Two lines of Exim 4.96's main log (review's held-out set 9, replies quoted from Microsoft's pages).
  const log = [
    String.raw`2026-12-07 05:11:24 1xaR0W-0005vx-0G ** m-541@contoso.example R=remote T=remote_smtp H=contoso-example.mail.protection.outlook.com [127.0.0.1] X=TLS1.3:ECDHE_SECP256R1__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=no: SMTP error from remote mail server after RCPT TO:<m-541@contoso.example>: 550-5.4.1 Recipient address rejected:\n550 5.4.1 Access denied. For more information see https://aka.ms/EXOSmtpErrors`,
    String.raw`2026-12-07 05:11:25 1xaR0X-0005xO-0T == m-s775@outlook.com R=remote T=remote_smtp defer (-44) H=outlook-com.olc.protection.outlook.com [127.0.0.1]: SMTP error from remote mail server after RCPT TO:<m-s775@outlook.com>: 451-4.7.650 The mail server [192.0.2.5] has been temporarily rate limited\n451-4.7.650 due to IP reputation. For e-mail delivery information, see\n451 4.7.650 https://postmaster.live.com (S775)`,
  ].join("\n");
  const { events } = await readAll(`${log}\n`, "exim");
  assert.equal(
    events[0].reply,
    "550-5.4.1 Recipient address rejected:\n550 5.4.1 Access denied. For more information see https://aka.ms/EXOSmtpErrors",
  );
  assert.deepEqual(
    events.map((e) => [e.replyCode, e.status, e.smtpCommand]),
    [
      [550, "5.4.1", "RCPT"],
      [451, "4.7.650", "RCPT"],
    ],
  );
  const records = [];
  for await (const batch of classifyEventStream(Readable.from([Buffer.from(log)]), "exim", "mainlog"))
    for (const item of batch) if ("reason" in item) records.push(item);
  // Exchange Online's "Recipient address rejected: Access denied" is an unknown recipient (Sisimai go
  // rhost/for-microsoft.go), not 5.4.1's routing expiry; S775 is Microsoft's IP-reputation rate limit.
  assert.deepEqual(
    records.map((r) => [r.recipient, r.reason, r.suppressRecipient, r.providerCode]),
    [
      ["m-541@contoso.example", "userunknown", true, null],
      ["m-s775@outlook.com", "badreputation", false, "S775"],
    ],
  );
});

test("an Exim give-up that names no host takes the host its recipient's last deferral of that message named (review R123)", async () => {
  // Exim writes "retry timeout exceeded" with no H= (its retry rule gave up, no host was tried):
  // https://www.exim.org/exim-html-current/doc/html/spec_html/ch-retry_configuration.html. Lines shaped as
  // review's set 9 (Exim 4.96), the full log (with `<=`) and the grep'd one (only `==` and `**`).
  const full = [
    "2026-12-07 05:11:00 1xaR0U-0005uk-2E <= s@sender.example H=localhost [127.0.0.1] P=esmtp S=900 id=m1@sender.example",
    "2026-12-07 05:11:22 1xaR0U-0005uk-2E == a@hanaya.example R=remote T=remote_smtp defer (-44) H=mx01.mail.icloud.com [192.0.2.7]: SMTP error from remote mail server after RCPT TO:<a@hanaya.example>: 421 [HCM1] Your mail from 192.0.2.1 was deferred.",
    "2026-12-07 05:11:23 1xaR0U-0005uk-2E == b@other.example R=remote T=remote_smtp defer (-44) H=mx.other.example [192.0.2.8]: SMTP error from remote mail server after RCPT TO:<b@other.example>: 451 4.7.1 Greylisted",
    "2026-12-07 05:11:24 1xaR0V-0005ul-3F == a@hanaya.example R=remote T=remote_smtp defer (-44) H=mx02.elsewhere.example [192.0.2.9]: SMTP error from remote mail server after RCPT TO:<a@hanaya.example>: 451 4.7.1 Greylisted",
    "2026-12-07 05:11:40 1xaR0U-0005uk-2E ** a@hanaya.example: retry timeout exceeded",
    "2026-12-07 05:11:41 1xaR0U-0005uk-2E ** b@other.example: retry timeout exceeded",
    "2026-12-07 05:11:42 1xaR0U-0005uk-2E ** c@third.example: retry timeout exceeded",
    "2026-12-07 05:11:43 1xaR0W-0005um-4G ** a@hanaya.example: retry timeout exceeded",
    "2026-12-07 05:11:44 1xaR0U-0005uk-2E Completed",
  ];
  const want = [
    ["deferred", "a@hanaya.example", "mx01.mail.icloud.com"],
    ["deferred", "b@other.example", "mx.other.example"],
    ["deferred", "a@hanaya.example", "mx02.elsewhere.example"],
    // Each recipient takes its own host, from its own message: never another message's.
    ["bounced", "a@hanaya.example", "mx01.mail.icloud.com"],
    ["bounced", "b@other.example", "mx.other.example"],
    ["bounced", "c@third.example", null],
    ["bounced", "a@hanaya.example", null],
  ];
  for (const lines of [full, full.filter((line) => / (==|\*\*) /.test(line))]) {
    const { events } = await readAll(`${lines.join("\n")}\n`, "exim");
    assert.deepEqual(
      events.map((e) => [e.type, e.recipient, e.remoteMta]),
      want,
    );
  }
  const records = [];
  for await (const batch of classifyEventStream(
    Readable.from([Buffer.from(full.join("\n"))]),
    "exim",
    "mainlog",
  ))
    for (const item of batch) if ("reason" in item) records.push(item);
  assert.deepEqual(
    records.filter((r) => r.recipient === "a@hanaya.example").map((r) => [r.provider, r.reason]),
    [
      ["apple", "blocked"],
      ["other", "policyviolation"],
      ["apple", "expired"],
      ["other", "expired"],
    ],
  );
});

const PMTA_HEADER =
  "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool";

test("PowerMTA accounting: columns by header, quoted fields with commas and newlines", async () => {
  const csv = `${PMTA_HEADER}
d,2026-09-21 12:00:07+0000,2026-09-21 11:59:00+0000,b@em.example.com,u7@gmail.com,,relayed,2.0.0 (success),"smtp;250 2.0.0 OK, queued",mx.gmail.com (142.250.1.1),,smtp,,smtp,15.204.101.125,142.250.1.1,1,1234,db-gmail,job7,,gmail.com/db-gmail-pool,db-gmail-pool
b,2026-09-21 12:01:00+0000,2026-09-21 11:59:00+0000,b@em.example.com,x@icloud.com,,failed,5.7.1 (delivery not authorized),"smtp;550 5.7.1 [CS01] Message rejected due to local policy.
 Please visit https://support.apple.com/en-us/HT204137",mx01.mail.icloud.com (17.57.155.25),policy-related,smtp,,smtp,15.204.101.126,17.57.155.25,1,1234,db-apple,spring-sale,,icloud.com/db-apple,
t,2026-09-21 12:02:00+0000,,b@em.example.com,y@yahoo.com,,delayed,4.7.0,"smtp;421 4.7.0 [TSS04] Messages temporarily deferred",mta7.am0.yahoodns.net,,smtp,,smtp,15.204.101.126,,,,db-yahoo,job7,,,
this is not a record
`;
  const { events, problems } = await readAll(csv, "pmta");
  assert.deepEqual(
    events.map((e) => [e.type, e.recipient, e.source.line]),
    [
      ["delivered", "u7@gmail.com", 2],
      ["bounced", "x@icloud.com", 3],
      ["deferred", "y@yahoo.com", 5],
    ],
  );
  const [delivered, apple, yahoo] = events;
  assert.equal(delivered.reply, "250 2.0.0 OK, queued");
  assert.equal(delivered.status, "2.0.0");
  assert.equal(delivered.remoteMta, "mx.gmail.com");
  assert.equal(delivered.sendingIp, "15.204.101.125");
  assert.equal(delivered.pool, "db-gmail-pool");
  assert.equal(delivered.campaign, "job7");
  assert.equal(delivered.time, "2026-09-21T12:00:07.000Z");
  assert.match(apple.reply ?? "", /^550 5\.7\.1 \[CS01\] .*\n Please visit/);
  assert.equal(apple.sourceLabel, "policy-related", "bounceCat kept as a label only");
  assert.equal(apple.pool, "db-apple", "falls back to vmta without a pool");
  assert.equal(apple.campaign, "spring-sale");
  assert.equal(yahoo.replyCode, 421);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].source.line, 6);
});

test("PowerMTA accounting without a header uses the default field order", async () => {
  const csv =
    "b,2026-03-11 10:01:00,2026-03-11 10:00:00,sender@example.com,bad@invalid.example,,failed,5.1.1,smtp;550 5.1.1 User unknown,mx.invalid.example,bad-mailbox,smtp,,smtp,192.0.2.7,,,,vmta1,job1,,,\n";
  const { events } = await readAll(csv, "pmta");
  assert.equal(events.length, 1);
  assert.equal(events[0].recipient, "bad@invalid.example");
  assert.equal(events[0].reply, "550 5.1.1 User unknown");
  assert.equal(events[0].source.line, 1);
});

const KUMO = [
  {
    type: "Bounce",
    id: "d7ef132b5d7711eea0ac04421a5e1b9a",
    sender: "news@send.example.com",
    recipient: "a@icloud.com",
    queue: "spring-sale:acme@icloud.com",
    site: "(alt1|alt2).mail.icloud.com",
    size: 1047,
    response: {
      code: 550,
      enhanced_code: { class: 5, subject: 7, detail: 1 },
      content: "[CS01] Message rejected due to local policy",
      command: ".\r\n",
    },
    peer_address: { name: "mx01.mail.icloud.com", addr: "17.57.155.25" },
    timestamp: 1767225600,
    num_attempts: 0,
    bounce_classification: "PolicyRelated",
    egress_pool: "apple-pool",
    egress_source: "ip-1",
    source_address: "192.0.2.44:40123",
  },
  {
    type: "Delivery",
    recipient: "b@gmail.com",
    queue: "gmail.com",
    timestamp: 1767225601,
    response: { code: 250, content: "OK" },
    egress_source: "ip-2",
  },
  {
    type: "Expiration",
    recipient: ["c@x.example", "d@x.example"],
    queue: "x.example",
    timestamp: 1767225602,
  },
  { type: "Rejection", recipient: "inbound@x.example", timestamp: 1767225603 },
];

for (const [name, encode] of [
  ["plain", (b: Buffer) => b],
  ["gzip", gzipSync],
  ["zstd", zstdCompressSync],
] as const) {
  test(`KumoMTA JSON log records (${name}, detected by magic bytes)`, async () => {
    const raw = Buffer.from(`${KUMO.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const { events, problems } = await readAll(encode(raw), "kumomta", { chunkSize: 50 });
    assert.deepEqual(problems, []);
    assert.deepEqual(
      events.map((e) => [e.type, e.recipient, e.source.line]),
      [
        ["bounced", "a@icloud.com", 1],
        ["delivered", "b@gmail.com", 2],
        ["bounced", "c@x.example", 3],
        ["bounced", "d@x.example", 3],
      ],
    );
    const [apple, gmail, expired] = events;
    assert.equal(apple.reply, "550 5.7.1 [CS01] Message rejected due to local policy");
    assert.equal(apple.status, "5.7.1");
    assert.equal(apple.campaign, "spring-sale", "campaign from the queue name");
    assert.equal(apple.pool, "apple-pool");
    assert.equal(apple.sendingIp, "192.0.2.44");
    assert.equal(apple.remoteMta, "mx01.mail.icloud.com");
    assert.equal(apple.time, "2026-01-01T00:00:00.000Z");
    assert.equal(apple.sourceLabel, "PolicyRelated");
    assert.equal(gmail.campaign, null);
    assert.equal(gmail.sendingIp, "ip-2", "the egress source's name when no source address is logged");
    assert.equal(expired.reasonHint, "expired");
  });
}

test("a corrupt gzip stream ends with a problem, not an exception", async () => {
  const broken = gzipSync(
    Buffer.from('{"type":"Delivery","recipient":"a@b.example"}\n'.repeat(100)),
  ).subarray(0, 40);
  const { problems } = await readAll(broken, "kumomta");
  assert.equal(problems.length > 0, true);
  assert.match(problems.at(-1)!.message, /could not be read/);
});
