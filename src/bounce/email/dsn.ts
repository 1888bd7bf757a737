import { limitOf } from "../../util/limits.ts";
import { type HeaderBlock, type HeaderField, headerValue, parseHeaderBlock } from "./headers.ts";

/** RFC 3464 delivery-status fields: one per-message group, then one group per recipient. */

export interface DsnRecipient {
  recipient: string | null;
  /** Diagnostic-Code type (smtp, x-unix, x-postfix…), lower-cased. */
  diagnosticType: string | null;
  action: string | null;
  status: string | null;
  /** The reporting MTA's words after the code: "Status: 5.2.1 (mailbox disabled, not accepting messages)". */
  statusComment: string | null;
  remoteMta: string | null;
  diagnostic: string | null;
  /** Delivered to a program ("X-Actual-Recipient: X-Unix; |/usr/bin/procmail"), not to an address. */
  toProgram: boolean;
  lastAttempt: string | null;
  /** The sending MTA's own class of the failure ("X-PowerMTA-BounceCategory: bad-mailbox"), lower-cased. */
  bounceCategory: string | null;
  /** The group had no recipient field at all (a broken report): the recipient must come from the text. */
  unnamed?: boolean;
}

export interface DeliveryStatus {
  reportingMta: string | null;
  arrivalDate: string | null;
  recipients: DsnRecipient[];
}

/** A per-recipient group has at least one of these (RFC 3464 §2.3). */
const RECIPIENT_FIELDS = ["final-recipient", "original-recipient", "x-actual-recipient"];
/** Per-recipient groups read, plus the per-message one: one more than the limit shows it was reached. */
const MAX_GROUPS = limitOf("recipientsPerMessage") + 2;

/**
 * "rfc822; user@example.org" → "user@example.org" (the address-type / mta-type prefix is dropped).
 */
export function stripType(value: string | null): string | null {
  if (value === null) return null;
  const semicolon = value.indexOf(";");
  const rest = (semicolon >= 0 && semicolon < 20 ? value.slice(semicolon + 1) : value).trim();
  return rest === "" ? null : rest;
}

/** The bare address in "<a@b>", "a@b (comment)", "rfc822;a@b". */
export function bareAddress(value: string | null): string | null {
  const stripped = stripType(value);
  if (!stripped) return null;
  const angle = /<([^<>\s]{1,64}@[^<>\s]{1,255})>/.exec(stripped);
  if (angle) return angle[1];
  const plain = /[^\s<>()"',;:@]{1,64}@[^\s<>()"',;:]{0,254}[^\s<>()"',;:.]/.exec(stripped);
  return plain ? plain[0] : null;
}

/**
 * Some MTAs omit the blank line between per-recipient groups: a recipient field seen twice starts a new
 * recipient.
 */
function splitRecipients(fields: HeaderField[]): HeaderField[][] {
  const groups: HeaderField[][] = [[]];
  let seen = new Set<string>();
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (RECIPIENT_FIELDS.includes(field.name) && seen.has(field.name)) {
      groups.push([]);
      seen = new Set();
    }
    seen.add(field.name);
    groups[groups.length - 1].push(field);
  }
  return groups;
}

function recipientOf(group: HeaderBlock): DsnRecipient {
  const recipient =
    bareAddress(headerValue(group, "final-recipient")) ??
    bareAddress(headerValue(group, "x-actual-recipient")) ??
    bareAddress(headerValue(group, "original-recipient"));
  const status = headerValue(group, "status");
  return {
    recipient,
    action: headerValue(group, "action")?.toLowerCase().split(/[\s(]/)[0] ?? null,
    status: status ? (/\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(status)?.[0] ?? null) : null,
    statusComment: status ? (/\(([^()]{1,200})\)/.exec(status)?.[1].trim() ?? null) : null,
    remoteMta: stripType(headerValue(group, "remote-mta")),
    diagnostic: stripType(headerValue(group, "diagnostic-code")),
    diagnosticType:
      /^\s*([\w-]+)\s*;/.exec(headerValue(group, "diagnostic-code") ?? "")?.[1].toLowerCase() ?? null,
    lastAttempt: headerValue(group, "last-attempt-date"),
    bounceCategory: headerValue(group, "x-powermta-bouncecategory")?.trim().toLowerCase() ?? null,
    toProgram: /^\s*x-unix\s*;\s*"?\|/i.test(
      headerValue(group, "x-actual-recipient") ?? headerValue(group, "final-recipient") ?? "",
    ),
  };
}

/** Parse delivery-status text (the body of a message/delivery-status part, or the same fields inline). */
export function parseDeliveryStatus(text: string, start = 0, end = text.length): DeliveryStatus {
  const result: DeliveryStatus = { reportingMta: null, arrivalDate: null, recipients: [] };
  let pos = start;
  for (let groups = 0; pos < end && groups < MAX_GROUPS; groups++) {
    while (pos < end && (text.charCodeAt(pos) === 10 || text.charCodeAt(pos) === 13)) pos++;
    if (pos >= end) break;
    const group = parseHeaderBlock(text, pos, end);
    if (group.fields.length === 0) break;
    if (group.fields.some((field) => RECIPIENT_FIELDS.includes(field.name))) {
      const groupsOfOne = splitRecipients(group.fields);
      for (let i = 0; i < groupsOfOne.length; i++)
        result.recipients.push(recipientOf({ ...group, fields: groupsOfOne[i] }));
    } else {
      result.reportingMta ??= stripType(headerValue(group, "reporting-mta"));
      result.arrivalDate ??= headerValue(group, "arrival-date");
      // A recipient's group that lost its Final-Recipient (Action with a Status or Diagnostic-Code): its
      // failure is kept, the recipient is looked for in the report's text.
      if (
        headerValue(group, "action") !== null &&
        (headerValue(group, "status") !== null || headerValue(group, "diagnostic-code") !== null)
      )
        result.recipients.push({ ...recipientOf(group), unnamed: true });
    }
    if (group.bodyStart <= pos) break;
    pos = group.bodyStart;
  }
  return result;
}

/** Offset of inline delivery-status fields in plain text (MTAs that skip the MIME part), or -1. */
export function findInlineDeliveryStatus(text: string): number {
  const match = /^(?:Reporting-MTA|Final-Recipient|Original-Recipient):/im.exec(text);
  return match ? match.index : -1;
}
