import assert from "node:assert/strict";
import { test } from "node:test";
import { childNodeOptions } from "../../src/pipeline/second-process.ts";

// The second process is started with this process's Node options, less those that belong to this process's
// own command line: its preloads (a test's hooks) and the test runner's flags, which Node refuses beside `-e`
// ("either --test or --eval can be used, not both": a runner that runs test files in its own process).

test("the second process gets this one's Node options without its preloads and test runner flags", () => {
  assert.deepEqual(
    childNodeOptions([
      "--test",
      "--test-isolation=none",
      "--test-concurrency",
      "2",
      "--test-only",
      "--import",
      "./testkit/compile-cache.ts",
      "--require=./probe.cjs",
      "--max-old-space-size=512",
      "--test-reporter=dot",
      "--stack-size",
      "2000",
      "-r",
      "./other.cjs",
      "--no-opt",
    ]),
    ["--max-old-space-size=512", "--stack-size", "2000", "--no-opt"],
  );
});

test("options that only start like a test flag are kept", () => {
  assert.deepEqual(childNodeOptions(["--testing-flag", "--experimental-strip-types"]), [
    "--testing-flag",
    "--experimental-strip-types",
  ]);
});
