import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
const corpus = fileURLToPath(new URL("../fixtures/sisimai/eml/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "deliverlens-classify-"));
after(() => rmSync(work, { recursive: true, force: true }));

const CS01 =
  "550 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137";

function classify(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [cli, "classify", ...args], {
    encoding: "utf8",
    input,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return run;
}

function ndjson(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

test("--text with --json prints one JSON array with the issue's CS01 answer", () => {
  const run = classify(["--text", CS01, "--json"]);
  assert.equal(run.status, 0, run.stderr);
  const records = JSON.parse(run.stdout);
  assert.equal(records.length, 1);
  assert.equal(records[0].schemaVersion, 1);
  assert.equal(records[0].provider, "apple");
  assert.equal(records[0].providerCode, "CS01");
  assert.equal(records[0].reason, "policyviolation");
  assert.equal(records[0].category, "reputation");
  assert.equal(records[0].suppressRecipient, false);
  assert.deepEqual(records[0].source, { file: "<text>", line: null });
});

test("readable text by default, with attacker-controlled text escaped", () => {
  const run = classify(["--text", "550 5.1.1 no such user \u001b[2J\u0007 here"]);
  assert.equal(run.status, 0);
  assert.match(run.stdout, /reason\s+userunknown → recipient/);
  assert.ok(!run.stdout.includes("\u001b"), "raw ESC reached the terminal");
  assert.match(run.stdout, /\\u001b\[2J\\u0007/);
});

test("stdin when no file is given; `-` reads stdin too; replies separated by blank lines", () => {
  const input = `${CS01}\n\n421-4.7.0 [TSS04] Messages from 192.0.2.1 temporarily\n421 4.7.0 deferred due to user complaints\n`;
  for (const args of [["--ndjson"], ["-", "--ndjson"]]) {
    const run = classify(args, input);
    assert.equal(run.status, 0, run.stderr);
    const records = ndjson(run.stdout);
    assert.deepEqual(
      records.map((r) => [r.providerCode, (r.source as { line: number }).line]),
      [
        ["CS01", 1],
        ["TSS04", 3],
      ],
    );
    assert.equal(
      records[1].diagnostic,
      "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to user complaints",
    );
  }
});

test("a directory is read recursively in byte order of path (symlinked files too, linked dirs not entered); gzip is read transparently", () => {
  const dir = join(work, "tree");
  mkdirSync(join(dir, "a"), { recursive: true });
  writeFileSync(join(dir, "b.txt"), "550 5.1.1 <x@example.org>: user unknown\n");
  writeFileSync(join(dir, "B.txt"), `${CS01}\n`);
  writeFileSync(
    join(dir, "a", "z.txt.gz"),
    gzipSync("421 4.7.1 Messages to x@icloud.com deferred due to excessive volume\n"),
  );
  symlinkSync(join(dir, "b.txt"), join(dir, "c-link.txt"));
  symlinkSync(dir, join(dir, "a", "loop"));
  const run = classify([dir, "--ndjson"]);
  assert.equal(run.status, 0, run.stderr);
  const records = ndjson(run.stdout);
  assert.deepEqual(
    records.map((r) => [(r.source as { file: string }).file.slice(dir.length + 1), r.reason]),
    [
      ["B.txt", "policyviolation"],
      ["a/z.txt.gz", "ratelimited"],
      ["b.txt", "userunknown"],
      ["c-link.txt", "userunknown"],
    ],
  );
});

test("a log bigger than the read-at-once limit streams, records keep their line numbers", () => {
  const sent =
    "Nov 28 04:00:00 mx postfix/smtp[1]: 4F1A2B3C4D: to=<b@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 2.0.0 OK)\n";
  const bounced =
    "Nov 28 04:00:01 mx postfix/smtp[2]: 5F1A2B3C4D: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n";
  const log = join(work, "big-maillog");
  writeFileSync(
    log,
    Array.from({ length: 40_000 }, (_, i) => (i % 10_000 === 9_999 ? bounced : sent)).join(""),
  );
  const run = classify([log, "--ndjson"]);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(
    ndjson(run.stdout).map((r) => [(r.source as { line: number }).line, r.providerCode]),
    [
      [10_000, "CS01"],
      [20_000, "CS01"],
      [30_000, "CS01"],
      [40_000, "CS01"],
    ],
  );
});

test("a bounce email is classified per recipient", () => {
  const run = classify([join(corpus, "rhost-apple-02.eml"), "--json"]);
  assert.equal(run.status, 0, run.stderr);
  const [record] = JSON.parse(run.stdout);
  assert.equal(record.provider, "apple");
  assert.equal(record.remoteMta, "mx01.mail.icloud.com");
  assert.equal(record.reason, "authfailure");
  assert.equal(record.category, "authentication");
  assert.equal(record.format, "email");
});

test("a missing input exits 1 but the other inputs are still classified", () => {
  const good = join(work, "good.txt");
  writeFileSync(good, `${CS01}\n`);
  const run = classify([join(work, "missing.eml"), good, "--ndjson"]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /missing\.eml: no such file/);
  assert.equal(ndjson(run.stdout).length, 1);
});

test("an input nothing recognises is a problem on stderr with file and line, not a crash", () => {
  const junk = join(work, "junk.bin");
  writeFileSync(junk, Buffer.alloc(20_000, 0xab));
  const run = classify([junk, "--json"]);
  assert.equal(run.status, 0);
  assert.deepEqual(JSON.parse(run.stdout), []);
  assert.match(run.stderr, /junk\.bin:1: could not detect the format/);
});

test("empty or binary stdin is reported, not classified (empty: exit 1, issue 13)", () => {
  const empty = classify(["--json"], "");
  assert.equal(empty.status, 1);
  assert.deepEqual(JSON.parse(empty.stdout), []);
  assert.match(empty.stderr, /^-: empty input$/m);
  const binary = classify(["--json"], "\u0089PNG\r\n\u001a\n\u0000\u0000");
  assert.deepEqual(JSON.parse(binary.stdout), []);
  assert.match(binary.stderr, /^-:1: could not detect the format/m);
});

test("usage errors exit 2", () => {
  assert.equal(classify(["--json", "--ndjson", "--text", CS01]).status, 2);
  const bad = classify(["--format", "nope", "--text", CS01]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown --format "nope"/);
});

test("--format smtp forces a bare reply reading", () => {
  const file = join(work, "reply.eml");
  writeFileSync(file, "Subject: 550 5.7.1 [HM08] Message rejected due to local policy\n");
  const run = classify([file, "--format", "smtp", "--json"]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(JSON.parse(run.stdout)[0].providerCode, "HM08");
});

test("`formats` lists the shared format vocabulary", () => {
  const run = spawnSync(process.execPath, [cli, "formats", "--json"], { encoding: "utf8" });
  assert.equal(run.status, 0);
  const names = JSON.parse(run.stdout).formats.map((f: { name: string }) => f.name);
  for (const name of ["smtp", "email", "postfix", "sendgrid", "ses"]) assert.ok(names.includes(name), name);
});
