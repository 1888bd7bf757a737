import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runnerFlags } from "../../scripts/split-tests.ts";
import { closed } from "../../testkit/child-exit.ts";
import { FILE_LIMIT_S, IDLE_LIMIT_S } from "../../testkit/hang-guard.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

interface Run {
  code: number | null;
  output: string;
  /** The run did not end by itself: this test killed it (and every process it started) after `boundMs`. */
  killed: boolean;
}

/**
 * `node --test` with npm test's flags (`override`s replacing those of the same name) on one fixture of
 * test/fixtures/hang/ (and the files after it), in a process group of its own so a fixture the guard failed to end dies with it.
 */
async function runFixtures(names: string[], override: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const overridden = new Set(override.map((flag) => flag.split("=")[0]));
  const flags = [...runnerFlags().filter((flag) => !overridden.has(flag.split("=")[0])), ...override];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // This file runs as a child of a runner: a runner started with that mark runs no file.
  delete childEnv.NODE_TEST_CONTEXT;
  const child = spawn(
    process.execPath,
    ["--test", "--test-reporter=spec", ...flags, ...names.map((name) => `test/fixtures/hang/${name}`)],
    { cwd: root, env: childEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  let killed = false;
  const killGroup = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // the group has ended
    }
  };
  // Not a limit on the guard's speed: only a bound so that this test cannot hang where the guard fails.
  const bound = setTimeout(() => {
    killed = true;
    killGroup();
  }, 120_000);
  try {
    const { code } = await closed(child);
    return { code, output, killed };
  } finally {
    clearTimeout(bound);
    killGroup();
  }
}

const summary = (output: string, key: string) =>
  Number(new RegExp(`^ℹ ${key} (\\d+)$`, "m").exec(output)?.[1]);

test("npm test bounds every test and every file with the hang guard, and does not force files to exit", () => {
  const flags = runnerFlags();
  // --test-force-exit ends a file once the tests known so far are done: tests after a top-level await never run.
  assert.ok(!flags.includes("--test-force-exit"));
  const timeout = Number(flags.find((flag) => flag.startsWith("--test-timeout="))?.split("=")[1]);
  // Above the slowest legitimate test seen on a loaded 2-core host (687 s), below CI's 5,400 s.
  assert.ok(timeout >= 900_000 && timeout <= 1_800_000, `--test-timeout=${timeout}`);
  assert.ok(FILE_LIMIT_S * 1000 > timeout && FILE_LIMIT_S <= 5400 / 2, `FILE_LIMIT_S ${FILE_LIMIT_S}`);
  // A file whose tests are done ends within a minute or so, not after FILE_LIMIT_S.
  assert.ok(IDLE_LIMIT_S >= 30 && IDLE_LIMIT_S <= 300, `IDLE_LIMIT_S ${IDLE_LIMIT_S}`);
  assert.ok(flags.join(" ").includes("--import ./testkit/hang-guard.ts"));
});

test("a hung test file fails and ends, the other tests still run: the three ways a file hangs", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-hang-guard-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const times = join(dir, "times.tsv");
  const [socket, settles, blocked, late, child] = await Promise.all([
    // A failed test left a socket open (session 44's CI timeout): its tests done, the hang guard ends the file
    // (the idle bound shortened here).
    runFixtures(["socket-left-open.ts"], [], { TEST_IDLE_LIMIT_S: "2" }),
    // A test awaits forever: --test-timeout fails it (shortened here); its timer keeps the file alive until
    // the hang guard ends it.
    runFixtures(["never-settles.ts"], ["--test-timeout=1500"], { TEST_IDLE_LIMIT_S: "2" }),
    // A test blocks its thread in a spawnSync: the hang guard kills the file; the next file runs.
    runFixtures(["blocked.ts", "passes.ts"], [], { TEST_FILE_LIMIT_S: "3" }),
    // No hang: every test of a file with a top-level await runs under the same flags (and its time is recorded).
    runFixtures(["late-tests.ts"], [], { TEST_FILE_TIMES: times }),
    // A child given to killAtExit and left running by a test: killed once the tests are done, the file ends by
    // itself (the idle guard, at its default bound, would fail it).
    runFixtures(["child-left.ts"], []),
  ]);
  for (const [name, run] of Object.entries({ socket, settles, blocked })) {
    assert.equal(run.killed, false, `${name}: the guard did not end the file:\n${run.output}`);
    assert.equal(run.code, 1, `${name}:\n${run.output}`);
    assert.equal(summary(run.output, "pass"), 1, `${name}: the other test passes:\n${run.output}`);
  }
  assert.match(socket.output, /EADDRINUSE/);
  assert.match(
    socket.output,
    /hang-guard: \S*socket-left-open\.ts: its tests are done, yet it still runs 2 s later/,
  );
  assert.match(settles.output, /test timed out after 1500ms/);
  assert.match(settles.output, /hang-guard: \S*never-settles\.ts: its tests are done/);
  assert.equal(summary(settles.output, "cancelled"), 1);
  assert.match(blocked.output, /hang-guard: \S*blocked\.ts still running after 3 s/);
  assert.equal(summary(blocked.output, "fail"), 1);
  assert.equal(child.killed, false, child.output);
  assert.equal(child.code, 0, child.output);
  assert.doesNotMatch(child.output, /hang-guard:/);
  assert.equal(summary(child.output, "pass"), 1, child.output);
  assert.equal(late.code, 0, late.output);
  assert.equal(summary(late.output, "pass"), 3, late.output);
  const [recorded] = readFileSync(times, "utf8").split("\n");
  const [path, wall, cpu, children] = recorded.split("\t");
  assert.match(path, /late-tests\.ts$/);
  // Its top-level and describe awaits alone take 0.6 s of wall time; its CPU time is a positive number; it spawns
  // no child, so its children's CPU is 0.
  assert.ok(Number(wall) >= 0.6 && Number(cpu) > 0, recorded);
  assert.equal(children, "0.0", recorded);
});
