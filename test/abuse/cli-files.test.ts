import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { closed } from "../../testkit/child-exit.ts";

/**
 * Hostile file-system situations through the CLI: outputs aimed at the store, missing or odd paths,
 * directory loops and dangling links, FIFOs, in-memory and foreign stores, impossible dates. Each ends
 * with a one-line message (never a stack trace) and the documented exit code; nothing good is lost.
 */

const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "deliverlens-abuse-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[], input?: string) {
  return spawnSync(process.execPath, [cli, ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, NO_COLOR: "1", DELIVERLENS_DEBUG: "" },
  });
}

function assertClean(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at .*:\d+:\d+/, "no stack trace");
  assert.doesNotMatch(stderr, /\u001b/, "no raw escape");
}

function sendgrid(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      email: `u${from + i}@icloud.com`,
      timestamp: 1764000000 + from + i,
      event: "bounce",
      sg_event_id: `e${from + i}`,
      sg_message_id: `m${from + i}`,
      reason: "550 5.7.1 [CS01] Message rejected due to local policy",
      status: "5.7.1",
      type: "bounce",
    }),
  ).join("\n");
}

const store = join(work, "s.duckdb");
const logs = join(work, "logs");

before(() => {
  mkdirSync(join(logs, "sub"), { recursive: true });
  writeFileSync(join(logs, "a.ndjson"), `${sendgrid(0, 20)}\n`);
  writeFileSync(join(logs, "sub", "b.ndjson"), `${sendgrid(100, 5)}\n`);
  symlinkSync(logs, join(logs, "sub", "loop"));
  symlinkSync(join(work, "gone.ndjson"), join(logs, "dangling.ndjson"));
});

