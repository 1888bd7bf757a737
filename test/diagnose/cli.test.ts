import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { MEASURES } from "../../src/measures/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { generateScenario } from "../../testkit/scenarios.ts";
import { storeScenario } from "../../testkit/scenarios-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-diagnose-"));
const db = join(dir, "program.duckdb");
/** The content-driven campaign gets a hostile, address-bearing name: it must come out redacted and escaped. */
const BAD = "promo-jane.doe@example.com";

const run = (...args: string[]) => spawnCli(args);

before(async () => {
  const scenario = generateScenario({
    cause: "content",
    strength: 2,
    noise: 0,
    seed: 5,
    recipients: 1500,
    days: 60,
  });
  const target = scenario.targets[0];
  const events = scenario.events.map((e) => (e.campaign === target ? { ...e, campaign: BAD } : e));
  const store = await storeScenario(events, db);
  store.close();
  const messages = join(dir, "messages");
  mkdirSync(messages);
  const eml = (id: string | null, link: string) =>
    [
      "From: News <news@news.example.com>",
      "To: someone@icloud.com",
      "Subject: This week",
      "Message-ID: <1@news.example.com>",
      "Date: Mon, 1 Jun 2026 10:00:00 +0000",
      ...(id ? [`X-Campaign-ID: ${id}`] : []),
      "Content-Type: text/html; charset=utf-8",
      "",
      `<p>Our news this week. Read more at <a href="${link}">the article</a>.</p>`,
    ].join("\r\n");
  writeFileSync(join(messages, "bad.eml"), eml(BAD, "https://bit.ly/3abcde"));
  for (const name of scenario.campaigns.filter((c) => c !== target).slice(0, 5)) {
    writeFileSync(join(messages, `${name}.eml`), eml(null, "https://news.example.com/article"));
  }
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("diagnose --json ranks the injected cause first, redacts addresses, and explains it by the messages", async () => {
  const result = await run(
    "diagnose",
    "--db",
    db,
    "--offline",
    "--json",
    "--messages",
    join(dir, "messages"),
  );
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.causes[0].id, "content");
  assert.ok(report.causes[0].confidence > 0.35 && report.causes[0].confidence <= 1);
  assert.deepEqual(report.causes[0].subjects, ["[redacted]@example.com"]);
  assert.ok(!result.stdout.includes("jane.doe"), "the address is redacted everywhere");
  const texts = report.causes[0].evidence.map((e: { text: string }) => e.text).join("\n");
  assert.match(texts, /bit\.ly/);
  assert.ok(report.prescriptions.content.some((a: string) => a.includes("bit.ly")));
  for (const key of ["episodes", "summary", "daily", "tiers", "campaigns"]) assert.ok(key in report, key);
  // figures: the summary's numbers, consistent with daily[] and quoted by the summary sentence.
  const { figures } = report;
  const daily = report.daily as { day: string; sent: number; policy: number; policyBounces: number }[];
  assert.equal(
    figures.messages,
    daily.reduce((s, d) => s + d.sent, 0),
  );
  assert.equal(
    figures.policyBounces,
    daily.reduce((s, d) => s + d.policyBounces, 0),
  );
  assert.ok(daily.every((d) => d.policyBounces === d.policy));
  assert.ok(Math.abs(figures.rate - figures.policyBounces / figures.messages) < 1e-6);
  assert.deepEqual(figures.window, { from: daily[0].day, to: daily.at(-1)!.day, days: daily.length });
  assert.ok(report.summary.includes(figures.messages.toLocaleString("en-US")));
  assert.ok(report.summary.includes(`${figures.policyBounces.toLocaleString("en-US")} policy bounces`));
  // Every number-bearing evidence line names the measures it is built from.
  for (const cause of report.causes) {
    for (const e of cause.evidence as { text: string; ratio?: number; p?: number; measures?: string[] }[]) {
      if (e.ratio !== undefined || e.p !== undefined)
        assert.ok((e.measures?.length ?? 0) > 0, `${cause.id}: ${e.text}`);
      // …and every id it cites is one the measures catalog (docs/MEASURES.md) defines.
      for (const id of e.measures ?? [])
        assert.ok(Object.hasOwn(MEASURES, id), `${cause.id}: unknown measure ${id}`);
    }
  }
  assert.match(report.prescriptions.escalation, /icloudadmin@apple\.com/);
  assert.match(report.prescriptions.escalation, /\[CS01\].*times, first seen 2026-/);
});

test("--no-redact shows addresses; --md, --html and --export write their files", async () => {
  const md = join(dir, "r.md");
  const html = join(dir, "r.html");
  const csv = join(dir, "suppress.csv");
  const result = await run(
    "diagnose",
    "--db",
    db,
    "--offline",
    "--no-redact",
    "--md",
    md,
    "--html",
    html,
    "--export",
    csv,
  );
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /content/);
  assert.match(readFileSync(md, "utf8"), /jane\.doe@example\.com/);
  const page = readFileSync(html, "utf8");
  assert.match(page, /<svg id="chart-daily"/);
  assert.ok(!/<[a-z][^>]*\s(?:src|href)\s*=/i.test(page), "no element loads anything");
  const rows = readFileSync(csv, "utf8").trim().split("\n");
  assert.equal(rows[0], "address,reason");
  assert.ok(rows.length > 1 && rows.slice(1).every((r) => /@icloud\.com,[a-z0-9-]+$/.test(r)));
});

test("plan writes the warm-up CSV", async () => {
  const out = join(dir, "plan.csv");
  const result = await run("plan", "--db", db, "--provider", "apple", "--target", "800", "--out", out);
  assert.equal(result.status, 0, result.stderr);
  const rows = readFileSync(out, "utf8").trim().split("\n");
  assert.equal(rows[0], "date,provider,tier,max_messages");
  assert.match(rows[1], /^\d{4}-\d{2}-\d{2},apple,0-30,\d+$/);
});

test("usage errors exit 2, an unreadable store exits 1", async () => {
  assert.equal((await run("diagnose", "--db", db, "--offline", "--ip", "not-an-ip")).status, 2);
  assert.equal((await run("plan", "--db", db, "--target", "0")).status, 2);
  assert.equal((await run("plan", "--db", db)).status, 2);
  assert.equal(
    (await run("diagnose", "--db", db, "--offline", "--messages", join(dir, "nowhere"))).status,
    2,
  );
  assert.equal((await run("diagnose", "--db", db, "--offline", "--provider", "nosuchprovider")).status, 2);
  const missing = await run("diagnose", "--db", join(dir, "missing.duckdb"), "--offline");
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /deliverlens:/);
});
