import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What scripts/build-cache.ts builds (with esbuild, on `prepare` in a checkout) to cut classify's start-up,
 * and whether a build is still good for this run. Two artifacts:
 * - "cli": the CLI's modules bundled into a few ES modules (split where the CLI loads lazily), so a process
 *   loads ~10 files instead of ~130 (bin/deliverlens.js imports them for `classify`);
 * - "helper": a V8 startup snapshot of the helper process (classify-helper-snapshot.ts): its modules loaded,
 *   initialised and warmed when the snapshot was taken (https://nodejs.org/api/cli.html#--build-snapshot-entry).
 * Each is used only while it matches this Node and every source file it was built from (size and modification
 * time); otherwise the plain modules run, as they always can.
 */

export type Artifact = "cli" | "helper";

/** What the build wrote: the output (a folder or a blob), the Node that built it, each input's stamp. */
export interface BuildManifest {
  node: string;
  arch: string;
  output: string;
  /** Inputs relative to the repository root: [path, size, mtimeMs]. */
  inputs: [string, number, number][];
}

export const MANIFESTS: Record<Artifact, string> = { cli: "cli-bundle.json", helper: "helper-snapshot.json" };
/** Set to 0 to run the plain modules instead of the artifact. */
export const SWITCHES: Record<Artifact, string> = {
  cli: "DELIVERLENS_CLI_BUNDLE",
  helper: "DELIVERLENS_HELPER_SNAPSHOT",
};

/** The repository (or package) root: src/pipeline/../../ */
export const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Where the build puts its output: node_modules/.cache/deliverlens (or DELIVERLENS_CACHE_DIR, for tests; inside
 * node_modules too, so the bundle's imports of packages resolve).
 */
export function buildCacheDir(): string {
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
 * The artifact's path (the bundle's folder, the snapshot's blob), or null: none built, built by another Node,
 * a source changed since, or turned off (its switch set to 0).
 */
export function freshArtifact(kind: Artifact, dir = buildCacheDir()): string | null {
  if (process.env[SWITCHES[kind]] === "0") return null;
  let manifest: BuildManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFESTS[kind]), "utf8")) as BuildManifest;
  } catch {
    return null;
  }
  if (manifest.node !== process.version || manifest.arch !== process.arch) return null;
  if (!Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return null;
  for (const [path, size, mtime] of manifest.inputs) {
    const stamp = inputStamp(path);
    if (stamp === null || stamp[0] !== size || stamp[1] !== mtime) return null;
  }
  const output = join(dir, manifest.output);
  try {
    statSync(output);
    return output;
  } catch {
    return null;
  }
}
