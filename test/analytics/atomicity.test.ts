import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Store } from "../../src/store/index.ts";
import { writeSmallProgram } from "../../testkit/analytics-program.ts";

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
  const row = await store.one<{ events: number; files: number }>(
    "SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM files) AS files",
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
  let killedMidway = 0;
  for (const delay of [400, 900, 1600, 2500]) {
    const child = spawn(process.execPath, [CLI, "ingest", big, "--db", db], { stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), delay);
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.on("exit", (c, s) => resolve([c, s])),
    );
    clearTimeout(timer);
    const now = await counts(db);
    if (signal === "SIGKILL") {
      killedMidway++;
      assert.deepEqual(now, before, `killed after ${delay} ms: the store changed`);
    } else {
      assert.equal(code, 0);
      assert.equal(now?.files, (before?.files ?? 0) + 1, "a finished ingest is committed whole");
      break;
    }
  }
  assert.ok(killedMidway > 0, "no run was killed before it finished; raise the file size");
});
