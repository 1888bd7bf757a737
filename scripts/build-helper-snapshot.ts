/**
 * Builds the startup snapshot of classify's helper process (see src/pipeline/helper-snapshot.ts): bundles
 * src/pipeline/classify-helper-snapshot.ts into one CommonJS script with esbuild (Node's snapshot builder runs
 * one script, not a module graph), runs `node --build-snapshot` on it and writes the manifest the CLI checks.
 * Runs on `prepare` (npm ci / npm install in a checkout) and before bench/classify-email.ts; does nothing
 * while the snapshot is fresh. Never fails the install: without esbuild, or on any error, it says why and
 * the helper keeps loading the plain modules.
 *   node scripts/build-helper-snapshot.ts [--force] [--quiet]
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  freshSnapshot,
  inputStamp,
  MANIFEST,
  packageRoot,
  type SnapshotManifest,
  snapshotCacheDir,
} from "../src/pipeline/helper-snapshot.ts";

const ENTRY = "src/pipeline/classify-helper-snapshot.ts";
const quiet = process.argv.includes("--quiet");
const say = (line: string) => {
  if (!quiet) process.stderr.write(`helper snapshot: ${line}\n`);
};

const dir = snapshotCacheDir();

async function build(): Promise<void> {
  const started = performance.now();
  const esbuild = loadEsbuild();
  if (esbuild === null) {
    say("esbuild is not installed (a devDependency): not built; the helper loads its modules");
    return;
  }
  mkdirSync(dir, { recursive: true });
  const script = join(dir, `helper-${process.pid}.cjs`);
  const result = await esbuild.build({
    absWorkingDir: packageRoot,
    entryPoints: [ENTRY],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    outfile: script,
    metafile: true,
    logLevel: "error",
    plugins: [moduleUrls],
  });
  const inputs: SnapshotManifest["inputs"] = [];
  for (const path of Object.keys(result.metafile.inputs).sort()) {
    const stamp = inputStamp(path);
    if (stamp === null) throw new Error(`cannot stat ${path}`);
    inputs.push([path, ...stamp]);
  }
  const hash = createHash("sha256").update(readFileSync(script)).update(process.version).digest("hex");
  const blob = `helper-${hash.slice(0, 16)}.blob`;
  const partial = join(dir, `${blob}.${process.pid}`);
  const made = spawnSync(process.execPath, ["--snapshot-blob", partial, "--build-snapshot", script], {
    cwd: dir,
    encoding: "utf8",
  });
  rmSync(script, { force: true });
  if (made.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`node --build-snapshot exited ${made.status}: ${made.stderr.slice(0, 500)}`);
  }
  renameSync(partial, join(dir, blob));
  const manifest: SnapshotManifest = { node: process.version, arch: process.arch, blob, inputs };
  writeFileSync(join(dir, `${MANIFEST}.${process.pid}`), `${JSON.stringify(manifest)}\n`);
  renameSync(join(dir, `${MANIFEST}.${process.pid}`), join(dir, MANIFEST));
  // Older blobs (~10 MB each) are no longer named by the manifest.
  for (const name of readdirSync(dir))
    if (/^helper-[0-9a-f]{16}\.blob$/.test(name) && name !== blob) rmSync(join(dir, name), { force: true });
  say(`built ${blob} from ${inputs.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

type Esbuild = typeof import("esbuild");

function loadEsbuild(): Esbuild | null {
  try {
    return createRequire(import.meta.url)("esbuild") as Esbuild;
  } catch {
    return null;
  }
}

/**
 * Each module's `import.meta.url` stays its own source file's URL in the bundle (CommonJS has no import.meta),
 * so a path resolved from it (a worker's module) is the same as without the bundle.
 */
const moduleUrls = {
  name: "module-urls",
  setup(build: import("esbuild").PluginBuild) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replaceAll("import.meta.url", url), loader: "ts" as const };
    });
  },
};

if (!process.argv.includes("--force") && freshSnapshot(dir) !== null) {
  say("up to date");
} else {
  try {
    await build();
  } catch (error) {
    say(
      `not built (${error instanceof Error ? error.message : String(error)}); the helper loads its modules`,
    );
  }
}
