#!/usr/bin/env node
// The CLI entry. In a git checkout it runs the TypeScript source directly (Node >= 22.18 strips types);
// in the published package (no src/) it runs the compiled JavaScript. Same process either way.
import { existsSync } from "node:fs";
import module from "node:module";

// Cache compiled (and type-stripped) modules on disk: startup drops from ~0.2 s to ~0.07 s of CPU.
module.enableCompileCache?.();

const source = new URL("../src/cli/main.ts", import.meta.url);
await import(existsSync(source) ? source.href : "../dist/cli/main.js");
