/**
 * Amazon SES event publishing records (a configuration set's event destination), either raw — one
 * JSON per line, as a Firehose → S3 delivery writes them — or each inside an SNS notification envelope
 * (`Type: Notification`, the event as the `Message` string), as an SNS → SQS/HTTP subscriber stores them.
 * `mail.tags` carries `ses:configuration-set`, `ses:outgoing-ip` (after sending), `campaign_id`.
 *
 * Or the older identity feedback notifications (`notificationType` Bounce / Complaint / Delivery, always
 * through SNS): no sends, deferrals, opens, clicks or tags — what an SES user who only turned on
 * bounce and complaint notifications has.
 */
import type { Message, Program } from "../model.ts";
import { type Happening, happenings, hex, idFrom, Kept, LineFile, MESSAGES_KEPT } from "./common.ts";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";

function sesMessageId(m: Message): string {
  return `0100018${hex(`ses:${m.seq}`, 9)}-${hex(`a:${m.seq}`, 8)}-${hex(`b:${m.seq}`, 4)}-${hex(`c:${m.seq}`, 4)}-${hex(`d:${m.seq}`, 4)}-${hex(`e:${m.seq}`, 12)}-000000`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The identity notification for a happening (Bounce, Complaint, Delivery), or null when it has none. */
function notification(program: Program, h: Happening): Record<string, unknown> | null {
  const event = record(program, h);
  if (!["Bounce", "Complaint", "Delivery"].includes(String(event.eventType))) return null;
  const { eventType, mail, ...rest } = event as { eventType: string; mail: Record<string, unknown> };
  const { tags: _tags, ...untagged } = mail;
  return {
    notificationType: eventType,
    ...rest,
    mail: { ...untagged, sourceIp: "10.20.3.14", callerIdentity: "app-mailer" },
  };
}

/**
 * The `mail` part of a record of message `m`'s: its message's, with the sending IP's tag once it was sent (not
 * on its `sent` record). `tags` is the last key, and that tag the last of `tags`.
 */
function mailOf(program: Program, m: Message, sent: boolean): Record<string, unknown> {
  const json = mailJson(program, m);
  return JSON.parse(sent ? json.sent : json.after);
}

/** A happening's record without its `mail`: its `eventType`, and its event's own part (`send`, `delivery`, …). */
interface EventPart {
  type: string;
  key: string;
  value: Record<string, unknown>;
}

function eventOf(program: Program, h: Happening): EventPart {
  const { m } = h;
  const r = program.recipients[m.recipient];
  const reportingMTA = `a8-${(m.seq % 90) + 10}.smtp-out.amazonses.com`;
  if (h.kind === "sent") return { type: "Send", key: "send", value: {} };
  if (h.kind === "attempt") {
    const { attempt } = h;
    if (attempt.outcome === "delivered")
      return {
        type: "Delivery",
        key: "delivery",
        value: {
          timestamp: iso(attempt.at),
          processingTimeMillis: attempt.at - m.sentAt,
          recipients: [r.address],
          smtpResponse: attempt.reply.text,
          remoteMtaIp: attempt.mx[1],
          reportingMTA,
        },
      };
    if (attempt.outcome === "deferred")
      return {
        type: "DeliveryDelay",
        key: "deliveryDelay",
        value: {
          timestamp: iso(attempt.at),
          delayType: "TransientCommunicationFailure",
          expirationTime: iso(m.sentAt + 14 * 3_600_000),
          delayedRecipients: [
            {
              emailAddress: r.address,
              status: attempt.reply.status || "4.0.0",
              diagnosticCode: `smtp; ${attempt.reply.text}`,
            },
          ],
          reportingMTA,
        },
      };
    return {
      type: "Bounce",
      key: "bounce",
      value: {
        bounceType: "Permanent",
        bounceSubType: "General",
        bouncedRecipients: [
          {
            emailAddress: r.address,
            action: "failed",
            status: attempt.reply.status || "5.0.0",
            diagnosticCode: `smtp; ${attempt.reply.text}`,
          },
        ],
        timestamp: iso(attempt.at),
        feedbackId: `0100018${hex(`fb:${m.seq}`, 9)}-${hex(`fa:${m.seq}`, 8)}-000000`,
        reportingMTA: `dns; ${reportingMTA}`,
        remoteMtaIp: attempt.mx[1],
      },
    };
  }
  const e = h.engagement;
  if (e.kind === "open")
    return {
      type: "Open",
      key: "open",
      value: { ipAddress: e.ip, timestamp: iso(e.at), userAgent: e.userAgent },
    };
  if (e.kind === "click")
    return {
      type: "Click",
      key: "click",
      value: { ipAddress: e.ip, timestamp: iso(e.at), userAgent: e.userAgent, link: e.url, linkTags: {} },
    };
  if (e.kind === "complaint")
    return {
      type: "Complaint",
      key: "complaint",
      value: {
        complainedRecipients: [{ emailAddress: r.address }],
        timestamp: iso(e.at),
        feedbackId: `0100018${hex(`cf:${m.seq}`, 9)}-000000`,
        userAgent: "Yahoo!-Mail-Feedback/2.0",
        complaintFeedbackType: "abuse",
        arrivalDate: iso(e.at - 60_000),
      },
    };
  return {
    type: "Subscription",
    key: "subscription",
    value: {
      contactList: "newsletter",
      timestamp: iso(e.at),
      source: "UnsubscribeHeader",
      newTopicPreferences: { unsubscribeAll: true, topicSubscriptionStatus: [] },
      oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [] },
    },
  };
}

