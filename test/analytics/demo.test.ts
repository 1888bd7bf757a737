import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  generateEvents,
  planProgram,
  programOptions,
  sendgridLine,
  writeCampaignMessages,
} from "../../src/demo/index.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-demo-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function digest(seed: number): { hash: string; events: number } {
  const hash = createHash("sha256");
  let events = 0;
  for (const event of generateEvents(planProgram(programOptions({ days: 21, recipients: 400, seed })))) {
    hash.update(sendgridLine(event));
    events++;
  }
  return { hash: hash.digest("hex"), events };
}

test("the generator is deterministic by seed", () => {
  const a = digest(3);
  assert.deepEqual(digest(3), a);
  assert.notEqual(digest(4).hash, a.hash);
  assert.ok(a.events > 1000);
});

test("one .eml per campaign with its X-Campaign-ID; the content campaign carries shortener links", async () => {
  const program = planProgram(programOptions({ days: 120, recipients: 100, seed: 1 }));
  await writeCampaignMessages(program.campaigns, dir, program.options.start);
  const files = readdirSync(dir).sort();
  assert.equal(files.length, program.campaigns.length);
  for (const campaign of program.campaigns) {
    const text = readFileSync(join(dir, `${campaign.id}.eml`), "utf8");
    assert.match(text, new RegExp(`^X-Campaign-ID: ${campaign.id}\\r$`, "m"));
  }
  const shortened = program.campaigns.filter((c) => c.links.some((url) => /bit\.ly|tinyurl/.test(url)));
  assert.equal(shortened.length, 1);
  assert.equal(shortened[0].kind, "newsletter");
});
