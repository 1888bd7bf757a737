import assert from "node:assert/strict";
import { relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { allTestFiles, isEndToEnd } from "../../scripts/split-tests.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

test("npm run test:unit and test:e2e split every test file into exactly one part", () => {
  const files = allTestFiles().map((file) => relative(root, file));
  assert.ok(files.length > 50);
  assert.ok(files.includes("test/package/test-split.test.ts"));
  const e2e = new Set(
    allTestFiles()
      .filter(isEndToEnd)
      .map((file) => relative(root, file)),
  );
  // Spawning the CLI, a DNS server, DuckDB: end-to-end. Pure functions: unit.
  for (const file of ["test/e2e/golden-json.test.ts", "test/audit/cli.test.ts", "test/store/store.test.ts"])
    assert.ok(e2e.has(file), `${file} is end-to-end`);
  for (const file of ["test/util/util.test.ts", "test/bounce/provider.test.ts", "test/events/detect.test.ts"])
    assert.ok(!e2e.has(file), `${file} is a unit test`);
});
