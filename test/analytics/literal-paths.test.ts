import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";

/**
 * Issue 13 item 3: ingest paths are file names, never DuckDB glob patterns or URLs, and no input makes
 * DuckDB load an extension.
 */
const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "deliverlens-literal-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const event = (id: string, email: string) =>
  JSON.stringify({
    email,
    timestamp: 1767225600,
    event: "delivered",
    sg_event_id: id,
    response: "250 2.0.0 OK",
  });

function ingestCli(cwd: string, args: string[]) {
  const run = spawnSync(process.execPath, [cli, "ingest", ...args, "--json"], { cwd, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { files: { path: string; reader: string; stored: number }[] };
}

test("`ev[1].ndjson` beside `ev1.ndjson`: each file is read once, as itself", async () => {
  const sub = join(dir, "brackets");
  mkdirSync(sub);
  writeFileSync(
    join(sub, "ev[1].ndjson"),
    `${event("b1", "bracket@icloud.com")}\n${event("b2", "bracket2@icloud.com")}\n`,
  );
  writeFileSync(join(sub, "ev1.ndjson"), `${event("p1", "plain@icloud.com")}\n`);
  const store = await Store.open(":memory:");
  const a = await ingestFile(store, join(sub, "ev[1].ndjson"));
  const b = await ingestFile(store, join(sub, "ev1.ndjson"));
  assert.deepEqual([a.reader, a.stored, b.reader, b.stored], ["duckdb", 2, "duckdb", 1]);
  const rows = await store.all<{ recipient: string }>("SELECT recipient FROM events ORDER BY recipient");
  assert.deepEqual(
    rows.map((r) => r.recipient),
    ["bracket2@icloud.com", "bracket@icloud.com", "plain@icloud.com"],
  );
  store.close();
});

test("a file named `star*.ndjson` is that file, not a pattern over its neighbours", () => {
  const sub = join(dir, "star");
  mkdirSync(sub);
  writeFileSync(join(sub, "star*.ndjson"), `${event("s0", "star@icloud.com")}\n`);
  writeFileSync(join(sub, "star1.ndjson"), `${event("s1", "one@icloud.com")}\n`);
  writeFileSync(join(sub, "star2.ndjson"), `${event("s2", "two@icloud.com")}\n`);
  const out = ingestCli(sub, ["star*.ndjson", "--db", "s.duckdb"]);
  assert.deepEqual(
    out.files.map((f) => [f.path, f.reader, f.stored]),
    [["star*.ndjson", "duckdb", 1]],
  );
});

test("a local file named like a URL is read from disk, and no extension is loaded", () => {
  const sub = join(dir, "url");
  mkdirSync(join(sub, "http:", "example.com"), { recursive: true });
  writeFileSync(join(sub, "http:", "example.com", "x.ndjson"), `${event("u1", "url@icloud.com")}\n`);
  const out = ingestCli(sub, ["http://example.com/x.ndjson", "--db", "s.duckdb"]);
  assert.deepEqual(
    out.files.map((f) => [f.reader, f.stored]),
    [["duckdb", 1]],
  );
});

test("the store never installs or autoloads DuckDB extensions", async () => {
  const store = await Store.open(":memory:");
  const row = await store.one<{ install: boolean; load: boolean }>(
    "SELECT current_setting('autoinstall_known_extensions') AS install, current_setting('autoload_known_extensions') AS load",
  );
  assert.deepEqual(row, { install: false, load: false });
  store.close();
});