function record(
  program: Program,
  h: Happening,
  mail: Record<string, unknown> = mailOf(program, h.m, h.kind === "sent"),
): Record<string, unknown> {
  const { type, key, value } = eventOf(program, h);
  return { eventType: type, mail, [key]: value };
}

/** The JSON of a message's `mail`: on its `sent` record, and on its others (with the sending IP's tag). */
interface MailJson {
  sent: string;
  after: string;
}

/** A program's brand as JSON strings: the `source` (and From header), its identity's ARN, its domain. */
const BRANDS = new WeakMap<Program, { source: string; arn: string; domain: string }>();

/**
 * The JSON of a message's `mail` for both states, written out (`JSON.stringify` of the object: strings through
 * it, keys in this order): on its `sent` record, then on its others, where the sending IP's tag closes `tags`.
 */
function mailJson(program: Program, m: Message): MailJson {
  let brand = BRANDS.get(program);
  if (!brand) {
    const { name, from, domain } = program.brand;
    brand = {
      source: JSON.stringify(`${name} <${from}>`),
      arn: JSON.stringify(`arn:aws:ses:${REGION}:${ACCOUNT}:identity/${domain}`),
      domain: JSON.stringify(domain),
    };
    BRANDS.set(program, brand);
  }
  const address = JSON.stringify(program.recipients[m.recipient].address);
  const c = program.campaigns[m.campaign];
  const configurationSet = c.stream === "marketing" ? "marketing" : "transactional";
  const sent = `{"timestamp":${JSON.stringify(iso(m.sentAt))},"source":${brand.source},"sourceArn":${brand.arn},"sendingAccountId":${JSON.stringify(ACCOUNT)},"messageId":${JSON.stringify(sesMessageId(m))},"destination":[${address}],"headersTruncated":false,"commonHeaders":{"from":[${brand.source}],"to":[${address}],"messageId":${JSON.stringify(`<${m.id}>`)},"subject":${JSON.stringify(c.subject)}},"tags":{"ses:operation":["SendEmail"],"ses:configuration-set":["${configurationSet}"],"ses:source-ip":["10.20.3.14"],"ses:from-domain":[${brand.domain}],"ses:caller-identity":["app-mailer"],"campaign_id":[${JSON.stringify(c.id)}]}}`;
  return { sent, after: `${sent.slice(0, -2)},"ses:outgoing-ip":${JSON.stringify([m.ip])}}}` };
}

/**
 * JSON.stringify(record(program, h)), its `mail` (the larger part, the same for a message's events once it was
 * sent) made once per message: a record's keys are `eventType`, `mail`, then its event's own.
 */
function recordJson(program: Program, h: Happening, mails: Kept<number, MailJson>): string {
  const { m } = h;
  const json = mails.get(m.seq, () => mailJson(program, m));
  const { type, key, value } = eventOf(program, h);
  return `{"eventType":${JSON.stringify(type)},"mail":${h.kind === "sent" ? json.sent : json.after},${JSON.stringify(key)}:${JSON.stringify(value)}}`;
}

export function writeSes(program: Program, file: string, envelope: "raw" | "sns" | "notifications"): void {
  const lines = new LineFile(file);
  const mails = new Kept<number, MailJson>(MESSAGES_KEPT);
  for (const h of happenings(program, true)) {
    const event = envelope === "notifications" ? notification(program, h) : recordJson(program, h, mails);
    if (!event) continue;
    if (envelope === "raw") {
      lines.push(event as string);
      continue;
    }
    const key = `${h.m.seq}:${h.kind}:${"n" in h ? h.n : 0}`;
    lines.push(
      JSON.stringify({
        Type: "Notification",
        MessageId: `${hex(`sns:${key}`, 8)}-${hex(`s1:${key}`, 4)}-${hex(`s2:${key}`, 4)}-${hex(`s3:${key}`, 4)}-${hex(`s4:${key}`, 12)}`,
        TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:ses-events`,
        Message: typeof event === "string" ? event : JSON.stringify(event),
        Timestamp: new Date(h.at + 150).toISOString(),
        SignatureVersion: "1",
        Signature: `${idFrom(`sig:${key}`, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}==`,
        SigningCertURL: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem`,
        UnsubscribeURL: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:${REGION}:${ACCOUNT}:ses-events:${hex("sub", 8)}`,
      }),
    );
  }
  lines.close();
}
