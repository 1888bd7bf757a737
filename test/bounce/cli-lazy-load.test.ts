import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { HEAVY_MODULES, MODULE_RECORDER } from "../../testkit/module-recorder.ts";

const cli = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
const email = fileURLToPath(new URL("../fixtures/sisimai/eml/rhost-apple-02.eml", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "deliverlens-lazy-"));
after(() => rmSync(work, { recursive: true, force: true }));

const HEAVY = HEAVY_MODULES;

function loadedBy(args: string[]): string[] {
  // The source modules' own laziness (a run from classify's startup snapshot loads none: build-cache.test.ts).
  const run = spawnSync(process.execPath, ["--import", MODULE_RECORDER, cli, ...args], {
    encoding: "utf8",
    env: { ...process.env, DELIVERLENS_CLASSIFY_SNAPSHOT: "0" },
  });
  assert.equal(run.status, 0, run.stderr);
  const line = run.stderr.split("\n").find((l) => l.startsWith("LOADED "));
  assert.ok(line, "the recorder did not report");
  return JSON.parse(line.slice("LOADED ".length));
}

test("classify --text loads neither the email scanner nor the log readers", () => {
  const urls = loadedBy(["classify", "--text", "550 5.7.1 [CS01] Message rejected due to local policy"]);
  assert.ok(urls.some((url) => url.includes("/bounce/classify.ts")));
  for (const part of ["/bounce/email/", "/events/postfix.ts", "/events/read.ts"]) {
    assert.equal(
      urls.find((url) => url.includes(part)),
      undefined,
      `--text loaded ${part}`,
    );
  }
});

test("classify loads neither DuckDB nor mailauth (nor other heavy modules), whatever the input", () => {
  const log = join(work, "maillog");
  writeFileSync(
    log,
    "Nov 28 04:00:00 mx postfix/smtp[123]: 4F1A2B3C4D: to=<a@icloud.com>, relay=mx01.mail.icloud.com[17.57.155.25]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx01.mail.icloud.com[17.57.155.25] said: 550 5.7.1 [CS01] Message rejected due to local policy (in reply to end of DATA command))\n",
  );
  for (const args of [
    ["classify", "--text", "550 5.7.1 [CS01] Message rejected due to local policy", "--json"],
    ["classify", email, "--json"],
    ["classify", log, "--json"],
  ]) {
    const urls = loadedBy(args);
    assert.ok(
      urls.some((url) => url.includes("/bounce/classify.ts")),
      "the recorder saw the classifier load",
    );
    for (const heavy of HEAVY) {
      const hit = urls.find((url) => heavy.test(url));
      assert.equal(hit, undefined, `${args.join(" ")} loaded ${hit}`);
    }
  }
});
