import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { Store } from "../../src/store/index.ts";
import { aggregateXml, gzipSync } from "../../testkit/dmarc-reports.ts";
import { postfixLogChunks } from "../../testkit/events-postfix-log.ts";

/**
 * One ingest run over inputs of every kind (src/analytics/ingest/inputs.ts): reports go to the reports
 * reader, what it finds is no report comes back and is ingested as a log after the reports, and an input
 * that cannot be read is a failure that does not stop the rest.
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-ingest-inputs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("reports, a log and a missing file in one run: each read by its reader, the log after the reports", async () => {
  const report = join(dir, "google.com!example.com!1!2.xml.gz");
  writeFileSync(
    report,
    gzipSync(
      aggregateXml({
        reportId: "r1",
        begin: 1_767_225_600,
        end: 1_767_311_999,
        rows: [{ ip: "192.0.2.1", count: 4 }],
      }),
    ),
  );
  const log = join(dir, "maillog");
  writeFileSync(log, [...postfixLogChunks(200, 3)].join(""));
  const missing = join(dir, "gone.log");
  const store = await Store.open(join(dir, "s.duckdb"));
  const seen: string[] = [];
  try {
    const run = await ingestInputs(store, [log, report, missing], {
      fastPath: true,
      onLogs: (bytes) => seen.push(`logs ${bytes}`),
      describeFailure: (error) => `failed: ${(error as NodeJS.ErrnoException).code ?? error}`,
    });
    assert.deepEqual(
      run.reports.map((r) => [r.path, r.stored, r.messages]),
      [[report, 1, 4]],
    );
    assert.deepEqual(
      run.files.map((f) => f.path),
      [log],
    );
    assert.ok(run.files[0].stored > 0, "the log's records are stored");
    assert.deepEqual(run.failures, [{ path: missing, error: "failed: ENOENT" }]);
    // The other inputs' size is told once the reports are in: the log's (the missing file counts 0).
    assert.deepEqual(seen, [`logs ${statSync(log).size}`]);
  } finally {
    store.close();
  }
});

test("a bounce of a report email is a bounce: the report's headers it quotes do not make it a report", async () => {
  // A Postfix notice whose quoted headers are those of a DMARC aggregate report's mail (RFC 7489 §7.2.1.1).
  const notice = [
    "From: MAILER-DAEMON@mail.example.com (Mail Delivery System)",
    "To: dmarc-reports@example.com",
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Tue, 3 Mar 2026 10:00:05 +0000",
    "Message-ID: <bounce-of-a-report@mail.example.com>",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"',
    "",
    "--BB",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mail.example.com",
    "",
    "Final-Recipient: rfc822; rua@borschow.example",
    "Action: failed",
    "Status: 5.1.1",
    "Diagnostic-Code: smtp; 550 5.1.1 <rua@borschow.example>: Recipient address rejected: User unknown",
    "",
    "--BB",
    "Content-Type: text/rfc822-headers",
    "",
    "From: dmarc@example.com",
    "To: rua@borschow.example",
    "Subject: Report Domain: borschow.example Submitter: example.com Report-ID: <123@example.com>",
    'Content-Type: application/gzip; name="example.com!borschow.example!1772409600!1772495999.xml.gz"',
    "",
    "--BB--",
    "",
  ];
  const bounce = join(dir, "bounced-report.eml");
  writeFileSync(bounce, notice.join("\n"));
  const report = join(import.meta.dirname, "../fixtures/bounce-email/dmarc-aggregate.eml");
  const store = await Store.open(join(dir, "bounced-report.duckdb"));
  try {
    const run = await ingestInputs(store, [bounce, report], { describeFailure: String });
    assert.deepEqual(run.failures, []);
    assert.deepEqual(
      run.files.map((file) => [file.path, file.stored]),
      [[bounce, 1]],
    );
    // A report email stays the reports reader's.
    assert.deepEqual(
      run.reports.map((file) => file.path),
      [report],
    );
    const rows = await store.all<{ recipient: string; reason: string }>(
      "SELECT recipient, reason FROM events",
    );
    assert.deepEqual(rows, [{ recipient: "rua@borschow.example", reason: "userunknown" }]);
  } finally {
    store.close();
  }
});
