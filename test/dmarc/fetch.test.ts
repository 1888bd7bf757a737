import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { withMailbox } from "../../src/mailbox/index.ts";
import { type CliRun, spawnCli } from "../../testkit/cli-spawn.ts";
import { type DovecotStack, dovecotSkip, startDovecot } from "../../testkit/dovecot.ts";

/**
 * `dmarc fetch` against a real Dovecot on loopback (testkit/dovecot.ts): report messages are read and
 * stored, other mail is noted, a second run reads only what arrived since (UIDVALIDITY + UID), and the
 * messages stay unread (\Seen untouched: the folder is opened read-only).
 */

const SAMPLES = fileURLToPath(new URL("../fixtures/dmarc/parsedmarc/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-fetch-"));
const PASSWORD = "rua-mailbox-pw-3";

function fetchCli(stack: DovecotStack, db: string): Promise<CliRun> {
  process.env.RUA_PW = PASSWORD;
  return spawnCli([
    "dmarc",
    "fetch",
    "--imap",
    stack.imapUrl,
    "--user",
    "dmarc",
    "--password-env",
    "RUA_PW",
    "--mailbox",
    "INBOX",
    "--db",
    db,
    "--json",
  ]);
}

const skip = dovecotSkip();
if (skip) process.stdout.write(`# ${skip}\n`);

describe("dmarc fetch from a real IMAP mailbox", { skip, timeout: 120_000 }, () => {
  let stack: DovecotStack;
  before(async () => {
    stack = await startDovecot([{ name: "dmarc", password: PASSWORD }]);
    for (const name of ["aggregate/twilight.eml", "smtp_tls/google.com_smtp_tls_report.eml"])
      await stack.deliver(readFileSync(join(SAMPLES, name)), ["dmarc@reports.test"]);
    await stack.deliver("From: a@b.test\r\nSubject: hello\r\n\r\nnot a report\r\n", ["dmarc@reports.test"]);
  });
  after(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("reads new report messages, then only what arrived since, leaving them unread", async () => {
    const db = join(dir, "fetch.duckdb");
    const first = await fetchCli(stack, db);
    assert.equal(first.status, 0, first.stderr);
    const one = JSON.parse(first.stdout);
    assert.equal(one.fetched, 3);
    assert.equal(one.lastUid, 3);
    assert.deepEqual(
      one.reports.map((r: { aggregate: number; tls: number; stored: number }) => [
        r.aggregate,
        r.tls,
        r.stored,
      ]),
      [
        [1, 0, 1],
        [0, 1, 1],
        [0, 0, 0],
      ],
    );
    assert.match(one.reports[2].notes[0], /no DMARC or TLS report attached/);
    assert.match(one.reports[0].path, /^imap:\/\/127\.0\.0\.1:\d+\/INBOX;UID=1$/);

    const none = JSON.parse((await fetchCli(stack, db)).stdout);
    assert.equal(none.fetched, 0, "nothing new: nothing read again");

    await stack.deliver(readFileSync(join(SAMPLES, "aggregate/mimecast-weird-gzip.eml")), [
      "dmarc@reports.test",
    ]);
    const again = JSON.parse((await fetchCli(stack, db)).stdout);
    assert.equal(again.fetched, 1);
    assert.equal(again.lastUid, 4);
    assert.equal(again.reports[0].stored, 1);

    const seen = await withMailbox(
      { imapUrl: stack.imapUrl, username: "dmarc", secretEnv: "RUA_PW" },
      { env: { RUA_PW: PASSWORD } },
      async (session) => session.search("INBOX", { seen: true }),
    );
    assert.deepEqual(seen, [], "\\Seen is never set: progress is kept by UID");

    const wrong = await fetchCli({ ...stack, imapUrl: stack.imapUrl.replace(/:\d+$/, ":1") }, db);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /deliverlens dmarc fetch: .*refused|connect/i);
  });
});
