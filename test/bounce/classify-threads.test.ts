import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { jsonRecord } from "../../src/bounce/render-output.ts";
import { WHOLE_FILE_BYTES } from "../../src/events/input.ts";
import { classifyEmailChunks, classifyEmailChunksJson } from "../../src/pipeline/classify-email.ts";
import { MANY_FILES } from "../../src/pipeline/classify-parallel.ts";
import { exited, killAtExit } from "../../testkit/child-exit.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";

const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
const email = readFileSync(
  fileURLToPath(new URL("../fixtures/sisimai/eml/rhost-apple-02.eml", import.meta.url)),
);
const dir = mkdtempSync(join(tmpdir(), "deliverlens-threads-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A tree of `count` copies of one bounce email, in sub-directories of 100. */
function tree(name: string, count: number): string {
  const root = join(dir, name);
  for (let at = 0; at < count; at++) {
    const sub = join(root, String(Math.floor(at / 100)));
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${at}.eml`), email);
  }
  return root;
}

test("many files read ahead on a second thread: same output as one thread", () => {
  const root = tree("many", MANY_FILES + 100);
  writeFileSync(join(root, "0", "0-not-a-bounce.txt"), "\u0000\u0001 binary junk");
  const run = (threads: string, ...args: string[]) =>
    spawnSync(process.execPath, [cli, "classify", ...args], {
      encoding: "utf8",
      env: { ...process.env, DELIVERLENS_THREADS: threads },
      maxBuffer: 1 << 28,
    });
  // The same tree given twice: the second time its files are "directory already read" notes, as alone.
  for (const args of [
    [root, "--ndjson"],
    [root, "--json", "--all"],
    [root, "--ndjson", "--format", "email"],
    ["--ndjson", root, join(root, "1")],
  ]) {
    const one = run("1", ...args);
    const two = run("2", ...args);
    assert.equal(one.status, 0, one.stderr);
    assert.ok(one.stdout.length > 100_000, "records came out");
    assert.equal(two.status, one.status, args.join(" "));
    assert.equal(two.stdout, one.stdout, args.join(" "));
    assert.equal(two.stderr, one.stderr, args.join(" "));
  }
});

test("many files in jobs: the same records, in the same order, as each file read on its own (streamed ones too)", () => {
  // Two halves, each below MANY_FILES (read file by file), together above it (read whole, in jobs).
  const half = Math.ceil(MANY_FILES / 2) + 10;
  const first = tree("half-a", half);
  const second = tree("half-b", half);
  const line =
    "Nov 28 04:00:00 mx postfix/smtp[123]: 4F1A2B3C4D: to=<a@icloud.com>, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n";
  // Streamed, not read whole: compressed, and bigger than the read-at-once limit; in the middle of a job.
  writeFileSync(join(first, "1", "150-z.log.gz"), gzipSync(line.repeat(20)));
  writeFileSync(
    join(second, "2", "250-big.log"),
    line.repeat(Math.ceil((WHOLE_FILE_BYTES + 1) / line.length)),
  );
  const run = (...args: string[]) => {
    const result = spawnSync(process.execPath, [cli, "classify", ...args, "--ndjson"], {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  const both = run(first, second);
  assert.equal(both, run(first) + run(second));
  assert.ok(both.includes('"reason"'), "records came out");
});

test("many files and a usage error: exit 2 at once, nothing written", () => {
  const root = tree("unused", MANY_FILES);
  const run = spawnSync(process.execPath, [cli, "classify", root, "--ndjson", "--json"], {
    encoding: "utf8",
  });
  assert.equal(run.status, 2, run.stderr);
  assert.equal(run.stdout, "");
});

test("a big mbox read on a second thread: same output as on one, messages over the size limit included", () => {
  const message = (body: string) => `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${body}\n\n`;
  const bounce = email
    .toString("latin1")
    .replace(/^From [^\n]*\n/, "")
    .replace(/^(>*From )/gm, ">$1");
  let mbox = "";
  for (let n = 0; mbox.length < WHOLE_FILE_BYTES + 1024 * 1024; n++) {
    mbox += message(bounce);
    // Now and then a message over the limit below.
    if (n % 400 === 399) mbox += message(`Subject: big\n\n${"x".repeat(300 * 1024)}`);
  }
  const path = join(dir, "shared.mbox");
  writeFileSync(path, mbox, "latin1");
  const run = (threads: string) =>
    spawnSync(process.execPath, [cli, "classify", path, "--ndjson"], {
      encoding: "utf8",
      env: {
        ...process.env,
        DELIVERLENS_THREADS: threads,
        DELIVERLENS_MAX_MESSAGE_BYTES: String(200 * 1024),
      },
      maxBuffer: 1 << 28,
    });
  const one = run("1");
  const two = run("2");
  assert.ok(one.stdout.length > 100_000, "records came out");
  assert.match(one.stderr, /message larger than/, "a message was skipped for its size");
  assert.equal(two.status, one.status);
  assert.equal(two.stdout, one.stdout);
  assert.equal(two.stderr, one.stderr);
});

test("a big mbox for JSON output: each record as its JSON, in the order and batches of the records themselves", async () => {
  // Over 4 MB (read in chunks, not whole): several segments, shared by two threads.
  const message = `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${email}\n`;
  const path = join(dir, "json.mbox");
  writeFileSync(path, message.repeat(Math.ceil((9 * 1024 * 1024) / message.length)));
  const chunks = function* () {
    const bytes = readFileSync(path);
    for (let at = 0; at < bytes.length; at += 1 << 20) yield bytes.subarray(at, at + (1 << 20));
  };
  const objects = [];
  for await (const batch of classifyEmailChunks(chunks, path))
    objects.push(batch.map((item) => ("reason" in item ? jsonRecord(item) : item)));
  // The same batches when the file is read on this thread.
  const threads = process.env.DELIVERLENS_THREADS;
  process.env.DELIVERLENS_THREADS = "1";
  const here = [];
  try {
    for await (const batch of classifyEmailChunks(chunks, path))
      here.push(batch.map((item) => ("reason" in item ? jsonRecord(item) : item)));
  } finally {
    if (threads === undefined) delete process.env.DELIVERLENS_THREADS;
    else process.env.DELIVERLENS_THREADS = threads;
  }
  assert.deepEqual(here, objects);
  const json = [];
  for await (const batch of classifyEmailChunksJson(chunks, path)) json.push(batch);
  assert.ok(objects.length > 2, `segments: ${objects.length}`);
  assert.deepEqual(json, objects);
});

test("a FIFO named among many files: read once as a stream, in its place, its writer never cut off", {
  skip: process.platform === "win32",
}, async () => {
  const root = tree("with-fifo", MANY_FILES);
  const fifo = join(dir, "bounce.fifo");
  const plain = join(dir, "bounce.eml");
  writeFileSync(plain, email);
  assert.equal(spawnSync("mkfifo", [fifo]).status, 0);
  const classify = async (threads: string, named: string) => {
    // A writer that waits for the FIFO's reader (cat's open blocks until classify opens it once).
    const writer = spawn("sh", ["-c", `cat "${plain}" > "${fifo}"`], { stdio: "ignore" });
    killAtExit(writer);
    const writerExit = exited(writer).then(({ code }) => code);
    // A guard against a hang, not a speed limit: classify takes a few seconds here.
    const { status, stdout, stderr } = await spawnCli(["classify", root, named, "--ndjson"], {
      env: { DELIVERLENS_THREADS: threads },
      timeout: 120_000,
    });
    if (named !== fifo) writer.kill();
    return { status, stdout, stderr, writer: named === fifo ? await writerExit : 0 };
  };
  const expected = await classify("1", plain);
  assert.equal(expected.status, 0, expected.stderr);
  const outputs = [];
  for (const threads of ["1", "2"]) {
    const got = await classify(threads, fifo);
    assert.equal(got.status, 0, `threads ${threads}: ${got.stderr}`);
    assert.equal(got.writer, 0, `threads ${threads}: the writer was cut off`);
    assert.equal(got.stderr, expected.stderr);
    // Its records where the regular file's were (a stream's carry line numbers).
    const lines = got.stdout.split("\n");
    const at = lines.findIndex((line) => line.includes(JSON.stringify(fifo)));
    assert.equal(
      at,
      expected.stdout.split("\n").findIndex((line) => line.includes(JSON.stringify(plain))),
    );
    assert.equal(lines.length, expected.stdout.split("\n").length);
    outputs.push(got.stdout);
  }
  assert.equal(outputs[1], outputs[0]);
});
