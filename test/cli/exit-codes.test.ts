import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));

test("an unknown option is a usage error (exit 2)", () => {
  const run = spawnSync(process.execPath, [cli, "classify", "--no-such-option"], { encoding: "utf8" });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /unknown option/);
});

test("--help exits 0 and lists the commands", () => {
  const run = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
  assert.equal(run.status, 0);
  assert.match(run.stdout, /classify/);
});
