import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { FAILURE_TYPES } from "../../src/bounce/event-actions.ts";
import { STATUS_KEPT_TYPES, Store } from "../../src/store/index.ts";
import { writeOldStore } from "../../testkit/old-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-status-view-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the rows that always store their status are the failures the store classifies", () => {
  assert.deepEqual([...STATUS_KEPT_TYPES].sort(), [...FAILURE_TYPES].sort());
});

test("a version-12 store migrates: its rows keep their stored codes and statuses, a new file's delivered rows take theirs from the reply", async () => {
  const path = join(dir, "v12.duckdb");
  // An old file's delivered row stored no code or status although its reply leads with them: it stays without.
  await writeOldStore(path, 12, [
    `INSERT INTO files VALUES (1, 'old.ndjson', 'sendgrid', 1, NULL, now()::TIMESTAMP, 2, 2, 0, 0, 0)`,
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, reply, reply_code, status, file_id)
    VALUES (1, 'delivered', TIMESTAMP '2026-03-01 10:00', 'a@icloud.com', 'apple', '250 2.0.0 OK', NULL, NULL, 1),
      (2, 'delivered', TIMESTAMP '2026-03-01 10:01', 'b@icloud.com', 'apple', '250 2.0.0 OK', 250, '2.0.0', 1)`,
  ]);
  const file = join(dir, "new.ndjson");
  writeFileSync(
    file,
    `${JSON.stringify({ email: "c@icloud.com", timestamp: 1772448580, event: "delivered", sg_event_id: "n1", response: "250 2.1.5 OK" })}\n`,
  );
  const store = await Store.open(path);
  const summary = await ingestFile(store, file);
  const rows = await store.all<{
    recipient: string;
    code: number | null;
    status: string | null;
    stored: string | null;
    storedCode: number | null;
  }>(
    `SELECT v.recipient, v.reply_code AS code, v.status, e.status AS stored, e.reply_code AS "storedCode"
     FROM events v JOIN event_rows e USING (event_key) ORDER BY v.recipient`,
  );
  const flags = await store.all<{ flag: boolean | null }>(
    "SELECT derived_from_reply AS flag FROM files ORDER BY file_id",
  );
  store.close();
  assert.equal(summary.reader, "duckdb");
  assert.deepEqual(rows, [
    { recipient: "a@icloud.com", code: null, status: null, stored: null, storedCode: null },
    { recipient: "b@icloud.com", code: 250, status: "2.0.0", stored: "2.0.0", storedCode: 250 },
    { recipient: "c@icloud.com", code: 250, status: "2.1.5", stored: null, storedCode: null },
  ]);
  assert.deepEqual(
    flags.map((f) => f.flag),
    [null, true],
  );
});
