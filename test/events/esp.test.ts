import assert from "node:assert/strict";
import { test } from "node:test";
import { readAll } from "../../testkit/events-read.ts";

// Samples follow the vendors' public event documentation (anymail / vendor test fixtures; docs/FORMATS.md).

const SENDGRID = [
  {
    ip: "167.89.17.173",
    status: "5.1.1",
    "smtp-id": "<wrfRRvF7Q0GgwUo2CvDmEA@ismtpd0006p1sjc2.sendgrid.net>",
    sg_event_id: "lC0Rc-FuQmKbnxCWxX1jRQ",
    reason: "550 5.1.1 The email account that you tried to reach does not exist.",
    sg_message_id: "Lli-03HcQ5-JLybO9fXsJg.filter0077p1las1.21536.5717FC482.0",
    tls: 1,
    event: "bounce",
    email: "noreply@example.com",
    timestamp: 1461095250,
    type: "bounce",
    campaign_id: "spring",
  },
  {
    email: "reader@icloud.com",
    event: "open",
    ip: "17.58.101.5",
    sg_machine_open: true,
    timestamp: 1461095260,
    useragent: "Mozilla/5.0",
    sg_event_id: "open-1",
    category: ["weekly", "promo"],
  },
  {
    email: "r@example.com",
    event: "click",
    ip: "203.0.113.8",
    url: "https://example.com/x",
    timestamp: 1461095270,
  },
  {
    email: "r@example.com",
    event: "delivered",
    ip: "167.89.17.174",
    response: "250 OK",
    timestamp: 1461095280,
  },
  { email: "invalid@invalid", timestamp: 1461095250, reason: "Bounced Address", event: "dropped" },
  {
    bounce_classification: "Unclassified",
    email: "noemail@this.does.not.exist.tld",
    event: "bounce",
    reason: "unable to get mx info: failed to get IPs from PTR record",
    timestamp: 1740300320,
    tls: 0,
    type: "blocked",
  },
  { email: "x@example.com", event: "group_resubscribe", timestamp: 1461095290 },
];

test("SendGrid (JSON array): all event types; ip is the sender's on deliveries, the reader's on opens/clicks", async () => {
  const { events, problems } = await readAll(JSON.stringify(SENDGRID), "sendgrid");
  assert.deepEqual(problems, []);
  assert.deepEqual(
    events.map((e) => e.type),
    ["bounced", "open", "click", "delivered", "dropped", "bounced"],
  );
  const [bounce, open, click, delivered, dropped, blocked] = events;
  assert.equal(bounce.sendingIp, "167.89.17.173");
  assert.equal(bounce.readerIp, null);
  assert.equal(bounce.campaign, "spring");
  assert.equal(bounce.eventId, "lC0Rc-FuQmKbnxCWxX1jRQ");
  assert.equal(bounce.messageId, "wrfRRvF7Q0GgwUo2CvDmEA@ismtpd0006p1sjc2.sendgrid.net");
  assert.equal(bounce.status, "5.1.1");
  assert.equal(bounce.replyCode, 550);
  assert.equal(bounce.time, "2016-04-19T19:47:30.000Z");
  assert.equal(open.sendingIp, null, "an open's ip is never the sending IP");
  assert.equal(open.readerIp, "17.58.101.5");
  assert.equal(open.machineOpen, true);
  assert.equal(open.campaign, "weekly", "first category without a campaign_id");
  assert.equal(click.readerIp, "203.0.113.8");
  assert.equal(click.url, "https://example.com/x");
  assert.equal(delivered.sendingIp, "167.89.17.174");
  assert.equal(dropped.reasonHint, "suppressed");
  assert.equal(blocked.status, null, "no status field and none in the text: none invented");
  assert.equal(blocked.sourceLabel, "blocked/Unclassified");
});

