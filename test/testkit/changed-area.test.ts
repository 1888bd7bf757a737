import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { loadedFiles, reachedTests } from "../../testkit/changed-area.ts";

// bench/property-seeds.ts --since sweeps only the test files a change reaches: a file left out is a class
// nobody sweeps, so the selection is checked on this tree's own files.
const tree = new URL("../..", import.meta.url).pathname;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "fixtures" ? [] : testFiles(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}
const tests = testFiles(join(tree, "test"));
const reached = (...changed: string[]) =>
  new Set(reachedTests(tree, tests, changed).map((path) => relative(tree, path)));

test("a module change reaches the tests that load it, directly or through other modules, and no others", () => {
  const files = reached("src/bounce/local-part.ts");
  assert.ok(files.has("test/events/reply-key.test.ts"), "through src/events (transitive)");
  assert.ok(!files.has("test/dns/ptr.test.ts"));
  assert.ok(!files.has("test/testkit/changed-area.test.ts"));
});

test("a test file's own change reaches it; a change to a bench reaches nothing", () => {
  assert.deepEqual([...reached("test/dmarc/xml-reader.test.ts")], ["test/dmarc/xml-reader.test.ts"]);
  assert.equal(reached("bench/property-seeds.ts").size, 0);
});

test("a non-TypeScript source (.wat) reaches every test loading a module of its folder", () => {
  const files = reached("src/bounce/line-bytes.wat");
  assert.ok(files.has("test/bounce/email.test.ts"));
  assert.ok(!files.has("test/util/iso-time.test.ts"));
});

test("a test that spawns the CLI is reached by any source change; data found by new URL is loaded", () => {
  const spawner = "test/events/log-verdict-alone.test.ts";
  assert.ok([...loadedFiles(tree, join(tree, spawner))].includes("bin/deliverlens.js"));
  assert.ok(reached("src/dmarc/read-pool.ts").has(spawner));
  assert.ok(
    [...loadedFiles(tree, join(tree, "src/audit/blocklist-data.ts"))].includes("data/blocklists.json"),
  );
});
