/**
 * Builds what src/pipeline/build-cache.ts describes, into node_modules/.cache/deliverlens (or DELIVERLENS_CACHE_DIR):
 * - the CLI bundle: src/cli/main.ts and src/pipeline/helper-process.ts (bin/ imports both) bundled by esbuild
 *   into ES modules, split where the CLI loads lazily, packages left to node_modules;
 * - the helper's startup snapshot: src/pipeline/classify-helper-snapshot.ts bundled into one CommonJS script
 *   (Node's snapshot builder runs one script, not a module graph), run by `node --build-snapshot`.
 * Runs on `prepare` (npm ci / npm install in a checkout) and before bench/classify-email.ts; rebuilds only what
 * is stale. Never fails the install: without esbuild, or on any error, it says why and the plain modules run.
 *   node scripts/build-cache.ts [--force]
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
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
} from "../src/pipeline/build-cache.ts";

type Esbuild = typeof import("esbuild");

/** Emails the snapshot is warmed on (classified once before it is taken; see its entry). */
const WARM_UP = "test/fixtures/bounce-email";
/** A replaced bundle folder is deleted once this old: a run that started on it may still load its chunks. */
const KEEP_OLD_MS = 60 * 60 * 1000;

const say = (line: string) => process.stderr.write(`build cache: ${line}\n`);
const dir = buildCacheDir();

/**
 * Each module's `import.meta.url` stays its own source file's URL in a bundle, so what is resolved from it
 * (a worker's module, the helper's entry, data files) is the same file as without the bundle.
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

/** The manifest's inputs: every file the build read, stamped. */
function stamps(metafile: import("esbuild").Metafile): BuildManifest["inputs"] {
  return Object.keys(metafile.inputs)
    .sort()
    .map((path) => {
      const stamp = inputStamp(path);
      if (stamp === null) throw new Error(`cannot stat ${path}`);
      return [path, ...stamp];
    });
}

function writeManifest(kind: Artifact, output: string, inputs: BuildManifest["inputs"]): void {
  const manifest: BuildManifest = { node: process.version, arch: process.arch, output, inputs };
  const partial = join(dir, `${MANIFESTS[kind]}.${process.pid}`);
  writeFileSync(partial, `${JSON.stringify(manifest)}\n`);
  renameSync(partial, join(dir, MANIFESTS[kind]));
}

function hashOf(...parts: (string | Buffer)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex").slice(0, 16);
}

async function buildCli(esbuild: Esbuild): Promise<string> {
  const staging = join(dir, `cli-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: packageRoot,
    entryPoints: ["src/cli/main.ts", "src/pipeline/helper-process.ts"],
    outbase: "src",
    outdir: staging,
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node22",
    packages: "external",
    metafile: true,
    logLevel: "error",
    plugins: [moduleUrls],
  });
  const inputs = stamps(result.metafile);
  const outputs = Object.keys(result.metafile.outputs).sort();
  const output = `cli-${hashOf(...outputs.map((path) => readFileSync(join(packageRoot, path))))}`;
  rmSync(join(dir, output), { recursive: true, force: true });
  renameSync(staging, join(dir, output));
  writeManifest("cli", output, inputs);
  // Older folders go once no run can still be loading from them.
  for (const name of readdirSync(dir))
    if (
      /^cli-[0-9a-f]{16}$/.test(name) &&
      name !== output &&
      Date.now() - statSync(join(dir, name)).mtimeMs > KEEP_OLD_MS
    )
      rmSync(join(dir, name), { recursive: true, force: true });
  return `${output}/ from ${inputs.length} files`;
}

async function buildHelper(esbuild: Esbuild): Promise<string> {
  const script = join(dir, `helper-${process.pid}.cjs`);
  const result = await esbuild.build({
    absWorkingDir: packageRoot,
    entryPoints: ["src/pipeline/classify-helper-snapshot.ts"],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    outfile: script,
    metafile: true,
    logLevel: "error",
    plugins: [moduleUrls],
  });
  const inputs = stamps(result.metafile);
  const blob = `helper-${hashOf(readFileSync(script), process.version)}.blob`;
  const partial = join(dir, `${blob}.${process.pid}`);
  const made = spawnSync(process.execPath, ["--snapshot-blob", partial, "--build-snapshot", script], {
    cwd: dir,
    encoding: "utf8",
    // Warmed on the hand-written bounce fixtures (not the Sisimai corpus the benchmark copies).
    env: { ...process.env, DELIVERLENS_SNAPSHOT_WARM_UP: join(packageRoot, WARM_UP) },
  });
  rmSync(script, { force: true });
  if (made.status !== 0) {
    rmSync(partial, { force: true });
    throw new Error(`node --build-snapshot exited ${made.status}: ${made.stderr.slice(0, 500)}`);
  }
  renameSync(partial, join(dir, blob));
  writeManifest("helper", blob, inputs);
  // A blob is read whole when a helper starts: older ones (~10 MB each) can go at once.
  for (const name of readdirSync(dir))
    if (/^helper-[0-9a-f]{16}\.blob$/.test(name) && name !== blob) rmSync(join(dir, name), { force: true });
  return `${blob} from ${inputs.length} files`;
}

function loadEsbuild(): Esbuild | null {
  try {
    return createRequire(import.meta.url)("esbuild") as Esbuild;
  } catch {
    return null;
  }
}

const builders: Record<Artifact, (esbuild: Esbuild) => Promise<string>> = {
  cli: buildCli,
  helper: buildHelper,
};
const force = process.argv.includes("--force");
const esbuild = loadEsbuild();
for (const kind of ["cli", "helper"] as const) {
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
    const built = await builders[kind](esbuild);
    say(`${kind}: built ${built} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    say(
      `${kind}: not built (${error instanceof Error ? error.message : String(error)}); the plain modules run`,
    );
  }
}
