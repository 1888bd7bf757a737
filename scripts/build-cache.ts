/**
 * Builds the V8 startup snapshots bin/snapshot-cache.js describes, into node_modules/.cache/deliverlens
 * (or DELIVERLENS_CACHE_DIR): each entry bundled into one CommonJS script by esbuild (Node's snapshot builder
 * runs one script, not a module graph), then run by `node --build-snapshot` — classify's warmed on the
 * repository's own bounce fixtures. Runs on `prepare` (npm ci / npm install in a checkout) and before
 * bench/classify-email.ts and bench/ingest.ts; rebuilds only what is stale. Never fails the install: without esbuild, or on any error, it says why and the
 * plain modules run.
 *   node scripts/build-cache.ts [--force]
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type Artifact,
  type BuildManifest,
  buildCacheDir,
  freshArtifact,
  inputStamp,
  MANIFESTS,
  packageRoot,
} from "../bin/snapshot-cache.js";
import { oneByteSource } from "./one-byte-source.ts";

type Esbuild = typeof import("esbuild");
type Plugin = import("esbuild").Plugin;

const ENTRIES: Record<Artifact, string> = {
  classify: "src/cli/classify-snapshot.ts",
  ingest: "src/cli/ingest-snapshot.ts",
};
/** Emails the snapshots are warmed on (src/pipeline/snapshot-warm-up.ts): not the corpus the benchmark copies. */
const WARM_UP = "test/fixtures/bounce-email";

const say = (line: string) => process.stderr.write(`build cache: ${line}\n`);
const dir = buildCacheDir();

/**
 * Each module's `import.meta.url` (which CommonJS does not have) stays its own source file's URL in the bundle,
 * so what is resolved from it (a worker's module, data files) is the same file as without.
 */
const moduleUrls: Plugin = {
  name: "module-urls",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

/**
 * The other commands' implementations stay out of a command's snapshot (DuckDB and the like could not be in
 * classify's): their lazy imports are left as they are, never reached by a process that runs `kind`.
 */
function otherCommandsOut(kind: Artifact): Plugin {
  return {
    name: "other-commands-out",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const command = /[\\/]src[\\/]cli[\\/]commands[\\/]/.test(args.importer);
        if (!command || args.kind !== "dynamic-import" || args.path === `../run/${kind}.ts`) return undefined;
        return { path: args.path, external: true };
      });
    },
  };
}

/** The package the store talks to DuckDB through: a native addon under it, which no snapshot can hold. */
const DUCKDB = "@duckdb/node-api";

/**
 * DuckDB in ingest's snapshot: `@duckdb/node-api` (and its native addon) cannot be loaded while a snapshot is
 * built, so the bundle gets a stand-in with the same exports, each of which loads the real package (from this
 * checkout's node_modules) the first time it is read — when the store opens, after the snapshot is
 * deserialised. Its export names are the installed package's (read here; its package.json is one of the
 * snapshot's inputs, so another version makes the snapshot stale).
 */
