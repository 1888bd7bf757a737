import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * The published package ships compiled JavaScript (Node will not strip types under node_modules). Build
 * and `npm pack` a copy of the repository (so a concurrent build in the checkout cannot interfere), unpack
 * the tarball elsewhere with the runtime dependencies available, and run the packed CLI and library.
 */
const repo = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "deliverlens-pack-"));
after(() => rmSync(work, { recursive: true, force: true }));

const CS01 = "550 5.7.1 [CS01] Message rejected due to local policy";

let packed: string | null = null;

/** Built and packed once per file: both tests use the same unpacked package. */
function packedPackage(): string {
  packed ??= buildAndPack();
  return packed;
}

function buildAndPack(): string {
  const copy = join(work, "repo");
  mkdirSync(copy);
  for (const entry of [
    "package.json",
    "tsconfig.json",
    "tsconfig.build.json",
    "src",
    "data",
    "LICENSE",
    "THIRD_PARTY_NOTICES.md",
    "README.md",
  ]) {
    if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(repo, "node_modules"), join(copy, "node_modules"), "dir");
  // Type errors elsewhere in a work-in-progress tree must not hide a packaging break: emit regardless, unchecked
  // (--noCheck: the same bytes as `npm run build` emits, declarations included, for half its CPU; `npm test`
  // type-checks the sources itself).
  spawnSync(
    process.execPath,
    [join(repo, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--noCheck"],
    { cwd: copy },
  );
  assert.ok(existsSync(join(copy, "dist/cli/main.js")), "the build produced no dist/cli/main.js");
  execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work], {
    cwd: copy,
    stdio: "pipe",
  });
  const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
  assert.ok(tarball, "npm pack produced no tarball");
  const install = join(work, "install");
  mkdirSync(install);
  execFileSync("tar", ["xzf", join(work, tarball), "-C", install]);
  const root = join(install, "package");
  symlinkSync(join(repo, "node_modules"), join(root, "node_modules"), "dir");
  return root;
}

test("the packed package runs: CLI bin on a CS01 reply, and the library entry", { timeout: 120_000 }, () => {
  const root = packedPackage();
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.ok(!existsSync(join(root, "src")), "TypeScript sources must not ship");
  const bin = join(root, manifest.bin.deliverlens);
  assert.ok(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node"), "the bin needs a node shebang");

  const run = spawnSync(process.execPath, [bin, "classify", "--text", CS01, "--json"], {
    encoding: "utf8",
    cwd: work,
  });
  assert.equal(run.status, 0, run.stderr);
  const [record] = JSON.parse(run.stdout);
  assert.equal(record.provider, "apple");
  assert.equal(record.providerCode, "CS01");
  assert.equal(record.category, "reputation");

  // Files load the format detector, the email scanner and the log readers lazily: those paths must ship too.
  const email = join(repo, "test/fixtures/sisimai/eml/rhost-apple-02.eml");
  const log = join(work, "maillog");
  writeFileSync(
    log,
    "Nov 28 04:00:00 mx postfix/smtp[1]: 4F1A2B3C4D: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n",
  );
  const files = spawnSync(process.execPath, [bin, "classify", email, log, "--json"], {
    encoding: "utf8",
    cwd: work,
  });
  assert.equal(files.status, 0, files.stderr);
  assert.deepEqual(
    JSON.parse(files.stdout).map((r: { format: string; reason: string }) => [r.format, r.reason]),
    [
      ["email", "authfailure"],
      ["postfix", "policyviolation"],
    ],
  );

  const entry = join(root, manifest.exports["."].default);
  const script = `const lib = await import(${JSON.stringify(entry)}); const [r] = lib.classifyText(${JSON.stringify(CS01)}); console.log(r.reason);`;
  const library = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    cwd: work,
  });
  assert.equal(library.status, 0, library.stderr);
  assert.equal(library.stdout.trim(), "policyviolation");
});

const SUBPATHS = ["bounce", "events", "store", "stats", "diagnose", "inspect", "audit"];

/** A consumer's tsconfig: strict ESM, and the package's declarations checked (skipLibCheck: false). */
function consumerConfig(files: string[], lib: string[]): string {
  return JSON.stringify({
    compilerOptions: {
      target: "es2024",
      lib,
      module: "nodenext",
      moduleResolution: "nodenext",
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      types: ["node"],
      typeRoots: [join(repo, "node_modules/@types")],
    },
    files,
  });
}

/** `tsc -p config`, from `cwd`. */
function tsc(config: string, cwd: string) {
  return spawnSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", config], {
    encoding: "utf8",
    cwd,
  });
}

/** A scratch ESM project `name` in `work` with the packed package installed, and `files` written in it. */
function scratchProject(name: string, files: Record<string, string>): string {
  const project = join(work, name);
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(packedPackage(), join(project, "node_modules/deliverlens"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name, type: "module", private: true }));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(project, file), text);
  return project;
}

const CONSUMER = `import { classifyReply, classifyText, type BounceRecord } from "deliverlens/bounce";
import { detectFormat, type DeliveryEvent } from "deliverlens/events";
import { openStore, type Store } from "deliverlens/store";
import { computeStats, type StatsReport } from "deliverlens/stats";
import { diagnoseStore, type DiagnosisReport } from "deliverlens/diagnose";
import { auditDomain, type AuditReport } from "deliverlens/audit";
import { classifyEmail } from "deliverlens";
const records: BounceRecord[] = classifyText(${JSON.stringify(CS01)});
const event: DeliveryEvent | null = null;
const later: [StatsReport?, DiagnosisReport?, AuditReport?, Store?] = [];
const store = await openStore(":memory:");
const stats = await computeStats(store, {});
store.close();
console.log(JSON.stringify({
  provider: records[0].provider,
  category: classifyReply({ text: ${JSON.stringify(CS01)} }).category,
  format: detectFormat('{"event":"bounce","sg_event_id":"x","email":"a@b.c","timestamp":1}', "x.json"),
  providers: stats.totals.length,
  functions: [diagnoseStore, auditDomain, classifyEmail].map((f) => typeof f),
  event,
  later: later.length,
}));
`;

