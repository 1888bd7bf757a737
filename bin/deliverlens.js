#!/usr/bin/env node
// The CLI entry. In a git checkout it runs the TypeScript source directly (Node >= 22.18 strips types);
// in the published package (no src/) it runs the compiled JavaScript. Same process either way.
import { existsSync } from "node:fs";
import module from "node:module";
import { nodeTooOld } from "./node-version.js";

const tooOld = nodeTooOld(process.version);
if (tooOld) {
  process.stderr.write(tooOld);
  process.exit(1);
}

// Cache compiled (and type-stripped) modules on disk: startup drops from ~0.2 s to ~0.07 s of CPU.
module.enableCompileCache?.();

const source = new URL("../src/cli/main.ts", import.meta.url);
await import(existsSync(source) ? source.href : "../dist/cli/main.js");