function duckdbOnFirstUse(): Plugin {
  const require = createRequire(import.meta.url);
  const names = Object.keys(require(DUCKDB) as object).filter((name) => name !== "__esModule");
  const from = join(packageRoot, "package.json");
  return {
    name: "duckdb-on-first-use",
    setup(build) {
      build.onResolve({ filter: /^@duckdb\/node-api$/ }, () => ({
        path: DUCKDB,
        namespace: "duckdb-on-first-use",
      }));
      build.onLoad({ filter: /.*/, namespace: "duckdb-on-first-use" }, () => ({
        loader: "js",
        contents: `let real;
const load = () => (real ??= require("node:module").createRequire(${JSON.stringify(from)})(${JSON.stringify(DUCKDB)}));
for (const name of ${JSON.stringify(names)})
  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
      }));
    },
  };
}

/** Variables only the build itself sets (see below): never compared with a run's. */
const BUILD_ONLY = ["DELIVERLENS_SNAPSHOT_WARM_UP", "DELIVERLENS_SNAPSHOT_ENV"];

/**
 * Put first in each snapshot's script: records every environment variable the modules read while the snapshot
 * is built (a module may keep a value it read when it loaded) and writes them, with their values, to the file
 * DELIVERLENS_SNAPSHOT_ENV names just before the snapshot is taken, with process.env itself put back.
 */
const ENV_RECORDER = `{
  const env = process.env;
  const read = new Set();
  process.env = new Proxy(env, {
    get: (target, name) => { if (typeof name === "string") read.add(name); return Reflect.get(target, name); },
    has: (target, name) => { if (typeof name === "string") read.add(name); return Reflect.has(target, name); },
  });
  require("node:v8").startupSnapshot.addSerializeCallback(() => {
    process.env = env;
    const values = {};
    for (const name of [...read].sort()) if (!${JSON.stringify(BUILD_ONLY)}.includes(name)) values[name] = env[name] ?? null;
    require("node:fs").writeFileSync(env.DELIVERLENS_SNAPSHOT_ENV, JSON.stringify(values));
  });
}`;

async function buildSnapshot(esbuild: Esbuild, kind: Artifact): Promise<string> {
  const script = join(dir, `${kind}-${process.pid}.cjs`);
  const result = await esbuild.build({
    absWorkingDir: packageRoot,
    entryPoints: [ENTRIES[kind]],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    outfile: script,
    // Strict, as the ES modules it bundles are: a CommonJS script is sloppy unless it says otherwise.
    banner: { js: `"use strict";\n${ENV_RECORDER}` },
    // The snapshot keeps the script's source (for functions compiled later, and toString): without the
    // indentation and comments it is 0.98 M characters instead of 1.37 M. Names are kept (not minified).
    minifyWhitespace: true,
    legalComments: "none",
    metafile: true,
    logLevel: "error",
    plugins: [moduleUrls, otherCommandsOut(kind), ...(kind === "ingest" ? [duckdbOnFirstUse()] : [])],
  });
  writeFileSync(script, oneByteSource(readFileSync(script, "utf8")));
  // package.json too (util/version.ts reads the version from it when it loads), this script and its helper (how
  // it builds), and DuckDB's package.json where the bundle stands in for it (its export names).
  const inputs: BuildManifest["inputs"] = [
    ...Object.keys(result.metafile.inputs).filter((path) => !path.startsWith("duckdb-on-first-use:")),
    "package.json",
    "scripts/build-cache.ts",
    "scripts/one-byte-source.ts",
    ...(kind === "ingest" ? [`node_modules/${DUCKDB}/package.json`] : []),
  ]
    .sort()
    .map((path) => {
      const stamp = inputStamp(path);
      if (stamp === null) throw new Error(`cannot stat ${path}`);
      return [path, ...stamp];
    });
  const hash = createHash("sha256").update(readFileSync(script)).update(process.version).digest("hex");
  const blob = `${kind}-${hash.slice(0, 16)}.blob`;
  const partial = join(dir, `${blob}.${process.pid}`);
  const envFile = join(dir, `${kind}-${process.pid}.env.json`);
  const made = spawnSync(process.execPath, ["--snapshot-blob", partial, "--build-snapshot", script], {
    cwd: dir,
    encoding: "utf8",
    env: {
      ...process.env,
      DELIVERLENS_SNAPSHOT_WARM_UP: join(packageRoot, WARM_UP),
      DELIVERLENS_SNAPSHOT_ENV: envFile,
    },
  });
  rmSync(script, { force: true });
  if (made.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`node --build-snapshot exited ${made.status}: ${made.stderr.slice(-1500)}`);
  }
  // A source edited while it was bundled or snapshotted: the blob may hold the old text under the new stamp.
  for (const [path, ...recorded] of inputs) {
    const stamp = inputStamp(path);
    if (stamp === null || stamp.some((value, at) => value !== recorded[at])) {
      rmSync(partial, { force: true });
      throw new Error(`${path} changed while the snapshot was built`);
    }
  }
  const env = JSON.parse(readFileSync(envFile, "utf8")) as BuildManifest["env"];
  rmSync(envFile, { force: true });
  renameSync(partial, join(dir, blob));
  const outputBytes = statSync(join(dir, blob)).size;
  const manifest: BuildManifest = {
    node: process.version,
    arch: process.arch,
    root: realpathSync(packageRoot),
    output: blob,
    outputBytes,
    inputs,
    env,
  };
  writeFileSync(join(dir, `${MANIFESTS[kind]}.${process.pid}`), `${JSON.stringify(manifest)}\n`);
  renameSync(join(dir, `${MANIFESTS[kind]}.${process.pid}`), join(dir, MANIFESTS[kind]));
  removeOldBlobs(kind, blob);
  return `${blob} from ${inputs.length} files`;
}

/**
 * Blobs of `kind` but the one just built and the one before it (~10 MB each): a run that found the previous
 * one fresh a moment ago may not have started from it yet, so it stays until the next build.
 */
function removeOldBlobs(kind: Artifact, current: string): void {
  const blob = new RegExp(`^${kind}-[0-9a-f]{16}\\.blob$`);
  const older = readdirSync(dir)
    .filter((name) => blob.test(name) && name !== current)
    .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of older.slice(1)) rmSync(join(dir, name), { force: true });
}

/** What a build killed half-way left (a bundle, a partial blob, an env file, a manifest): gone after an hour. */
function removeLeftovers(): void {
  const leftover = /-\d+\.(?:cjs|env\.json)$|\.(?:blob|json)\.\d+$/;
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(dir)) {
    if (!leftover.test(name)) continue;
    const path = join(dir, name);
    const modified = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (modified < hourAgo) rmSync(path, { force: true });
  }
}

function loadEsbuild(): Esbuild | null {
  try {
    return createRequire(import.meta.url)("esbuild") as Esbuild;
  } catch {
    return null;
  }
}

const force = process.argv.includes("--force");
const esbuild = loadEsbuild();
for (const kind of ["classify", "ingest"] as const) {
  if (!force && freshArtifact(kind, dir) !== null) {
    say(`${kind}: up to date`);
    continue;
  }
  if (esbuild === null) {
    say(`${kind}: not built (esbuild, a devDependency, is not installed); the plain modules run`);
    continue;
  }
  const started = performance.now();
  try {
    mkdirSync(dir, { recursive: true });
    removeLeftovers();
    const built = await buildSnapshot(esbuild, kind);
    say(`${kind}: built ${built} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    say(
      `${kind}: not built (${error instanceof Error ? error.message : String(error)}); the plain modules run`,
    );
  }
}
