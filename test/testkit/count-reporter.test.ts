import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { reporterFlags, runnerFlags } from "../../scripts/split-tests.ts";
import { closed } from "../../testkit/child-exit.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

test("npm test lists how many tests each file ran, before its summary, and the counts add up to its total", async () => {
  const flags = reporterFlags();
  assert.ok(flags.includes("--test-reporter=./testkit/count-reporter.ts"), flags.join(" "));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // This file runs as a child of a runner: a runner started with that mark runs no file.
  delete env.NODE_TEST_CONTEXT;
  // Two fixtures with npm test's flags: one test, and three of which two register after an await.
  const files = ["test/fixtures/hang/passes.ts", "test/fixtures/hang/late-tests.ts"];
  const child = spawn(process.execPath, ["--test", ...runnerFlags(), ...flags, ...files], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  // Not a limit on the reporter's speed: only a bound so that this test cannot hang.
  const bound = setTimeout(() => child.kill("SIGKILL"), 120_000);
  try {
    const { code } = await closed(child);
    assert.equal(code, 0, output);
  } finally {
    clearTimeout(bound);
  }
  const lines = output.split("\n");
  const heading = lines.findIndex((line) => line.startsWith("ℹ per-file test counts (2 files, 4 tests):"));
  const total = lines.findIndex((line) => /^ℹ tests \d+$/.test(line));
  assert.ok(heading >= 0 && total > heading + 2, output);
  assert.deepEqual(lines.slice(heading + 1, heading + 3), [`ℹ     3  ${files[1]}`, `ℹ     1  ${files[0]}`]);
  assert.equal(lines[total], "ℹ tests 4");
  // The spec reporter's lines as before: each test, then the summary.
  assert.ok(
    lines.some((line) => line.trimStart().startsWith("✔ registered after its await")),
    output,
  );
  assert.ok(lines.includes("ℹ pass 4"), output);
});
