import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { emailItems } from "../../src/pipeline/email-events.ts";
import { eventKeySql, IDENTITY_SQL, Store } from "../../src/store/index.ts";
import { writeOldStore } from "../../testkit/old-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-email-identity-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  messageId: string | null;
  recipients: string[];
  /** Every recipient's diagnostic. */
  diagnostic?: string;
  date?: string;
  /** The original message's Message-ID (the events' message_id). */
  original?: string;
}

/** A Postfix-style RFC 3464 report, as an mbox message (its `From ` line first). */
function dsn({ messageId, recipients, diagnostic, date, original }: Report): string {
  const reply = diagnostic ?? "550 5.1.1 Recipient address rejected: User unknown in local recipient table";
  const fields = recipients
    .map(
      (to) =>
        `Final-Recipient: rfc822; ${to}\nAction: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.org\nDiagnostic-Code: smtp; ${reply}\n`,
    )
    .join("\n");
  return `From MAILER-DAEMON Tue Mar  3 10:00:00 2026
Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mta.example.net>
To: sender@example.net
Subject: Undelivered Mail Returned to Sender
Date: ${date ?? "Tue, 03 Mar 2026 10:00:00 +0000"}
${messageId ? `Message-ID: ${messageId}\n` : ""}MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="B0UND"

--B0UND
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mta.example.net.

--B0UND
Content-Type: message/delivery-status

Reporting-MTA: dns; mta.example.net

${fields}
--B0UND
Content-Type: text/rfc822-headers

From: sender@example.net
Subject: Hello
Message-ID: ${original ?? "<hello.1@example.net>"}

--B0UND--

`;
}

const write = (name: string, reports: Report[]): string => {
  const path = join(dir, name);
  writeFileSync(path, reports.map(dsn).join(""));
  return path;
};

const counts = (summary: { read: number; stored: number; duplicates: number }) => ({
  read: summary.read,
  stored: summary.stored,
  duplicates: summary.duplicates,
});

const WITH_ID: Report = {
  messageId: "<20260303100000.A1@mta.example.net>",
  recipients: ["first@example.org", "second@example.org"],
};
const WITHOUT_ID: Report = {
  messageId: null,
  recipients: ["gone@example.org"],
  original: "<hello.2@example.net>",
};

test("a bounce email's event identity is its report, recipient and type, not the diagnostic read from it", () => {
  const ids = (report: Report) =>
    emailItems(Buffer.from(dsn(report)), "x.mbox", 1).map((item) =>
      "eventId" in item ? item.eventId : null,
    );
  const once = ids(WITH_ID);
  assert.equal(once.length, 2);
  assert.equal(new Set(once).size, 2);
  // The same report read otherwise (another diagnostic) keeps its identity; another report does not.
  assert.deepEqual(ids({ ...WITH_ID, diagnostic: "550 5.1.1 <first@example.org>: no such user" }), once);
  assert.notDeepEqual(ids({ ...WITH_ID, messageId: "<20260303100000.B2@mta.example.net>" }), once);
  // One Message-ID reused by another report (anonymised or sample mail): told apart by its Date.
  assert.notDeepEqual(ids({ ...WITH_ID, date: "Tue, 03 Mar 2026 10:05:00 +0000" }), once);
  // Without a Message-ID: the report's Date and body, whatever the line ends and added header fields.
  const bare = ids(WITHOUT_ID);
  const crlf = emailItems(Buffer.from(dsn(WITHOUT_ID).replace(/\n/g, "\r\n")), "x.eml", null);
  assert.deepEqual(
    crlf.map((item) => ("eventId" in item ? item.eventId : null)),
    bare,
  );
  const delivered = emailItems(
    Buffer.from(
      dsn(WITHOUT_ID).replace("Return-Path: <>\n", "Return-Path: <>\nStatus: RO\nDelivered-To: s@x\n"),
    ),
    "x.mbox",
    1,
  );
  assert.deepEqual(
    delivered.map((item) => ("eventId" in item ? item.eventId : null)),
    bare,
  );
  assert.notDeepEqual(ids({ ...WITHOUT_ID, date: "Tue, 03 Mar 2026 10:00:01 +0000" }), bare);
});

test("a bounce email's original Message-ID is stored bare, and `<>` as no id (review R35)", () => {
  const messageIds = (original: string) =>
    emailItems(Buffer.from(dsn({ ...WITH_ID, original })), "x.mbox", 1).map((item) =>
      "messageId" in item ? item.messageId : undefined,
    );
  assert.deepEqual(messageIds("<hello.1@example.net>"), ["hello.1@example.net", "hello.1@example.net"]);
  assert.deepEqual(messageIds("<>"), [null, null]);
});

