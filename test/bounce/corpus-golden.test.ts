import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import type { BounceRecord } from "../../src/bounce/record.ts";
import { classifyEmailBuffer } from "../../src/pipeline/classify-email.ts";

/**
 * Per-message golden file for the development corpus: each message's records (recipient, reason,
 * status, reply code, provider code, suppressRecipient) are pinned, so a single regression shows by
 * file name. After an intended change, regenerate and review the diff:
 *   UPDATE_GOLDEN=1 node --test test/bounce/corpus-golden.test.ts
 */
const CORPUS = new URL("../fixtures/sisimai/", import.meta.url).pathname;
const GOLDEN = join(CORPUS, "golden.jsonl");

function currentLines(): string[] {
  const eml = join(CORPUS, "eml");
  return readdirSync(eml)
    .sort()
    .map((file) => {
      const records = [...classifyEmailBuffer(readFileSync(join(eml, file)), file)]
        .filter((item): item is BounceRecord => "recipient" in item)
        .map((record) => ({
          recipient: record.recipient,
          reason: record.reason,
          status: record.status,
          replyCode: record.replyCode,
          providerCode: record.providerCode,
          suppress: record.suppressRecipient,
        }));
      return JSON.stringify({ file, records });
    });
}

it("every corpus message yields the records pinned in golden.jsonl", () => {
  const lines = currentLines();
  if (process.env.UPDATE_GOLDEN === "1") writeFileSync(GOLDEN, `${lines.join("\n")}\n`);
  const pinned = readFileSync(GOLDEN, "utf8").split("\n").filter(Boolean);
  const byFile = new Map(pinned.map((line) => [JSON.parse(line).file as string, line]));
  const changed: string[] = [];
  for (const line of lines) {
    const file = JSON.parse(line).file as string;
    const before = byFile.get(file);
    if (before !== line) changed.push(`${file}\n  pinned:  ${before ?? "(none)"}\n  now:     ${line}`);
    byFile.delete(file);
  }
  for (const file of byFile.keys()) changed.push(`${file}: pinned but no longer in the corpus`);
  assert.equal(
    changed.length,
    0,
    `${changed.length} message(s) changed (UPDATE_GOLDEN=1 to accept after review):\n${changed.slice(0, 15).join("\n")}`,
  );
});
