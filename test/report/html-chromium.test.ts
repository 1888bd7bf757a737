import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { renderHtml } from "../../src/report/html.ts";
import { hostileReport } from "../../testkit/scenarios-report.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}: HTML rendering test skipped`;
if (skip) process.stdout.write(`# ${skip}\n`);

test("the HTML report renders its charts in headless Chromium, offline, without console errors", {
  skip,
  timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-chromium-"));
  const file = join(dir, "report.html");
  writeFileSync(file, renderHtml(hostileReport()));
  const context = await chromium.launchPersistentContext(join(dir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("request", (request) => {
      if (!/^(file|data|about):/.test(request.url())) external.push(request.url());
    });
    let dialogs = 0;
    page.on("dialog", async (dialog) => {
      dialogs++;
      await dialog.dismiss();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    for (const id of ["chart-daily", "chart-tiers", "chart-campaigns"]) {
      const box = await page.locator(`svg#${id}`).boundingBox();
      assert.ok(
        box && box.width > 300 && box.height > 50,
        `${id} is drawn with a size: ${JSON.stringify(box)}`,
      );
    }
    const bars = await page.locator("svg#chart-daily rect.bar").count();
    assert.equal(bars, 30, "one bar per day");
    assert.ok((await page.locator("svg#chart-daily .spike-marker").count()) >= 1);
    assert.ok((await page.locator("svg#chart-campaigns rect.flagged").count()) === 1);
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
    assert.equal(dialogs, 0, "no script from mail ran");
    assert.equal(await page.locator("script").count(), 0);
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
