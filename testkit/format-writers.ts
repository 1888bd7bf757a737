/**
 * One generated program (src/demo) written in every JSON/CSV format deliverlens reads, as each source
 * writes it (field names and shapes from the formats' public documentation, see src/events/*.ts), for
 * the readers' parity tests and `npm run bench:ingest -- --all-formats`. With `realistic`, replies carry
 * what real ones do per message: Gmail's `250 2.0.0 OK  <time> <id> - gsmtp`, `queued as <id>`,
 * the recipient's address, transaction ids.
 */
import type { SimEvent } from "../src/demo/program.ts";
import { PMTA_HEADER, pmtaLine, sendgridLine } from "../src/demo/writers.ts";

export interface FormatWriter {
  /** File name extension. */
  ext: string;
  header?: string;
  line(e: SimEvent): string | null;
}

/** A short stable hex token from a text (per-message ids in replies). */
function token(text: string, length = 16): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 16777619);
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 2246822519);
  }
  return ((h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0")).slice(
    0,
    length,
  );
}

/** The event with replies as real receivers write them, per message. */
export function realistic(e: SimEvent): SimEvent {
  if (!e.reply) return e;
  const id = token(`${e.messageId}/${e.type}/${e.time}`);
  if (e.type === "delivered") {
    const reply = e.recipient.endsWith("@gmail.com")
      ? `250 2.0.0 OK  ${e.time} ${id.slice(0, 12)}.${id.slice(12)}${e.time % 1000} - gsmtp`
      : `250 2.0.0 Ok: queued as ${id.toUpperCase().slice(0, 11)}`;
    return { ...e, reply };
  }
  const text = e.reply.replace("recipient@icloud.com", e.recipient);
  const stamp = new Date(e.time * 1000).toISOString();
  return { ...e, reply: `${text} [${id.slice(0, 6)}.mx.prod.example.net ${stamp} ${id}]` };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const domainOf = (address: string) => address.slice(address.indexOf("@") + 1);
const SENDER = "news@mail.example-shop.com";

/** SES event publishing (configuration set) records; `wrap` puts each in an SNS envelope. */
function sesRecord(e: SimEvent): Record<string, unknown> | null {
  const mail = {
    timestamp: iso(e.time),
    source: SENDER,
    sendingAccountId: "123456789012",
    messageId: e.messageId,
    destination: [e.recipient],
    tags: {
      "ses:configuration-set": [`${e.stream}-set`],
      "ses:outgoing-ip": [e.sendingIp],
      "ses:from-domain": [domainOf(SENDER)],
      campaign_id: [e.campaign],
      stream: [e.stream],
    },
  };
  const at = iso(e.time);
  switch (e.type) {
    case "sent":
      return { eventType: "Send", mail, send: {} };
    case "delivered":
      return {
        eventType: "Delivery",
        mail,
        delivery: {
          timestamp: at,
          processingTimeMillis: 812,
          recipients: [e.recipient],
          smtpResponse: e.reply,
          remoteMtaIp: "198.51.100.25",
          reportingMTA: "a8-30.smtp-out.amazonses.com",
        },
      };
    case "bounced":
      return {
        eventType: "Bounce",
        mail,
        bounce: {
          bounceType: e.status?.startsWith("5.1") ? "Permanent" : "Transient",
          bounceSubType: e.status?.startsWith("5.1") ? "General" : "ContentRejected",
          bouncedRecipients: [
            {
              emailAddress: e.recipient,
              action: "failed",
              status: e.status,
              diagnosticCode: `smtp; ${e.reply}`,
            },
          ],
          timestamp: at,
          feedbackId: `${token(e.eventId)}-${e.eventId}`,
          reportingMTA: "dns; a8-30.smtp-out.amazonses.com",
        },
      };
    case "deferred":
      return {
        eventType: "DeliveryDelay",
        mail,
        deliveryDelay: {
          timestamp: at,
          delayType: "TransientCommunicationFailure",
          expirationTime: iso(e.time + 86_400),
          delayedRecipients: [{ emailAddress: e.recipient, status: e.status, diagnosticCode: e.reply }],
        },
      };
    case "open":
      return {
        eventType: "Open",
        mail,
        open: { timestamp: at, ipAddress: e.readerIp, userAgent: userAgent(e) },
      };
    case "click":
      return {
        eventType: "Click",
        mail,
        click: { timestamp: at, ipAddress: e.readerIp, userAgent: userAgent(e), link: e.url },
      };
    case "complaint":
      return {
        eventType: "Complaint",
        mail,
        complaint: {
          complainedRecipients: [{ emailAddress: e.recipient }],
          timestamp: at,
          feedbackId: `${token(e.eventId)}-${e.eventId}`,
          complaintFeedbackType: "abuse",
          userAgent: "Yahoo!-Mail-Feedback/2.0",
        },
      };
    case "unsubscribe":
      return {
        eventType: "Subscription",
        mail,
        subscription: {
          timestamp: at,
          source: "UnsubscribeHeader",
          newTopicPreferences: { unsubscribeAll: true },
        },
      };
  }
}

function userAgent(e: SimEvent): string {
  return e.machineOpen ? "Mozilla/5.0" : "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)";
}

const MAILGUN_EVENT: Record<SimEvent["type"], string> = {
  sent: "accepted",
  delivered: "delivered",
  deferred: "failed",
  bounced: "failed",
  open: "opened",
  click: "clicked",
  unsubscribe: "unsubscribed",
  complaint: "complained",
};

function mailgunLine(e: SimEvent): string {
  const data: Record<string, unknown> = {
    event: MAILGUN_EVENT[e.type],
    id: e.eventId,
    timestamp: e.time + 0.123456,
    "log-level": e.type === "bounced" ? "error" : e.type === "deferred" ? "warn" : "info",
    recipient: e.recipient,
    "recipient-domain": domainOf(e.recipient),
    tags: [e.stream],
    "user-variables": { campaign_id: e.campaign },
    message: { headers: { to: e.recipient, "message-id": e.messageId, from: SENDER, subject: "News" } },
  };
  if (e.type === "open" || e.type === "click" || e.type === "unsubscribe" || e.type === "complaint") {
    data.ip = e.readerIp;
    data["client-info"] = { "user-agent": userAgent(e), "client-type": "browser" };
    if (e.url) data.url = e.url;
  } else {
    data.envelope = { "sending-ip": e.sendingIp, sender: SENDER, transport: "smtp", targets: e.recipient };
  }
  if (e.type === "bounced" || e.type === "deferred") {
    data.severity = e.type === "bounced" ? "permanent" : "temporary";
    data.reason = e.type === "bounced" ? "bounce" : "generic";
  }
  if (e.reply) {
    // Mailgun keeps the code apart from the message.
    data["delivery-status"] = {
      code: Number(e.reply.slice(0, 3)),
      message: e.reply.slice(4),
      description: "",
      "mx-host": `mx.${domainOf(e.recipient)}`,
      "attempt-no": 1,
      tls: true,
    };
  }
  return JSON.stringify({
    signature: { timestamp: String(e.time), token: token(e.eventId, 32), signature: token(e.messageId, 32) },
    "event-data": data,
  });
}

function postmarkLine(e: SimEvent): string | null {
  const common = {
    MessageID: e.messageId,
    Tag: e.campaign,
    MessageStream: e.stream === "marketing" ? "broadcast" : "outbound",
    Metadata: { campaign_id: e.campaign },
  };
  switch (e.type) {
    case "delivered":
      return JSON.stringify({
        RecordType: "Delivery",
        ServerID: 23,
        ...common,
        Recipient: e.recipient,
        DeliveredAt: iso(e.time),
        Details: `smtp;${e.reply}`,
      });
    case "bounced":
      return JSON.stringify({
        RecordType: "Bounce",
        ID: Number.parseInt(token(e.eventId, 10), 16),
        Type: e.status?.startsWith("5.1") ? "HardBounce" : "Blocked",
        TypeCode: e.status?.startsWith("5.1") ? 1 : 100006,
        ...common,
        Description: "The server was unable to deliver your message",
        Details: `smtp;${e.reply}`,
        Email: e.recipient,
        From: SENDER,
        BouncedAt: iso(e.time),
      });
    case "open":
      return JSON.stringify({
        RecordType: "Open",
        FirstOpen: true,
        ...common,
        Recipient: e.recipient,
        ReceivedAt: iso(e.time),
        UserAgent: userAgent(e),
      });
    case "click":
      return JSON.stringify({
        RecordType: "Click",
        ...common,
        Recipient: e.recipient,
        ReceivedAt: iso(e.time),
        OriginalLink: e.url,
        UserAgent: userAgent(e),
      });
    case "complaint":
      return JSON.stringify({
        RecordType: "SpamComplaint",
        ID: Number.parseInt(token(e.eventId, 10), 16),
        Type: "SpamComplaint",
        TypeCode: 100001,
        ...common,
        Email: e.recipient,
        From: SENDER,
        BouncedAt: iso(e.time),
      });
    case "unsubscribe":
      return JSON.stringify({
        RecordType: "SubscriptionChange",
        ...common,
        Recipient: e.recipient,
        ChangedAt: iso(e.time),
        SuppressSending: true,
        SuppressionReason: "ManualSuppression",
      });
    default:
      return null; // Postmark sends no webhook for injections or deferrals
  }
}

const SPARKPOST_TYPE: Record<SimEvent["type"], [string, string]> = {
  sent: ["message_event", "injection"],
  delivered: ["message_event", "delivery"],
  deferred: ["message_event", "delay"],
  bounced: ["message_event", "bounce"],
  complaint: ["message_event", "spam_complaint"],
  open: ["track_event", "open"],
  click: ["track_event", "click"],
  unsubscribe: ["unsubscribe_event", "link_unsubscribe"],
};

function sparkpostLine(e: SimEvent): string {
  const [kind, type] = SPARKPOST_TYPE[e.type];
  const body: Record<string, unknown> = {
    type,
    event_id: e.eventId,
    message_id: e.messageId,
    transmission_id: token(e.messageId, 17),
    campaign_id: e.campaign,
    rcpt_to: e.recipient,
    raw_rcpt_to: e.recipient,
    msg_from: SENDER,
    friendly_from: SENDER,
    sending_domain: domainOf(SENDER),
    timestamp: String(e.time),
    transactional: e.stream === "transactional" ? "1" : "0",
    customer_id: "1234",
  };
  if (kind === "message_event") {
    body.sending_ip = e.sendingIp;
    body.ip_pool = e.pool;
    body.ip_address = "198.51.100.25";
  } else {
    body.ip_address = e.readerIp;
    body.user_agent = userAgent(e);
    if (e.url) body.target_link_url = e.url;
  }
  if (e.reply && e.type !== "delivered") {
    body.raw_reason = e.reply;
    body.reason = e.reply;
    body.error_code = e.reply.slice(0, 3);
    body.bounce_class = e.status?.startsWith("5.1") ? "10" : e.type === "deferred" ? "20" : "51";
  }
  if (e.type === "complaint") body.fbtype = "abuse";
  return JSON.stringify({ msys: { [kind]: body } });
}

const KUMO_TYPE: Partial<Record<SimEvent["type"], string>> = {
  sent: "Reception",
  delivered: "Delivery",
  deferred: "TransientFailure",
  bounced: "Bounce",
  complaint: "Feedback",
};

function kumoLine(e: SimEvent): string | null {
  const type = KUMO_TYPE[e.type];
  if (!type) return null; // KumoMTA logs no opens or clicks
  const record: Record<string, unknown> = {
    type,
    id: token(e.messageId, 32),
    sender: SENDER,
    recipient: e.recipient,
    queue: `${e.campaign}:${e.stream}@${domainOf(e.recipient)}`,
    site: `${domainOf(e.recipient)}->mx.${domainOf(e.recipient)}`,
    size: 20480,
    timestamp: e.time,
    created: e.time - 2,
    num_attempts: 1,
    bounce_classification:
      e.type === "bounced"
        ? e.status?.startsWith("5.1")
          ? "InvalidRecipient"
          : "PolicyRelated"
        : "Uncategorized",
    egress_pool: e.pool,
    egress_source: `ip-${e.sendingIp.replaceAll(".", "-")}`,
    source_address: { address: `${e.sendingIp}:0`, server: null, protocol: null },
    meta: { stream: e.stream },
    headers: { "Message-ID": `<${e.messageId}>` },
  };
  if (type !== "Reception") {
    record.peer_address = { name: `mx.${domainOf(e.recipient)}`, addr: "198.51.100.25" };
    const reply = e.reply ?? "250 2.0.0 OK";
    const status = /^\d{3} (\d)\.(\d{1,3})\.(\d{1,3}) /.exec(reply);
    record.response = {
      code: Number(reply.slice(0, 3)),
      enhanced_code: status
        ? { class: Number(status[1]), subject: Number(status[2]), detail: Number(status[3]) }
        : null,
      content: status ? reply.slice(status[0].length) : reply.slice(4),
      command: ".\r\n",
    };
  }
  if (type === "Feedback")
    record.feedback_report = { feedback_type: "abuse", user_agent: "Yahoo!-Mail-Feedback/2.0" };
  return JSON.stringify(record);
}

const GENERIC_COLUMNS = [
  "time",
  "recipient",
  "type",
  "campaign",
  "stream",
  "sending_ip",
  "pool",
  "reply",
  "status",
  "event_id",
  "message_id",
  "machine_open",
  "reader_ip",
  "url",
] as const;

function genericValues(e: SimEvent): Record<(typeof GENERIC_COLUMNS)[number], string | boolean | null> {
  const engagement = e.type === "open" || e.type === "click";
  return {
    time: iso(e.time),
    recipient: e.recipient,
    type: e.type,
    campaign: e.campaign,
    stream: e.stream,
    sending_ip: engagement ? null : e.sendingIp,
    pool: e.pool,
    reply: e.reply,
    status: e.status,
    event_id: e.eventId,
    message_id: e.messageId,
    machine_open: e.type === "open" ? e.machineOpen === true : null,
    reader_ip: engagement ? e.readerIp : null,
    url: e.url,
  };
}

function csvField(value: string | boolean | null): string {
  const text = value === null ? "" : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Every JSON/CSV format, as its source writes it. */
export const FORMAT_WRITERS: Record<string, FormatWriter> = {
  sendgrid: { ext: "ndjson", line: sendgridLine },
  pmta: { ext: "csv", header: PMTA_HEADER, line: pmtaLine },
  ses: {
    ext: "json",
    line: (e) => {
      const record = sesRecord(e);
      if (!record) return null;
      return JSON.stringify({
        Type: "Notification",
        MessageId: token(e.eventId, 32),
        TopicArn: "arn:aws:sns:us-east-1:123456789012:ses-events",
        Message: JSON.stringify(record),
        Timestamp: iso(e.time),
        SignatureVersion: "1",
      });
    },
  },
  "ses-raw": {
    ext: "json",
    line: (e) => {
      const record = sesRecord(e);
      return record ? JSON.stringify(record) : null;
    },
  },
  mailgun: { ext: "jsonl", line: mailgunLine },
  postmark: { ext: "json", line: postmarkLine },
  sparkpost: { ext: "json", line: sparkpostLine },
  kumomta: { ext: "jsonl", line: kumoLine },
  ndjson: {
    ext: "ndjson",
    line: (e) => {
      const values = genericValues(e);
      return JSON.stringify(Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null)));
    },
  },
  csv: {
    ext: "csv",
    header: GENERIC_COLUMNS.join(","),
    line: (e) => {
      const values = genericValues(e);
      return GENERIC_COLUMNS.map((c) => csvField(values[c])).join(",");
    },
  },
};

