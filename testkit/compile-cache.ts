/**
 * Loaded first in every test process (`node --test --import`, before testkit/fast-check-seed.ts): V8's compile
 * cache for the modules the process loads next — the test file, src/, testkit/, fast-check — in Node's default
 * directory (os.tmpdir()/node-compile-cache, the one bin/deliverlens.js uses for the CLI). Each test file runs in
 * a process of its own and compiled the same modules again: importing the ingest path costs ~0.35 CPU-s
 * compiled, ~0.11 from the cache. The cache checks each module's source, so an edited file is compiled again.
 */
import module from "node:module";

module.enableCompileCache?.();
