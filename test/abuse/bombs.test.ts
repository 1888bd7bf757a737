import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { constants, gzipSync, zstdCompressSync } from "node:zlib";

/**
 * Bombs and oversized inputs, generated at test time (nothing large is committed), through the CLI in a
 * child process whose peak memory (max RSS, from process.resourceUsage in the child) is asserted: each
 * ends with a clear problem naming its limit, exit 1, the other inputs classified, within the target of
 * 300 MB beyond a trivial run's own RSS. Time is only a generous ceiling (a loaded 2-core machine).
 */

const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "deliverlens-abuse-bombs-"));
after(() => rmSync(work, { recursive: true, force: true }));
// Each process reports its peak at exit (a --require preload: it runs in a process bin/ becomes from classify's
// startup snapshot too); the run's is the one of the process started here.
const probe = join(work, "measure.cjs");
writeFileSync(
  probe,
  'process.on("exit", () => process.stderr.write("\\nMAXRSS_KB " + process.pid + " " + process.resourceUsage().maxRSS + "\\n"));\n',
);

const MB = 1024 * 1024;
/** The target: at most this much more than the same command on a trivial input. */
const BUDGET_KB = 300 * 1024;
const CEILING_MS = 60_000;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  rssKb: number;
}

function run(args: string[], env: Record<string, string> = {}, input?: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      env: {
        ...process.env,
        NO_COLOR: "1",
        ...env,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require=${probe}`,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), CEILING_MS);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      let rssKb = Number.NaN;
      const rest = stderr.replace(/\nMAXRSS_KB (\d+) (\d+)\n/g, (_all, pid: string, kb: string) => {
        if (Number(pid) === child.pid) rssKb = Number(kb);
        return "";
      });
      resolve({ status, stdout, stderr: rest, rssKb });
    });
  });
}

const BOUNCE_HEAD =
  "From: MAILER-DAEMON@example.org\nTo: sender@example.com\nSubject: Undelivered Mail Returned to Sender\n" +
  'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n' +
  "--b\nContent-Type: text/plain\n\nThe message could not be delivered.\n\n--b\nContent-Type: message/delivery-status\n\n" +
  "Reporting-MTA: dns; mx.example.org\n\n";

function recipientGroup(address: string): string {
  return `Final-Recipient: rfc822; ${address}\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 550 5.7.1 [CS01] Message rejected due to local policy\n`;
}

function dsn(addresses: string[]): string {
  return `${BOUNCE_HEAD}${addresses.map(recipientGroup).join("\n")}\n--b--\n`;
}

const CS01_FILE = join(work, "cs01.eml");
let baselineKb = 0;

before(async () => {
  writeFileSync(CS01_FILE, dsn(["good@icloud.com"]));
  const baseline = await run(["classify", "--ndjson", CS01_FILE]);
  assert.equal(baseline.status, 0, baseline.stderr);
  baselineKb = baseline.rssKb;
  assert.ok(baselineKb > 0);
});

function assertBounded(result: Run, what: string): void {
  assert.ok(
    result.rssKb < baselineKb + BUDGET_KB,
    `${what}: max RSS ${Math.round(result.rssKb / 1024)} MB vs ${Math.round(baselineKb / 1024)} MB for a trivial run`,
  );
}

function recipients(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line).recipient as string);
}

describe("classify", () => {
  test("a zstd bomb holding one message with a 160 MB body stops at the message limit", async () => {
    const bomb = join(work, "bomb.eml.zst");
    const body = Buffer.alloc(160 * MB, "A");
    writeFileSync(
      bomb,
      zstdCompressSync(Buffer.concat([Buffer.from(dsn(["x@icloud.com"]).replace("--b--\n", "")), body]), {
        params: { [constants.ZSTD_c_compressionLevel]: 1 },
      }),
    );
    const result = await run(["classify", "--ndjson", bomb, CS01_FILE]);
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      /bomb\.eml\.zst:1: message larger than the limit of 32 MiB per email message \(raise it with DELIVERLENS_MAX_MESSAGE_BYTES\)/,
    );
    assert.deepEqual(recipients(result.stdout), ["good@icloud.com"]);
    assertBounded(result, "zstd bomb");
  });

  test("--format email on a message over the limit (file and stdin): a problem and exit 1, not a crash with exit 0", async () => {
    const big = join(work, "big.eml");
    const fd = openSync(big, "w");
    writeSync(fd, dsn(["y@icloud.com"]));
    const block = Buffer.alloc(MB, "B");
    for (let i = 0; i < 6; i++) writeSync(fd, block);
    closeSync(fd);
    const env = { DELIVERLENS_MAX_MESSAGE_BYTES: String(4 * MB) };
    const file = await run(["classify", "--format", "email", "--ndjson", big, CS01_FILE], env);
    assert.equal(file.status, 1, file.stderr);
    assert.match(file.stderr, /big\.eml:1: message larger than the limit of 4 MiB per email message/);
    assert.deepEqual(recipients(file.stdout), ["good@icloud.com"]);
    const piped = await run(
      ["classify", "--format", "email", "--ndjson", "-"],
      env,
      Buffer.alloc(5 * MB, "C"),
    );
    assert.equal(piped.status, 1);
    assert.match(piped.stderr, /^-:1: message larger than the limit/m);
  });

  test("an mbox with one oversized message: skipped with its line, the messages around it classified, linear time", async () => {
    const mbox = join(work, "big.mbox");
    const fd = openSync(mbox, "w");
    const postmark = "From MAILER-DAEMON Thu Jul  2 12:05:05 2020\n";
    writeSync(fd, `${postmark}${dsn(["first@icloud.com"])}\n${postmark}${dsn(["huge@icloud.com"])}`);
    const lines = Buffer.from(`${"z".repeat(999)}\n`.repeat(1024));
    for (let i = 0; i < 12; i++) writeSync(fd, lines);
    writeSync(fd, `\n${postmark}${dsn(["last@icloud.com"])}`);
    closeSync(fd);
    const env = { DELIVERLENS_MAX_MESSAGE_BYTES: String(8 * MB), DELIVERLENS_THREADS: "1" };
    const result = await run(["classify", "--ndjson", mbox], env);
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(recipients(result.stdout), ["first@icloud.com", "last@icloud.com"]);
    // Each message's first line (its postmark), counted in the file itself.
    const text = readFileSync(mbox, "latin1");
    const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
    const second = text.indexOf(postmark, 1);
    const third = text.lastIndexOf(postmark);
    assert.match(
      result.stderr,
      new RegExp(`big\\.mbox:${lineOf(second)}: message larger than the limit of 8 MiB`),
    );
    const last = JSON.parse(result.stdout.trim().split("\n")[1]);
    assert.equal(last.source.line, lineOf(third));
    assertBounded(result, "mbox with a huge message");
  });

  test("a gzip log bomb stops at the decompression limit; what was read is kept", async () => {
    const line =
      "Nov 28 04:00:01 mx postfix/smtp[2]: 5F1A2B3C4D: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n";
    const log = join(work, "maillog.gz");
    writeFileSync(log, gzipSync(Buffer.from(line.repeat(Math.ceil((64 * MB) / line.length)))));
    // Repeated log lines deflate only ~200:1 (gzip's 258-byte matches): the ratio is set below that here.
    const env = {
      DELIVERLENS_MAX_DECOMPRESSED_BYTES: String(8 * MB),
      DELIVERLENS_MAX_DECOMPRESSION_RATIO: "10",
    };
    const result = await run(["classify", "--ndjson", log], env);
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      /maillog\.gz: .*expands to more than 8 MiB .*DELIVERLENS_MAX_DECOMPRESSED_BYTES/,
    );
    const records = recipients(result.stdout).length;
    assert.ok(records > 1000 && records < (12 * MB) / line.length, `${records} records`);
  });

  test("a DSN listing 5,000 recipients: 1,000 records and a problem naming the limit (exit 1)", async () => {
    const many = join(work, "many.eml");
    writeFileSync(many, dsn(Array.from({ length: 5000 }, (_, i) => `r${i}@icloud.com`)));
    const result = await run(["classify", "--ndjson", many]);
    assert.equal(result.status, 1);
    assert.equal(recipients(result.stdout).length, 1000);
    assert.match(
      result.stderr,
      /many\.eml:1: message reached the limit of 1,000 recipients per bounce report \(raise it with DELIVERLENS_MAX_RECIPIENTS\)/,
    );
    const raised = await run(["classify", "--ndjson", many], { DELIVERLENS_MAX_RECIPIENTS: "6000" });
    assert.equal(raised.status, 0, raised.stderr);
    assert.equal(recipients(raised.stdout).length, 5000);
  });

  test("100,000 MIME parts: a problem naming the limit, bounded", async () => {
    const parts = Array.from(
      { length: 100_000 },
      (_, i) => `--p\nContent-Type: text/plain\n\npart ${i}\n`,
    ).join("");
    const file = join(work, "parts.eml");
    writeFileSync(
      file,
      `From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nContent-Type: multipart/mixed; boundary="p"\n\n${parts}--p--\n`,
    );
    const result = await run(["classify", "--format", "email", "--ndjson", file]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /limit of 1,000 MIME parts per message/);
  });

  test("a pipe given as /dev/stdin is read as a stream, not 'empty input'", async () => {
    // Node's spawn gives the child a socket for stdin, a shell a pipe: `/dev/stdin` works with both.
    const socket = await run(
      ["classify", "--ndjson", "/dev/stdin"],
      {},
      Buffer.from(dsn(["piped@icloud.com"])),
    );
    assert.equal(socket.status, 0, socket.stderr);
    assert.deepEqual(recipients(socket.stdout), ["piped@icloud.com"]);
    const piped = spawnSync(
      "sh",
      ["-c", 'cat "$0" | "$1" "$2" classify --ndjson /dev/stdin', CS01_FILE, process.execPath, cli],
      { encoding: "utf8" },
    );
    assert.equal(piped.status, 0, piped.stderr);
    assert.deepEqual(recipients(piped.stdout), ["good@icloud.com"]);
  });

  test("a FIFO is read as a stream", async () => {
    const fifo = join(work, "replies.fifo");
    execFileSync("mkfifo", [fifo]);
    const pending = run(["classify", "--ndjson", fifo]);
    writeFileSync(fifo, dsn(["fifo@icloud.com"]));
    const result = await pending;
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(recipients(result.stdout), ["fifo@icloud.com"]);
  });

  test("empty input: exit 1; a readable email that is not a bounce: a warning, exit 0", async () => {
    const empty = join(work, "empty.eml");
    writeFileSync(empty, "");
    const notBounce = join(work, "hello.eml");
    writeFileSync(notBounce, "From: a@example.org\nTo: b@example.org\nSubject: hello\n\nJust saying hi.\n");
    const emptyRun = await run(["classify", "--ndjson", empty, CS01_FILE]);
    assert.equal(emptyRun.status, 1);
    assert.match(emptyRun.stderr, /empty\.eml: empty input/);
    assert.deepEqual(recipients(emptyRun.stdout), ["good@icloud.com"]);
    const helloRun = await run(["classify", "--ndjson", notBounce, CS01_FILE]);
    assert.equal(helloRun.status, 0, helloRun.stderr);
    assert.match(helloRun.stderr, /hello\.eml:1: not a bounce report/);
  });
});

describe("inspect", () => {
  test("/dev/zero and a message over the inspect limit: refused at the limit, the other file inspected", async () => {
    const big = join(work, "big-inspect.eml");
    writeFileSync(big, `From: a@example.com\nSubject: x\n\n${"word ".repeat(600_000)}`);
    const result = await run(["inspect", "--offline", "--json", "/dev/zero", big, CS01_FILE]);
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /\/dev\/zero: larger than the limit of 2 MiB per inspected message \(raise it with DELIVERLENS_MAX_INSPECT_BYTES\)/,
    );
    assert.match(result.stderr, /big-inspect\.eml: larger than the limit/);
    assert.equal(JSON.parse(result.stdout).reports.length, 1);
    assertBounded(result, "inspect /dev/zero");
  });
});
