import assert from "node:assert/strict";
import { test } from "node:test";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import { readReportText } from "../../src/bounce/email/text.ts";
import { cpuMs } from "../../testkit/cpu-time.ts";

/** Long runs of dashes in a report's text: read in linear time by every reader of the text. */

const bounce = (subject: string, body: string) =>
  Buffer.from(`From: someone@example.org\nSubject: ${subject}\nContent-Type: text/plain\n\n${body}`);

test("a separator line keeps a recipient's block open after a blank line; five dashes are not one", () => {
  const block = "<a@b.example>: host mx.b.example said:\n    550 user unknown\n\n";
  const diagnostic = (after: string) =>
    readReportText(block + after).entries.map((entry) => entry.diagnostic);
  assert.deepEqual(diagnostic("------ details ------\n-----\n    more\n"), [
    "host mx.b.example said: 550 user unknown ------ details ------ ----- more",
  ]);
  assert.deepEqual(diagnostic("----x----\nboilerplate\n"), [
    "host mx.b.example said: 550 user unknown ----x---- boilerplate",
  ]);
  assert.deepEqual(diagnostic("-----\n    more\n"), ["host mx.b.example said: 550 user unknown"]);
});

test("a recipient's line of 100,000 dashes and a letter is read in linear time", () => {
  const raw = bounce("Undelivered Mail", `<a@b.example>: 550 user unknown\n${"-".repeat(100_000)}x\n`);
  let records = 0;
  const ms = cpuMs(() => {
    records = recordsFromEmail(raw, "dashes.eml").records.length;
  });
  assert.equal(records, 1);
  assert.ok(ms < 5_000, `took ${Math.round(ms)} ms of CPU`);
});

test("a text of dashes under a subject that names no bounce is looked at in linear time", () => {
  // The subject and sender say nothing: the text's first 4 KB are searched for a bounce's wording.
  const raw = bounce("hello", `${"-".repeat(5_000)}\nhi\n`);
  const ms = cpuMs(() => {
    for (let i = 0; i < 40; i++) recordsFromEmail(raw, "dashes.eml");
  });
  assert.ok(ms < 2_000, `took ${Math.round(ms)} ms of CPU`);
});
