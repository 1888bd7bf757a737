import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type CliRun, spawnCli } from "../../testkit/cli-spawn.ts";
import { scratchDir } from "../../testkit/scratch.ts";

// Every command's standard output that cannot be written (review R45), from the plain modules (the startup
// snapshots' runs: build-cache.test.ts, with the same expectations: its whole standard error).

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));
const dir = scratchDir("deliverlens-output-failure-");
const plain = { DELIVERLENS_CLASSIFY_SNAPSHOT: "0", DELIVERLENS_INGEST_SNAPSHOT: "0" };

/** A Postfix log whose records take more than a pipe's buffer (64 KiB), so a closed reader is always met. */
const log = join(dir, "mail.log");
writeFileSync(
  log,
  Array.from(
    { length: 400 },
    (_, i) =>
      `Nov 28 04:00:${String(i % 60).padStart(2, "0")} mx postfix/smtp[123]: 4F1A2B${i.toString(16).toUpperCase().padStart(4, "0")}: to=<user${i}@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n`,
  ).join(""),
);

const FULL = "deliverlens: cannot write the output: no space left on device (disk full)\n";
const folder = join(fixtures, "bounce-email");

/**
 * The arguments of every command whose output is tried; `db`, a new store, is filled first (by the first ingest).
 * Each test has its own, so its ingest writes into a new store as build-cache.test.ts's snapshot runs do.
 */
const commands = (db: string): string[][] => [
  ["ingest", "--db", db, join(fixtures, "events/sendgrid-01.json"), "--json"],
  ["ingest", "--db", db, log],
  ["classify", log],
  ["classify", log, "--ndjson"],
  ["classify", log, "--json", "--all"],
  ["classify", folder, "--ndjson"],
  ["classify", "--text", "550 5.7.1 [CS01] Message rejected due to local policy"],
  ["stats", "--db", db],
  ["stats", "--db", db, "--json"],
  ["hygiene", "--db", db],
  ["quarantine", "--db", db],
  ["diagnose", "--db", db, "--json"],
  ["inspect", join(fixtures, "bounce-email/dsn-two-recipients.eml")],
  ["formats"],
  ["--help"],
];

/**
 * The whole standard error a run writes besides the output's own line: nothing, but for the email folder (what it
 * says of its inputs — files that are not bounces — comes before it).
 */
const quiet = (args: string[]) => args[1] !== folder;

/** No stack trace, no source line, no Node banner: only lines deliverlens writes. */
function assertNoTrace(run: CliRun, what: string): void {
  assert.doesNotMatch(run.stderr, /^\s+at |node:internal|Node\.js v|Error:|\^/m, `${what}: ${run.stderr}`);
}

test("an output that cannot be written (a full disk): one line and exit 1, for every command", {
  skip: !existsSync("/dev/full") && "no /dev/full here",
}, async () => {
  for (const args of commands(join(dir, "full.duckdb"))) {
    const run = await spawnCli(args, { env: plain, output: "full" });
    const what = args.join(" ");
    assert.equal(run.status, 1, `${what}: ${run.stderr}`);
    if (quiet(args)) assert.equal(run.stderr, FULL, what);
    assertNoTrace(run, what);
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines.at(-1), FULL.trimEnd(), `${what}: ${run.stderr}`);
    assert.equal(lines.filter((line) => line.includes("cannot write")).length, 1, `${what}: ${run.stderr}`);
  }
});

test("an output pipe its reader closed (`| head`) ends every command quietly, exit 0", async () => {
  for (const args of commands(join(dir, "closed.duckdb"))) {
    const run = await spawnCli(args, { env: plain, output: "closed" });
    const what = args.join(" ");
    if (quiet(args)) assert.equal(run.stderr, "", what);
    assertNoTrace(run, what);
    // What it says of its inputs (a file that is not a bounce) stays; nothing of the output.
    assert.doesNotMatch(run.stderr, /cannot write|EPIPE|broken pipe/i, what);
    assert.equal(run.status, 0, `${what}: ${run.stderr}`);
  }
});
