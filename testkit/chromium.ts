import { existsSync } from "node:fs";

/** Debian's Chromium, driven by playwright-core (CI installs it; CHROMIUM_PATH points elsewhere). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Offline, headless, no background traffic: a test page must make no request of its own. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * A reason to skip a browser test (printed), or false when Chromium is there. Under CI=true a missing
 * Chromium fails instead: CI installs it, so a skip there would hide a broken install.
 */
export function chromiumSkip(what: string): string | false {
  if (existsSync(CHROMIUM)) return false;
  const reason = `Chromium not found at ${CHROMIUM}: ${what} skipped`;
  if (process.env.CI === "true") throw new Error(`CI=true but ${reason}`);
  process.stdout.write(`# ${reason}\n`);
  return reason;
}
