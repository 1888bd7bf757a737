import { limitOf } from "../../util/limits.ts";
import { type HeaderField, headerValue, parseHeaderBlock } from "./headers.ts";

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

/**
 * The bare address in "<a@b>", "a@b (comment)", "rfc822;a@b"; a quoted local part keeps its quotes
 * ('"neko....nyaan...."@example.org', RFC 5321 §4.1.2: without them it is no address).
 */
export function bareAddress(value: string | null): string | null {
  const stripped = stripType(value);
  if (!stripped) return null;
  const angle = /<([^<>\s]{1,64}@[^<>\s]{1,255})>/.exec(stripped);
  if (angle) return angle[1];
  const plain = /(?:"[^"\s\\]{1,62}"|[^\s<>()"',;:@]{1,64})@[^\s<>()"',;:]{0,254}[^\s<>()"',;:.]/.exec(
    stripped,
  );
  return plain ? plain[0] : null;
}

/**
 * Final-Recipient, Original-Recipient or X-Actual-Recipient: a per-recipient group has at least one (RFC 3464
 * §2.3). By length first, then HeaderField.isNamed: no lower-case copy of any other name is made.
 */
function isRecipientField(field: HeaderField): boolean {
  const length = field.nameLength;
  if (length === 15) return field.isNamed("final-recipient");
  return length === 18 && (field.isNamed("original-recipient") || field.isNamed("x-actual-recipient"));
}

/**
 * Some MTAs omit the blank line between per-recipient groups: a recipient field seen twice starts a new
 * recipient. A group that needs no split is returned as it is (most do).
 */
function splitRecipients(fields: HeaderField[]): HeaderField[][] {
  let groups: HeaderField[][] | null = null;
  let from = 0;
  let finalSeen = false;
  let originalSeen = false;
  let actualSeen = false;
  for (let i = 0; i < fields.length; i++) {
    if (!isRecipientField(fields[i])) continue;
    const name = fields[i].name;
    const seen =
      name === "final-recipient" ? finalSeen : name === "original-recipient" ? originalSeen : actualSeen;
    if (seen) {
      groups ??= [];
      groups.push(fields.slice(from, i));
      from = i;
      finalSeen = originalSeen = actualSeen = false;
    }
    if (name === "final-recipient") finalSeen = true;
    else if (name === "original-recipient") originalSeen = true;
    else actualSeen = true;
  }
  if (groups === null) return [fields];
  groups.push(fields.slice(from));
  return groups;
}

/**
 * A Final-Recipient that is not an Internet address — source-routed ("@relay:user@host", RFC 5321 §4.1.2's
 * obsolete form, C.1) or with a dot-less host — is the receiving side's internal route (Oracle Messaging
 * Server: "rfc822;@smtp.example.net:kijitora@server"); the Original-Recipient is then the address the sender
 * used (RFC 3464 §2.3.1), the one to suppress — as Sisimai reads it (sisimai go lhost/via-messagingserver.go
 * skips an address that is not an Internet address and takes "Original address:").
 */
