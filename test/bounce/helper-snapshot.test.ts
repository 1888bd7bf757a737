import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { classifyWholeFiles } from "../../src/pipeline/classify-files.ts";
import { HELPER_MIN_FILES, type HelperRequest, helperBoot } from "../../src/pipeline/helper-process.ts";
import { freshSnapshot, MANIFEST, type SnapshotManifest } from "../../src/pipeline/helper-snapshot.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = join(root, "bin/deliverlens.js");
const corpus = join(root, "test/fixtures/sisimai/eml");
const dir = mkdtempSync(join(tmpdir(), "deliverlens-snapshot-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const cache = join(dir, "cache");

/** Builds the snapshot into this test's own cache folder (the build script, as `prepare` runs it). */
function buildSnapshot(): string {
  const built = spawnSync(process.execPath, [join(root, "scripts/build-helper-snapshot.ts"), "--force"], {
    encoding: "utf8",
    env: { ...process.env, DELIVERLENS_CACHE_DIR: cache },
  });
  assert.equal(built.status, 0, built.stderr);
  const blob = freshSnapshot(cache);
  assert.ok(blob !== null, `no fresh snapshot after the build: ${built.stderr}`);
  return blob;
}

/** The helper started as helper-process.ts starts it, given these jobs; its answers in order. */
async function askHelper(boot: string[], jobs: Omit<HelperRequest, "id">[]): Promise<unknown[]> {
  const child = spawn(process.execPath, ["--no-turbofan", ...boot], {
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    serialization: "advanced",
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const answers: unknown[] = [];
  const done = new Promise<void>((resolve, reject) => {
    child.on("message", (message: { id: number; result: unknown }) => {
      answers[message.id] = message.result;
      if (answers.filter(() => true).length === jobs.length) resolve();
    });
    child.on("exit", (code) => reject(new Error(`helper exited ${code}: ${stderr}`)));
  });
  for (const [id, job] of jobs.entries()) child.send({ ...job, id });
  await done;
  child.disconnect();
  return answers;
}

test("a helper started from the snapshot answers every job as one that loads the modules, and as this process", async () => {
  const blob = buildSnapshot();
  const names = readdirSync(corpus).sort();
  const odd = join(dir, "odd");
  mkdirSync(odd, { recursive: true });
  writeFileSync(join(odd, "junk.bin"), "\u0000\u0001 binary junk");
  writeFileSync(
    join(odd, "postfix.log"),
    "Nov 28 04:00:00 mx postfix/smtp[123]: 4ABC: to=<a@b.example>, status=bounced (550 5.7.1 no)\n",
  );
  const files = [
    ...names.map((name) => join(corpus, name)),
    join(odd, "junk.bin"),
    join(odd, "postfix.log"),
    join(odd, "missing.eml"),
  ];
  const jobs: Omit<HelperRequest, "id">[] = [];
  for (const all of [false, true])
    for (let at = 0; at < files.length; at += 60)
      jobs.push({ task: "files", job: files.slice(at, at + 60), options: { format: null, all } });
  const here = [];
  for (const { job, options } of jobs) here.push(await classifyWholeFiles(job as string[], { ...options }));
  const fromSnapshot = await askHelper(helperBoot(blob), jobs);
  const fromModules = await askHelper(helperBoot(null), jobs);
  assert.deepEqual(fromSnapshot, fromModules);
  assert.equal(JSON.stringify(fromSnapshot), JSON.stringify(here));
  const records = (fromSnapshot as { records: string[] }[][]).flat().flatMap((file) => file.records);
  assert.ok(records.length > names.length, `records came back: ${records.length}`);
});

test("the snapshot is used only while it matches this Node and every input it was built from", () => {
  const blob = buildSnapshot();
  const manifest = JSON.parse(readFileSync(join(cache, MANIFEST), "utf8")) as SnapshotManifest;
  const variant = (name: string, change: (copy: SnapshotManifest) => void): string | null => {
    const other = join(dir, name);
    mkdirSync(other, { recursive: true });
    const copy = structuredClone(manifest);
    copy.blob = join("..", "cache", manifest.blob);
    change(copy);
    writeFileSync(join(other, MANIFEST), JSON.stringify(copy));
    return freshSnapshot(other);
  };
  assert.ok(variant("same", () => {}) !== null, "an unchanged copy is fresh");
  assert.equal(
    variant("node", (copy) => {
      copy.node = "v0.0.1";
    }),
    null,
    "another Node",
  );
  assert.equal(
    variant("size", (copy) => {
      copy.inputs[3][1] += 1;
    }),
    null,
    "a source of another size",
  );
  assert.equal(
    variant("mtime", (copy) => {
      copy.inputs[0][2] -= 1000;
    }),
    null,
    "a source modified since",
  );
  assert.equal(
    variant("gone", (copy) => {
      copy.inputs.push(["src/no-such-file.ts", 1, 1]);
    }),
    null,
  );
  assert.equal(
    variant("blob", (copy) => {
      copy.blob = "no-such.blob";
    }),
    null,
    "no blob",
  );
  assert.equal(freshSnapshot(join(dir, "empty")), null, "nothing built");
  process.env.DELIVERLENS_HELPER_SNAPSHOT = "0";
  try {
    assert.equal(freshSnapshot(cache), null, "turned off");
  } finally {
    delete process.env.DELIVERLENS_HELPER_SNAPSHOT;
  }
  assert.equal(freshSnapshot(cache), blob);
});

test("classify of a folder: same bytes with the helper from the snapshot, from its modules, and on one thread", () => {
  buildSnapshot();
  const tree = join(dir, "tree");
  const names = readdirSync(corpus).sort();
  for (let at = 0; at < HELPER_MIN_FILES + 50; at++) {
    const sub = join(tree, String(Math.floor(at / names.length)));
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, names[at % names.length]), readFileSync(join(corpus, names[at % names.length])));
  }
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [cli, "classify", tree, "--ndjson"], {
      encoding: "utf8",
      env: { ...process.env, DELIVERLENS_CACHE_DIR: cache, ...env },
      maxBuffer: 1 << 28,
    });
  const snapshot = run({});
  assert.equal(snapshot.status, 0, snapshot.stderr);
  const others: Record<string, string>[] = [
    { DELIVERLENS_HELPER_SNAPSHOT: "0" },
    { DELIVERLENS_THREADS: "1" },
  ];
  for (const env of others) {
    const other = run(env);
    assert.equal(other.stdout, snapshot.stdout, JSON.stringify(env));
    assert.equal(other.stderr, snapshot.stderr, JSON.stringify(env));
    assert.equal(other.status, snapshot.status);
  }
});