/** The deliverlens format name of a writer (`ses-raw` is SES). */
export const formatOf = (writer: string): string => writer.replace(/-(raw|repeated)$/, "");

export interface WrittenFormat {
  writer: string;
  format: string;
  file: string;
  records: number;
}

/** Writes `events` once into a file per writer under `dir` (streamed: any number of events). */
export async function writeFormats(
  events: Iterable<SimEvent>,
  dir: string,
  options: {
    realistic?: boolean;
    writers?: string[];
    /** Writers also written with the generator's own (repeated) replies, as `<writer>-repeated`. */
    repeated?: string[];
  } = {},
): Promise<WrittenFormat[]> {
  const { createWriteStream } = await import("node:fs");
  const { join } = await import("node:path");
  const names = [
    ...(options.writers ?? Object.keys(FORMAT_WRITERS)),
    ...(options.repeated ?? []).map((name) => `${name}-repeated`),
  ];
  const outs = names.map((name) => {
    const writer = FORMAT_WRITERS[name.replace(/-repeated$/, "")];
    const file = join(dir, `${name}-events.${writer.ext}`);
    const stream = createWriteStream(file);
    const plain = name.endsWith("-repeated");
    const state = { name, writer, file, stream, plain, buffer: [] as string[], size: 0, records: 0 };
    if (writer.header) state.buffer.push(`${writer.header}\n`);
    return state;
  });
  const flush = async (out: (typeof outs)[number]) => {
    if (!out.stream.write(out.buffer.join("")))
      await new Promise<void>((resolve) => out.stream.once("drain", () => resolve()));
    out.buffer = [];
    out.size = 0;
  };
  for (const raw of events) {
    const e = options.realistic ? realistic(raw) : raw;
    for (const out of outs) {
      const line = out.writer.line(out.plain ? raw : e);
      if (line === null) continue;
      out.buffer.push(line, "\n");
      out.size += line.length + 1;
      out.records++;
      if (out.size > 1 << 20) await flush(out);
    }
  }
  for (const out of outs) {
    await flush(out);
    await new Promise((resolve) => out.stream.end(resolve));
  }
  return outs.map((out) => ({
    writer: out.name,
    format: formatOf(out.name),
    file: out.file,
    records: out.records,
  }));
}