function internalRoute(finalRecipient: string | null): boolean {
  const value = stripType(finalRecipient);
  if (value === null) return false;
  if (/^<?@/.test(value)) return true;
  const host = /@([^\s<>()"',;:@]{1,255})/.exec(value)?.[1];
  return host !== undefined && !host.includes(".") && !host.startsWith("[");
}

/**
 * An X.400 gateway's Diagnostic-Code is the X.400 report's non-delivery reason and diagnostic ("Reason 1
 * (Unable-To-Transfer); Diagnostic -1 (Unknown)", X.411's NonDeliveryReasonCode / NonDeliveryDiagnosticCode),
 * which says only that the gateway could not pass the message on; the failure it met is in the report's
 * supplementary information, written as X400-Supplementary-Info (RFC 2156, MIXER:
 * https://www.rfc-editor.org/rfc/rfc2156): "MTA '62.6.150.133' gives error message 5.7.1 Unable to relay for …".
 */
const X400_REASON = /^\s*(?:x-?400\s*;\s*)?reason\s+\d{1,3}\b/i;

/** The supplementary information's text, without the quotes the gateway writes around it. */
const unquoted = (value: string): string => value.trim().replace(/^"([\s\S]*)"$/, "$1");

/** One recipient's fields read in one pass over its group (the first of each field counts, as headerValue). */
function recipientOf(fields: HeaderField[]): DsnRecipient {
  let finalRecipient: string | null = null;
  let actualRecipient: string | null = null;
  let originalRecipient: string | null = null;
  let status: string | null = null;
  let action: string | null = null;
  let remoteMta: string | null = null;
  let diagnosticCode: string | null = null;
  let lastAttempt: string | null = null;
  let bounceCategory: string | null = null;
  let x400Info: string | null = null;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    // By the name's length first, then HeaderField.isNamed: no lower-case copy of a name (every field of a group).
    switch (field.nameLength) {
      case 15:
        if (field.isNamed("final-recipient")) finalRecipient ??= field.value;
        else if (field.isNamed("diagnostic-code")) diagnosticCode ??= field.value;
        break;
      case 18:
        if (field.isNamed("x-actual-recipient")) actualRecipient ??= field.value;
        else if (field.isNamed("original-recipient")) originalRecipient ??= field.value;
        break;
      case 6:
        if (field.isNamed("status")) status ??= field.value;
        else if (field.isNamed("action")) action ??= field.value;
        break;
      case 10:
        if (field.isNamed("remote-mta")) remoteMta ??= field.value;
        break;
      case 17:
        if (field.isNamed("last-attempt-date")) lastAttempt ??= field.value;
        break;
      case 25:
        if (field.isNamed("x-powermta-bouncecategory")) bounceCategory ??= field.value;
        break;
      case 23:
        if (field.isNamed("x400-supplementary-info")) x400Info ??= field.value;
        break;
    }
  }
  const original = internalRoute(finalRecipient) ? bareAddress(originalRecipient) : null;
  return {
    recipient:
      original ??
      bareAddress(finalRecipient) ??
      bareAddress(actualRecipient) ??
      bareAddress(originalRecipient),
    action: action?.toLowerCase().split(/[\s(]/)[0] ?? null,
    status: status ? (/\b[245]\.\d{1,3}\.\d{1,3}\b/.exec(status)?.[0] ?? null) : null,
    statusComment: status ? (/\(([^()]{1,200})\)/.exec(status)?.[1].trim() ?? null) : null,
    remoteMta: stripType(remoteMta),
    diagnostic:
      x400Info !== null && X400_REASON.test(diagnosticCode ?? "")
        ? unquoted(x400Info)
        : stripType(diagnosticCode),
    diagnosticType: /^\s*([\w-]+)\s*;/.exec(diagnosticCode ?? "")?.[1].toLowerCase() ?? null,
    lastAttempt,
    bounceCategory: bounceCategory?.trim().toLowerCase() ?? null,
    toProgram: /^\s*x-unix\s*;\s*"?\|/i.test(actualRecipient ?? finalRecipient ?? ""),
  };
}

/** Whether a group names a recipient (an index loop: no closure per group). */
function hasRecipientField(fields: readonly HeaderField[]): boolean {
  for (let i = 0; i < fields.length; i++) if (isRecipientField(fields[i])) return true;
  return false;
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
    if (hasRecipientField(group.fields)) {
      const groupsOfOne = splitRecipients(group.fields);
      for (let i = 0; i < groupsOfOne.length; i++) result.recipients.push(recipientOf(groupsOfOne[i]));
    } else {
      result.reportingMta ??= stripType(headerValue(group, "reporting-mta"));
      result.arrivalDate ??= headerValue(group, "arrival-date");
      // A recipient's group that lost its Final-Recipient (Action with a Status or Diagnostic-Code): its
      // failure is kept, the recipient is looked for in the report's text.
      if (
        headerValue(group, "action") !== null &&
        (headerValue(group, "status") !== null || headerValue(group, "diagnostic-code") !== null)
      )
        result.recipients.push({ ...recipientOf(group.fields), unnamed: true });
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
