import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { topTierOn, withoutTopTier } from "../../src/pipeline/compiler-tier.ts";
import { classifyFilesInJobs } from "../../src/pipeline/files-in-jobs.ts";
import { noCounts } from "../../src/pipeline/job-sharing.ts";

// classify's second process compiles as the first does: without V8's top tier when the first went without it.

const corpus = fileURLToPath(new URL("../fixtures/sisimai/eml/", import.meta.url));
const emails = readdirSync(corpus)
  .sort()
  .map((name) => join(corpus, name));

/** How many jobs the second process returned, waiting for its first before taking the rest. */
async function jobsReturned(expected: "on" | "off"): Promise<number> {
  process.env.DELIVERLENS_TEST_TOP_TIER = expected;
  const counts = noCounts();
  let first = true;
  for await (const _job of classifyFilesInJobs([...emails, ...emails], {}, undefined, {
    worker: "../../testkit/jobs-process-tier",
    counts,
  })) {
    // A second process whose tier is wrong ends before its first result: then it is gone with none returned.
    while (first && counts.posted() === 0 && !counts.ended())
      await new Promise((resolve) => setTimeout(resolve, 10));
    if (first)
      assert.ok(counts.posted() > 0, `no job came back from a second process with the top tier ${expected}`);
    first = false;
  }
  return counts.there;
}

test("the second process keeps V8's top tier while the first does", async () => {
  assert.equal(topTierOn(), true);
  assert.ok((await jobsReturned("on")) > 0);
});

test("the second process goes without V8's top tier once the first does", async () => {
  withoutTopTier();
  assert.equal(topTierOn(), false);
  assert.ok((await jobsReturned("off")) > 0);
});