test("SendGrid NDJSON and a one-line array split into tiny chunks give the same events", async () => {
  const ndjson = await readAll(SENDGRID.map((e) => JSON.stringify(e)).join("\n"), "sendgrid");
  const array = await readAll(JSON.stringify(SENDGRID), "sendgrid", { chunkSize: 3 });
  const strip = (events: typeof ndjson.events) => events.map(({ source: _s, ...rest }) => rest);
  assert.deepEqual(strip(array.events), strip(ndjson.events));
  assert.deepEqual(
    ndjson.events.map((e) => e.source.line),
    [1, 2, 3, 4, 5, 6],
  );
});

test("Mailgun event-data: severity decides deferral vs bounce; campaign from user-variables", async () => {
  const body = [
    {
      signature: { timestamp: "1", token: "t", signature: "s" },
      "event-data": {
        event: "failed",
        severity: "permanent",
        reason: "bounce",
        id: "mg-1",
        recipient: "invalid@example.com",
        timestamp: 1534110422.389832,
        envelope: { "sending-ip": "209.61.151.1", sender: "bounce@mg.example.org" },
        "user-variables": { campaign_id: "c-42" },
        tags: ["newsletter"],
        message: { headers: { "message-id": "20180812214658.1.0DF563D0B3597700@example.org" } },
        "delivery-status": {
          "mx-host": "aspmx.l.example.org",
          code: 550,
          message:
            "5.1.1 The email account that you tried to reach does not exist. Please try\n5.1.1 double-checking the recipient's email address for typos",
        },
      },
    },
    {
      "event-data": {
        event: "failed",
        severity: "temporary",
        reason: "greylisted",
        recipient: "undeliverable@mx.example.com",
        tags: ["welcome"],
        "delivery-status": {
          "mx-host": "mx.example.com",
          code: 450,
          message: "Recipient address rejected: Greylisted",
        },
      },
    },
    {
      "event-data": { event: "opened", recipient: "r@example.com", ip: "66.102.1.1", timestamp: 1534110500 },
    },
    {
      "event-data": {
        event: "failed",
        severity: "permanent",
        reason: "suppress-bounce",
        recipient: "s@example.com",
      },
    },
  ];
  const { events, problems } = await readAll(body.map((b) => JSON.stringify(b)).join("\n"), "mailgun");
  assert.deepEqual(problems, []);
  assert.deepEqual(
    events.map((e) => e.type),
    ["bounced", "deferred", "open", "dropped"],
  );
  const [bounce, grey, open, suppressed] = events;
  assert.equal(bounce.campaign, "c-42");
  assert.equal(bounce.sendingIp, "209.61.151.1");
  assert.equal(bounce.remoteMta, "aspmx.l.example.org");
  assert.equal(bounce.replyCode, 550);
  assert.match(bounce.reply ?? "", /^550 5\.1\.1 The email account/);
  assert.equal(bounce.status, "5.1.1");
  assert.equal(bounce.messageId, "20180812214658.1.0DF563D0B3597700@example.org");
  assert.equal(grey.campaign, "welcome", "first tag without a campaign_id");
  assert.equal(grey.reply, "450 Recipient address rejected: Greylisted");
  assert.equal(open.readerIp, "66.102.1.1");
  assert.equal(open.sendingIp, null);
  assert.equal(suppressed.reasonHint, "suppressed");
});

const SES_BOUNCE = {
  notificationType: "Bounce",
  bounce: {
    bounceType: "Transient",
    reportingMTA: "dns; email.example.com",
    bouncedRecipients: [
      {
        emailAddress: "jane@example.com",
        status: "5.4.4",
        action: "failed",
        diagnosticCode: "smtp; 550 5.4.4 Invalid domain",
      },
      {
        emailAddress: "mary@icloud.com",
        status: "5.7.1",
        action: "failed",
        diagnosticCode: "smtp; 554 5.7.1 [CS01] Message rejected due to local policy",
      },
    ],
    bounceSubType: "General",
    timestamp: "2016-01-27T14:59:44.101Z",
    feedbackId: "00000138111222aa-44455566",
    remoteMtaIp: "127.0.2.0",
  },
  mail: {
    timestamp: "2016-01-27T14:59:38.237Z",
    source: "john@example.com",
    messageId: "00000138111222aa-33322211",
    destination: ["jane@example.com", "mary@icloud.com"],
    tags: { campaign_id: ["launch"] },
  },
};