// postal-mime's declarations, reached only through deliverlens/inspect's types, name the DOM's
// TextEncoder/TextDecoder types: that entry is checked with lib "dom" too (docs/API.md says so).
const INSPECT_CONSUMER = `import { inspectMessage, type InspectReport } from "deliverlens/inspect";
const raw = Buffer.from("From: a@example.com\\r\\nSubject: hi\\r\\n\\r\\nhello\\r\\n");
const report: InspectReport = await inspectMessage(raw);
console.log(report.schemaVersion);
`;

let consumer: string | null = null;
/** The consumer project: main.ts (every entry but inspect) and inspect.ts. */
function consumerProject(): string {
  consumer ??= scratchProject("consumer", { "main.ts": CONSUMER, "inspect.ts": INSPECT_CONSUMER });
  return consumer;
}

let examplesMade: { project: string; examples: string[]; files: string[] } | null = null;
/** docs/API.md's examples, a file each, in a project of their own. */
function examplesProject(): { project: string; examples: string[]; files: string[] } {
  if (examplesMade) return examplesMade;
  const doc = readFileSync(join(repo, "docs/API.md"), "utf8");
  const examples = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  const files = examples.map((_, i) => `example-${i + 1}.ts`);
  const project = scratchProject("examples", Object.fromEntries(files.map((file, i) => [file, examples[i]])));
  examplesMade = { project, examples, files };
  return examplesMade;
}

let domResult: { status: number | null; output: string } | null = null;
/**
 * The consumer's inspect.ts and docs/API.md's examples type-checked with lib "dom" (main.ts is checked without
 * it), in one tsc process: a process each loaded Node's, the DOM's and the package's declarations twice
 * (~1 CPU-s more). Both tests that need it assert it passed; an error in either file fails both, naming the file.
 */
function domChecked(): { status: number | null; output: string } {
  if (domResult) return domResult;
  const inspect = join(consumerProject(), "inspect.ts");
  const { project, files } = examplesProject();
  const config = join(work, "tsconfig.dom.json");
  writeFileSync(
    config,
    consumerConfig([inspect, ...files.map((file) => join(project, file))], ["es2024", "dom"]),
  );
  const checked = tsc(config, work);
  domResult = { status: checked.status, output: `${checked.stdout}${checked.stderr}` };
  return domResult;
}

test("a scratch ESM TypeScript project imports every subpath of the packed package (skipLibCheck: false)", {
  timeout: 180_000,
}, () => {
  const root = packedPackage();
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  assert.deepEqual(
    Object.keys(manifest.exports).filter((key) => key.startsWith("./") && key !== "./package.json"),
    SUBPATHS.map((name) => `./${name}`),
  );
  const project = consumerProject();
  writeFileSync(join(project, "tsconfig.json"), consumerConfig(["main.ts"], ["es2024"]));
  const checked = tsc("tsconfig.json", project);
  assert.equal(checked.status, 0, `tsc in the consumer project:\n${checked.stdout}${checked.stderr}`);
  const dom = domChecked();
  assert.equal(
    dom.status,
    0,
    `tsc with lib "dom" (consumer/inspect.ts and docs/API.md's examples):\n${dom.output}`,
  );
  const run = spawnSync(process.execPath, ["main.ts"], { encoding: "utf8", cwd: project });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.provider, "apple");
  assert.equal(out.category, "reputation");
  assert.equal(out.format, "sendgrid");
  assert.equal(out.providers, 0);
  assert.deepEqual(out.functions, ["function", "function", "function"]);
  const inspect = spawnSync(process.execPath, ["inspect.ts"], { encoding: "utf8", cwd: project });
  assert.equal(inspect.status, 0, inspect.stderr);
  assert.equal(inspect.stdout.trim(), "1");
  // Deep imports stay closed: only the documented entries are public.
  const deep = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", 'await import("deliverlens/dist/bounce/rules/provider-rules.js")'],
    { encoding: "utf8", cwd: project },
  );
  assert.notEqual(deep.status, 0);
  assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
});

test("every example in docs/API.md type-checks and runs against the packed package", {
  timeout: 180_000,
}, () => {
  const { project, examples, files } = examplesProject();
  assert.ok(examples.length >= 7, `docs/API.md has ${examples.length} examples`);
  const dom = domChecked();
  assert.equal(
    dom.status,
    0,
    `tsc on docs/API.md's examples (and consumer/inspect.ts), lib "dom":\n${dom.output}`,
  );
  const examplesTmp = join(work, "examples-tmp");
  mkdirSync(examplesTmp);
  for (const [i, file] of files.entries()) {
    if (examples[i].includes("auditDomain(")) continue; // asks the real DNS: type-checked only
    // The examples make temp directories as a reader's code would; they land in `work`, removed after.
    const env = { ...process.env, TMPDIR: examplesTmp };
    const run = spawnSync(process.execPath, [file], { encoding: "utf8", cwd: project, env });
    assert.equal(run.status, 0, `${file}:\n${examples[i]}\n${run.stderr}`);
    assert.ok(run.stdout.trim().length > 0, `${file} printed nothing`);
  }
});
