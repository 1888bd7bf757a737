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

function packedPackage(): string {
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
  // Type errors elsewhere in a work-in-progress tree must not hide a packaging break: emit regardless.
  spawnSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: copy,
  });
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
