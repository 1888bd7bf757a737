import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { zstdCompressSync } from "node:zlib";

const BIN = fileURLToPath(new URL("../../bin/deliverlens.js", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../fixtures/events/", import.meta.url));

test("classify CLI on event streams: records carry the detected format, compressed input read by magic bytes", () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-events-cli-"));
  try {
    const kumo = join(dir, "kumo-segment");
    writeFileSync(kumo, zstdCompressSync(readFileSync(join(FIXTURES, "kumomta-01.jsonl"))));
    const run = spawnSync(
      process.execPath,
      [BIN, "classify", kumo, join(FIXTURES, "postfix-01.log"), "--ndjson"],
      {
        encoding: "utf8",
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const records = run.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.deepEqual(
      records.map((r) => [r.format, r.recipient, r.source.line, r.provider]),
      [
        ["kumomta", "a@icloud.com", 1, "apple"],
        ["postfix", "user@example.com", 3, "other"],
        ["postfix", "jane@icloud.com", 4, "apple"],
      ],
    );
    assert.equal(records[0].providerCode, "CS01");
    const all = spawnSync(process.execPath, [BIN, "classify", kumo, "--all", "--ndjson"], {
      encoding: "utf8",
    });
    assert.equal(all.stdout.trim().split("\n").length, 2, "--all adds the delivery");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