test("an mbox holding the same report twice stores it once; two reports for one recipient in the same second are both kept", async () => {
  const store = await Store.open(":memory:");
  try {
    const twice = await ingestFile(store, write("twice.mbox", [WITH_ID, WITHOUT_ID, WITH_ID, WITHOUT_ID]));
    assert.deepEqual(counts(twice), { read: 6, stored: 3, duplicates: 3 });
    // Another report for the same recipients, message and second (another Message-ID; another body): kept.
    // So is one reusing the first's Message-ID with another Date.
    const other = await ingestFile(
      store,
      write("other.mbox", [
        { ...WITH_ID, messageId: "<20260303100000.B2@mta.example.net>" },
        { ...WITHOUT_ID, diagnostic: "550 5.2.1 mailbox disabled" },
        { ...WITH_ID, date: "Tue, 03 Mar 2026 10:05:00 +0000" },
      ]),
    );
    assert.deepEqual(counts(other), { read: 5, stored: 5, duplicates: 0 });
    const rows = await store.all<{ recipient: string; n: number }>(
      "SELECT recipient, count(*)::INTEGER AS n FROM events GROUP BY recipient ORDER BY recipient",
    );
    assert.deepEqual(rows, [
      { recipient: "first@example.org", n: 3 },
      { recipient: "gone@example.org", n: 2 },
      { recipient: "second@example.org", n: 3 },
    ]);
  } finally {
    store.close();
  }
});

/**
 * A version-13 store holding `mbox` as the code before version 14 stored it: the rows today's ingest writes,
 * keyed by the old identity (IDENTITY_SQL: the diagnostic included), their reply as `oldReply` makes it.
 */
async function oldStoreOf(name: string, mbox: string, oldReply = "reply"): Promise<string> {
  const fresh = join(dir, `${name}-new.duckdb`);
  const store = await Store.open(fresh);
  await ingestFile(store, mbox);
  store.close();
  const path = join(dir, `${name}.duckdb`);
  await writeOldStore(path, 13, [
    `ATTACH '${fresh}' AS n (READ_ONLY)`,
    "INSERT INTO files SELECT * FROM n.files",
    "INSERT INTO reply_classes SELECT * FROM n.reply_classes",
    "INSERT INTO classifier_state SELECT * FROM n.classifier_state",
    `INSERT INTO event_rows SELECT * REPLACE (${eventKeySql(IDENTITY_SQL)} AS event_key)
      FROM (SELECT * EXCLUDE (queue_id) REPLACE (${oldReply} AS reply) FROM n.event_rows)`,
    "DETACH n",
  ]);
  return path;
}

test("a store written before version 14: the same mailbox ingested again stores nothing, even after a reader change", async () => {
  const mbox = write("old.mbox", [WITH_ID, WITHOUT_ID]);
  // As the old code stored it, and as an old reader that extracted the diagnostic otherwise stored it.
  for (const oldReply of ["reply", "reply || ' (read by an older reader)'"]) {
    const path = await oldStoreOf(`old-${oldReply.length}`, mbox, oldReply);
    const store = await Store.open(path);
    try {
      const keysBefore = await store.all<{ k: bigint }>("SELECT event_key AS k FROM event_rows ORDER BY 1");
      const legacy = await store.all<{ file_id: number }>("SELECT file_id FROM legacy_email_files");
      assert.deepEqual(legacy, [{ file_id: 1 }]);
      const again = await ingestFile(store, mbox);
      assert.deepEqual(counts(again), { read: 3, stored: 0, duplicates: 3 });
      // Not by chance: the new keys are not the old ones.
      const fresh = await Store.open(":memory:");
      await ingestFile(fresh, mbox);
      const newKeys = await fresh.all<{ k: bigint }>("SELECT event_key AS k FROM event_rows ORDER BY 1");
      fresh.close();
      assert.equal(newKeys.filter((row) => keysBefore.some((old) => old.k === row.k)).length, 0);
      // A new report for one of those recipients is stored; the old rows stay as they were.
      const next = await ingestFile(
        store,
        write(`next-${oldReply.length}.mbox`, [
          { ...WITH_ID, messageId: "<n@mta.example.net>", date: "Wed, 04 Mar 2026 10:00:00 +0000" },
        ]),
      );
      assert.deepEqual(counts(next), { read: 2, stored: 2, duplicates: 0 });
      const events = await store.one<{ n: number }>("SELECT count(*)::INTEGER AS n FROM events");
      assert.equal(events?.n, 5);
      const keysAfter = await store.all<{ k: bigint }>(
        "SELECT event_key AS k FROM event_rows WHERE file_id = 1 ORDER BY 1",
      );
      assert.deepEqual(keysAfter, keysBefore);
    } finally {
      store.close();
    }
  }
});
