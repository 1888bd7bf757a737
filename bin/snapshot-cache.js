// Whether classify's or ingest's startup snapshot (scripts/build-cache.ts builds them) is still good for this run.
// Plain JavaScript, read by bin/deliverlens.js on every `classify` and `ingest` before anything else loads: no
// TypeScript module to strip and compile, a few milliseconds at most.
import { builtin } from "./builtin.js";

const { readFileSync, realpathSync, statSync } = await builtin("node:fs");
const { join } = await builtin("node:path");
const { fileURLToPath } = await builtin("node:url");

/*
 * What scripts/build-cache.ts builds (with esbuild and `node --build-snapshot`, on `prepare` in a checkout) to
 * cut classify's start-up: a V8 startup snapshot (https://nodejs.org/api/cli.html#--build-snapshot-entry) of
 * the CLI with the classify path (src/cli/classify-snapshot.ts) bundled into one script, loaded, initialised
 * and warmed (snapshot-warm-up.ts) when it was taken; bin/deliverlens.js runs `classify` from it instead of
 * loading ~130 modules. Likewise `ingest` (src/cli/ingest-snapshot.ts: loaded and initialised, not warmed —
 * DuckDB, which it needs to run, loads only after the snapshot is deserialised), instead of ~150 modules.
 * It is used only while it matches this Node, every source file it was built from and every environment
 * variable read while it was built (a limit such as DELIVERLENS_MAX_RECIPIENTS is read once, when its module
 * loads: the snapshot holds the value it had then); otherwise the plain modules run, as they always can.
 * A source counts as unchanged while its size, modification time and status-change time (ctime) are those
 * recorded: any write changes mtime and ctime, and putting an old mtime back (touch -d, utimes) changes ctime,
 * which no user can set — so an edit that keeps the size and restores the mtime still makes the snapshot stale.
 * What it does not see: a file system whose clock does not move between an edit and the build's stamp (one with
 * 2-second timestamps, an edit in the same 2 s as the build) — the build stamps its inputs again once it is done
 * and refuses a source changed meanwhile.
 */

export const MANIFESTS = { classify: "classify-snapshot.json", ingest: "ingest-snapshot.json" };
/** Set to 0 to run the plain modules instead of the artifact. */
export const SWITCHES = {
  classify: "DELIVERLENS_CLASSIFY_SNAPSHOT",
  ingest: "DELIVERLENS_INGEST_SNAPSHOT",
};

/** The repository root: bin/../ */
export const packageRoot = fileURLToPath(new URL("../", import.meta.url));

/** packageRoot with its links resolved (as the build records it), or null when it cannot be resolved. */
function realRoot() {
  try {
    return realpathSync(packageRoot);
  } catch {
    return null;
  }
}

/** Where the build puts its output: node_modules/.cache/deliverlens (or DELIVERLENS_CACHE_DIR, for tests). */
export function buildCacheDir() {
  return process.env.DELIVERLENS_CACHE_DIR ?? join(packageRoot, "node_modules", ".cache", "deliverlens");
}

/**
 * The input's [size, mtimeMs, ctimeMs] as the manifest records it, or null when it cannot be read. The path is
 * appended to packageRoot (which ends with a separator) as it is, not path.join()ed: the kernel resolves it the
 * same, and bin/ stats every input (~190) before each classify: normalising each cost ~0.7 ms of its start.
 */
export function inputStamp(path) {
  const stat = statSync(packageRoot + path, { throwIfNoEntry: false });
  return stat === undefined ? null : [stat.size, stat.mtimeMs, stat.ctimeMs];
}

/**
 * The snapshot's blob, or null: none built, built by another Node, a source changed since, or turned off (its
 * switch set to 0).
 */
export function freshArtifact(kind, dir = buildCacheDir()) {
  if (process.env[SWITCHES[kind]] === "0") return null;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFESTS[kind]), "utf8"));
  } catch {
    return null;
  }
  if (manifest === null || typeof manifest !== "object") return null;
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
  for (const input of manifest.inputs) {
    // A manifest of an older layout (no ctime) is stale too.
    if (!Array.isArray(input) || input.length !== 4 || typeof input[0] !== "string") return null;
    const stamp = inputStamp(input[0]);
    if (stamp === null || stamp[0] !== input[1] || stamp[1] !== input[2] || stamp[2] !== input[3])
      return null;
  }
  // A blob cut short (a full disk, a copy interrupted) would stop Node before classify could start.
  const output = statSync(join(dir, manifest.output), { throwIfNoEntry: false });
  return output !== undefined && output.size === manifest.outputBytes ? join(dir, manifest.output) : null;
}
