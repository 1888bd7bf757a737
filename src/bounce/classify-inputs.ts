import { type Dirent, readdirSync, statSync } from "node:fs";
import { sep } from "node:path";

/**
 * What `classify` is given: files, directories (every file below, in byte order of path) and stdin.
 * Opening them (head for format detection, gzip/zstd undone) is src/events/input.ts openSource.
 */

export interface ExpandedInputs {
  paths: string[];
  /** Inputs that do not exist or cannot be listed: `path: reason`. */
  unreadable: string[];
}

/** Expand directories recursively; keep `-` and files in the order given. */
export function expandInputs(args: readonly string[]): ExpandedInputs {
  const paths: string[] = [];
  const unreadable: string[] = [];
  for (const arg of args) {
    if (arg === "-") {
      paths.push(arg);
      continue;
    }
    try {
      if (statSync(arg).isDirectory()) paths.push(...filesBelow(arg, unreadable));
      else paths.push(arg);
    } catch (error) {
      unreadable.push(`${arg}: ${describeError(error)}`);
    }
  }
  return { paths, unreadable };
}

/**
 * Every file below a directory, in byte order of path. Symlinked files count; symlinked directories are
 * not entered (Node's recursive readdir would follow them into loops). Unlistable subdirectories are noted.
 */
function filesBelow(directory: string, unreadable: string[]): string[] {
  const files: Array<{ path: string; bytes: Buffer }> = [];
  const pending = [directory.endsWith(sep) && directory.length > 1 ? directory.slice(0, -1) : directory];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      unreadable.push(`${dir}: ${describeError(error)}`);
      continue;
    }
    for (const entry of entries) {
      const path = `${dir}${sep}${entry.name}`;
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile() || (entry.isSymbolicLink() && isFileTarget(path))) {
        files.push({ path, bytes: Buffer.from(path) });
      }
    }
  }
  return files.sort((a, b) => Buffer.compare(a.bytes, b.bytes)).map((file) => file.path);
}

function isFileTarget(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return error instanceof Error ? error.message : String(error);
}
