import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { chromium } from "playwright-core";
import { CHROMIUM, chromiumSkip, CHROMIUM_FLAGS as FLAGS } from "../../testkit/chromium.ts";
import { appleHour, sendgridService } from "../../testkit/serve.ts";

const missing = chromiumSkip("dashboard test");

const dir = mkdtempSync(join(tmpdir(), "deliverlens-serve-dash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const HOSTILE_CAMPAIGN = `<img src=x onerror="document.title='pwned'">`;
const HOSTILE_REPLY = `550 5.7.1 [CS01] <script>document.title='pwned'</script> local policy`;

test("the dashboard in Chromium: a number equals /api/stats, hostile campaign and bounce text are shown escaped, it updates live", {
  skip: missing,
  timeout: 300_000, // a hang guard: Chromium alone can take most of a minute on a loaded 2-core machine
}, async () => {
  const { service, post: signedPost } = await sendgridService(join(dir, "dash.duckdb"), {
    drainIntervalMs: 50,
    detectIntervalMs: 300,
    dashboardPollMs: 1000,
  });
  const post = async (events: object[]) => {
    assert.equal(await signedPost(events), 200);
    await service.intake.drain();
  };
  const events = (seed: string, n: number) =>
    appleHour(1_780_000_000, n - n / 5, n / 5, seed, HOSTILE_CAMPAIGN, HOSTILE_REPLY);
  const context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
  try {
    await post(events("a", 50));
    const page = await context.newPage();
    const errors: string[] = [];
    let dialogs = 0;
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("dialog", async (dialog) => {
      dialogs++;
      await dialog.dismiss();
    });
    await page.goto(`${service.url}/`, { waitUntil: "load" });
    const cell = page.locator('td.sent[data-provider="apple"]');
    await cell.waitFor({ timeout: 30_000 });
    const stats = (await (await fetch(`${service.url}/api/stats`)).json()) as {
      totals: { provider: string; sent: number }[];
    };
    const appleSent = stats.totals.find((t) => t.provider === "apple")?.sent;
    assert.equal(appleSent, 50);
    assert.equal(
      Number((await cell.textContent())?.replace(/,/g, "")),
      appleSent,
      "the page shows /api/stats' number",
    );

    const campaign = page.locator("#bounces td.campaign").first();
    assert.equal(await campaign.textContent(), HOSTILE_CAMPAIGN, "shown as text");
    assert.match((await page.locator("#bounces td.reply").first().textContent()) ?? "", /<script>/);
    assert.equal(
      await page.locator("#dashboard img, #dashboard script").count(),
      0,
      "no element came from mail",
    );
    assert.notEqual(await page.title(), "pwned");

    // Live: more events arrive; the page shows the new number without a reload.
    await post(events("b", 30));
    // (polled from here: the page's CSP forbids the string evaluation waitForFunction needs)
    let shown = "";
    for (let i = 0; i < 300 && shown !== "80"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      shown = (await cell.textContent()) ?? "";
    }
    assert.equal(shown, "80");
    assert.deepEqual(errors, []);
    assert.equal(dialogs, 0);
  } finally {
    await context.close();
    await service.close();
  }
});
