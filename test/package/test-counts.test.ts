import assert from "node:assert/strict";
import { test } from "node:test";
import { fewerTests, testCounts } from "../../scripts/test-counts.ts";
import { countLines } from "../../testkit/count-reporter.ts";

const run = (counts: [string, number][]) =>
  ["✔ a test (1ms)", ...countLines(new Map(counts)).map((line) => `ℹ ${line}`), "ℹ tests 9", "ℹ pass 9"].join(
    "\n",
  );

test("the per-file test counts npm test prints are read back, and a file that lost tests is named", () => {
  const before = testCounts(
    run([
      ["test/a.test.ts", 5],
      ["test/b.test.ts", 3],
      ["test/c.test.ts", 1],
    ]),
  );
  assert.deepEqual(
    [...before],
    [
      ["test/a.test.ts", 5],
      ["test/b.test.ts", 3],
      ["test/c.test.ts", 1],
    ],
  );
  // b lost one, c no longer ran, a gained one, d is new.
  const after = testCounts(
    run([
      ["test/a.test.ts", 6],
      ["test/b.test.ts", 2],
      ["test/d.test.ts", 4],
    ]),
  );
  assert.deepEqual(fewerTests(before, after), ["test/b.test.ts 3 → 2", "test/c.test.ts 1 → 0"]);
  assert.deepEqual(fewerTests(before, before), []);
  assert.equal(testCounts("ℹ tests 9\nℹ pass 9").size, 0, "a log without the list");
});
