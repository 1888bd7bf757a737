import { stripType } from "../email/dsn.ts";
import { type RuleRef, ruleRef } from "../record.ts";
import {
  SES_BOUNCE_SUBTYPES,
  SES_BOUNCE_TYPES_PAGE,
  SES_SUPPRESSED_COMPLAINT_SUBTYPE,
  sesSubtypeHint,
} from "../rules/ses-bounce-types.ts";
import type { Reason } from "../vocabulary.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/**
 * Amazon SES notifications delivered by email (SNS email subscription): the body is the notification JSON,
 * raw or inside an SNS envelope whose `Message` is the JSON as a string.
 */

interface SesRecipient {
  emailAddress?: unknown;
  status?: unknown;
  action?: unknown;
  diagnosticCode?: unknown;
}

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | null =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : null;
const asString = (value: unknown): string | null => (typeof value === "string" ? value : null);
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function notificationOf(text: string): Json | null {
  const start = text.indexOf("{");
  if (start < 0) return null;
  let parsed: Json | null;
  try {
    // Mail transport wraps the one-line JSON: line breaks inside it are not part of it.
    parsed = asObject(JSON.parse(text.slice(start, text.lastIndexOf("}") + 1).replace(/\r?\n/g, "")));
  } catch {
    return null;
  }
  const message = asString(parsed?.Message);
  if (message) {
    try {
      parsed = asObject(JSON.parse(message));
    } catch {
      return null;
    }
  }
  return parsed;
}

const SES_SISIMAI = "sisimai go lhost/via-amazonses.go (github.com/sisimai/go-sisimai, BSD-2-Clause)";

/** Each subtype's reason and the rule it is shown as, by "bounceType/bounceSubType". */
const SUBTYPE_VERDICTS: ReadonlyMap<string, { reason: Reason; rule: RuleRef }> = new Map(
  SES_BOUNCE_SUBTYPES.map((entry) => [
    `${entry.bounceType}/${entry.bounceSubType}`,
    {
      reason: entry.reason,
      rule: ruleRef(
        `ses-bounce-subtype-${entry.bounceSubType.toLowerCase()}`,
        `${SES_BOUNCE_TYPES_PAGE}; ${SES_SISIMAI}`,
      ),
    },
  ]),
);

function bounces(body: Json): RecipientReport[] {
  const bounce = asObject(body.bounce) ?? {};
  const remoteMta = stripType(asString(bounce.reportingMTA));
  const verdict = SUBTYPE_VERDICTS.get(`${asString(bounce.bounceType)}/${asString(bounce.bounceSubType)}`);
  return asList(bounce.bouncedRecipients).map((item): RecipientReport => {
    const recipient = (asObject(item) ?? {}) as SesRecipient;
    return {
      recipient: asString(recipient.emailAddress),
      diagnostic: stripType(asString(recipient.diagnosticCode)) ?? "",
      status: asString(recipient.status),
      action: asString(recipient.action),
      remoteMta,
      time: asString(bounce.timestamp),
      hintReason: verdict ? sesSubtypeHint(verdict.reason) : null,
      hintSource: verdict?.rule ?? null,
    };
  });
}

const SUPPRESSED_COMPLAINT = ruleRef(
  "ses-complaint-subtype-onaccountsuppressionlist",
  "https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html#complaint-object",
);

function complaints(body: Json): RecipientReport[] {
  const complaint = asObject(body.complaint) ?? {};
  // SES did not send to an address on the account's suppression list: suppressed, not a new complaint.
  const suppressed = asString(complaint.complaintSubType) === SES_SUPPRESSED_COMPLAINT_SUBTYPE;
  return asList(complaint.complainedRecipients).map(
    (item): RecipientReport => ({
      recipient: asString(asObject(item)?.emailAddress),
      diagnostic: "",
      time: asString(complaint.timestamp),
      hintReason: suppressed ? "suppressed" : "feedback",
      ...(suppressed
        ? { hintSource: SUPPRESSED_COMPLAINT }
        : { feedbackType: asString(complaint.complaintFeedbackType) }),
    }),
  );
}

function deliveries(body: Json): RecipientReport[] {
  const delivery = asObject(body.delivery) ?? {};
  const reply = asString(delivery.smtpResponse) ?? "";
  return asList(delivery.recipients).map(
    (item): RecipientReport => ({
      recipient: asString(item),
      diagnostic: reply,
      remoteMta: asString(delivery.reportingMTA),
      time: asString(delivery.timestamp),
      action: "delivered",
      hintReason: "delivered",
    }),
  );
}

const READERS: Record<string, (body: Json) => RecipientReport[]> = {
  Bounce: bounces,
  Complaint: complaints,
  Delivery: deliveries,
};

export const amazonSesJson: Dialect = {
  id: "amazon-ses-json",
  source:
    "Amazon SES Developer Guide, 'Contents of notifications for Amazon SES' (notificationType, bounce, complaint, delivery)",
  detect: (mail) =>
    mail.reportText.includes('"notificationType"') || mail.reportText.includes('\\"notificationType\\"'),
  parse(mail) {
    const body = notificationOf(mail.reportText);
    const kind = asString(body?.notificationType) ?? asString(body?.eventType) ?? "";
    const read = Object.hasOwn(READERS, kind) ? READERS[kind] : null;
    return body && read ? read(body) : [];
  },
};
