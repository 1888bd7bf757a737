import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { WHOLE_FILE_BYTES } from "../../src/events/input.ts";
import { HELPER_MIN_FILES, helperLikely } from "../../src/pipeline/helper-process.ts";

const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
const email = readFileSync(
  fileURLToPath(new URL("../fixtures/sisimai/eml/rhost-apple-02.eml", import.meta.url)),
);
const dir = mkdtempSync(join(tmpdir(), "deliverlens-helper-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A tree of `count` copies of one bounce email, in sub-directories of 100. */
function tree(name: string, count: number): string {
  const root = join(dir, name);
  for (let at = 0; at < count; at++) {
    const sub = join(root, String(Math.floor(at / 100)));
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `${at}.eml`), email);
  }
  return root;
}

test("the helper is started early for a tree of enough files with JSON output, or a big mbox; not otherwise", () => {
  const enough = tree("enough", HELPER_MIN_FILES);
  const few = tree("few", HELPER_MIN_FILES - 1);
  assert.equal(helperLikely([enough, "--ndjson"]), true);
  assert.equal(helperLikely(["--json", enough]), true);
  assert.equal(helperLikely([enough]), false, "text output: files are not sent to the helper");
  assert.equal(helperLikely([few, "--ndjson"]), false);
  assert.equal(
    helperLikely([few, join(few, "0", "0.eml"), "--ndjson"]),
    true,
    "files count across arguments",
  );
  assert.equal(helperLikely([join(dir, "missing"), "--ndjson"]), false);

  const big = "x".repeat(WHOLE_FILE_BYTES + 1);
  writeFileSync(join(dir, "big.mbox"), `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${big}`);
  writeFileSync(join(dir, "big.log"), `Nov 28 04:00:00 mx postfix/smtp[123]: ${big}`);
  writeFileSync(join(dir, "small.mbox"), `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${email}`);
  assert.equal(helperLikely([join(dir, "big.mbox")]), true);
  assert.equal(helperLikely([join(dir, "big.log"), "--ndjson"]), false, "a big log has threads of its own");
  assert.equal(helperLikely([join(dir, "small.mbox")]), false);
});

test("a helper started early and never used ends with the run (spawnSync returns once it has: it shares stderr)", () => {
  const root = tree("unused", HELPER_MIN_FILES);
  for (const bad of ["--json", "--no-such-option"]) {
    const run = spawnSync(process.execPath, [cli, "classify", root, "--ndjson", bad], { encoding: "utf8" });
    assert.equal(run.status, 2, `${bad}: ${run.stderr}`);
    assert.equal(run.stdout, "");
  }
});
