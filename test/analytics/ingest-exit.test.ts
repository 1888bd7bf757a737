import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { spawnCli } from "../../testkit/cli-spawn.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-ingest-exit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("ingest stores the good files and exits 1 when another input could not be read; evictions in the summary", async () => {
  const good = join(dir, "a-postfix.log");
  copyFileSync(fileURLToPath(new URL("../fixtures/events/postfix-01.log", import.meta.url)), good);
  const bad = join(dir, "b-unknown.txt");
  writeFileSync(bad, "this is not an event log of any format\n");
  const both = await spawnCli([
    "ingest",
    good,
    bad,
    "--db",
    join(dir, "one.duckdb"),
    "--year",
    "2026",
    "--json",
  ]);
  assert.equal(both.status, 1, "an input that could not be read makes the run exit 1, after the others");
  const summary = JSON.parse(both.stdout);
  assert.equal(summary.failures.length, 1);
  assert.ok(summary.totals.stored > 0);
  assert.equal(summary.files[0].evicted, 0);
  const none = await spawnCli(["ingest", bad, "--db", join(dir, "two.duckdb")]);
  assert.equal(none.status, 1, none.stderr);
});
