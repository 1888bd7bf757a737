import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import { HARD_BOUNCE_SQL } from "../../src/measures/index.ts";
import { Store } from "../../src/store/index.ts";
import { scratchDir } from "../../testkit/scratch.ts";
import { sesBounceLine } from "../../testkit/ses-bounce.ts";

/**
 * The SES event stream reads SES's verdict on a bounce from the same table as the SES email reader
 * (src/bounce/rules/ses-bounce-types.ts): a Permanent/NoEmail bounce with no diagnosticCode is the address that
 * does not exist (a hard bounce), a Transient/MailboxFull one a full mailbox; a subtype that names no cause
 * (Permanent/General) leaves the reason to the reply, and with none it stays undefined (no hard bounce).
 */
test("ses: a bounce subtype that names a cause gives its reason when the reply is missing, in both readers", async () => {
  const dir = scratchDir("deliverlens-ses-subtypes-");
  const file = join(dir, "ses.jsonl");
  const bounce = (
    recipient: string,
    bounceType: string,
    bounceSubType: string,
    id: string,
    diagnostic?: string,
  ) =>
    sesBounceLine(
      recipient,
      { bounceType, bounceSubType },
      id,
      diagnostic ? { action: "failed", status: "5.7.1", diagnosticCode: `smtp; ${diagnostic}` } : {},
    );
  writeFileSync(
    file,
    [
      bounce("noemail@example.org", "Permanent", "NoEmail", "b1"),
      bounce("general@example.org", "Permanent", "General", "b2"),
      bounce("full@example.org", "Transient", "MailboxFull", "b3"),
      // The reply still refines NoEmail's guess: a spam filter's refusal is no unknown address.
      bounce("spam@example.org", "Permanent", "NoEmail", "b4", "550 5.7.1 Message rejected as spam"),
    ].join("\n"),
  );
  for (const fastPath of [true, false]) {
    const store = await Store.open(":memory:");
    try {
      const summary = await ingestFile(store, file, { format: "ses", fastPath });
      assert.equal(summary.reader, fastPath ? "duckdb" : "parsers");
      const rows = await store.all<{ recipient: string; reason: string }>(
        "SELECT recipient, reason FROM events ORDER BY recipient",
      );
      assert.deepEqual(
        rows,
        [
          { recipient: "full@example.org", reason: "mailboxfull" },
          { recipient: "general@example.org", reason: "undefined" },
          { recipient: "noemail@example.org", reason: "userunknown" },
          { recipient: "spam@example.org", reason: "spamdetected" },
        ],
        summary.reader,
      );
      const hard = await store.all<{ recipient: string }>(
        `SELECT recipient FROM events WHERE ${HARD_BOUNCE_SQL} ORDER BY recipient`,
      );
      assert.deepEqual(hard, [{ recipient: "noemail@example.org" }], summary.reader);
    } finally {
      store.close();
    }
  }
});

