import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
const corpus = fileURLToPath(new URL("../fixtures/sisimai/eml/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deliverlens-parallel-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function classify(args: string[], threads: "1" | "2") {
  return spawnSync(process.execPath, [cli, "classify", ...args], {
    encoding: "utf8",
    env: { ...process.env, DELIVERLENS_THREADS: threads },
    maxBuffer: 1 << 28,
  });
}

test("a directory of many emails on two threads gives exactly the one-thread output, in input order", () => {
  const names = readdirSync(corpus).sort().slice(0, 130);
  for (let copy = 0; copy < 8; copy++) {
    const sub = join(dir, "tree", String(copy));
    mkdirSync(sub, { recursive: true });
    for (const name of names) writeFileSync(join(sub, name), readFileSync(join(corpus, name)));
  }
  writeFileSync(join(dir, "tree", "4", "zz-not-a-bounce.txt"), "\u0000\u0001 binary junk");
  for (const mode of ["--ndjson", "--json"]) {
    const one = classify([join(dir, "tree"), mode], "1");
    const two = classify([join(dir, "tree"), mode], "2");
    assert.equal(one.status, 0, one.stderr);
    assert.equal(two.status, 0, two.stderr);
    assert.ok(one.stdout.length > 100_000, "records came out");
    assert.equal(two.stdout, one.stdout, mode);
    assert.equal(two.stderr, one.stderr);
    assert.match(two.stderr, /zz-not-a-bounce\.txt/);
  }
  const lines = classify([join(dir, "tree"), "--ndjson"], "2")
    .stdout.trim()
    .split("\n");
  const files = lines.map((line) => JSON.parse(line).source.file as string);
  const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  assert.deepEqual(files, [...files].sort(byBytes), "files in byte order of path");
});

test("a large mbox on two threads gives exactly the one-thread output, line numbers included", () => {
  const names = readdirSync(corpus).sort();
  let mbox = "";
  while (mbox.length < 9 * 1024 * 1024) {
    for (const name of names) {
      const body = readFileSync(join(corpus, name), "latin1").replace(/^From [^\n]*\n/, "");
      mbox += `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${body.replace(/^(>*From )/gm, ">$1")}\n\n`;
    }
  }
  const path = join(dir, "big.mbox");
  writeFileSync(path, mbox, "latin1");
  const one = classify([path, "--ndjson"], "1");
  const two = classify([path, "--ndjson"], "2");
  assert.equal(one.status, 0, one.stderr);
  assert.equal(two.stdout, one.stdout);
  assert.equal(two.stderr, one.stderr);
  const lines = two.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line).source.line as number);
  assert.ok(lines.length > names.length * 2, "several copies of the corpus");
  assert.deepEqual(
    lines,
    [...lines].sort((a, b) => a - b),
    "records in mbox order",
  );
});

test("a preload that prints to stdout (NODE_OPTIONS) leaves the second process's results whole", () => {
  // The tree of the first test, or one like it.
  const tree = join(dir, "noisy-tree");
  const names = readdirSync(corpus).sort().slice(0, 130);
  for (let copy = 0; copy < 8; copy++) {
    mkdirSync(join(tree, String(copy)), { recursive: true });
    for (const name of names) writeFileSync(join(tree, String(copy), name), readFileSync(join(corpus, name)));
  }
  const noisy = join(dir, "noisy.cjs");
  writeFileSync(noisy, 'process.stdout.write("[preload] injecting env\\n");');
  const run = (threads: "1" | "2") =>
    spawnSync(process.execPath, [cli, "classify", tree, "--ndjson"], {
      encoding: "utf8",
      env: { ...process.env, DELIVERLENS_THREADS: threads, NODE_OPTIONS: `--require=${noisy}` },
      maxBuffer: 1 << 28,
      timeout: 120_000,
    });
  const one = run("1");
  const two = run("2");
  assert.equal(two.status, 0, two.stderr);
  assert.ok(one.stdout.length > 100_000, "records came out");
  assert.equal(two.stdout, one.stdout);
});
