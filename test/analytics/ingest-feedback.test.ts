import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import type { FormatName } from "../../src/events/formats.ts";
import { Store } from "../../src/store/index.ts";
import { arfOfType } from "../../testkit/arf.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * Every reader that sees a feedback type stores what it means (src/bounce/rules/feedback-types.ts): a complaint
 * for abuse, fraud, other, none or an unknown type; an unsubscribe for opt-out; nothing for not-spam, virus
 * and auth-failure (any case) — no complaint, so hygiene never suppresses the address as a complainer.
 */
const TYPES: [string | null, string | null][] = [
  ["abuse", "complaint"],
  ["fraud", "complaint"],
  ["other", "complaint"],
  [null, "complaint"],
  ["some-new-type", "complaint"],
  ["opt-out", "unsubscribe"],
  ["not-spam", null],
  ["Not-Spam", null],
  ["virus", null],
  ["auth-failure", null],
];
const EXPECTED = TYPES.flatMap(([type, event], i) =>
  event === null ? [] : [{ recipient: who(i, type), type: event }],
);

function who(i: number, type: string | null): string {
  return `r${i}-${(type ?? "none").toLowerCase()}@example.com`;
}

const dir = scratchDir("deliverlens-ingest-feedback-");

/** One record per feedback type, in each format that carries one. */
const WRITERS: Record<string, (type: string | null, recipient: string, i: number) => string> = {
  ses: (type, recipient, i) =>
    JSON.stringify({
      notificationType: "Complaint",
      complaint: {
        complainedRecipients: [{ emailAddress: recipient }],
        timestamp: "2026-01-27T15:00:00.000Z",
        feedbackId: `f${i}`,
        ...(type === null ? {} : { complaintFeedbackType: type }),
      },
      mail: {
        timestamp: "2026-01-27T14:59:38.237Z",
        source: "john@example.org",
        messageId: `m${i}`,
        destination: [recipient],
      },
    }),
  sparkpost: (type, recipient, i) =>
    JSON.stringify({
      msys: {
        message_event: {
          type: "spam_complaint",
          event_id: `e${i}`,
          message_id: `m${i}`,
          rcpt_to: recipient,
          timestamp: "1464824548",
          ...(type === null ? {} : { fbtype: type }),
        },
      },
    }),
  kumomta: (type, recipient, i) =>
    JSON.stringify({
      type: "Feedback",
      id: `k${i}`,
      sender: "news@send.example.com",
      recipient,
      queue: "spring-sale:acme@example.com",
      timestamp: 1767225600 + i,
      feedback_report: type === null ? {} : { feedback_type: type },
    }),
  ndjson: (type, recipient) =>
    JSON.stringify({ time: "2026-05-01T10:00:01Z", recipient, type: "complaint", feedback_type: type }),
  pmta: (type, recipient, i) =>
    `f,2026-09-21 12:00:0${i % 10}+0000,b@em.example.com,${recipient},${type ?? ""}`,
};
const HEADERS: Partial<Record<string, string>> = { pmta: "type,timeLogged,orig,rcpt,feedbackType" };

async function storedEvents(file: string, format: FormatName, fastPath: boolean) {
  const store = await Store.open(":memory:");
  try {
    const summary = await ingestFile(store, file, { format, fastPath });
    const rows = await store.all<{ recipient: string; type: string }>(
      "SELECT recipient, type::VARCHAR AS type FROM events ORDER BY recipient",
    );
    return { summary, rows };
  } finally {
    store.close();
  }
}

for (const [format, write] of Object.entries(WRITERS)) {
  test(`${format}: a complaint is what its feedback type says, in DuckDB's reader and the parser alike`, async () => {
    const lines = TYPES.map(([type], i) => write(type, who(i, type), i));
    const header = HEADERS[format];
    const file = join(dir, `${format}.${format === "pmta" ? "csv" : "jsonl"}`);
    writeFileSync(file, `${[...(header ? [header] : []), ...lines].join("\n")}\n`);
    const fast = await storedEvents(file, format as FormatName, true);
    const parsed = await storedEvents(file, format as FormatName, false);
    assert.equal(fast.summary.reader, "duckdb");
    assert.equal(parsed.summary.reader, "parsers");
    for (const { summary, rows } of [fast, parsed]) {
      assert.deepEqual(rows, EXPECTED, `${format} (${summary.reader})`);
      assert.equal(summary.quarantined, 0, `${format} (${summary.reader})`);
    }
  });
}

