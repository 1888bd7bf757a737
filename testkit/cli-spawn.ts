import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { closed, killAtExit } from "./child-exit.ts";

export const CLI = fileURLToPath(new URL("../bin/deliverlens.js", import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Where a run's standard output goes: a pipe the test reads (the default), `/dev/full` (every write fails with
 * ENOSPC), or a pipe whose reader has closed it before the run writes (EPIPE, as `| head` does).
 */
export type CliOutput = "read" | "full" | "closed";

/**
 * Run `deliverlens ARGS` without colour. Asynchronous on purpose: a loopback DNS server
 * (testkit/dns-server.ts) answers from the test's own event loop and must keep answering meanwhile.
 * `env`: variables added; `timeout`: milliseconds after which the run is killed (a guard against a hang);
 * `output`: where its stdout goes (CliOutput; `stdout` is empty unless "read"). Rejects if it cannot be spawned;
 * killed if it still runs when the test process exits.
 */
export function spawnCli(
  args: string[],
  {
    env = {},
    timeout,
    output = "read",
  }: { env?: Record<string, string>; timeout?: number; output?: CliOutput } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const full = output === "full" ? openSync("/dev/full", "w") : null;
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
      timeout,
      stdio: ["pipe", full ?? "pipe", "pipe"],
    });
    if (full !== null) closeSync(full);
    killAtExit(child);
    if (output === "closed") child.stdout?.destroy();
    let stdout = "";
    let stderr = "";
    // Decoded as a stream: a character whose UTF-8 bytes two pipe reads split (`§` in a rule's source) is one
    // character, not two U+FFFD (a chunk decoded alone; log-verdict-alone failed so at sample seeds 6003, 6004).
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    closed(child).then(({ code }) => resolve({ status: code, stdout, stderr }), reject);
  });
}
