import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/**
 * The layers of docs/ARCHITECTURE.md: a module imports only from its own folder or from a lower layer, so
 * every hop is one arrow down. A new folder goes into this table (and the diagram) where it belongs.
 */
const LAYERS: Record<string, number> = {
  "index.ts": 110,
  api: 100,
  cli: 90,
  report: 80,
  serve: 75,
  diagnose: 70,
  analytics: 60,
  forensics: 60,
  // Below the other capabilities: one ingest run (analytics/ingest/inputs.ts) hands reports to it.
  dmarc: 55,
  demo: 60,
  seeds: 65,
  measures: 50,
  audit: 50,
  store: 40,
  pipeline: 40,
  mailbox: 40,
  events: 30,
  bounce: 20,
  dns: 10,
  util: 0,
};

/**
 * Edges inside a capability folder: the files that serve HTTP are adapters like src/cli's (they choose a
 * renderer), so they may import src/report. Move them under src/cli when that folder grows a server part.
 */
const EDGE_FILES = new Set(["serve/dashboard-routes.ts"]);

const src = fileURLToPath(new URL("../../src/", import.meta.url));
const IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

const folderOf = (path: string) => relative(src, path).split("/")[0];

test("every import in src/ goes to the same folder or one in a lower layer (no arrow back up)", () => {
  const upward: string[] = [];
  const unknown = new Set<string>();
  for (const file of files(src)) {
    const from = folderOf(file);
    for (const [, spec] of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const to = folderOf(normalize(join(dirname(file), spec)));
      if (to === from || to === "..") continue; // outside src/: package.json, data/
      for (const folder of [from, to]) if (!(folder in LAYERS)) unknown.add(folder);
      if (EDGE_FILES.has(relative(src, file)) && to === "report") continue;
      if (from in LAYERS && to in LAYERS && LAYERS[to] >= LAYERS[from])
        upward.push(`${relative(src, file)} → ${spec}`);
    }
  }
  assert.deepEqual([...unknown], [], "folders missing from the layer table (and docs/ARCHITECTURE.md)");
  assert.deepEqual(upward, []);
});

test("no capability imports the CLI, prints or exits, and only src/store imports DuckDB", () => {
  const offenders: string[] = [];
  for (const file of files(src)) {
    const text = readFileSync(file, "utf8");
    const folder = folderOf(file);
    if (folder !== "cli" && /["'][./]*cli\//.test(text))
      offenders.push(`${relative(src, file)} imports src/cli`);
    if (folder !== "store" && /@duckdb\/node-api|\.connection\b/.test(text))
      offenders.push(`${relative(src, file)} talks to DuckDB`);
    if (
      !["cli", "report"].includes(folder) &&
      !file.endsWith("util/debug.ts") &&
      /process\.(stdout|stderr|exit)\b/.test(text)
    )
      offenders.push(`${relative(src, file)} prints or exits (return results; src/cli prints)`);
  }
  assert.deepEqual(offenders, []);
});
