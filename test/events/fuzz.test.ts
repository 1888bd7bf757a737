import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { EVENT_TYPES } from "../../src/events/event.ts";
import { EVENT_SOURCES } from "../../src/events/registry.ts";
import { readAll } from "../../testkit/events-read.ts";

const DIR = new URL("../fixtures/events/", import.meta.url);
const fixtures = new Map(
  readdirSync(DIR)
    .filter((name) => name !== "README.md")
    .map((name) => [name.slice(0, name.indexOf("-")), readFileSync(new URL(name, DIR))]),
);

/** Inputs that have hurt parsers elsewhere: junk bytes, truncated records, a valid record cut anywhere, huge lines. */
function hostile(sample: Buffer) {
  return fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ maxLength: 500 }).map((text) => Buffer.from(text)),
    fc.nat(sample.length).map((cut) => sample.subarray(0, cut)),
    fc
      .tuple(fc.nat(sample.length), fc.uint8Array({ minLength: 1, maxLength: 50 }))
      .map(([at, junk]) => Buffer.concat([sample.subarray(0, at), Buffer.from(junk), sample.subarray(at)])),
    fc.constantFrom("{", "[", '"', ",", "\n").map((ch) => Buffer.from(ch.repeat(100_000))),
    fc.constant(Buffer.concat([sample, Buffer.from("x".repeat(1_200_000)), sample])),
  );
}

test("fuzz: every parser survives hostile input, within a time bound", { timeout: 120_000 }, async () => {
  const started = performance.now();
  for (const source of EVENT_SOURCES) {
    const sample = fixtures.get(source.id);
    assert.ok(sample, `fixture for ${source.id}`);
    await fc.assert(
      fc.asyncProperty(hostile(sample), fc.constantFrom(1, 7, 512, 65536), async (input, small) => {
        // Tiny chunks exercise lines straddling chunk boundaries; big inputs get realistic chunks.
        const chunkSize = input.length > 20_000 ? 65536 : small;
        const runStarted = performance.now();
        const { events, problems } = await readAll(input, source.id, { year: 2026, chunkSize });
        assert.ok(performance.now() - runStarted < 10_000, "one input must not take seconds");
        for (const event of events) assert.ok(Object.hasOwn(EVENT_TYPES, event.type));
        for (const problem of problems) {
          assert.equal(problem.source.file, "test");
          assert.ok(problem.source.line === null || Number.isInteger(problem.source.line));
        }
      }),
      { numRuns: 40, seed: 20261128, endOnFailure: true },
    );
  }
  assert.ok(performance.now() - started < 100_000);
});
