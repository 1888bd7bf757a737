import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/**
 * A fresh temp directory removed when the test process exits (node's runner gives each test file its own
 * process), so helpers that hand a directory back to many tests do not leave one behind per run.
 */
export function scratchDir(prefix: string): string {
  if (made.length === 0)
    process.once("exit", () => {
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