test("email ingest: an ARF report is a complaint, an unsubscribe or skipped with a note, by its feedback type", async () => {
  const mbox = join(dir, "reports.mbox");
  writeFileSync(
    mbox,
    TYPES.map(
      ([type], i) =>
        `From fbl@example.net Tue Mar  3 12:00:0${i % 10} 2026\n${arfOfType(type).replace("complainer@example.com", who(i, type))}\n`,
    ).join(""),
  );
  const { summary, rows } = await storedEvents(mbox, "email", true);
  assert.deepEqual(rows, EXPECTED);
  assert.deepEqual(summary.notes.sort(), [
    "2 × an ARF not-spam report, not a complaint: skipped",
    "a DMARC failure report (ARF auth-failure), not a complaint: skipped",
    "an ARF virus report, not a complaint: skipped",
  ]);
});

test("ses: a complaint SES did not send for (subtype OnAccountSuppressionList) is a drop of a suppressed address, no new complaint", async () => {
  const file = join(dir, "ses-suppressed.jsonl");
  const record = (recipient: string, subType: string | null) => {
    const line = JSON.parse(WRITERS.ses("abuse", recipient, 0));
    line.complaint.complaintSubType = subType;
    return JSON.stringify(line);
  };
  writeFileSync(
    file,
    `${record("listed@example.com", "OnAccountSuppressionList")}\n${record("new@example.com", null)}\n`,
  );
  for (const fastPath of [true, false]) {
    const store = await Store.open(":memory:");
    try {
      const summary = await ingestFile(store, file, { format: "ses", fastPath });
      assert.equal(summary.reader, fastPath ? "duckdb" : "parsers");
      const rows = await store.all<{ recipient: string; type: string; reason: string }>(
        "SELECT recipient, type::VARCHAR AS type, reason FROM events ORDER BY recipient",
      );
      assert.deepEqual(rows, [
        { recipient: "listed@example.com", type: "dropped", reason: "suppressed" },
        { recipient: "new@example.com", type: "complaint", reason: "feedback" },
      ]);
    } finally {
      store.close();
    }
  }
});

test("postmark: a SpamComplaint is the recipient's complaint, a SpamNotification the receiver's spam filter (a bounce), in both readers", async () => {
  const file = join(dir, "postmark-spam.json");
  const bounce = (recipient: string, type: string, id: number) => ({
    RecordType: "Bounce",
    ID: id,
    Type: type,
    MessageID: `m${id}`,
    Details: "",
    Email: recipient,
    From: "sender@example.com",
    BouncedAt: "2024-01-15T10:30:00Z",
  });
  writeFileSync(
    file,
    `${JSON.stringify(bounce("filtered@example.com", "SpamNotification", 1))}\n${JSON.stringify(bounce("complainer@example.com", "SpamComplaint", 2))}\n`,
  );
  for (const fastPath of [true, false]) {
    const store = await Store.open(":memory:");
    try {
      await ingestFile(store, file, { format: "postmark", fastPath });
      const rows = await store.all<{ recipient: string; type: string; reason: string; category: string }>(
        "SELECT recipient, type::VARCHAR AS type, reason, category FROM events ORDER BY recipient",
      );
      assert.deepEqual(rows, [
        { recipient: "complainer@example.com", type: "complaint", reason: "feedback", category: "complaint" },
        { recipient: "filtered@example.com", type: "bounced", reason: "spamdetected", category: "content" },
      ]);
    } finally {
      store.close();
    }
  }
});

test("postmark: the SpamComplaint webhook and the Bounces API's record of it are one complaint when both are ingested", async () => {
  const complaint = {
    ID: 42,
    Type: "SpamComplaint",
    TypeCode: 512,
    Name: "Spam complaint",
    MessageID: "00000000-0000-0000-0000-000000000000",
    Details: "Test spam complaint details",
    Email: "john@example.com",
    From: "sender@example.com",
    BouncedAt: "2019-11-05T16:33:54.9070259Z",
  };
  const webhook = join(dir, "postmark-complaint-webhook.json");
  const page = join(dir, "postmark-complaint-page.json");
  writeFileSync(webhook, `${JSON.stringify({ RecordType: "SpamComplaint", ...complaint })}\n`);
  writeFileSync(page, JSON.stringify({ TotalCount: 1, Bounces: [complaint] }, null, 2));
  for (const fastPath of [true, false]) {
    const store = await Store.open(":memory:");
    try {
      await ingestFile(store, webhook, { format: "postmark", fastPath });
      await ingestFile(store, page, { format: "postmark", fastPath });
      const rows = await store.all<{ type: string; n: number }>(
        "SELECT type::VARCHAR AS type, count(*)::INTEGER AS n FROM events GROUP BY ALL",
      );
      assert.deepEqual(rows, [{ type: "complaint", n: 1 }]);
    } finally {
      store.close();
    }
  }
});
