/**
 * The one vocabulary of input format names, shared by `classify --format` and `ingest --format`.
 * Detection (src/events/detect.ts) picks one when the user does not.
 */
export const FORMATS = {
  smtp: "A bare SMTP reply (single or multi-line)",
  email:
    "A bounce email: RFC 3464 DSN, non-standard MTA report, ARF complaint, auto-reply; or an mbox of them",
  postfix: "Postfix maillog (classic syslog or RFC 3339 timestamps)",
  exim: "Exim main log",
  pmta: "PowerMTA accounting CSV (columns by header)",
  kumomta: "KumoMTA JSON log records (one per line; gzip/zstd transparently)",
  sendgrid: "SendGrid event webhook (JSON array or NDJSON)",
  mailgun: "Mailgun webhook/event API (event-data)",
  ses: "Amazon SES notifications (raw or inside an SNS envelope)",
  postmark: "Postmark webhooks and Bounces API pages",
  sparkpost: "SparkPost webhook events (msys) and Events API pages",
  csv: "deliverlens generic CSV (docs/FORMATS.md)",
  ndjson: "deliverlens generic NDJSON (docs/FORMATS.md)",
} as const;
export type FormatName = keyof typeof FORMATS;

export function isFormatName(value: string): value is FormatName {
  return Object.hasOwn(FORMATS, value);
}