test("Amazon SES: raw and inside an SNS envelope give the same per-recipient events", async () => {
  const raw = await readAll(JSON.stringify(SES_BOUNCE), "ses");
  const envelope = {
    Type: "Notification",
    MessageId: "sns-1",
    TopicArn: "arn:aws:sns:us-east-1:123456789012:ses-bounces",
    Message: JSON.stringify(SES_BOUNCE),
    Timestamp: "2016-01-27T14:59:45.000Z",
  };
  const sns = await readAll(JSON.stringify(envelope, null, 2), "ses");
  assert.deepEqual(raw.problems, []);
  assert.deepEqual(sns.problems, []);
  assert.deepEqual(sns.events, raw.events);
  const [jane, mary] = raw.events;
  assert.equal(jane.type, "bounced", "SES says Transient; the reply (5.4.4) decides later");
  assert.equal(jane.sourceLabel, "Transient/General");
  assert.equal(jane.reply, "550 5.4.4 Invalid domain");
  assert.equal(jane.status, "5.4.4");
  assert.equal(jane.campaign, "launch");
  assert.equal(jane.eventId, "00000138111222aa-44455566/jane@example.com");
  assert.equal(mary.replyCode, 554);
  assert.equal(mary.time, "2016-01-27T14:59:44.101Z");
});

test("Amazon SES event publishing: Send, Delivery, Open, Complaint, DeliveryDelay; subscription confirmations skipped", async () => {
  const mail = {
    timestamp: "2026-01-01T00:00:00Z",
    source: "a@send.example.com",
    messageId: "m",
    destination: ["r@example.com"],
  };
  const records = [
    { eventType: "Send", mail },
    {
      eventType: "Delivery",
      mail,
      delivery: {
        timestamp: "2026-01-01T00:00:01Z",
        recipients: ["r@example.com"],
        smtpResponse: "250 2.6.0 Ok",
      },
    },
    {
      eventType: "Open",
      mail,
      open: { timestamp: "2026-01-01T01:00:00Z", ipAddress: "17.1.2.3", userAgent: "Mozilla" },
    },
    {
      eventType: "Complaint",
      mail,
      complaint: {
        complainedRecipients: [{ emailAddress: "r@example.com" }],
        complaintFeedbackType: "abuse",
        timestamp: "2026-01-02T00:00:00Z",
        feedbackId: "f",
      },
    },
    {
      eventType: "DeliveryDelay",
      mail,
      deliveryDelay: {
        delayType: "TransientCommunicationFailure",
        delayedRecipients: [
          { emailAddress: "r@example.com", status: "4.4.7", diagnosticCode: "smtp; 421 4.4.7 try later" },
        ],
        timestamp: "2026-01-01T00:10:00Z",
      },
    },
    { Type: "SubscriptionConfirmation", Message: "You have chosen to subscribe", TopicArn: "arn" },
  ];
  const { events, problems } = await readAll(records.map((r) => JSON.stringify(r)).join("\n"), "ses");
  assert.deepEqual(problems, []);
  assert.deepEqual(
    events.map((e) => e.type),
    ["sent", "delivered", "open", "complaint", "deferred"],
  );
  assert.equal(events[2].readerIp, "17.1.2.3");
  assert.equal(events[3].feedbackType, "abuse");
  assert.equal(events[4].replyCode, 421);
});

