/**
 * Exports of a simulated program in the shapes the ESPs deliver them (written from each ESP's public
 * event documentation, not from this repo's readers):
 * - SendGrid Event Webhook: one JSON object per line (twilio.com/docs/sendgrid/for-developers/tracking-events/event)
 * - Amazon SES event publishing through Firehose: gzip'd JSON lines (docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-firehose-contents.html)
 * - Amazon SES events through SNS: the SNS envelope with the event as a JSON string in `Message`
 *   (docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html)
 * - Mailgun webhooks: `{signature, event-data}` per line (documentation.mailgun.com, "Webhooks")
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Format, Program, SimEvent, SimMessage } from "./program.ts";
import { Rng } from "./rng.ts";
import { DELIVERED, fillReply, MX_HOST, splitReply } from "./world.ts";

const DAY = 86_400_000;

function deliveredReply(program: Program, m: SimMessage, rng: Rng): string {
  return fillReply(rng, DELIVERED[m.provider], { rcpt: m.recipient, ip: m.ip, domain: program.brand.domain });
}

/** An SES-style id (feedback id, message id): hex time, a UUID, a counter. */
function sesId(t: number, rng: Rng): string {
  return `0100${Math.floor(t).toString(16)}-${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}-000000`;
}

interface Ids {
  sgMessageId: string;
  smtpId: string;
  sesMessageId: string;
  mailgunId: string;
}

function messageIds(program: Program, rng: Rng): Ids[] {
  return program.messages.map((m) => {
    const token = rng.token(22);
    return {
      sgMessageId: `${token}.recvd-${rng.hex(10)}-${rng.token(5)}-1-${rng.hex(8).toUpperCase()}-${rng.int(1, 60)}.0`,
      smtpId: `<${token}@geopod-ismtpd-${rng.int(1, 40)}>`,
      sesMessageId: sesId(m.sentAt, rng),
      mailgunId: `${new Date(m.sentAt).toISOString().replace(/\D/g, "").slice(0, 14)}.${rng.hex(16)}@mg.${program.brand.domain}`,
    };
  });
}

/** Files by calendar week (an export is rarely one file). */
function byWeek(program: Program, events: SimEvent[]): SimEvent[][] {
  const weeks: SimEvent[][] = [];
  for (const e of events) {
    const w = Math.max(0, Math.floor((e.t - program.start) / (7 * DAY)));
    if (!weeks[w]) weeks[w] = [];
    weeks[w].push(e);
  }
  return weeks.filter((w) => w !== undefined);
}

