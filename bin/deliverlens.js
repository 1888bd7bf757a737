#!/usr/bin/env node
// The CLI entry. In a git checkout it runs the TypeScript source directly (Node >= 22.18 strips types);
// in the published package (no src/) it runs the compiled JavaScript. Same process either way — except
// on a Node too old to run it (the machines' Node 20 through the shebang): then it runs itself again
// with the Node the repository pins, stdio inherited, signals forwarded, and exits with the child's code.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import module from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { nodeIsRecentEnough, nodeTooOld, pinnedNode } from "./node-version.js";

if (!nodeIsRecentEnough(process.version)) {
  const pinned = pinnedNode();
  if (!pinned) {
    process.stderr.write(nodeTooOld(process.version));
    process.exit(1);
  }
  const child = spawn(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("error", (error) => {
    process.stderr.write(`deliverlens: could not start the pinned Node ${pinned}: ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (!signal) process.exit(code ?? 1);
    // Die of the same signal, so whoever started us sees what the child saw.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  });
} else {
  // Cache compiled (and type-stripped) modules on disk: startup drops from ~0.2 s to ~0.07 s of CPU.
  module.enableCompileCache?.();
  const checkout = existsSync(new URL("../src/cli/main.ts", import.meta.url));
  let entry = (path) => (checkout ? `../src/${path}.ts` : `../dist/${path}.js`);
  if (process.argv[2] === "classify") {
    // classify from the CLI bundle when `npm ci` (or the benchmark) built one from these very sources
    // (src/pipeline/build-cache.ts): a few modules to load instead of ~130. Both imports below from the same
    // place, so the CLI finds the helper this module started.
    const bundle = checkout ? (await import(entry("pipeline/build-cache"))).freshArtifact("cli") : null;
    if (bundle) entry = (path) => pathToFileURL(`${bundle}/${path}.js`).href;
    // Many bounce emails: their second process starts now, booting on the other core while this one loads.
    (await import(entry("pipeline/helper-process"))).startHelperEarly(process.argv.slice(3));
  }
  await import(entry("cli/main"));
}
