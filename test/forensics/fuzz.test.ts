import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { inspectMessage } from "../../src/forensics/inspect.ts";

const fixture = readFileSync(new URL("../fixtures/forensics/icloud-junk-01.eml", import.meta.url), "latin1");
/** Pieces that steer random input into the parsers' interesting paths. */
const PIECES = [
  "\r\n",
  "\r\n\r\n",
  "From: ",
  "Received: from a ([192.0.2.1]) by b with ESMTPS; Tue, 01 Jul 2025 10:00:00 +0000\r\n",
  "Content-Type: multipart/mixed; boundary=x\r\n",
  "--x\r\n",
  "<a href=",
  "<img src=x width=1 height=1>",
  '<div style="display:none">',
  "https://bit.ly/",
  "=?utf-8?B?",
  "X-Proofpoint-Spam-Details: rule=spam score=",
  "X-Forefront-Antispam-Report: SCL:",
  "Authentication-Results: x; dkim=",
  "DKIM-Signature: v=1; d=",
  "\u001b[2J",
  "\u0000",
];

describe("fuzz: inspect never throws and always returns a well-formed report", () => {
  it("on mutations of a real received message", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: fixture.length }),
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 40 })), { maxLength: 8 }),
        async (at, cut, inserted) => {
          const raw = fixture.slice(0, at) + inserted.join("") + fixture.slice(at + cut);
          const report = await inspectMessage(Buffer.from(raw, "latin1"));
          assert.equal(report.schemaVersion, 1);
          for (const area of Object.values(report.scores)) assert.ok(area.score >= 0 && area.score <= 100);
          for (const f of report.findings) assert.match(f.id, /^[A-Z_0-9]+$/);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("on arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        const report = await inspectMessage(Buffer.from(bytes));
        assert.equal(typeof report.summary, "string");
      }),
      { numRuns: 150 },
    );
  });
});
