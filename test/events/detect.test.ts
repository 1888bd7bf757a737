import assert from "node:assert/strict";
import { test } from "node:test";
import { detectFormat } from "../../src/events/detect.ts";
import type { FormatName } from "../../src/events/formats.ts";

/** [what, head, path, expected]: every format name detected from content, then path hints. */
const TABLE: [string, string, string, FormatName | null][] = [
  [
    "postfix classic",
    "Feb  2 12:34:56 mail postfix/smtp[12345]: ABC123DEF: to=<u@example.com>, relay=none, status=bounced (x)\n",
    "x",
    "postfix",
  ],
  [
    "postfix RFC 3339, multi-instance",
    "2026-06-14T18:08:39.620674-03:00 mx1 postfix-out/smtp[77]: 4QxYz: to=<a@b.example>, status=sent (250 ok)\n",
    "x",
    "postfix",
  ],
  ["exim", "2026-01-15 10:00:01 1vAbCd-000123-AB => a@example.com R=dnslookup T=remote_smtp\n", "x", "exim"],
  ["pmta with header", "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction\nd,2026-...\n", "x", "pmta"],
  [
    "pmta without header",
    "b,2026-03-11 10:01:00,2026-03-11 10:00:00,s@example.com,b@example.com\n",
    "x",
    "pmta",
  ],
  ["kumomta", '{"type":"Delivery","id":"1","queue":"gmail.com","recipient":"a@gmail.com"}\n', "x", "kumomta"],
  ["sendgrid array", '[{"email":"a@b.example","event":"bounce","sg_event_id":"x"}]', "x", "sendgrid"],
  ["mailgun", '{"signature":{},"event-data":{"event":"failed"}}', "x", "mailgun"],
  ["ses raw", '{"notificationType":"Bounce","bounce":{},"mail":{}}', "x", "ses"],
  [
    "ses in SNS",
    '{"Type":"Notification","Message":"{\\"notificationType\\":\\"Bounce\\",\\"mail\\":{}}","TopicArn":"arn"}',
    "x",
    "ses",
  ],
  ["postmark", '{"RecordType":"Bounce","Type":"HardBounce"}', "x", "postmark"],
  ["sparkpost", '[{"msys":{"message_event":{"type":"bounce"}}}]', "x", "sparkpost"],
  [
    "sparkpost events API page",
    '{\n  "results": [\n    {\n      "type": "delivery",\n      "event_id": "1",\n      "rcpt_to": "a@b.example"',
    "x",
    "sparkpost",
  ],
  [
    "postmark bounces API page",
    '{"TotalCount":1,"Bounces":[{"ID":1,"Type":"HardBounce","TypeCode":1,"Email":"a@b.example","BouncedAt":"2026-01-01T00:00:00Z"}]}',
    "x",
    "postmark",
  ],
  [
    "generic ndjson with SparkPost's field names but not its types",
    '{"time":"2026-01-01T00:00:00Z","rcpt_to":"a@b.example","event_id":"e1","type":"bounced","email":"a@b.example"}\n',
    "x",
    "ndjson",
  ],
  [
    "generic ndjson",
    '{"time":"2026-01-01T00:00:00Z","recipient":"a@b.example","type":"bounced"}\n',
    "x",
    "ndjson",
  ],
  ["generic csv", "time,recipient,type,reply\n2026-01-01,a@b.example,bounced,550 x\n", "x", "csv"],
  ["bounce email", "Return-Path: <>\nReceived: from mx\nFrom: MAILER-DAEMON\n", "x", "email"],
  ["mbox", "From MAILER-DAEMON Mon Jan  1 00:00:00 2026\nReturn-Path: <>\n", "x", "email"],
  ["bare reply", "550 5.7.1 [CS01] Message rejected due to local policy\n", "x", "smtp"],
  ["multi-line reply", "550-5.7.1 first\n550 5.7.1 second\n", "x", "smtp"],
  ["BOM before a CSV header", "\uFEFFtime,recipient,type\n", "x", "csv"],
  ["unknown content, .eml path", "hello there\n", "/in/bounce.eml", "email"],
  ["unknown content, maillog path", "hello there\n", "/var/log/maillog.1", "postfix"],
  ["nothing fits", "hello there\n", "notes.txt", null],
  ["empty", "", "x", null],
];

test("detectFormat: every format from its head, path hints last", () => {
  for (const [what, head, path, expected] of TABLE) assert.equal(detectFormat(head, path), expected, what);
});