function isoDay(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function campaignOf(m: SimMessage): string {
  return m.campaign;
}

// ---- SendGrid -----------------------------------------------------------------------------------------

function sendgridEvent(
  program: Program,
  e: SimEvent,
  m: SimMessage,
  id: Ids,
  rng: Rng,
): Record<string, unknown> {
  const base: Record<string, unknown> = {
    email: m.recipient,
    timestamp: Math.floor(e.t / 1000),
    "smtp-id": id.smtpId,
    sg_event_id: rng.token(22),
    sg_message_id: id.sgMessageId,
    category: m.stream === "transactional" ? ["transactional", campaignOf(m)] : [campaignOf(m), "marketing"],
    campaign_id: campaignOf(m),
  };
  switch (e.type) {
    case "sent":
      return { ...base, event: "processed", send_at: 0 };
    case "delivered":
      return {
        ...base,
        event: "delivered",
        ip: m.ip,
        tls: 1,
        response: deliveredReply(program, m, rng),
      };
    case "deferred":
      return {
        ...base,
        event: "deferred",
        ip: m.ip,
        tls: 1,
        response: e.reply,
        attempt: String(e.attempt ?? 1),
      };
    case "bounced": {
      const { status } = splitReply(e.reply ?? "");
      const out: Record<string, unknown> = {
        ...base,
        event: "bounce",
        type: e.bounce === "policy" ? "blocked" : "bounce",
        ip: m.ip,
        tls: 1,
        reason: e.reply,
        bounce_classification:
          e.bounce === "hard"
            ? "Invalid Address"
            : e.bounce === "soft"
              ? "Mailbox Unavailable"
              : "Reputation",
      };
      if (status) out.status = status;
      return out;
    }
    case "open":
      return {
        ...base,
        event: "open",
        ip: e.readerIp,
        useragent: e.userAgent,
        sg_machine_open: e.machine === true,
      };
    case "click":
      return {
        ...base,
        event: "click",
        ip: e.readerIp,
        useragent: e.userAgent,
        url: e.url,
        url_offset: { index: 0, type: "html" },
      };
    case "unsubscribe":
      return { ...base, event: "unsubscribe" };
    case "complaint":
      return { ...base, event: "spamreport" };
  }
}

// ---- Amazon SES ---------------------------------------------------------------------------------------

function sesEvent(program: Program, e: SimEvent, m: SimMessage, id: Ids, rng: Rng): Record<string, unknown> {
  const from = `${program.brand.name} <${program.brand.from}@${program.brand.domain}>`;
  const tags: Record<string, string[]> = {
    "ses:operation": ["SendBulkEmail"],
    "ses:configuration-set": [m.stream === "transactional" ? "transactional" : "marketing"],
    "ses:source-ip": ["10.0.12.7"],
    "ses:from-domain": [program.brand.domain],
    "ses:caller-identity": ["mailer-service"],
    campaign_id: [campaignOf(m)],
  };
  if (e.type !== "sent") tags["ses:outgoing-ip"] = [m.ip];
  const mail = {
    timestamp: new Date(m.sentAt).toISOString(),
    source: from,
    sourceArn: `arn:aws:ses:us-east-1:123456789012:identity/${program.brand.domain}`,
    sendingAccountId: "123456789012",
    messageId: id.sesMessageId,
    destination: [m.recipient],
    headersTruncated: false,
    commonHeaders: { from: [from], to: [m.recipient], messageId: id.sesMessageId, subject: m.subject },
    tags,
  };
  const at = new Date(e.t).toISOString();
  const reportingMTA = `a${rng.int(8, 48)}-${rng.int(10, 99)}.smtp-out.amazonses.com`;
  switch (e.type) {
    case "sent":
      return { eventType: "Send", mail, send: {} };
    case "delivered":
      return {
        eventType: "Delivery",
        mail,
        delivery: {
          timestamp: at,
          processingTimeMillis: Math.max(100, e.t - m.sentAt),
          recipients: [m.recipient],
          smtpResponse: deliveredReply(program, m, rng),
          reportingMTA,
        },
      };
    case "deferred": {
      const { status } = splitReply(e.reply ?? "");
      return {
        eventType: "DeliveryDelay",
        mail,
        deliveryDelay: {
          timestamp: at,
          delayType: /volume|rate|busy|TSS04|HCM1/i.test(e.reply ?? "")
            ? "SendingDeferral"
            : "TransientCommunicationFailure",
          expirationTime: new Date(m.sentAt + 14 * 3_600_000).toISOString(),
          delayedRecipients: [
            { emailAddress: m.recipient, status: status ?? "4.0.0", diagnosticCode: `smtp; ${e.reply}` },
          ],
          reportingMTA,
        },
      };
    }
    case "bounced": {
      const { status } = splitReply(e.reply ?? "");
      return {
        eventType: "Bounce",
        mail,
        bounce: {
          bounceType: e.bounce === "soft" ? "Transient" : "Permanent",
          bounceSubType: e.bounce === "hard" ? "General" : e.bounce === "soft" ? "MailboxFull" : "General",
          bouncedRecipients: [
            {
              emailAddress: m.recipient,
              action: "failed",
              status: status ?? "5.0.0",
              diagnosticCode: `smtp; ${e.reply}`,
            },
          ],
          timestamp: at,
          feedbackId: sesId(e.t, rng),
          reportingMTA: `dns; ${reportingMTA}`,
          remoteMtaIp:
            m.provider === "apple"
              ? "17.57.155.25"
              : `${rng.int(40, 200)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
        },
      };
    }
    case "open":
      return {
        eventType: "Open",
        mail,
        open: { ipAddress: e.readerIp, timestamp: at, userAgent: e.userAgent },
      };
    case "click":
      return {
        eventType: "Click",
        mail,
        click: { ipAddress: e.readerIp, timestamp: at, userAgent: e.userAgent, link: e.url, linkTags: {} },
      };
    case "unsubscribe":
      return {
        eventType: "Subscription",
        mail,
        subscription: {
          contactList: "newsletter",
          timestamp: at,
          source: "UnsubscribeHeader",
          newTopicPreferences: { unsubscribeAll: true, topicSubscriptionStatus: [] },
          oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [] },
        },
      };
    case "complaint":
      return {
        eventType: "Complaint",
        mail,
        complaint: {
          complainedRecipients: [{ emailAddress: m.recipient }],
          timestamp: at,
          feedbackId: sesId(e.t, rng),
          complaintSubType: null,
          userAgent: "Yahoo!-Mail-Feedback/2.0",
          complaintFeedbackType: "abuse",
          arrivalDate: at,
        },
      };
  }
}

function snsEnvelope(event: Record<string, unknown>, t: number, rng: Rng): Record<string, unknown> {
  return {
    Type: "Notification",
    MessageId: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
    TopicArn: "arn:aws:sns:us-east-1:123456789012:ses-events",
    Subject: null,
    Message: JSON.stringify(event),
    Timestamp: new Date(t + rng.int(50, 900)).toISOString(),
    SignatureVersion: "1",
    Signature: Buffer.from(rng.token(96)).toString("base64"),
    SigningCertURL:
      "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
    UnsubscribeURL:
      "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:ses-events:5f0f7a3e",
  };
}

// ---- Mailgun ------------------------------------------------------------------------------------------

function mailgunEvent(
  program: Program,
  e: SimEvent,
  m: SimMessage,
  id: Ids,
  rng: Rng,
): Record<string, unknown> {
  const domain = m.recipient.slice(m.recipient.indexOf("@") + 1);
  const base: Record<string, unknown> = {
    id: rng.token(22),
    timestamp: e.t / 1000,
    recipient: m.recipient,
    "recipient-domain": domain,
    tags: [campaignOf(m)],
    campaigns: [],
    "user-variables": { campaign_id: campaignOf(m), stream: m.stream },
    message: {
      headers: {
        to: m.recipient,
        "message-id": id.mailgunId,
        from: `${program.brand.name} <${program.brand.from}@${program.brand.domain}>`,
        subject: m.subject,
      },
      attachments: [],
      size: 18_000 + rng.int(0, 9000),
    },
    flags: { "is-routed": false, "is-authenticated": true, "is-system-test": false, "is-test-mode": false },
  };
  const envelope = {
    sender: `bounce+${rng.hex(6)}@mg.${program.brand.domain}`,
    transport: "smtp",
    targets: m.recipient,
  };
  const mx = rng.pick(MX_HOST[m.provider]);
  const status = (text: string, attempt: number) => {
    const { code, status: enhanced, rest } = splitReply(text);
    const out: Record<string, unknown> = {
      tls: true,
      "mx-host": mx,
      code,
      description: "",
      "session-seconds": Math.round(rng.uniform(0.2, 4) * 100) / 100,
      utf8: true,
      "attempt-no": attempt,
      message: enhanced ? `${enhanced} ${rest}` : rest,
      "certificate-verified": true,
    };
    if (enhanced) out["enhanced-code"] = enhanced;
    return out;
  };
  switch (e.type) {
    case "sent":
      return { ...base, event: "accepted", "log-level": "info", method: "HTTP", envelope };
    case "delivered":
      return {
        ...base,
        event: "delivered",
        "log-level": "info",
        envelope: { ...envelope, "sending-ip": m.ip },
        "delivery-status": status(deliveredReply(program, m, rng), 1),
      };
    case "deferred":
      return {
        ...base,
        event: "failed",
        "log-level": "warn",
        severity: "temporary",
        reason: "generic",
        envelope: { ...envelope, "sending-ip": m.ip },
        "delivery-status": { ...status(e.reply ?? "", e.attempt ?? 1), "retry-seconds": 600 },
      };
    case "bounced":
      return {
        ...base,
        event: "failed",
        "log-level": "error",
        severity: "permanent",
        reason: e.bounce === "hard" ? "bounce" : "generic",
        envelope: { ...envelope, "sending-ip": m.ip },
        "delivery-status": status(e.reply ?? "", 1),
      };
    case "open":
      return {
        ...base,
        event: "opened",
        "log-level": "info",
        ip: e.readerIp,
        "client-info": { "client-type": e.machine ? "email client" : "browser", "user-agent": e.userAgent },
        geolocation: { country: "US", region: "Unknown", city: "Unknown" },
      };
    case "click":
      return {
        ...base,
        event: "clicked",
        "log-level": "info",
        ip: e.readerIp,
        url: e.url,
        "client-info": { "client-type": "browser", "user-agent": e.userAgent },
        geolocation: { country: "US", region: "Unknown", city: "Unknown" },
      };
    case "unsubscribe":
      return { ...base, event: "unsubscribed", "log-level": "info", ip: "203.0.113.40" };
    case "complaint":
      return { ...base, event: "complained", "log-level": "warn" };
  }
}

export interface Written {
  files: string[];
  egressCsv: string;
}

/** Write the program's events as `format` under `dir`; returns the files (input order). */
export function writeExport(program: Program, format: Format, dir: string): Written {
  mkdirSync(dir, { recursive: true });
  const rng = new Rng(program.spec.seed * 31 + 7);
  const ids = messageIds(program, rng);
  const files: string[] = [];
  for (const week of byWeek(program, program.events)) {
    const first = isoDay(week[0].t);
    const lines: string[] = [];
    for (const e of week) {
      const m = program.messages[e.message];
      const id = ids[e.message];
      if (format === "sendgrid") lines.push(JSON.stringify(sendgridEvent(program, e, m, id, rng)));
      else if (format === "mailgun") {
        const data = mailgunEvent(program, e, m, id, rng);
        const token = rng.hex(50);
        lines.push(
          JSON.stringify({
            signature: { timestamp: String(Math.floor(e.t / 1000)), token, signature: rng.hex(64) },
            "event-data": data,
          }),
        );
      } else {
        const event = sesEvent(program, e, m, id, rng);
        lines.push(JSON.stringify(format === "ses-sns" ? snsEnvelope(event, e.t, rng) : event));
      }
    }
    const text = `${lines.join("\n")}\n`;
    let file: string;
    if (format === "ses") {
      file = join(dir, `ses-events-${first}-${rng.hex(8)}.gz`);
      writeFileSync(file, gzipSync(text));
    } else {
      file = join(dir, `${format}-${first}.ndjson`);
      writeFileSync(file, text);
    }
    files.push(file);
  }
  const egressCsv = join(dir, "..", "apple-egress-ip-ranges.csv");
  writeFileSync(
    egressCsv,
    program.egressPrefixes
      .map((p) => `${p},US,US-CA,Los Angeles,`)
      .join("\n")
      .concat("\n"),
  );
  return { files, egressCsv };
}
