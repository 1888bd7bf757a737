import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { FORMATS, generate, type ProgramSpec } from "../../testkit/holdout/index.ts";

// Smoke test of the holdout generator (issue 10): its exports are what each ESP writes, so every record
// must ingest without quarantine, and a program is a pure function of its spec. No accuracy threshold
// here: `npm run bench:diagnose-holdout` measures that.

const dir = mkdtempSync(join(tmpdir(), "deliverlens-holdout-"));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const format of FORMATS) {
  test(`holdout ${format} export ingests every record, none quarantined`, async () => {
    // rate-limit brings deferrals and rejections, a second IP and every engagement event type
    const spec: ProgramSpec = { cause: "rate-limit", strength: 1, seed: 3, format, small: true };
    const g = generate(spec, join(dir, format));
    assert.ok(g.files.length >= 3, "an export is several files");
    const db = join(dir, `${format}.duckdb`);
    const r = await spawnCli(["ingest", "--db", db, "--json", ...g.files]);
    assert.equal(r.status, 0, r.stderr);
    const totals = JSON.parse(r.stdout).totals;
    assert.equal(totals.quarantined, 0);
    assert.equal(totals.read, g.program.events.length, "one record per simulated event");
    assert.equal(totals.stored, totals.read);
    const types = new Set(g.program.events.map((e) => e.type));
    for (const t of ["sent", "delivered", "deferred", "bounced", "open", "click"])
      assert.ok(types.has(t as never), t);
  });
}

test("holdout programs are deterministic and carry one .eml per campaign", () => {
  const spec: ProgramSpec = { cause: "content", strength: 0.6, seed: 9, format: "sendgrid", small: true };
  const a = generate(spec, join(dir, "a"));
  const b = generate(spec, join(dir, "b"));
  assert.equal(a.files.length, b.files.length);
  for (let i = 0; i < a.files.length; i++)
    assert.equal(readFileSync(a.files[i], "utf8"), readFileSync(b.files[i], "utf8"));
  const emls = readdirSync(a.messagesDir).filter((f) => f.endsWith(".eml"));
  assert.equal(emls.length, a.program.campaigns.length);
  const flagged = a.program.campaigns.filter((c) => c.flagged);
  assert.ok(flagged.length >= 1, "the content cause flags a campaign");
  const text = readFileSync(join(a.messagesDir, `${flagged[0].id}.eml`), "utf8");
  assert.match(text, new RegExp(`X-Campaign-ID: ${flagged[0].id}`));
});
