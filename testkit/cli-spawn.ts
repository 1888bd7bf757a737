import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../bin/deliverlens.js", import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `deliverlens ARGS` without colour. Asynchronous on purpose: a loopback DNS server
 * (testkit/dns-server.ts) answers from the test's own event loop and must keep answering meanwhile.
 * `env`: variables added; `timeout`: milliseconds after which the run is killed (a guard against a hang).
 */
export function spawnCli(
  args: string[],
  { env = {}, timeout }: { env?: Record<string, string>; timeout?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: "1", ...env },
      timeout,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