describe("ingest", () => {
  test("a directory with a symlink loop and a dangling link: the good files are stored, the failure listed, exit 1", () => {
    const ingest = run(["ingest", "--db", store, "--json", logs]);
    assertClean(ingest.stderr);
    // Issue 13: what could not be read is listed in `failures` and makes the run exit 1, after the good files.
    assert.equal(ingest.status, 1, ingest.stderr);
    const out = JSON.parse(ingest.stdout) as {
      totals: { stored: number };
      failures: Array<{ path: string }>;
    };
    assert.equal(out.totals.stored, 25);
    assert.deepEqual(
      out.failures.map((f) => f.path),
      [join(logs, "dangling.ndjson")],
    );
    assert.match(ingest.stderr, /loop/);
  });

  test("a FIFO is read as a stream and named as given", async () => {
    const fifo = join(work, "events.fifo");
    execFileSync("mkfifo", [fifo]);
    const child = spawn(
      process.execPath,
      [cli, "ingest", "--db", join(work, "fifo.duckdb"), "--json", fifo],
      {
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    let stdout = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const writer = createWriteStream(fifo);
    writer.end(`${sendgrid(500, 7)}\n`);
    const { code } = await closed(child);
    assert.equal(code, 0);
    const out = JSON.parse(stdout) as { totals: { stored: number }; files: Array<{ path: string }> };
    assert.equal(out.totals.stored, 7);
    assert.equal(out.files[0].path, fifo);
  });

  test("a gzip log cut by the decompression limit: what was read is stored, the limit named, exit 1", () => {
    const line =
      "Nov 28 04:00:01 mx postfix/smtp[2]: 5F1A2B3C4D: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n";
    const lines = Array.from({ length: 40_000 }, (_, i) =>
      line.replace("5F1A2B3C4D", `5F${String(i).padStart(8, "0")}`).replace("<a@", `<a${i}@`),
    );
    const log = join(work, "maillog.gz");
    writeFileSync(log, gzipSync(Buffer.from(lines.join(""))));
    const ingest = spawnSync(
      process.execPath,
      [cli, "ingest", "--db", join(work, "bomb.duckdb"), "--json", log],
      {
        encoding: "utf8",
        env: {
          ...process.env,
          DELIVERLENS_MAX_DECOMPRESSED_BYTES: "1048576",
          DELIVERLENS_MAX_DECOMPRESSION_RATIO: "2",
        },
      },
    );
    assertClean(ingest.stderr);
    assert.equal(ingest.status, 1, ingest.stderr);
    assert.match(ingest.stderr, /maillog\.gz: .*DELIVERLENS_MAX_DECOMPRESSED_BYTES/);
    const out = JSON.parse(ingest.stdout) as {
      totals: { stored: number };
      files: Array<{ limits: string[] }>;
    };
    assert.ok(out.totals.stored > 1000 && out.totals.stored < 40_000, `${out.totals.stored} stored`);
    assert.equal(out.files[0].limits.length, 1);
  });

  test("--db :memory: is a usage error (it would keep nothing)", () => {
    const ingest = run(["ingest", "--db", ":memory:", join(logs, "a.ndjson")]);
    assert.equal(ingest.status, 2);
    assert.match(ingest.stderr, /keeps nothing/);
  });

  test("another program's DuckDB file is refused and left untouched", async () => {
    const foreign = join(work, "other.duckdb");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(foreign);
    const connection = await instance.connect();
    await connection.run("CREATE TABLE orders (id INTEGER)");
    connection.closeSync();
    instance.closeSync();
    const ingest = run(["ingest", "--db", foreign, join(logs, "a.ndjson")]);
    assertClean(ingest.stderr);
    assert.equal(ingest.status, 1);
    assert.match(ingest.stderr, /another program \(tables orders\), not a deliverlens store/);
    const again = await DuckDBInstance.create(foreign);
    const check = await again.connect();
    const tables = (await check.runAndReadAll("SELECT table_name FROM information_schema.tables")).getRows();
    check.closeSync();
    again.closeSync();
    assert.deepEqual(tables, [["orders"]]);
  });
});

describe("outputs never destroy the store or a foreign file", () => {
  const commands: Array<[string, string[]]> = [
    ["hygiene --export", ["hygiene", "--db", store, "--export"]],
    ["diagnose --html", ["diagnose", "--db", store, "--offline", "--html"]],
    ["diagnose --md", ["diagnose", "--db", store, "--offline", "--md"]],
    ["plan --out", ["plan", "--db", store, "--target", "1000", "--out"]],
  ];
  for (const [name, args] of commands) {
    test(`${name} onto the store: exit 1, the store intact`, () => {
      const before = readFileSync(store);
      const result = run([...args, store]);
      assertClean(result.stderr);
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, /refusing to overwrite/);
      assert.ok(readFileSync(store).equals(before));
    });
  }

  test("a missing directory, a directory, a foreign file: exit 1 with one line; --force overwrites", () => {
    for (const [target, message] of [
      [join(work, "nodir", "x.csv"), /no such file or directory/],
      [logs, /is a directory/],
    ] as const) {
      const result = run(["hygiene", "--db", store, "--export", target]);
      assertClean(result.stderr);
      assert.equal(result.status, 1);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split("\n").length, 1);
    }
    const notes = join(work, "notes.csv");
    writeFileSync(notes, "my,own\n");
    const refused = run(["plan", "--db", store, "--target", "1000", "--out", notes]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /use --force/);
    assert.equal(readFileSync(notes, "utf8"), "my,own\n");
    const forced = run(["plan", "--db", store, "--target", "1000", "--out", notes, "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(readFileSync(notes, "utf8"), /^date,provider,tier,max_messages\n/);
    const again = run(["plan", "--db", store, "--target", "1000", "--out", notes]);
    assert.equal(again.status, 0, "a file deliverlens wrote is replaced without --force");
  });
});

test("an impossible date is a usage error (exit 2), not a DuckDB conversion error", () => {
  for (const args of [
    ["stats", "--db", store, "--from", "2026-02-30"],
    ["hygiene", "--db", store, "--as-of", "2026-04-31"],
    ["plan", "--db", store, "--target", "10", "--start", "2026-02-29"],
  ]) {
    const result = run(args);
    assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, /must be a date \(YYYY-MM-DD\)/);
    assert.doesNotMatch(result.stderr, /Conversion Error/);
  }
});

test("a file name with ESC and newline in the top-level error message is escaped", () => {
  const result = run(["hygiene", "--db", store, "--export", join(work, "x\u001b[31m\nFORGED", "y.csv")]);
  assert.equal(result.status, 1);
  assertClean(result.stderr);
  assert.equal(result.stderr.trim().split("\n").length, 1);
  assert.match(result.stderr, /\\u001b\[31m\\u000aFORGED/);
});
