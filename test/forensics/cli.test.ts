import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { CLI, spawnCli } from "../../testkit/cli-spawn.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";
import { buildMail, dkimKey, signMail } from "../../testkit/forensics-mail.ts";
import { scratchDir } from "../../testkit/scratch.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/forensics/${name}`, import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [CLI, "inspect", ...args], { encoding: "utf8" });
/** Async: the loopback DNS server lives in this process and must keep answering meanwhile. */
const runAsync = (args: string[]) => spawnCli(["inspect", ...args]);

describe("deliverlens inspect (CLI)", () => {
  it("--offline --json on an iCloud Junk copy: verdicts, Proofpoint map, findings, schemaVersion", () => {
    const result = run(["--offline", "--json", fixture("icloud-junk-01.eml")]);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.message.copy, "received");
    assert.equal(report.headers.apple.verdict, "junk");
    assert.equal(report.headers.apple.iclScore, "3.332033030043");
    assert.equal(report.headers.apple.other["x-arc-info"], "policy=fail; arc=pass; id=mx.forwarder.test");
    assert.equal(report.headers.proofpoint.fields.newfield.value, "7");
    assert.equal(report.headers.proofpoint.fields.newfield.meaning, null);
    assert.equal(report.headers.authenticationResults.length, 5);
    const ids = report.findings.map((f: { id: string }) => f.id);
    for (const id of [
      "APPLE_JUNK",
      "PROOFPOINT_HIGH_SPAMSCORE",
      "RECEIVER_AUTH_FAILED",
      "UNSUBSCRIBE_NOT_SIGNED",
      "URL_SHORTENER",
      "ANCHOR_DOMAIN_MISMATCH",
      "TRACKING_PIXEL",
      "SUBJECT_ALL_CAPS",
      "SUBJECT_EXCLAMATIONS",
      "PROMOTIONAL_LANGUAGE",
      "NO_TEXT_PART",
    ]) {
      assert.ok(ids.includes(id), `${id} missing from ${ids.join(", ")}`);
    }
    for (const f of report.findings) {
      assert.match(f.id, /^[A-Z][A-Z0-9_]+$/);
      assert.ok(["critical", "high", "medium", "low", "info"].includes(f.severity));
      assert.ok(f.title && f.evidence !== undefined && f.fix);
    }
    assert.equal(report.auth.envelope.ip, "192.0.2.7");
    assert.ok(report.skipped.length >= 4);
  });

  it("text output shows Forefront and SpamAssassin verdicts", () => {
    const result = run(["--offline", fixture("outlook-junk-01.eml")]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Microsoft: SCL 6 BCL 8 SFV SPM org-SCL 6/);
    assert.match(result.stdout, /MICROSOFT_SPAM/);
    assert.match(result.stdout, /MICROSOFT_BULK/);
    assert.match(result.stdout, /SpamAssassin: spam score 6\.1\/5/);
    assert.match(result.stdout, /Skipped/);
  });

  it("escapes control characters from the message in text output", () => {
    const dir = scratchDir("inspect-");
    const file = join(dir, "evil.eml");
    writeFileSync(file, buildMail({ headers: [["Subject", "Hi \u001b[2J\u001b]0;pwned\u0007 there"]] }));
    const result = run(["--offline", file]);
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stdout, /\u001b|\u0007/);
    assert.match(result.stdout, /\\u001b\[2J/);
  });

  it("several files give { reports } in JSON; an unreadable one is reported and skipped (exit 1)", () => {
    const result = run(["--offline", "--json", fixture("icloud-junk-01.eml"), "/no/such/file.eml"]);
    assert.equal(result.status, 1);
    const body = JSON.parse(result.stdout);
    assert.equal(body.schemaVersion, 1);
    assert.equal(body.reports.length, 1);
    assert.equal(body.problems.length, 1);
    assert.match(result.stderr, /\/no\/such\/file\.eml/);
  });

  it("exit codes: 1 when nothing could be read, 2 for a bad --ip or --resolver", () => {
    assert.equal(run(["--offline", "/no/such/file.eml"]).status, 1);
    const badIp = run(["--offline", "--ip", "999.1.1.1", fixture("icloud-junk-01.eml")]);
    assert.equal(badIp.status, 2);
    assert.match(badIp.stderr, /--ip/);
    const badResolver = run(["--resolver", "dns.google", fixture("icloud-junk-01.eml")]);
    assert.equal(badResolver.status, 2);
    assert.match(badResolver.stderr, /--resolver/);
  });
});

describe("deliverlens inspect --resolver udp://127.0.0.1:PORT", () => {
  const key = dkimKey();
  let server: TestDnsServer;
  before(async () => {
    server = await startDnsServer({
      "example.test": { TXT: ["v=spf1 ip4:192.0.2.7 -all"] },
      "_dmarc.example.test": { TXT: ["v=DMARC1; p=none"] },
      "s1._domainkey.example.test": { TXT: [key.record] },
    });
  });
  after(() => server.close());

  it("--offline asks the given server nothing", async () => {
    const before = server.queries.length;
    const result = await runAsync([
      "--offline",
      "--json",
      "--resolver",
      server.url,
      fixture("icloud-junk-01.eml"),
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).offline, true);
    assert.equal(server.queries.length, before);
  });

  it("verifies DKIM, SPF and DMARC through the given server", async () => {
    const dir = scratchDir("inspect-");
    const file = join(dir, "signed.eml");
    writeFileSync(file, await signMail(buildMail(), "example.test", "s1", key));
    const result = await runAsync(["--json", "--resolver", server.url, "--ip", "192.0.2.7", file]);
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.offline, false);
    assert.equal(report.auth.dkim[0].result, "pass");
    assert.equal(report.auth.spf.result, "pass");
    assert.equal(report.auth.dmarc.result, "pass");
    assert.ok(server.queries.some((q) => q.name === "s1._domainkey.example.test"));
  });
});