test("Amazon SES event publishing: the sending IP and configuration set come from the ses: tags", async () => {
  const mail = {
    timestamp: "2026-01-01T00:00:00Z",
    source: "a@send.example.com",
    messageId: "m",
    destination: ["r@gmail.com"],
    tags: { "ses:outgoing-ip": ["54.240.8.1"], "ses:configuration-set": ["marketing-pool"] },
  };
  const records = [
    {
      eventType: "Delivery",
      mail,
      delivery: { timestamp: "2026-01-01T00:00:01Z", recipients: ["r@gmail.com"] },
    },
    { eventType: "Open", mail, open: { timestamp: "2026-01-01T01:00:00Z", ipAddress: "17.1.2.3" } },
  ];
  const { events, problems } = await readAll(records.map((r) => JSON.stringify(r)).join("\n"), "ses");
  assert.deepEqual(problems, []);
  assert.equal(events[0].sendingIp, "54.240.8.1");
  assert.equal(events[0].pool, "marketing-pool");
  assert.equal(events[1].readerIp, "17.1.2.3", "an open's own IP is the reader's");
});

test("Postmark: Bounce types, Delivery, Open, SpamComplaint, SubscriptionChange", async () => {
  const records = [
    {
      RecordType: "Bounce",
      ID: 123,
      Type: "HardBounce",
      TypeCode: 1,
      Tag: "welcome",
      MessageID: "msg-abc",
      MessageStream: "outbound",
      Details: "smtp;550 5.1.1 The email account does not exist",
      Email: "user@example.com",
      From: "sender@example.com",
      BouncedAt: "2024-01-15T10:30:00Z",
    },
    {
      RecordType: "Bounce",
      ID: 124,
      Type: "SpamComplaint",
      TypeCode: 100001,
      Email: "c@example.com",
      BouncedAt: "2024-01-15T11:00:00Z",
    },
    {
      RecordType: "Delivery",
      MessageID: "m2",
      Recipient: "d@example.com",
      DeliveredAt: "2024-01-15T10:00:00Z",
      Details: "Test delivery webhook details",
      MessageStream: "broadcast",
    },
    {
      RecordType: "Open",
      Recipient: "d@example.com",
      ReceivedAt: "2024-01-15T12:00:00Z",
      UserAgent: "Mozilla",
    },
    {
      RecordType: "SubscriptionChange",
      Recipient: "e@example.com",
      ChangedAt: "2024-01-16T00:00:00Z",
      SuppressSending: true,
      SuppressionReason: "ManualSuppression",
    },
    { RecordType: "Bounce", Type: "AutoResponder", Email: "ooo@example.com" },
  ];
  const { events, problems } = await readAll(JSON.stringify(records), "postmark");
  assert.deepEqual(problems, []);
  assert.deepEqual(
    events.map((e) => e.type),
    ["bounced", "complaint", "delivered", "open", "unsubscribe"],
  );
  const [hard, complaint, delivery] = events;
  assert.equal(hard.reply, "550 5.1.1 The email account does not exist");
  assert.equal(hard.campaign, "welcome");
  assert.equal(hard.stream, "transactional");
  assert.equal(hard.eventId, "Bounce/123");
  assert.equal(complaint.reasonHint, "feedback");
  assert.equal(delivery.stream, "marketing");
});

