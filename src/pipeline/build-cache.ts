import { readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What scripts/build-cache.ts builds (with esbuild and `node --build-snapshot`, on `prepare` in a checkout) to
 * cut classify's start-up, and whether a build is still good for this run. A V8 startup snapshot
 * (https://nodejs.org/api/cli.html#--build-snapshot-entry) of modules bundled into one script and loaded,
 * initialised and warmed (snapshot-warm-up.ts) when it was taken:
 * - "classify": the CLI with the classify path (src/cli/classify-snapshot.ts); bin/deliverlens.js runs
 *   `classify` from it instead of loading ~130 modules.
 * It is used only while it matches this Node, every source file it was built from (size and modification
 * time) and every environment variable read while it was built (a limit such as DELIVERLENS_MAX_RECIPIENTS is
 * read once, when its module loads: the snapshot holds the value it had then); otherwise the plain modules run,
 * as they always can.
 */

export type Artifact = "classify";

/** What the build wrote: the output (the blob), the Node that built it, each input's stamp. */
export interface BuildManifest {
  node: string;
  arch: string;
  /** The real path of the checkout it was built in: the bundle holds its modules' absolute URLs. */
  root: string;
  output: string;
  outputBytes: number;
  /** Inputs relative to the repository root: [path, size, mtimeMs]. */
  inputs: [string, number, number][];
  /** Environment variables the modules read while the snapshot was built, with their values then (null: unset). */
  env: Record<string, string | null>;
}

export const MANIFESTS: Record<Artifact, string> = {
  classify: "classify-snapshot.json",
};
/** Set to 0 to run the plain modules instead of the artifact. */
export const SWITCHES: Record<Artifact, string> = {
  classify: "DELIVERLENS_CLASSIFY_SNAPSHOT",
};

/** The repository (or package) root: src/pipeline/../../ */
export const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/** packageRoot with its links resolved (as the build records it), or null when it cannot be resolved. */
function realRoot(): string | null {
  try {
    return realpathSync(packageRoot);
  } catch {
    return null;
  }
}

/**
 * Where the build puts its output: node_modules/.cache/deliverlens (or DELIVERLENS_CACHE_DIR, for tests).
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
 * The snapshot's blob, or null: none built, built by another Node,
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
  // A checkout copied or moved with its cache (cp -a, a container layer): same stamps, but the snapshot's
  // modules would resolve workers and data files in the old place.
  if (manifest.root !== realRoot()) return null;
  if (
    typeof manifest.output !== "string" ||
    !Array.isArray(manifest.inputs) ||
    manifest.inputs.length === 0 ||
    typeof manifest.env !== "object" ||
    manifest.env === null
  )
    return null;
  for (const [name, value] of Object.entries(manifest.env))
    if ((process.env[name] ?? null) !== value) return null;
  for (const [path, size, mtime] of manifest.inputs) {
    const stamp = typeof path === "string" ? inputStamp(path) : null;
    if (stamp === null || stamp[0] !== size || stamp[1] !== mtime) return null;
  }
  // A blob cut short (a full disk, a copy interrupted) would stop Node before classify could start.
  const output = join(dir, manifest.output);
  try {
    return statSync(output).size === manifest.outputBytes ? output : null;
  } catch {
    return null;
  }
}
