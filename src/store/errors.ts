import { statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Below this much free space, DuckDB's "Out of Memory Error" (a block it could not write out) means a full disk. */
const NEARLY_FULL_BYTES = 64 * 1024 * 1024;

/**
 * DuckDB's error for a failed store operation, said the way a user can act on it: a full disk is "disk
 * full" (DuckDB calls a block it cannot write to its file or temp directory "Out of Memory Error" or
 * "IO Error … No space left on device"), not a memory problem.
 */
export function explainStoreError(error: unknown, storePath: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/No space left on device|ENOSPC|Disk quota exceeded|EDQUOT/i.test(message))
    return `disk full: the file system holding ${storePath} has no space left (${firstLine(message)})`;
  if (/Out of Memory Error/i.test(message)) {
    const free = freeBytes(storePath);
    if (free !== null && free < NEARLY_FULL_BYTES)
      return `disk full: only ${Math.round(free / 1024 / 1024)} MB free on the file system holding ${storePath} (DuckDB said: ${firstLine(message)})`;
  }
  return message;
}

function firstLine(message: string): string {
  return message.split("\n", 1)[0];
}

function freeBytes(storePath: string): number | null {
  if (storePath === ":memory:") return null;
  try {
    const stats = statfsSync(dirname(resolve(storePath)));
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}
