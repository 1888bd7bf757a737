import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { analyseReceivedCopy } from "../../src/seeds/analyse.ts";
import { checkSeeds } from "../../src/seeds/check.ts";
import { parseSeedList } from "../../src/seeds/seed-list.ts";
import { Store } from "../../src/store/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { type DovecotStack, dovecotSkip, startDovecot } from "../../testkit/dovecot.ts";
import { listenLoopback } from "../../testkit/loopback.ts";

const skip = dovecotSkip();
if (skip) process.stdout.write(`# ${skip}\n`);

/** Passwords only these tests know; the final test greps every output, log and store file for them. */
const SECRETS = { SEEDS_T_PW: "pw-Zq7-inbox-secret", SEEDS_T_BAD: "pw-Kx2-wrong-secret" };
const TEST_ID = "dl-testcheck01";

const message = (extra: string[], body = "Hello from the campaign.") =>
  [
    "From: News <news@shop.test>",
    "To: list@shop.test",
    "Subject: Winter sale",
    "Date: Tue, 01 Dec 2026 10:00:00 +0000",
    "Message-ID: <c1@shop.test>",
    ...extra,
    "",
    body,
    "",
  ].join("\r\n");

describe("seeds check against a real Dovecot (IMAP + LMTP + Sieve) on loopback", {
  skip,
  timeout: 240_000,
}, () => {
  let stack: DovecotStack;
  let hang: net.Server;
  const hangSockets: net.Socket[] = [];
  let dir: string;
  let seedsCsv: string;

  before(async () => {
    Object.assign(process.env, SECRETS);
    dir = mkdtempSync(join(tmpdir(), "deliverlens-seeds-"));
    const names = ["inbox1", "junk1", "bulk1", "strip1", "hostile1", "missing1", "wrongpw"];
    stack = await startDovecot(names.map((name) => ({ name, password: SECRETS.SEEDS_T_PW })));
    hang = net.createServer((socket) => hangSockets.push(socket));
    const hangPort = await listenLoopback(hang);
    const header = [`X-Deliverlens-Test: ${TEST_ID}`];
    await stack.deliver(
      message([
        ...header,
        "Authentication-Results: mx.seeds.test; dkim=pass header.d=shop.test; spf=pass smtp.mailfrom=shop.test; dmarc=pass header.from=shop.test",
      ]),
      ["inbox1@icloud.test"],
    );
    await stack.deliver(
      message([
        ...header,
        "X-Test-Placement: junk",
        "X-Apple-Action: JUNK/Junk",
        "X-Apple-MoveToFolder: Junk",
        "X-Proofpoint-Spam-Details: rule=spam policy=default score=92 spamscore=92 bulkscore=40",
      ]),
      ["junk1@icloud.test"],
    );
    await stack.deliver(message([...header, "X-Test-Placement: bulk"]), ["bulk1@yahoo.test"]);
    // A receiver that stripped the header: only the body token is left.
    await stack.deliver(message([], `Hello.\r\n\r\ndeliverlens-test: ${TEST_ID}`), ["strip1@gmail.test"]);
    // Mail-borne text with terminal escapes and HTML: shown escaped.
    await stack.deliver(
      message([
        ...header,
        "X-Test-Placement: junk",
        "X-Apple-Action: JUNK/\u001b[31mJunk\u001b[0m<script>x</script>",
      ]),
      ["hostile1@icloud.test"],
    );
    // Another test's copy must not count for this one.
    await stack.deliver(message(["X-Deliverlens-Test: dl-othertest99"]), ["missing1@icloud.test"]);
    const row = (name: string, provider: string, env = "SEEDS_T_PW", url = stack.imapUrl) =>
      `${name}@${provider}.test,${provider},${url},${name},${env}`;
    seedsCsv = join(dir, "seeds.csv");
    writeFileSync(
      seedsCsv,
      [
        "address,provider,imap_url,username,password_env",
        row("inbox1", "icloud"),
        row("junk1", "icloud"),
        row("bulk1", "yahoo"),
        row("strip1", "gmail"),
        row("hostile1", "icloud"),
        row("missing1", "icloud"),
        row("wrongpw", "icloud", "SEEDS_T_BAD"),
        `hang1@outlook.test,outlook,imap://127.0.0.1:${hangPort},hang1,SEEDS_T_PW`,
        "",
      ].join("\n"),
    );
  });

  after(async () => {
    for (const socket of hangSockets) socket.destroy();
    hang?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("inbox, junk by \\Junk, junk by name, body token, missing, wrong password and a hanging server", async () => {
    const { seeds } = parseSeedList(readFileSync(seedsCsv, "utf8"));
    const options = {
      testId: TEST_ID,
      since: new Date(Date.now() - 2 * 86400_000),
      waitMs: 0,
      maxMessageBytes: 1 << 20,
      analyse: analyseReceivedCopy,
    };
    const hanging = seeds.filter((seed) => seed.address.startsWith("hang1"));
    const results = [
      ...(await checkSeeds(
        seeds.filter((seed) => !hanging.includes(seed)),
        { ...options, mailbox: {} },
      )),
      // The greeting timeout only matters to the server that never greets: short there, the default elsewhere.
      ...(await checkSeeds(hanging, { ...options, mailbox: { timeouts: { greetingMs: 500 } } })),
    ];
    const by = Object.fromEntries(results.map((result) => [result.address.split("@")[0], result]));
    assert.equal(by.inbox1.placement, "inbox");
    assert.equal(by.inbox1.folder, "INBOX");
    assert.equal(by.inbox1.matchedBy, "header");
    assert.ok(
      by.inbox1.reasons.some((reason) =>
        /authentication at mx\.seeds\.test: dkim=pass spf=pass dmarc=pass/.test(reason),
      ),
    );
    assert.equal(by.junk1.placement, "junk");
    assert.equal(by.junk1.folder, "Junk");
    assert.ok(by.junk1.reasons.some((reason) => /server's spam folder \(\\Junk\)/.test(reason)));
    assert.ok(by.junk1.reasons.some((reason) => /Proofpoint rule=spam score=92 spamscore=92/.test(reason)));
    assert.equal(by.junk1.verdicts?.apple?.verdict, "junk");
    assert.equal(by.bulk1.placement, "junk");
    assert.equal(by.bulk1.folder, "Bulk");
    assert.ok(by.bulk1.reasons.some((reason) => /a spam folder by its name/.test(reason)));
    assert.equal(by.strip1.placement, "inbox");
    assert.equal(by.strip1.matchedBy, "body");
    assert.ok(by.strip1.reasons.some((reason) => /header was stripped/.test(reason)));
    assert.equal(by.missing1.placement, "missing");
    assert.match(by.missing1.reasons[0], /not found in INBOX, Junk, Bulk/);
    assert.equal(by.wrongpw.placement, "error");
    assert.match(by.wrongpw.error ?? "", /^login failed: authentication rejected/);
    assert.equal(by.hang1.placement, "error");
    assert.match(by.hang1.error ?? "", /no IMAP greeting from 127\.0\.0\.1:\d+ within 0\.5 s/);
  });

  test("a copy that arrives during the wait is found on a later poll", async () => {
    const { seeds } = parseSeedList(readFileSync(seedsCsv, "utf8"));
    const late = seeds.filter((seed) => seed.address.startsWith("missing1"));
    const id = "dl-testlate0001";
    const delivery = new Promise<void>((resolve, reject) =>
      setTimeout(
        () =>
          stack
            .deliver(message([`X-Deliverlens-Test: ${id}`]), ["missing1@icloud.test"])
            .then(resolve, reject),
        300,
      ),
    );
    const [results] = await Promise.all([
      checkSeeds(late, {
        testId: id,
        since: new Date(Date.now() - 86400_000),
        waitMs: 60_000,
        pollMs: 200,
        mailbox: {},
        maxMessageBytes: 1 << 20,
        analyse: analyseReceivedCopy,
      }),
      delivery,
    ]);
    assert.equal(results[0].placement, "inbox");
  });

  test("the CLI: --json rows, escaped terminal text, the store and report — and no secret anywhere", async () => {
    const db = join(dir, "seeds.duckdb");
    const common = ["seeds", "check", "--seeds", seedsCsv, "--test", TEST_ID, "--db", db, "--timeout", "4s"];
    const json = await spawnCli([...common, "--json", "--campaign", "Winter sale"]);
    assert.equal(json.status, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    assert.equal(rows.length, 8);
    for (const row of rows) {
      for (const key of ["address", "provider", "placement", "folder", "reasons", "error"])
        assert.ok(key in row, key);
    }
    assert.deepEqual(
      rows.map((row) => row.placement),
      ["inbox", "junk", "junk", "inbox", "junk", "missing", "error", "error"],
    );
    assert.equal(rows[1].provider, "apple");
    assert.equal(rows[0].subject, "Winter sale");
    const text = await spawnCli(common);
    assert.equal(text.status, 0, text.stderr);
    assert.ok(!text.stdout.includes("\u001b"), "no raw escape from mail in the terminal output");
    assert.match(text.stdout, /JUNK\/\\u001b\[31mJunk/);
    assert.match(text.stdout, /Apple iCloud\s+5 seeds\s+inbox 1\s+tab 0\s+junk 2\s+missing 1\s+error 1/);
    const report = await spawnCli(["seeds", "report", "--db", db, "--json"]);
    assert.equal(report.status, 0, report.stderr);
    const apple = (JSON.parse(report.stdout).rows as Record<string, unknown>[]).find(
      (row) => row.provider === "apple",
    );
    assert.equal(apple?.campaign, "Winter sale");
    assert.equal(apple?.junk, 2);
    assert.equal(apple?.appleJunk, 2);
    assert.equal(apple?.proofpointMax, 92);
    const reportText = await spawnCli(["seeds", "report", "--db", db, "--provider", "icloud.com"]);
    assert.match(reportText.stdout, /Winter sale/);

    // Every mailbox failing is a run that could not check anything: exit 1, the rows still printed.
    const onlyBad = join(dir, "bad.csv");
    writeFileSync(
      onlyBad,
      `address,provider,imap_url,username,password_env\nwrongpw@icloud.test,icloud,${stack.imapUrl},wrongpw,SEEDS_T_BAD\n`,
    );
    const failed = await spawnCli([
      "seeds",
      "check",
      "--seeds",
      onlyBad,
      "--test",
      TEST_ID,
      "--db",
      db,
      "--json",
    ]);
    assert.equal(failed.status, 1);
    assert.match(JSON.parse(failed.stdout)[0].error, /^login failed: authentication rejected/);

    const outputs = [
      failed.stdout,
      failed.stderr,
      json.stdout,
      json.stderr,
      text.stdout,
      text.stderr,
      report.stdout,
      reportText.stdout,
      stack.log(),
    ];
    const store = await Store.open(db, { readOnly: true });
    outputs.push(
      JSON.stringify([
        await store.all("SELECT * FROM seed_tests"),
        await store.all("SELECT * FROM seed_results"),
      ]),
    );
    store.close();
    const stored = readdirSync(dir)
      .filter((name) => name.startsWith("seeds.duckdb"))
      .map((name) => readFileSync(join(dir, name)).toString("latin1"));
    for (const secret of Object.values(SECRETS)) {
      for (const output of [...outputs, ...stored]) assert.ok(!output.includes(secret), "a secret leaked");
    }
  });
});
