import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { writeSmallProgram } from "../../testkit/analytics-program.ts";
import { killIngestAfterStep } from "../../testkit/kill-ingest.ts";

const CLI = join(import.meta.dirname, "../../bin/deliverlens.js");
let dir = "";
let big = "";
let small = "";

before(async () => {
  const written = await writeSmallProgram("sendgrid", { recipients: 6000, days: 60 });
  dir = written.dir;
  big = written.files[0];
  small = (await writeSmallProgram("pmta", { recipients: 300, days: 14 })).files[0];
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function counts(db: string) {
  const store = await Store.open(db, { readOnly: true });
  const row = await store.one<{ events: number; files: number; rows: number }>(
    `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM files) AS files,
      (SELECT count(*) FROM event_rows) AS rows`,
  );
  store.close();
  return row;
}

test("kill -9 in the middle of a file leaves the store as it was", async () => {
  const db = join(dir, "kill.duckdb");
  const first = spawnSync(process.execPath, [CLI, "ingest", small, "--db", db], { encoding: "utf8" });
  assert.equal(first.status, 0, first.stderr);
  const before = await counts(db);
  assert.ok((before?.events ?? 0) > 0);
  // "prepare" is reported inside the file's transaction, just before the INSERT of the whole file.
  const run = await killIngestAfterStep(big, db, "prepare");
  assert.equal(run.signal, "SIGKILL", `the ingest ended before "prepare" was reported: ${run.stderr}`);
  assert.deepEqual(await counts(db), before, "killed mid-insert: the store changed");
  const whole = spawnSync(process.execPath, [CLI, "ingest", big, "--db", db], { encoding: "utf8" });
  assert.equal(whole.status, 0, whole.stderr);
  const after = await counts(db);
  assert.equal(after?.files, (before?.files ?? 0) + 1, "a finished ingest is committed whole");
  assert.ok((after?.events ?? 0) > (before?.events ?? 0) + 100_000);
});

test("kill -9 after a file's rows are committed, before their settle: a reader sees the store as it was", async () => {
  const db = join(dir, "unsettled.duckdb");
  const first = spawnSync(process.execPath, [CLI, "ingest", small, "--db", db], { encoding: "utf8" });
  assert.equal(first.status, 0, first.stderr);
  const before = await counts(db);
  // "commit the rows" is reported after the rows' transaction, before the settle's.
  const run = await killIngestAfterStep(big, db, "commit the rows");
  assert.ok(run.stderr.includes("commit the rows:"), run.stderr);
  const seen = await counts(db);
  if (run.signal === "SIGKILL") assert.deepEqual(seen, before, "killed before the settle: the store changed");
  else {
    // The settle finished before the kill landed (a slow host): then the file is stored whole.
    assert.equal(run.code, 0, run.stderr);
    assert.equal(seen?.files, (before?.files ?? 0) + 1);
  }
  const whole = spawnSync(process.execPath, [CLI, "ingest", big, "--db", db], { encoding: "utf8" });
  assert.equal(whole.status, 0, whole.stderr);
  const after = await counts(db);
  assert.equal(after?.files, (before?.files ?? 0) + 1, "the file is stored once, whole");
  assert.ok((after?.events ?? 0) > (before?.events ?? 0) + 100_000);
  assert.equal(after?.rows, after?.events);
});

test("a file whose settle failed and whose rows are still listed unsettled keeps its id: the next file takes the one after", async () => {
  const store = await Store.open(join(dir, "listed.duckdb"));
  try {
    await ingestFile(store, small);
    // As a settle that failed, its rows' removal failing too, leaves file 2 in a process that goes on.
    await store.run(`INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id, recipient_hash, message_key)
        VALUES (1, 'delivered', TIMESTAMP '2026-03-02 10:00:00', 'a@icloud.com', 'apple', 2, 1, 1);
      INSERT INTO unsettled_files VALUES (2)`);
    const next = await ingestFile(store, big);
    const rows = await store.all<{ file_id: number; n: number }>(
      "SELECT file_id, count(*) AS n FROM event_rows WHERE file_id >= 2 GROUP BY file_id ORDER BY file_id",
    );
    assert.deepEqual(rows, [
      { file_id: 2, n: 1 },
      { file_id: 3, n: next.stored },
    ]);
    assert.deepEqual(await store.all("SELECT file_id FROM unsettled_files"), [{ file_id: 2 }]);
  } finally {
    store.close();
  }
  const reopened = await Store.open(join(dir, "listed.duckdb"), { readOnly: true });
  try {
    assert.equal(
      (await reopened.one<{ n: number }>("SELECT count(*) AS n FROM event_rows WHERE file_id = 2"))?.n,
      0,
    );
  } finally {
    reopened.close();
  }
});
