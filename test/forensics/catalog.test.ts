import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import promoPhrases from "../../data/promo-phrases.json" with { type: "json" };
import redirectors from "../../data/redirectors.json" with { type: "json" };
import requirements from "../../data/requirements.json" with { type: "json" };
import riskyAttachments from "../../data/risky-attachments.json" with { type: "json" };
import shorteners from "../../data/shorteners.json" with { type: "json" };
import { FINDING_KINDS, finding } from "../../src/forensics/catalog.ts";
import { AREAS } from "../../src/forensics/finding.ts";
import { inspectMessage } from "../../src/forensics/inspect.ts";
import { scoreAreas } from "../../src/forensics/score.ts";
import { SEVERITY_POINTS } from "../../src/util/severity.ts";
import { buildMail } from "../../testkit/forensics-mail.ts";

const read = (path: string) => readFileSync(new URL(path, import.meta.url), "utf8");

/** Ids with no test that produces them, and why. Keep this list empty or justified. */
const UNTESTED: Record<string, string> = {};

describe("finding catalog", () => {
  it("ids are unique UPPER_SNAKE with an area, a fix and a source", () => {
    const ids = FINDING_KINDS.map((kind) => kind.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const kind of FINDING_KINDS) {
      assert.match(kind.id, /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/);
      assert.ok(kind.area in AREAS, kind.id);
      assert.ok(kind.severity in SEVERITY_POINTS, kind.id);
      assert.ok(kind.title.length > 0 && kind.fix.length > 0 && kind.source.length > 0, kind.id);
    }
    assert.throws(() => finding("NO_SUCH_FINDING", ""), /unknown finding id/);
  });

  it("every id is documented in docs/INSPECT.md", () => {
    const docs = read("../../docs/INSPECT.md");
    const missing = FINDING_KINDS.filter((kind) => !docs.includes(`\`${kind.id}\``)).map((kind) => kind.id);
    assert.deepEqual(missing, []);
  });

  it("every id is produced by some test under test/forensics (or listed in UNTESTED with a reason)", () => {
    const dir = new URL("./", import.meta.url);
    const sources = readdirSync(dir)
      .filter((file) => file.endsWith(".test.ts") && file !== "catalog.test.ts")
      .map((file) => readFileSync(new URL(file, dir), "utf8"))
      .join("\n");
    const untested = FINDING_KINDS.filter(
      (kind) => !sources.includes(`"${kind.id}"`) && !(kind.id in UNTESTED),
    );
    assert.deepEqual(
      untested.map((kind) => kind.id),
      [],
    );
  });
});

describe("data tables", () => {
  const tables: [string, { source: string }[]][] = [
    ["shorteners", shorteners.entries],
    ["redirectors", redirectors.entries],
    ["promo-phrases", promoPhrases.entries],
    ["risky-attachments", riskyAttachments.entries],
    ["requirements", requirements.entries],
  ];
  for (const [name, entries] of tables) {
    it(`${name}: every entry has a source`, () => {
      assert.ok(entries.length > 0);
      for (const entry of entries) assert.ok(entry.source.length > 10, JSON.stringify(entry));
    });
  }

  it("shorteners, phrases and extensions are lowercase and unique", () => {
    for (const values of [
      shorteners.entries.map((e) => e.domain),
      promoPhrases.entries.map((e) => e.phrase),
      riskyAttachments.entries.map((e) => e.extension),
    ]) {
      assert.equal(new Set(values).size, values.length);
      for (const value of values) assert.equal(value, value.toLowerCase());
    }
  });

  it("every requirement row names a check that exists and has a provider we know", async () => {
    const report = await inspectMessage(Buffer.from(buildMail()));
    assert.equal(report.requirements.rows.length, requirements.entries.length);
    for (const row of report.requirements.rows) {
      assert.doesNotMatch(row.detail, /no check named/, row.id);
      assert.ok(["apple", "gmail", "yahoo", "microsoft"].includes(row.provider), row.id);
      assert.ok(["pass", "fail", "unknown"].includes(row.status), row.id);
    }
    for (const provider of ["apple", "gmail", "yahoo", "microsoft"]) {
      assert.ok(
        report.requirements.rows.some((row) => row.provider === provider),
        provider,
      );
    }
  });
});

describe("scoring", () => {
  it("every point lost traces to a finding, and scores floor at 0", () => {
    const findings = [
      finding("FROM_MISSING", "x"),
      finding("FROM_MULTIPLE", "x"),
      finding("DATE_MISSING", "x"),
      finding("SUBJECT_MISSING", "x"),
      finding("TRACKING_PIXEL", "x"),
      finding("URL_SHORTENER", "x"),
    ];
    const scores = scoreAreas(findings);
    assert.equal(scores.headers.score, 0);
    assert.deepEqual(
      scores.headers.deductions.map((d) => [d.id, d.points]),
      [
        ["FROM_MISSING", 40],
        ["FROM_MULTIPLE", 40],
        ["DATE_MISSING", 20],
      ],
    );
    assert.equal(scores.content.score, 100 - SEVERITY_POINTS.high);
    assert.deepEqual(
      scores.content.deductions.map((d) => d.id),
      ["URL_SHORTENER"],
    );
    assert.equal(scores.links.score, 100);
  });

  it("on a real report, 100 minus the deductions is the score in every area", async () => {
    const raw = readFileSync(new URL("../fixtures/forensics/icloud-junk-01.eml", import.meta.url));
    const report = await inspectMessage(raw);
    for (const area of Object.keys(AREAS) as (keyof typeof AREAS)[]) {
      const lost = report.scores[area].deductions.reduce((sum, d) => sum + d.points, 0);
      assert.equal(report.scores[area].score, 100 - lost, area);
      const paying = report.findings.filter((f) => f.area === area && f.severity !== "info");
      assert.ok(report.scores[area].deductions.length <= paying.length);
    }
  });
});
