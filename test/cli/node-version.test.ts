import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { nodeIsRecentEnough, nodeTooOld, pinnedNode } from "../../bin/node-version.js";
import { exited, killAtExit } from "../../testkit/child-exit.ts";
import { CLI } from "../../testkit/cli-spawn.ts";

test("the CLI entry knows which Node versions can run it, and says what to do on the others", () => {
  for (const old of ["v20.20.2", "v22.18.0", "v18.0.0"]) {
    assert.equal(nodeIsRecentEnough(old), false);
    const message = nodeTooOld(old);
    assert.match(
      message ?? "",
      new RegExp(`needs Node\\.js >= 22\\.19; this is ${old.replaceAll(".", "\\.")}`),
    );
    assert.match(message ?? "", /npm ci/);
  }
  for (const ok of ["v22.19.0", "v22.20.1", "v24.21.0", "v25.0.0"]) {
    assert.equal(nodeIsRecentEnough(ok), true);
    assert.equal(nodeTooOld(ok), null);
  }
  assert.ok(pinnedNode(), "npm ci installs the pinned Node under node_modules/node/bin");
});

/** A Node on this machine older than deliverlens needs (the machines carry Node 20), or null. */
function oldSystemNode(): string | null {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node"]) {
    const run = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (run.status === 0 && !nodeIsRecentEnough(run.stdout.trim())) return candidate;
  }
  return null;
}

const old = oldSystemNode();
describe("run by an old Node (the shebang's), the bin re-executes itself with the pinned Node", {
  skip: old ? false : "no Node older than 22.19 on this machine",
}, () => {
  test("output, stdin and the exit code pass through", () => {
    const version = spawnSync(old!, [CLI, "--version"], { encoding: "utf8" });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
    const classified = spawnSync(old!, [CLI, "classify", "--json", "-"], {
      encoding: "utf8",
      input: "550 5.7.1 [CS01] Message rejected due to local policy\n",
    });
    assert.equal(classified.status, 0, classified.stderr);
    assert.equal(JSON.parse(classified.stdout)[0].providerCode, "CS01");
    const usage = spawnSync(old!, [CLI, "stats", "--no-such-flag"], { encoding: "utf8" });
    assert.equal(usage.status, 2);
  });

  test("SIGTERM reaches the child, and the parent dies of it too", async () => {
    const parent = spawn(old!, [CLI, "classify", "-"], { stdio: ["pipe", "ignore", "ignore"] });
    killAtExit(parent);
    const ended = exited(parent);
    const child = await waitForChild(parent.pid!);
    parent.kill("SIGTERM");
    assert.equal((await ended).signal, "SIGTERM");
    await waitUntil(() => !processAlive(child));
  });
});

function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` every 20 ms; fails after a minute (a bound against a hang, not a speed limit). */
async function waitUntil(condition: () => boolean, what = "the condition"): Promise<void> {
  for (let i = 0; !condition(); i++) {
    if (i === 3000) throw new Error(`${what} did not hold within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitForChild(pid: number): Promise<number> {
  let child: number | undefined;
  await waitUntil(() => {
    [child] = childrenOf(pid);
    return child !== undefined;
  }, `a child of ${pid}`);
  return child!;
}
