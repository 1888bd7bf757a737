import assert from "node:assert/strict";
import { test } from "node:test";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import { SES_BOUNCE_SUBTYPES } from "../../src/bounce/rules/ses-bounce-types.ts";

/** An SES bounce notification by email (SNS), with the given verdict and the recipient's reply. */
function notification(bounceType: string, bounceSubType: string, diagnosticCode: string): Buffer {
  const body = {
    notificationType: "Bounce",
    bounce: {
      bounceType,
      bounceSubType,
      bouncedRecipients: [
        { emailAddress: "kijitora@example.jp", action: "failed", status: "5.0.0", diagnosticCode },
      ],
      timestamp: "2026-03-03T09:59:59.000Z",
      reportingMTA: "dsn; a27-1.smtp-out.us-west-2.amazonses.com",
    },
    mail: { timestamp: "2026-03-03T09:59:58.000Z", source: "sender@example.com" },
  };
  return Buffer.from(
    `From: no-reply@sns.amazonaws.com\nTo: sender@example.com\nSubject: AWS Notification Message\n\n${JSON.stringify(body)}\n`,
  );
}

test("an SES bounce subtype that names a cause gives the recipient its reason (sisimai go lhost/via-amazonses.go)", () => {
  for (const entry of SES_BOUNCE_SUBTYPES) {
    const { records } = recordsFromEmail(
      notification(entry.bounceType, entry.bounceSubType, "smtp; 554 Transaction failed"),
      "ses.eml",
    );
    assert.equal(records.length, 1, entry.bounceSubType);
    assert.equal(records[0].reason, entry.reason, entry.bounceSubType);
    assert.equal(records[0].rule.id, `ses-bounce-subtype-${entry.bounceSubType.toLowerCase()}`);
    assert.match(records[0].rule.source, /docs\.aws\.amazon\.com/);
  }
});

test("SES's suppression-list bounce is 'suppressed', not the unknown user its text describes", () => {
  const text =
    "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address.";
  const { records } = recordsFromEmail(notification("Permanent", "Suppressed", text), "ses.eml");
  assert.equal(records[0].reason, "suppressed");
  // A subtype that names no cause leaves the reply to decide.
  const general = recordsFromEmail(
    notification("Permanent", "General", "smtp; 550 5.1.1 user unknown"),
    "ses.eml",
  );
  assert.equal(general.records[0].reason, "userunknown");
});
