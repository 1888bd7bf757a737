import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The helper process (classify-helper.ts) from a V8 startup snapshot: its ~110 modules bundled into one
 * script (scripts/build-helper-snapshot.ts, with esbuild) and run once to the point where every table and the
 * phrase index are built; Node saves that heap as a blob (`node --build-snapshot`) and a helper started with
 * `--snapshot-blob` begins there (https://nodejs.org/api/cli.html#--build-snapshot-entry). The blob is only
 * used while it matches this Node and every source file it was built from; otherwise the helper loads the
 * plain modules, as it always can.
 */

/** What the build wrote: the blob, the Node that built it, and each input's size and modification time. */
export interface SnapshotManifest {
  node: string;
  arch: string;
  blob: string;
  /** Inputs relative to the repository root: [path, size, mtimeMs]. */
  inputs: [string, number, number][];
}

export const MANIFEST = "helper-snapshot.json";

/** The repository (or package) root: src/pipeline/../../ */
export const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Where the build puts the blob: node_modules/.cache (or DELIVERLENS_CACHE_DIR, for tests). */
export function snapshotCacheDir(): string {
  return process.env.DELIVERLENS_CACHE_DIR ?? join(packageRoot, "node_modules", ".cache", "deliverlens");
}

/** The input's [size, mtimeMs] as the manifest records it, or null when it cannot be read. */
export function inputStamp(path: string): [number, number] | null {
  try {
    const stat = statSync(join(packageRoot, path));
    return [stat.size, stat.mtimeMs];
  } catch {
    return null;
  }
}

/**
 * The blob to start the helper from, or null: none built, built by another Node, a source changed since
 * (checked by size and modification time: ~110 stats), or turned off (DELIVERLENS_HELPER_SNAPSHOT=0).
 */
export function freshSnapshot(dir = snapshotCacheDir()): string | null {
  if (process.env.DELIVERLENS_HELPER_SNAPSHOT === "0") return null;
  let manifest: SnapshotManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), "utf8")) as SnapshotManifest;
  } catch {
    return null;
  }
  if (manifest.node !== process.version || manifest.arch !== process.arch) return null;
  if (!Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return null;
  for (const [path, size, mtime] of manifest.inputs) {
    const stamp = inputStamp(path);
    if (stamp === null || stamp[0] !== size || stamp[1] !== mtime) return null;
  }
  const blob = join(dir, manifest.blob);
  return exists(blob) ? blob : null;
}

function exists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