test("SparkPost msys wrapper: message, track and unsubscribe events; bounce_class as a label only", async () => {
  const batch = [
    {
      msys: {
        message_event: {
          type: "bounce",
          bounce_class: "10",
          error_code: "554",
          event_id: "84345317653491230",
          message_id: "0004e3724f57753a3561",
          rcpt_to: "bounce@example.com",
          raw_reason: "MAIL REFUSED - IP (17.99.99.99) is in black list",
          timestamp: "1464824548",
          campaign_id: "may",
          sending_ip: "192.0.2.9",
          ip_address: "198.51.100.20",
          ip_pool: "shared",
          transactional: "0",
        },
      },
    },
    {
      msys: {
        track_event: {
          type: "click",
          rcpt_to: "r@example.com",
          ip_address: "203.0.113.1",
          target_link_url: "https://e.example/x",
          timestamp: "1464824600",
        },
      },
    },
    {
      msys: {
        unsubscribe_event: { type: "list_unsubscribe", rcpt_to: "u@example.com", timestamp: "1464824700" },
      },
    },
    { msys: {} },
  ];
  const { events, problems } = await readAll(JSON.stringify(batch), "sparkpost");
  assert.deepEqual(problems, []);
  assert.deepEqual(
    events.map((e) => e.type),
    ["bounced", "click", "unsubscribe"],
  );
  const [bounce, click] = events;
  assert.equal(bounce.replyCode, 554, "error_code when the text has no code");
  assert.equal(bounce.sourceLabel, "bounce_class 10");
  assert.equal(bounce.campaign, "may");
  assert.equal(bounce.sendingIp, "192.0.2.9");
  assert.equal(bounce.remoteMta, "198.51.100.20");
  assert.equal(bounce.stream, "marketing");
  assert.equal(bounce.time, "2016-06-01T23:42:28.000Z");
  assert.equal(click.readerIp, "203.0.113.1");
  assert.equal(click.sendingIp, null);
});

test("SparkPost Events API page ({results}): bare events read as the webhook's msys events", async () => {
  const event = {
    type: "bounce",
    bounce_class: "10",
    event_id: "84345317653491230",
    rcpt_to: "bounce@example.com",
    raw_reason: "550 5.1.1 <bounce@example.com>: Recipient address rejected: User unknown",
    timestamp: "2016-06-01T23:42:28.000Z",
    sending_ip: "192.0.2.9",
    ip_address: "198.51.100.20",
  };
  const page = {
    results: [
      event,
      { type: "open", rcpt_to: "r@example.com", ip_address: "203.0.113.1", timestamp: "1464824600" },
    ],
    total_count: 2,
    links: {},
  };
  const fromPage = await readAll(JSON.stringify(page, null, 2), "sparkpost");
  const fromWebhook = await readAll(JSON.stringify([{ msys: { message_event: event } }]), "sparkpost");
  assert.deepEqual(fromPage.problems, []);
  assert.deepEqual(
    fromPage.events.map((e) => e.type),
    ["bounced", "open"],
  );
  const { source: _a, ...bounce } = fromPage.events[0];
  const { source: _b, ...webhook } = fromWebhook.events[0];
  assert.deepEqual(bounce, webhook);
  assert.equal(fromPage.events[1].readerIp, "203.0.113.1");
  const nothing = await readAll(JSON.stringify({ results: [{ rcpt_to: "x@example.com" }] }), "sparkpost");
  assert.equal(nothing.events.length, 0);
  assert.match(nothing.problems[0]?.message ?? "", /without `msys` or `type`/);
});

test("Postmark Bounces API page ({TotalCount, Bounces}): bounce records without RecordType, the webhook's event id", async () => {
  const bounce = {
    ID: 1234567,
    Type: "HardBounce",
    TypeCode: 1,
    Name: "Hard bounce",
    MessageID: "883953f4-6105-42a2-a16a-77a8eac79483",
    Description: "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    Details: "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    Email: "john@example.com",
    From: "sender@example.com",
    BouncedAt: "2019-11-05T16:33:54.9070259Z",
    Inactive: true,
    CanActivate: true,
  };
  const page = await readAll(JSON.stringify({ TotalCount: 1, Bounces: [bounce] }), "postmark");
  const webhook = await readAll(JSON.stringify({ RecordType: "Bounce", ...bounce }), "postmark");
  assert.deepEqual(page.problems, []);
  assert.equal(page.events.length, 1);
  const { source: _a, ...fromPage } = page.events[0];
  const { source: _b, ...fromWebhook } = webhook.events[0];
  assert.deepEqual(fromPage, fromWebhook);
  assert.equal(fromPage.eventId, "Bounce/1234567");
  const empty = await readAll(JSON.stringify({ TotalCount: 0, Bounces: [] }), "postmark");
  assert.deepEqual([empty.events.length, empty.problems.length], [0, 0]);
});
