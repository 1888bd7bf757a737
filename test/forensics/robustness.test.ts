import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspectMessage } from "../../src/forensics/inspect.ts";
import { withCpuMs } from "../../testkit/cpu-time.ts";
import { buildMail } from "../../testkit/forensics-mail.ts";
import { corpusSample, readCorpusMessage } from "../../testkit/spam-assassin-corpus.ts";

/** Typical messages take ~1–10 ms of CPU; the bounds (CPU time, not wall time) sit far above that, yet catch a hang. */
const PER_MESSAGE_MS = 2000;
const HOSTILE_MS = 4000;

describe("SpamAssassin public corpus (every 10th message; bench/inspect.ts runs all 6,046)", () => {
  it("parses each message without a crash within the time bound", async () => {
    const sample = corpusSample(10);
    assert.ok(sample.length > 600);
    const slow: string[] = [];
    let spam = 0;
    for (const entry of sample) {
      const { value: report, ms } = await withCpuMs(() => inspectMessage(readCorpusMessage(entry)));
      if (ms > PER_MESSAGE_MS) slow.push(`${entry.file}: ${ms.toFixed(0)} ms of CPU`);
      assert.equal(report.schemaVersion, 1);
      for (const score of Object.values(report.scores)) assert.ok(score.score >= 0 && score.score <= 100);
      if (entry.spam) spam++;
    }
    assert.deepEqual(slow, []);
    assert.ok(spam > 100 && spam < sample.length - 100, "the sample holds both spam and ham");
  });
});

/** Inputs built to be slow for a naive parser, each with why. */
const HOSTILE: { name: string; why: string; raw: () => string | Buffer; expect?: string }[] = [
  {
    name: "many unclosed <!-- comments",
    why: "a lazy comment regex rescans to the end for each one (quadratic)",
    raw: () => buildMail({ text: "x", html: "<!--".repeat(200_000) }),
  },
  {
    name: "many '<a' without '>'",
    why: "a tag regex without a bound scans to the end for each '<'",
    raw: () => buildMail({ text: "x", html: `${"<a href=x ".repeat(100_000)}` }),
  },
  {
    name: "one 1 MB token of digits",
    why: "word and URL regexes with nested quantifiers backtrack on long letterless tokens",
    raw: () => buildMail({ text: "9".repeat(1_000_000) }),
  },
  {
    name: "a 500 KB URL",
    why: "URL regexes and the URL parser on huge input",
    raw: () => buildMail({ text: `https://${"a".repeat(500_000)}.test/` }),
  },
  {
    name: "2,000 Received headers",
    why: "hop parsing and delay computation per header",
    raw: () =>
      buildMail({
        headers: Array.from({ length: 2000 }, (_, i): [string, string] => [
          "Received",
          `from h${i}.test (h${i}.test [192.0.2.${i % 250}]) by h${i + 1}.test with SMTP id ${i}; Tue, 01 Jul 2025 10:00:00 +0000`,
        ]),
      }),
  },
  {
    name: "multipart nested 500 deep",
    why: "recursion depth in the MIME parser (postal-mime maxNestingDepth)",
    raw: () => {
      let body = "Content-Type: text/plain\r\n\r\nleaf\r\n";
      for (let i = 0; i < 500; i++) {
        body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
      }
      return `From: a@example.test\r\nSubject: deep\r\n${body}`;
    },
    expect: "MIME_UNPARSEABLE",
  },
  {
    name: "binary garbage",
    why: "no headers, NUL bytes, invalid UTF-8",
    raw: () => Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256)),
  },
  { name: "empty input", why: "no bytes at all", raw: () => "" },
  {
    name: "control characters in headers",
    why: "escape sequences in Subject/From must survive into the report as data",
    raw: () => buildMail({ headers: [["Subject", "Sale \u001b[2J\u0007!!"]] }),
  },
];

describe("hostile inputs finish within the bound and never throw", () => {
  for (const { name, why, raw, expect } of HOSTILE) {
    it(`${name} (${why})`, async () => {
      const input = raw();
      const { value: report, ms } = await withCpuMs(() =>
        inspectMessage(Buffer.isBuffer(input) ? input : Buffer.from(input)),
      );
      assert.ok(ms < HOSTILE_MS, `took ${ms.toFixed(0)} ms of CPU`);
      assert.equal(typeof report.summary, "string");
      if (expect)
        assert.ok(
          report.findings.some((f) => f.id === expect),
          `expected ${expect}`,
        );
    });
  }
});
