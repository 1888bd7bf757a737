import { spawn } from "node:child_process";
import { join } from "node:path";
import { exited, killAtExit } from "./child-exit.ts";

const CLI = join(import.meta.dirname, "../bin/deliverlens.js");

/**
 * Runs `deliverlens ingest FILE --db DB` and SIGKILLs it as soon as it reports (DELIVERLENS_DEBUG step timings)
 * that it finished `step`, i.e. while its transaction is still open. Returns how the child ended.
 */
export async function killIngestAfterStep(
  file: string,
  db: string,
  step: string,
): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, "ingest", file, "--db", db], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, DELIVERLENS_DEBUG: "1" },
  });
  killAtExit(child);
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    if (stderr.includes(`${step}:`)) child.kill("SIGKILL");
  });
  const { code, signal } = await exited(child);
  return { code, signal, stderr };
}
