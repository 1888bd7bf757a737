import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/bounce-email");

/** RFC 7489 §7.2.1.1 and RFC 8460 §5.3 report emails (their attachments are not read). */
const DMARC_AGGREGATE = readFileSync(join(FIXTURES, "dmarc-aggregate.eml"), "utf8");
const TLS_REPORT = readFileSync(join(FIXTURES, "tls-report.eml"), "utf8");

test("ingest stores each recipient a bounce email or mbox reports, dated by the message, deduplicated", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-ingest-email-"));
  const store = await Store.open(":memory:");
  try {
    const mbox = await ingestFile(store, join(FIXTURES, "two.mbox"));
    assert.equal(mbox.format, "email");
    assert.deepEqual(
      { read: mbox.read, stored: mbox.stored, duplicates: mbox.duplicates, quarantined: mbox.quarantined },
      { read: 3, stored: 3, duplicates: 0, quarantined: 0 },
    );
    const rows = await store.all<{ recipient: string; type: string; time: string; status: string }>(
      "SELECT recipient, type, strftime(time, '%Y-%m-%dT%H:%M') AS time, status FROM events ORDER BY recipient",
    );
    assert.deepEqual(rows, [
      { recipient: "first@icloud.com", type: "bounced", time: "2026-03-03T10:00", status: "5.7.1" },
      { recipient: "gone@example.org", type: "bounced", time: "2026-03-03T11:00", status: "5.2.2" },
      { recipient: "second@example.org", type: "bounced", time: "2026-03-03T10:00", status: "5.1.1" },
    ]);
    // The same bounce on its own, then the whole mbox again, compressed: nothing new.
    const single = await ingestFile(store, join(FIXTURES, "dsn-two-recipients.eml"));
    assert.equal(single.stored, 0);
    assert.equal(single.duplicates, 2);
    const gz = join(dir, "bounces.mbox.gz");
    writeFileSync(gz, gzipSync(readFileSync(join(FIXTURES, "two.mbox"))));
    const again = await ingestFile(store, gz);
    assert.deepEqual([again.format, again.stored, again.duplicates], ["email", 0, 3]);

    const complaint = await ingestFile(store, join(FIXTURES, "arf-complaint.eml"));
    assert.equal(complaint.stored, 1);
    const types = await store.all<{ type: string; n: number }>(
      "SELECT type, count(*)::INTEGER AS n FROM events GROUP BY type ORDER BY type",
    );
    assert.deepEqual(types, [
      { type: "bounced", n: 3 },
      { type: "complaint", n: 1 },
    ]);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ingest skips DMARC aggregate and TLS reports and auto-replies with a note; a non-bounce is a problem", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-ingest-email-"));
  const store = await Store.open(":memory:");
  try {
    const aggregate = join(FIXTURES, "dmarc-aggregate.eml");
    const tls = join(FIXTURES, "tls-report.eml");
    const reports = join(dir, "reports.mbox");
    writeFileSync(
      reports,
      `From noreply Wed Mar  4 01:00:00 2026\n${DMARC_AGGREGATE}\nFrom noreply Wed Mar  4 02:00:00 2026\n${TLS_REPORT}\nFrom noreply Wed Mar  4 03:00:00 2026\n${DMARC_AGGREGATE.replace("2026.03.03.1", "2026.03.03.2")}`,
    );
    for (const [path, note] of [
      [aggregate, /^a DMARC aggregate report .*skipped$/],
      [tls, /^an SMTP TLS report .*skipped$/],
      [join(FIXTURES, "auto-reply.eml"), /auto-reply.*skipped/],
    ] as const) {
      const summary = await ingestFile(store, path);
      assert.deepEqual([summary.read, summary.stored, summary.quarantined], [0, 0, 0], path);
      assert.equal(summary.notes.length, 1, path);
      assert.match(summary.notes[0], note);
    }
    const mixed = await ingestFile(store, reports);
    assert.deepEqual(mixed.notes.sort(), [
      "2 × a DMARC aggregate report (RFC 7489 §7.2), not a bounce: skipped",
      "an SMTP TLS report (RFC 8460), not a bounce: skipped",
    ]);
    const other = await ingestFile(store, join(FIXTURES, "not-a-bounce.eml"));
    assert.deepEqual([other.read, other.stored, other.quarantined], [1, 0, 1]);
    const quarantined = await store.all<{ path: string; reason: string }>(
      "SELECT path, reason FROM quarantine",
    );
    assert.deepEqual(quarantined, [
      { path: join(FIXTURES, "not-a-bounce.eml"), reason: "not a bounce report: no recipient found" },
    ]);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("where the report's hint decides either way, the store keeps the report's status beside it, as classify does (R107)", async () => {
  const store = await Store.open(":memory:");
  try {
    // Sendmail's Status 5.5.0 over a greeting's "554 IP=… (BL)": blocked by the greeting, with or without it.
    await ingestFile(store, join(FIXTURES, "../sisimai/eml/lhost-sendmail-16.eml"));
    const rows = await store.all<{ status: string | null; reason: string }>(
      "SELECT status, reason FROM events",
    );
    assert.deepEqual(rows, [{ status: "5.5.0", reason: "blocked" }]);
  } finally {
    store.close();
  }
});

test("docomo's 'Unknown user' in a report that shows no phase is no dead address in the store either (review R113)", async () => {
  const store = await Store.open(":memory:");
  try {
    await ingestFile(store, join(FIXTURES, "opensmtpd-docomo-no-phase.eml"));
    const rows = await store.all<{ reason: string; category: string }>("SELECT reason, category FROM events");
    // As `classify` reads it: the recipient-side filter's category, not a bad address (`recipient`).
    assert.deepEqual(rows, [{ reason: "filtered", category: "content" }]);
  } finally {
    store.close();
  }
});

test("a Status the reporting MTA read off a bare reply code decides nothing in the store either (review R107)", async () => {
  const store = await Store.open(":memory:");
  try {
    await ingestFile(store, join(FIXTURES, "sendmail-mapped-status.eml"));
    const rows = await store.all<{
      recipient: string;
      status: string | null;
      reason: string;
      category: string;
    }>("SELECT recipient, status, reason, category FROM events");
    // As `classify` reads it: no verdict on the address (Sendmail's own "5.1.1 … User unknown" is no evidence).
    assert.deepEqual(rows, [
      { recipient: "mc-tls@exim.test", status: null, reason: "undefined", category: "reputation" },
    ]);
  } finally {
    store.close();
  }
});
