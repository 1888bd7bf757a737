/**
 * The independent program generator (testkit/programs/): deterministic per seed, its ground truth
 * agrees with the messages it wrote, the programs look like real ones (providers, MPP, schedules), and
 * every export format ingests with nothing quarantined and every event stored.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { generateProgram, stampDigits } from "../../testkit/programs/generate.ts";
import { handmadeProgram } from "../../testkit/programs/handmade.ts";
import {
  expectedAnswer,
  formatReport,
  isRight,
  type RunResult,
  score,
} from "../../testkit/programs/matrix.ts";
import { CAUSES, type Injected, type Program, type ProgramSpec } from "../../testkit/programs/model.ts";
import { gridSpecs, smallMatrix } from "../../testkit/programs/specs.ts";
import {
  type ExportFormat,
  FORMATS,
  HAS_ENGAGEMENT,
  writeProgram,
} from "../../testkit/programs/writers/index.ts";

const SMALL = { recipients: 900, days: 42 } as const;
const TINY = { recipients: 400, days: 28 } as const;

function digest(program: Program): string {
  return createHash("sha256").update(JSON.stringify(program.messages)).digest("hex");
}

const apple = (p: Program) =>
  p.messages.filter((m) => p.recipients[p.recipients.length > 0 ? m.recipient : 0].provider === "apple");
const final = (m: Program["messages"][number]) => m.attempts[m.attempts.length - 1];

describe("program generator", () => {
  test("the same spec gives the same program; another seed another one", () => {
    const spec: ProgramSpec = { seed: 11, cause: "content", strength: 1, ...SMALL };
    assert.equal(digest(generateProgram(spec)), digest(generateProgram(spec)));
    assert.notEqual(digest(generateProgram(spec)), digest(generateProgram({ ...spec, seed: 12 })));
  });

  test("ground truth: the injected rejections are where the truth says, at Apple, and counted right", () => {
    for (const cause of [...CAUSES, "clean"] as const) {
      const p = generateProgram({ seed: 5, cause, strength: 1, ...SMALL });
      const injected = apple(p).filter((m) => m.truth === cause);
      assert.equal(injected.length, p.truth.causePolicyBounces, cause);
      assert.equal(
        apple(p).filter((m) => m.truth === "background").length,
        p.truth.backgroundPolicyBounces,
        cause,
      );
      for (const m of injected) assert.equal(final(m).outcome, "bounced", cause);
      if (cause === "clean") {
        assert.equal(injected.length, 0);
        continue;
      }
      assert.ok(injected.length >= 3, `${cause}: ${injected.length} injected`);
      if (p.truth.campaigns && cause === "content")
        for (const m of injected) assert.ok(p.truth.campaigns.includes(p.campaigns[m.campaign].id));
      if (p.truth.ips) for (const m of injected) assert.ok(p.truth.ips.includes(m.ip), `${cause}: ${m.ip}`);
      if (p.truth.window) {
        const [from, to] = p.truth.window;
        for (const m of injected) {
          const day = Math.floor((m.sentAt - p.start) / 86_400_000);
          assert.ok(day >= from && day <= to, `${cause}: day ${day} outside ${from}–${to}`);
        }
      }
      if (cause === "blocklist")
        for (const m of injected) assert.match(final(m).reply.text, /Spamhaus|proofpoint/);
      if (cause === "authentication")
        for (const m of injected) assert.match(final(m).reply.text, /SPF|DMARC/);
      if (cause === "rate-limit")
        for (const m of injected)
          assert.match(m.attempts[0].reply.text, /excessive volume/, "deferred first");
    }
  });

  test("0.6 strength injects fewer rejections than full strength; weak signals stay in 10–45", () => {
    const full = generateProgram({
      seed: 8,
      cause: "ip-reputation",
      strength: 1,
      variant: "bad-ip",
      ...SMALL,
    });
    const partial = generateProgram({
      seed: 8,
      cause: "ip-reputation",
      strength: 0.6,
      variant: "bad-ip",
      ...SMALL,
    });
    assert.ok(partial.truth.causePolicyBounces < full.truth.causePolicyBounces * 0.8);
    const weak = generateProgram({ seed: 8, cause: "content", strength: 1, weak: true, ...SMALL });
    assert.ok(
      weak.truth.causePolicyBounces >= 10 && weak.truth.causePolicyBounces <= 45,
      `${weak.truth.causePolicyBounces}`,
    );
  });

  test("programs look like real ones: size, providers, Apple domains, MPP beyond Apple, schedules, streams", () => {
    const p = generateProgram({ seed: 3, cause: "clean", strength: 1 });
    const regular = p.recipients.filter((r) => !r.oneOff).length;
    assert.ok(regular >= 3000 && regular <= 6600, `${regular} recipients`);
    assert.ok(p.days >= 70 && p.days <= 120);
    const domains = new Set(p.recipients.map((r) => r.domain));
    for (const d of ["icloud.com", "me.com", "mac.com", "gmail.com", "yahoo.com", "outlook.com"])
      assert.ok(domains.has(d), d);
    const machineOpens = p.messages.filter((m) => m.engagement.some((e) => e.machine));
    assert.ok(
      machineOpens.some((m) => p.recipients[m.recipient].provider !== "apple"),
      "MPP opens at non-Apple addresses",
    );
    assert.ok(
      p.campaigns.some((c) => c.offSchedule),
      "an off-schedule send",
    );
    assert.ok(
      p.campaigns.some((c) => c.stream === "transactional" && c.messages > 0),
      "a transactional stream",
    );
    assert.ok(p.truth.backgroundPolicyBounces > 0, "background policy rejections");
    assert.ok(
      p.messages.some((m) => m.attempts.some((a) => a.outcome === "deferred")),
      "background deferrals",
    );
    assert.ok(
      p.messages.some((m) => final(m).reply.kind === "hard"),
      "hard bounces",
    );
  });

  test("a message id's time digits are the ISO form's: every hour edge of two years, random instants, out of range", () => {
    const iso = (ms: number) =>
      new Date(ms)
        .toISOString()
        .replace(/[-:TZ.]/g, "")
        .slice(0, 14);
    const times = [
      0, 999, 1000, 86_399_999, 86_400_000, 951_782_400_000, 253_402_300_799_999, 253_402_300_800_000,
    ];
    times.push(-1, -86_400_001, -62_198_755_200_000);
    for (let hour = 0; hour < 2 * 366 * 24; hour++) {
      const edge = Date.UTC(2027, 11, 1) + hour * 3_600_000;
      times.push(edge - 1, edge, edge + 59_999, edge + 60_000);
    }
    let x = 12345;
    for (let i = 0; i < 20_000; i++) {
      x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
      times.push(Math.floor((x / 2 ** 32) * 253_402_300_800_000));
    }
    for (const ms of times) assert.equal(stampDigits(ms), iso(ms), String(ms));
  });

  test("the grid and the small matrix cover every cause at both strengths, and clean programs", () => {
    for (const specs of [gridSpecs(2), smallMatrix().specs]) {
      for (const cause of CAUSES)
        for (const strength of [1, 0.6])
          assert.ok(specs.some((s) => s.cause === cause && s.strength === strength));
      assert.ok(specs.filter((s) => s.cause === "clean").length >= 2);
    }
  });
});

describe("export writers", () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-programs-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const program = generateProgram({ seed: 21, cause: "rate-limit", strength: 1, ...TINY });
  const attempts = program.messages.reduce((n, m) => n + m.attempts.length, 0);
  const engagement = program.messages.reduce((n, m) => n + m.engagement.length, 0);
  const finals = program.messages.filter((m) => final(m).outcome !== "deferred").length;
  const complaints = program.messages.reduce(
    (n, m) => n + m.engagement.filter((e) => e.kind === "complaint").length,
    0,
  );

  for (const format of FORMATS)
    test(`${format}: ingests with 0 quarantined and every event stored`, async () => {
      const written = writeProgram(program, join(dir, format), format);
      const store = await Store.open(join(dir, `${format}.duckdb`));
      try {
        let stored = 0;
        for (const file of written.files) {
          const summary = await ingestFile(store, file, { year: written.year });
          assert.equal(summary.quarantined, 0);
          stored += summary.stored;
        }
        const expected =
          format === "ses-notifications"
            ? finals + complaints
            : HAS_ENGAGEMENT[format]
              ? program.messages.length + attempts + engagement
              : attempts;
        assert.equal(stored, expected);
        const bounced = await store.one<{ n: number }>(
          "SELECT count(*)::INTEGER AS n FROM events WHERE type = 'bounced' AND provider = 'apple'",
        );
        assert.equal(
          bounced?.n,
          program.messages.filter(
            (m) => final(m).outcome === "bounced" && program.recipients[m.recipient].provider === "apple",
          ).length,
        );
      } finally {
        store.close();
      }
    });

  test("campaign messages: one .eml per marketing campaign, with X-Campaign-ID and its links", () => {
    const written = writeProgram(program, join(dir, "eml"), "pmta");
    const files = readdirSync(written.messages);
    const marketing = program.campaigns.filter((c) => c.stream === "marketing" && c.messages > 0);
    assert.equal(files.length, marketing.length);
    const eml = readFileSync(join(written.messages, `${marketing[0].id}.eml`), "utf8");
    assert.match(eml, new RegExp(`X-Campaign-ID: ${marketing[0].id}`));
    for (const link of marketing[0].links) assert.ok(eml.includes(link));
  });
});

describe("hand-made program as a Program", () => {
  test("the generic CSV's story: five newsletters, 34 CS01s on the bit.ly one, its links in the campaign", () => {
    const program = handmadeProgram();
    assert.equal(program.campaigns.length, 5);
    const policy = program.campaigns.map(
      (_, week) =>
        program.messages.filter((m) => m.campaign === week && final(m).reply.kind === "policy").length,
    );
    assert.deepEqual(policy, [1, 2, 0, 34, 1]);
    assert.ok(program.campaigns[3].links.every((l) => l.startsWith("https://bit.ly/")));
    assert.ok(
      program.campaigns.filter((_, w) => w !== 3).every((c) => c.links.every((l) => !l.includes("bit.ly"))),
    );
    assert.ok(program.messages.some((m) => m.engagement.some((e) => e.machine && e.ip.startsWith("17."))));
  });
});

describe("matrix scoring", () => {
  const run = (
    cause: Injected,
    strength: number,
    format: ExportFormat,
    causes: [string, number][],
  ): RunResult => {
    const top = causes[0][0];
    return {
      name: `${cause}@${strength}`,
      spec: { seed: 1, cause, strength },
      format,
      truth: {} as RunResult["truth"],
      expected: expectedAnswer(cause),
      causes: causes.map(([id, confidence]) => ({ id, confidence })),
      top,
      correct: isRight(top, cause, format),
      quarantined: 0,
      seconds: 1,
    };
  };

  test("first-ranked accuracy per strength, clean, formats that cannot show the cause, calibration at 0.7", () => {
    const s = score([
      run("content", 1, "sendgrid", [["content", 0.9]]),
      run("volume-spike", 1, "sendgrid", [
        ["content", 0.88],
        ["volume-spike", 0.4],
      ]),
      run("rate-limit", 0.6, "ses", [["rate-limit", 0.75]]),
      run("clean", 1, "ses", [["insufficient-evidence", 1]]),
      run("low-engagement", 1, "pmta", [["insufficient-evidence", 1]]),
      run("content", 0.6, "postfix", [["volume-spike", 0.8]]),
    ]);
    assert.deepEqual(s.full, { n: 2, right: 1 });
    assert.deepEqual(s.partial, { n: 1, right: 1 });
    assert.deepEqual(s.clean, { n: 1, right: 1 });
    assert.deepEqual(s.unjudgeable, { n: 2, right: 1 });
    // ≥ 0.7: content 0.9 ✓, content 0.88 ✗, rate-limit ✓, clean's insufficient-evidence ✓, pmta's ✓, postfix guess ✗
    assert.deepEqual(s.calibration, { n: 6, right: 4 });
    assert.equal(s.confusion["volume-spike"].content, 1);
    assert.equal(s.pass.full, false);
    assert.equal(s.pass.clean, true);
    assert.match(formatReport([run("clean", 1, "ses", [["insufficient-evidence", 1]])]), /clean .*1\/1/);
  });

  test("the report has a confusion matrix and a calibration table for each format when there are several", () => {
    const report = formatReport([
      run("content", 1, "sendgrid", [["content", 0.9]]),
      run("content", 1, "mailgun", [["volume-spike", 0.8]]),
    ]);
    const section = (format: string) => report.split(`── ${format} ──`)[1]?.split("── ")[0] ?? "";
    assert.match(section("sendgrid"), /^content\s+·\s+·\s+1\s.*1\/1$/m);
    assert.match(section("sendgrid"), /\[0\.85, 1\.00\]\s+1\s+1\/1/);
    assert.match(section("mailgun"), /^content\s+1\s+·.*0\/1$/m);
    assert.match(section("mailgun"), /\[0\.70, 0\.85\)\s+1\s+0\/1/);
    assert.doesNotMatch(formatReport([run("content", 1, "ses", [["content", 0.9]])]), /── ses ──/);
  });
});