test("ses: a notification SES did not send for is a drop of a suppressed address by email as in the event stream", async () => {
  const dir = scratchDir("deliverlens-ses-suppressed-");
  const complaint = (recipient: string, id: string, subType: string | null) =>
    JSON.stringify({
      notificationType: "Complaint",
      complaint: {
        complainedRecipients: [{ emailAddress: recipient }],
        timestamp: "2026-01-27T15:00:00.000Z",
        feedbackId: id,
        complaintFeedbackType: "abuse",
        complaintSubType: subType,
      },
      mail: { timestamp: "2026-01-27T14:59:38.237Z", source: "john@example.org", messageId: `m-${id}` },
    });
  const notifications = [
    sesBounceLine("listed@example.org", { bounceType: "Permanent", bounceSubType: "Suppressed" }, "b1"),
    complaint("account-listed@example.org", "c1", "OnAccountSuppressionList"),
    complaint("angry@example.org", "c2", null),
  ];
  const stream = join(dir, "ses.jsonl");
  writeFileSync(stream, `${notifications.join("\n")}\n`);
  // The same notifications by email (an SNS email subscription), one message each.
  const mbox = join(dir, "ses.mbox");
  writeFileSync(
    mbox,
    notifications
      .map(
        (body, i) =>
          `From no-reply@sns.amazonaws.com Tue Jan 27 15:00:0${i} 2026\nFrom: no-reply@sns.amazonaws.com\nTo: john@example.org\nSubject: AWS Notification Message\nMessage-ID: <n${i}@sns.amazonaws.com>\nDate: Tue, 27 Jan 2026 15:00:0${i} +0000\n\n${body}\n\n`,
      )
      .join(""),
  );
  const expected = [
    { recipient: "account-listed@example.org", type: "dropped", reason: "suppressed" },
    { recipient: "angry@example.org", type: "complaint", reason: "feedback" },
    { recipient: "listed@example.org", type: "dropped", reason: "suppressed" },
  ];
  for (const [file, format] of [
    [stream, "ses"],
    [mbox, "email"],
  ] as const) {
    const store = await Store.open(":memory:");
    try {
      await ingestFile(store, file, { format });
      const rows = await store.all<{ recipient: string; type: string; reason: string }>(
        "SELECT recipient, type::VARCHAR AS type, reason FROM events ORDER BY recipient",
      );
      assert.deepEqual(rows, expected, format);
    } finally {
      store.close();
    }
  }
});

/**
 * Review R26: SES's subtype is a coarse label. A provider's own rule for the reply (Apple's CS01, Gmail's host
 * messages) is more specific and decides; words that the address does not exist keep category recipient.
 * The same in the SES event stream (both readers) and in SES notifications by email.
 */
test("ses: a provider's own rule decides over SES's subtype label, in every SES reader", async () => {
  const dir = scratchDir("deliverlens-ses-label-");
  const rows: [string, string, string, string][] = [
    [
      "x1@icloud.com",
      "ContentRejected",
      "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137",
      "policyviolation/reputation",
    ],
    [
      "x3@gmail.com",
      "MailboxFull",
      "550 5.1.1 The email account that you tried to reach does not exist.",
      "userunknown/recipient",
    ],
    [
      "x7@gmail.com",
      "AttachmentRejected",
      "552 5.7.0 This message was blocked because its content presents a potential security issue.",
      "policyviolation/reputation",
    ],
    // No provider rule: the label decides, the words still say the address is gone.
    [
      "x4@example.org",
      "MailboxFull",
      "550 5.1.1 <x4@example.org>: Recipient address rejected: User unknown",
      "mailboxfull/recipient",
    ],
  ];
  const lines = rows.map(([recipient, subType, reply], i) =>
    sesBounceLine(recipient, { bounceType: "Transient", bounceSubType: subType }, `l${i}`, {
      diagnosticCode: `smtp; ${reply}`,
    }),
  );
  const stream = join(dir, "ses.jsonl");
  writeFileSync(stream, `${lines.join("\n")}\n`);
  const expected = rows
    .map(([recipient, , , verdict]) => ({ recipient, verdict }))
    .sort((a, b) => a.recipient.localeCompare(b.recipient));
  for (const fastPath of [true, false]) {
    const store = await Store.open(":memory:");
    try {
      await ingestFile(store, stream, { format: "ses", fastPath });
      const got = await store.all<{ recipient: string; verdict: string }>(
        "SELECT recipient, reason || '/' || category AS verdict FROM events ORDER BY recipient",
      );
      assert.deepEqual(got, expected, fastPath ? "duckdb" : "parsers");
    } finally {
      store.close();
    }
  }
  for (const [i, line] of lines.entries()) {
    const { records } = recordsFromEmail(
      Buffer.from(
        `From: no-reply@sns.amazonaws.com\nTo: john@example.org\nSubject: AWS Notification Message\n\n${line}\n`,
      ),
      "ses.eml",
    );
    assert.equal(`${records[0].reason}/${records[0].category}`, rows[i][3], rows[i][0]);
  }
});
