import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { writeProgramFiles } from "../../src/demo/files.ts";
import { programOptions } from "../../src/demo/options.ts";
import { planProgram } from "../../src/demo/program.ts";
import { diagnoseStore } from "../../src/diagnose/diagnose-store.ts";
import { renderHtml } from "../../src/report/html.ts";
import { Store } from "../../src/store/index.ts";
import { type SeedResultRow, saveSeedResults, saveSeedTest } from "../../src/store/seeds.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-seeds-diagnose-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const seed = (
  address: string,
  placement: string,
  proofpoint: number | null,
  apple: string | null,
): SeedResultRow => ({
  address,
  provider: "apple",
  placement,
  folder: placement === "junk" ? "Junk" : "INBOX",
  matchedBy: "header",
  receivedAt: null,
  checkedAt: "2026-12-01T10:00:00.000Z",
  error: null,
  reasons: [],
  appleVerdict: apple,
  proofpointScore: proofpoint,
  proofpointSpamscore: proofpoint,
  proofpointRule: null,
  microsoftScl: null,
  spamassassinScore: null,
  dkim: "pass",
  spf: "pass",
  dmarc: "pass",
});

test("diagnose shows seed placement in the report and the HTML, and as evidence for content", {
  timeout: 300_000,
}, async () => {
  const program = planProgram(programOptions({ days: 40, recipients: 800, seed: 5 }));
  const written = await writeProgramFiles(program, join(dir, "demo"), "by-stream");
  const db = join(dir, "store.duckdb");
  const store = await Store.open(db);
  try {
    for (const file of written.files) await ingestFile(store, file, {});
    const test = (testId: string, campaign: string) =>
      saveSeedTest(store, {
        testId,
        campaign,
        sentAt: "2026-12-01T09:00:00.000Z",
        subject: campaign,
        messageId: null,
        envelopeFrom: null,
        bodyToken: "tagged",
        seeds: 2,
      });
    await test("dl-promo00001", "Black <b>Friday</b>");
    await test("dl-news000001", "Newsletter");
    await saveSeedResults(store, "dl-promo00001", [
      seed("a@icloud.com", "junk", 91, "junk"),
      seed("b@icloud.com", "junk", 88, "junk"),
    ]);
    await saveSeedResults(store, "dl-news000001", [
      seed("a@icloud.com", "inbox", 5, "inbox"),
      seed("b@icloud.com", "inbox", 3, "inbox"),
    ]);
  } finally {
    store.close();
  }
  const report = await diagnoseStore({ db, provider: "apple", offline: true });
  assert.equal(report.seeds?.length, 2);
  const content = report.causes.find((cause) => cause.id === "content");
  assert.ok(
    content?.evidence.some((line) =>
      /Seed test Black <b>Friday<\/b> \(2026-12-01\): 2 of 2 seeds in Junk, Proofpoint score up to 91/.test(
        line.text,
      ),
    ),
  );
  const html = renderHtml(report);
  assert.match(html, /<h2>Seed-list placement<\/h2>/);
  assert.match(html, /Black &#60;b&#62;Friday&#60;\/b&#62;/);
  assert.ok(!html.includes("<b>Friday"));
});
