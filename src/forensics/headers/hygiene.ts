import { addressParser, type Email } from "postal-mime";
import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";
import { headerValues } from "../message.ts";

/** Fields RFC 5322 §3.6 (table) allows at most once. */
const SINGLETONS = [
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "message-id",
  "in-reply-to",
  "references",
  "subject",
  "date",
];

/** RFC 5322 §3.6.4 msg-id, loosely: <left@right> with no spaces (obs forms are not judged). */
const MESSAGE_ID = /^\s*<[^<>\s@]+@[^<>\s@]+>\s*$/;
/** RFC 5322 §3.3 date-time shape: optional day, day month year, time, zone. */
const DATE_SHAPE =
  /^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|[A-Za-z]{1,5})?/;

export interface HygieneReport {
  fromHeaders: number;
  fromMailboxes: number;
  messageId: string | null;
  date: string | null;
  duplicated: string[];
}

export function hygieneReport(email: Email): HygieneReport {
  const from = headerValues(email, "from");
  let mailboxes = 0;
  for (const value of from) {
    // Only a comma or a group colon can make a second mailbox; skip the full parse otherwise.
    if (!/[,;:]/.test(value)) {
      mailboxes += value.includes("@") ? 1 : 0;
      continue;
    }
    for (const address of addressParser(value))
      mailboxes += address.group ? address.group.length : address.address ? 1 : 0;
  }
  const counts = new Map<string, number>();
  for (const header of email.headers) counts.set(header.key, (counts.get(header.key) ?? 0) + 1);
  return {
    fromHeaders: from.length,
    fromMailboxes: mailboxes,
    messageId: headerValues(email, "message-id")[0] ?? null,
    date: headerValues(email, "date")[0] ?? null,
    duplicated: SINGLETONS.filter((key) => (counts.get(key) ?? 0) > 1),
  };
}

export function hygieneFindings(report: HygieneReport, email: Email): Finding[] {
  const findings: Finding[] = [];
  if (report.fromHeaders === 0) findings.push(finding("FROM_MISSING", "no From header"));
  else if (report.fromMailboxes === 0)
    findings.push(finding("FROM_MISSING", "the From header holds no address"));
  else if (report.fromHeaders > 1 || report.fromMailboxes > 1) {
    findings.push(
      finding("FROM_MULTIPLE", `${report.fromHeaders} From header(s) with ${report.fromMailboxes} mailboxes`),
    );
  }
  if (report.messageId === null) findings.push(finding("MESSAGE_ID_MISSING", "no Message-ID header"));
  else if (!MESSAGE_ID.test(report.messageId))
    findings.push(finding("MESSAGE_ID_MALFORMED", `Message-ID: ${report.messageId}`));
  if (report.date === null) findings.push(finding("DATE_MISSING", "no Date header"));
  else if (!DATE_SHAPE.test(report.date) || Number.isNaN(Date.parse(report.date))) {
    findings.push(finding("DATE_INVALID", `Date: ${report.date}`));
  }
  const duplicated = report.duplicated.filter((key) => key !== "from");
  if (duplicated.length > 0) findings.push(finding("HEADER_DUPLICATED", duplicated.join(", ")));
  if (headerValues(email, "subject").length === 0)
    findings.push(finding("SUBJECT_MISSING", "no Subject header"));
  return findings;
}
