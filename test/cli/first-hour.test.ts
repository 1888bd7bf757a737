import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { classifyReply } from "../../src/bounce/index.ts";
import { providerOption } from "../../src/cli/options.ts";
import { isCalendarDay } from "../../src/util/dates.ts";
import { CLI } from "../../testkit/cli-spawn.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/** `deliverlens ARGS` in `cwd` (a scratch directory: the default store is ./deliverlens.duckdb). */
const run = (cwd: string, args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
const scratch = () => scratchDir("deliverlens-first-hour-");

describe("--provider accepts what people type, and refuses the rest the same way everywhere", () => {
  test("ids, domains and names in any case", () => {
    for (const given of ["apple", "Apple", "icloud", "iCloud.com", "me.com", " APPLE "])
      assert.equal(providerOption(given), "apple", given);
    assert.equal(providerOption("gmail"), "google");
    assert.equal(providerOption("hotmail.com"), "microsoft");
    assert.equal(providerOption(undefined), undefined);
  });

  test("a typo is a usage error (exit 2) in stats, diagnose and plan, with a suggestion", () => {
    const dir = scratch();
    for (const args of [
      ["stats", "--provider", "appel"],
      ["diagnose", "--provider", "appel"],
      ["plan", "--provider", "appel", "--target", "100"],
    ]) {
      const result = run(dir, args);
      assert.equal(result.status, 2, `${args[0]}: ${result.stderr}`);
      assert.match(result.stderr, /unknown provider "appel" \(did you mean apple\?\)/);
    }
  });
});

describe("dates and windows", () => {
  test("only calendar days are days", () => {
    assert.equal(isCalendarDay("2026-02-28"), true);
    assert.equal(isCalendarDay("2024-02-29"), true);
    for (const bad of ["2026-02-30", "2026-13-01", "2026-2-1", "yesterday"])
      assert.equal(isCalendarDay(bad), false);
  });

  test("--from after --to, or a day that does not exist, is a usage error, not an empty table", () => {
    const dir = scratch();
    for (const command of ["stats", "diagnose"]) {
      const reversed = run(dir, [command, "--from", "2026-03-01", "--to", "2026-02-01"]);
      assert.equal(reversed.status, 2, command);
      assert.match(reversed.stderr, /--from 2026-03-01 is after --to 2026-02-01/);
      const impossible = run(dir, [command, "--to", "2026-02-30"]);
      assert.equal(impossible.status, 2, command);
      assert.match(impossible.stderr, /--to must be a date/);
      assert.doesNotMatch(impossible.stderr, /Conversion Error/);
    }
  });
});

describe("one default store", () => {
  test("a missing store is named with what to do, in every reading command (exit 1, no DuckDB text)", () => {
    const dir = scratch();
    for (const args of [
      ["stats"],
      ["diagnose", "--offline"],
      ["hygiene"],
      ["plan", "--target", "100"],
      ["quarantine"],
    ]) {
      const result = run(dir, args);
      assert.equal(result.status, 1, `${args[0]}: ${result.stderr}`);
      assert.match(result.stderr, /deliverlens\.duckdb: no such store; run `deliverlens ingest/, args[0]);
      assert.doesNotMatch(result.stderr, /read-only mode|Catalog Error/, args[0]);
    }
  });

  test("demo's default store is the one every other command reads (its --help says so, with the ranges)", () => {
    const help = run(scratch(), ["demo", "--help"]);
    assert.match(help.stdout, /default: "\.\/deliverlens\.duckdb"/);
    assert.match(help.stdout, /28–3650/);
  });
});

describe("ingest that keeps nothing, and the quarantine command", () => {
  test("every record rejected: exit 1, and `quarantine` shows file, line and reason", () => {
    const dir = scratch();
    writeFileSync(join(dir, "maillog"), "not json at all\nnor this \u001b[2J line\n");
    const ingest = run(dir, ["ingest", "maillog", "--format", "sendgrid"]);
    assert.equal(ingest.status, 1, ingest.stderr);
    assert.match(ingest.stderr, /every record was rejected/);
    assert.match(ingest.stdout, /deliverlens quarantine/);
    const shown = run(dir, ["quarantine"]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /maillog:1 {2}not a JSON record/);
    assert.doesNotMatch(shown.stdout, /\u001b/, "raw text is escaped");
    const json = JSON.parse(run(dir, ["quarantine", "--json", "--file", "maillog"]).stdout);
    assert.equal(json.total, 2);
    assert.deepEqual(
      json.rows.map((r: { line: number }) => r.line),
      [1, 2],
    );
  });
});

test("an ESP's 'dropped: on a suppression list' says one thing: keep it suppressed", () => {
  const record = classifyReply({ text: "Bounced Address", hintReason: "suppressed", action: "failed" });
  assert.equal(record.reason, "suppressed");
  assert.equal(record.suppressRecipient, true);
  assert.match(record.action, /Keep the address suppressed/);
  assert.doesNotMatch(record.action, /does not exist/);
});

test("--help documents the exit codes", () => {
  const help = run(scratch(), ["--help"]);
  assert.equal(help.status, 0);
  for (const code of ["0  done", "1  an input is missing", "2  usage error", "3  audit --fail-on"])
    assert.ok(help.stdout.includes(code), code);
});

test("inspect on an empty file or an image says 'not an email message' (exit 1), not 'No From header'", () => {
  const dir = scratch();
  writeFileSync(join(dir, "empty.eml"), "");
  writeFileSync(
    join(dir, "logo.png"),
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  );
  writeFileSync(join(dir, "ok.eml"), "From: a@example.test\r\nSubject: hi\r\n\r\nbody\r\n");
  for (const file of ["empty.eml", "logo.png"]) {
    const result = run(dir, ["inspect", "--offline", file]);
    assert.equal(result.status, 1, `${file}: ${result.stderr}`);
    assert.match(result.stderr, /not an email message/);
    assert.doesNotMatch(result.stdout, /FROM_MISSING|No From header/);
  }
  const mixed = run(dir, ["inspect", "--offline", "--json", "ok.eml", "logo.png"]);
  assert.equal(mixed.status, 1, "one input was not an email");
  assert.equal(JSON.parse(mixed.stdout).reports.length, 1, "the good message is still inspected");
});

test("stats says which unit each number is in (sent counts messages, bounced counts events)", () => {
  const dir = scratch();
  const events = [
    {
      email: "a@icloud.com",
      timestamp: 1780000000,
      event: "processed",
      sg_event_id: "e1",
      sg_message_id: "m1",
    },
    {
      email: "a@icloud.com",
      timestamp: 1780000100,
      event: "delivered",
      sg_event_id: "e2",
      sg_message_id: "m1",
    },
  ];
  writeFileSync(join(dir, "events.ndjson"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  assert.equal(run(dir, ["ingest", "events.ndjson"]).status, 0);
  const stats = run(dir, ["stats"]);
  assert.equal(stats.status, 0, stats.stderr);
  assert.match(stats.stdout, /units: sent = messages to recipients .* bounced, policy, .* = events/);
});

test("ingest: quarantined records alone do not fail the run (exit 0, counted in the summary)", () => {
  const dir = scratch();
  const good = {
    email: "a@icloud.com",
    timestamp: 1780000000,
    event: "delivered",
    sg_event_id: "g1",
    sg_message_id: "m1",
  };
  writeFileSync(
    join(dir, "mixed.ndjson"),
    `${JSON.stringify(good)}\n{"event": "delivered", "sg_event_id": "x"\n`,
  );
  const result = run(dir, ["ingest", "mixed.ndjson", "--json"]);
  assert.equal(result.status, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.totals.stored, 1);
  assert.equal(summary.totals.quarantined, 1);
});
