import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { recordsFromEmail, splitMbox } from "../../src/bounce/email/index.ts";
import { cpuMs } from "../../testkit/cpu-time.ts";

/**
 * Hostile input for the email scanner. Each case says why it could be slow; the time limits are far above
 * the few milliseconds the scanner needs, so a failure means quadratic work (or a hang), not a slow machine.
 */
const corpus = new URL("../fixtures/sisimai/eml/", import.meta.url);
const samples = readdirSync(corpus)
  .sort()
  .filter((_name, index) => index % 7 === 0)
  .map((name) => readFileSync(new URL(name, corpus)));

function assertWellFormed(raw: Buffer, file = "fuzz.eml"): void {
  const { records, problems } = recordsFromEmail(raw, file, 7);
  for (const problem of problems) {
    assert.equal(problem.source.file, file);
    assert.equal(problem.source.line, 7);
    assert.ok(problem.message.length > 0);
  }
  for (const record of records) {
    assert.equal(record.source.file, file);
    assert.equal(typeof record.diagnostic, "string");
    assert.doesNotMatch(record.diagnostic, /[\r\n]/);
  }
  assert.ok(records.length > 0 || problems.length > 0, "every message yields records or a problem");
}

function timed(label: string, limitMs: number, run: () => void): void {
  const elapsed = cpuMs(run);
  assert.ok(elapsed < limitMs, `${label}: ${elapsed.toFixed(0)} ms of CPU (limit ${limitMs} ms)`);
}

describe("email scanner under fuzzing (fast-check)", () => {
  it("never throws on binary junk", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => assertWellFormed(Buffer.from(bytes))),
      { numRuns: 300 },
    );
  });

  it("never throws on truncated real bounces (any cut point, LF or CRLF)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (sample, fraction, crlf) => {
          const cut = sample.subarray(0, Math.floor(sample.length * fraction));
          assertWellFormed(crlf ? Buffer.from(cut.toString("latin1").replace(/\n/g, "\r\n"), "latin1") : cut);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws when real bounces get junk spliced in", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...samples),
        fc.nat(),
        fc.string({ unit: "binary", maxLength: 200 }),
        (sample, at, junk) => {
          const offset = at % (sample.length + 1);
          const raw = Buffer.concat([sample.subarray(0, offset), Buffer.from(junk), sample.subarray(offset)]);
          assertWellFormed(raw);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("splitMbox covers the input exactly, with increasing line numbers", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("From a@b x\n", "\n", "body line\n", "From here\n", ">From x\n")),
        (lines) => {
          const raw = Buffer.from(lines.join(""));
          const messages = splitMbox(raw);
          assert.equal(Buffer.concat(messages.map((message) => message.raw)).length, raw.length);
          for (let i = 1; i < messages.length; i++) assert.ok(messages[i].line > messages[i - 1].line);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("email scanner on hostile shapes, each within a time bound", () => {
  const MB = 1024 * 1024;
  const cases: Array<{ name: string; why: string; raw: () => Buffer; limitMs: number }> = [
    {
      name: "10 MB header block of short fields",
      why: "per-field work must be constant; values are unfolded lazily",
      raw: () => Buffer.from(`${"X-Junk: a\n".repeat(MB)}Subject: x\n\nbody\n`),
      limitMs: 8000,
    },
    {
      name: "one 10 MB folded header",
      why: "folded continuation lines must not be re-joined per line",
      raw: () => Buffer.from(`X-Failed-Recipients: a@b.example\n${" aaaaaaaaa\n".repeat(MB)}\nbody\n`),
      limitMs: 8000,
    },
    {
      name: "10,000 levels of nested multiparts",
      why: "recursion is bounded; deeper parts are opaque",
      raw: () => {
        const levels = 10_000;
        let head = "From: MAILER-DAEMON@x.example\nSubject: Undelivered\n";
        for (let level = 0; level < levels; level++) {
          head += `Content-Type: multipart/mixed; boundary="b${level}"\n\n--b${level}\n`;
        }
        return Buffer.from(`${head}Content-Type: text/plain\n\n<a@b.example>: 550 user unknown\n`);
      },
      limitMs: 8000,
    },
    {
      name: "100,000 parts in one multipart",
      why: "the part count is bounded",
      raw: () =>
        Buffer.from(
          `Subject: Undelivered\nContent-Type: multipart/report; boundary="p"\n\n${"--p\nContent-Type: text/plain\n\nx\n".repeat(100_000)}--p--\n`,
        ),
      limitMs: 8000,
    },
    {
      name: "a 10 MB line without a newline",
      why: "line scanning must not restart per character",
      raw: () => Buffer.from(`Subject: Undelivered Mail\n\n${"@a".repeat(5 * MB)}`),
      limitMs: 8000,
    },
    {
      name: "a report of 256 KB of blanks that end no line, then padded lines",
      why: "trailing blanks are cut by one backward scan a line, not a regexp retried at each blank",
      raw: () =>
        Buffer.from(
          `Subject: Undelivered Mail\n\n${" ".repeat(256 * 1024 - 40)}x \n<gone@example.org> \n550 5.1.1 User unknown \n`,
        ),
      limitMs: 8000,
    },
    {
      name: "10 MB of address-like text without a domain",
      why: "address patterns are length-bounded (no quadratic backtracking)",
      raw: () =>
        Buffer.from(
          `Subject: Undelivered Mail\nX-Failed-Recipients: @${"a".repeat(60_000)}\n\n${"a".repeat(MB)}@\n`,
        ),
      limitMs: 8000,
    },
  ];
  for (const hostile of cases) {
    it(`${hostile.name} (${hostile.why})`, () => {
      const raw = hostile.raw();
      timed(hostile.name, hostile.limitMs, () => assertWellFormed(raw));
    });
  }

  it("an mbox of 20,000 tiny messages splits with the right line numbers", () => {
    const raw = Buffer.from("From a@b Tue Mar  3 10:00:00 2026\nSubject: x\n\nbody\n\n".repeat(20_000));
    timed("mbox", 8000, () => {
      const messages = splitMbox(raw);
      assert.equal(messages.length, 20_000);
      assert.equal(messages[19_999].line, 19_999 * 5 + 1);
    });
  });
});
