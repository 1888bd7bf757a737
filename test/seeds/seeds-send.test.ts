import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Store } from "../../src/store/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { type DovecotStack, dovecotSkip, startDovecot } from "../../testkit/dovecot.ts";
import { type SmtpRelay, startSmtpRelay } from "../../testkit/smtp-relay.ts";

const skip = dovecotSkip();
if (skip) process.stdout.write(`# ${skip}\n`);

const SMTP = { DELIVERLENS_SMTP_USER: "relay-user", DELIVERLENS_SMTP_PASSWORD: "smtp-Pw9-never-shown" };
const IMAP = { SEEDS_S_PW: "imap-Pw4-never-shown" };

describe("seeds send through a local relay into Dovecot, then seeds check", {
  skip,
  timeout: 240_000,
}, () => {
  let stack: DovecotStack;
  let relay: SmtpRelay;
  let dir: string;
  let seedsCsv: string;

  before(async () => {
    Object.assign(process.env, SMTP, IMAP);
    dir = mkdtempSync(join(tmpdir(), "deliverlens-seeds-send-"));
    stack = await startDovecot(
      ["plain1", "strip1", "junk1"].map((name) => ({ name, password: IMAP.SEEDS_S_PW })),
    );
    relay = await startSmtpRelay({
      lmtpPort: stack.lmtpPort,
      auth: { user: SMTP.DELIVERLENS_SMTP_USER, pass: SMTP.DELIVERLENS_SMTP_PASSWORD },
      stripHeader: (rcpt) => rcpt.startsWith("strip1@"),
    });
    seedsCsv = join(dir, "seeds.csv");
    writeFileSync(
      seedsCsv,
      [
        "address,provider,imap_url,username,password_env",
        `plain1@gmail.test,gmail,${stack.imapUrl},plain1,SEEDS_S_PW`,
        `strip1@outlook.test,outlook,${stack.imapUrl},strip1,SEEDS_S_PW`,
        "",
      ].join("\n"),
    );
  });

  /** `seeds send` of `eml` through `smtp` to the seed list, recorded in `db`. */
  const send = (eml: string, smtp: string, db: string, ...extra: string[]) =>
    spawnCli(["seeds", "send", "--seeds", seedsCsv, "--message", eml, "--smtp", smtp, "--db", db, ...extra]);

  after(async () => {
    await relay?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("each seed gets a tagged copy through the relay; a stripped header is found by the body token", async () => {
    const eml = join(dir, "campaign.eml");
    writeFileSync(
      eml,
      "From: News <news@shop.test>\r\nTo: list@shop.test\r\nSubject: =?utf-8?q?Soldes_d=C3=A9cembre?=\r\n\r\nHello.\r\n",
    );
    const db = join(dir, "send.duckdb");
    const sent = await send(eml, relay.url, db, "--json");
    assert.equal(sent.status, 0, sent.stderr);
    const outcome = JSON.parse(sent.stdout);
    assert.equal(outcome.bodyToken, "tagged");
    assert.deepEqual(
      outcome.results.map((r: { accepted: boolean }) => r.accepted),
      [true, true],
    );
    assert.deepEqual(relay.logins, [{ user: "relay-user", ok: true }]);
    assert.deepEqual(
      relay.received.map((m) => m.to),
      [["plain1@gmail.test"], ["strip1@outlook.test"]],
    );
    assert.equal(relay.received[0].from, "news@shop.test");
    assert.match(relay.received[0].raw.toString(), new RegExp(`X-Deliverlens-Test: ${outcome.testId}`));

    const checked = await spawnCli([
      "seeds",
      "check",
      "--seeds",
      seedsCsv,
      "--test",
      outcome.testId,
      "--db",
      db,
      "--wait",
      "20s",
      "--json",
    ]);
    assert.equal(checked.status, 0, checked.stderr);
    const rows = JSON.parse(checked.stdout);
    assert.deepEqual(
      rows.map((r: { placement: string; matchedBy: string }) => [r.placement, r.matchedBy]),
      [
        ["inbox", "header"],
        ["inbox", "body"],
      ],
    );
    const store = await Store.open(db, { readOnly: true });
    const stored = JSON.stringify([
      await store.all("SELECT * FROM seed_tests"),
      await store.all("SELECT * FROM seed_results"),
    ]);
    store.close();
    assert.match(stored, /Soldes décembre/);
    for (const secret of [...Object.values(SMTP).slice(1), ...Object.values(IMAP)]) {
      for (const text of [sent.stdout, sent.stderr, checked.stdout, checked.stderr, stored, stack.log()])
        assert.ok(!text.includes(secret), "a secret leaked");
    }
  });

  test("a DKIM-signed campaign is sent with its body untouched (header only), and the output says so", async () => {
    const body = "Hello,\r\n\r\nsigned offer.\r\n";
    const eml = join(dir, "signed.eml");
    writeFileSync(
      eml,
      `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.test; s=s1; h=from:subject; bh=abc=; b=def=\r\nFrom: news@shop.test\r\nSubject: Signed\r\n\r\n${body}`,
    );
    const before = relay.received.length;
    const sent = await send(eml, relay.url, join(dir, "signed.duckdb"));
    assert.equal(sent.status, 0, sent.stderr);
    assert.match(sent.stdout, /DKIM-signed: the test id was added as the X-Deliverlens-Test header only/);
    const copy = relay.received[before].raw.toString();
    assert.ok(copy.endsWith(`\r\n\r\n${body}`), "the signed body arrives byte for byte");
  });

  test("a relay login refused and credentials in the SMTP URL are errors in words, without the password", async () => {
    const eml = join(dir, "campaign.eml");
    const db = join(dir, "refused.duckdb");
    process.env.DELIVERLENS_SMTP_PASSWORD = "smtp-wrong-password";
    const wrong = await send(eml, relay.url, db);
    process.env.DELIVERLENS_SMTP_PASSWORD = SMTP.DELIVERLENS_SMTP_PASSWORD;
    assert.equal(wrong.status, 1);
    assert.match(wrong.stdout, /refused .*Invalid login|refused .*535/);
    assert.ok(!`${wrong.stdout}${wrong.stderr}`.includes("smtp-wrong-password"));
    const bad = await send(eml, "smtp://u:p@relay.example.com", db);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /no credentials in the URL/);
  });
});
