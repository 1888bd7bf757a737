import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";

// A stream's bytes appended to a string chunk by chunk are decoded one chunk at a time: a UTF-8 character that
// two reads split becomes two U+FFFD (review R120: the CLI's "§" garbled in a test, a CI flake at some seeds). A
// "data" handler that appends to a string must read a stream given an encoding (setEncoding: a StringDecoder
// keeps a split character's first bytes for the next chunk).
const ROOT = new URL("../..", import.meta.url).pathname;
const APPEND = /(?<![\w.?])([\w.]+?)(\?)?\.on\("data", \((\w+)(?:: \w+)?\) => \{?\s*\w+ \+= \3[;\s)]/g;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === "fixtures" || name === "node_modules" ? [] : sources(path);
    return /\.[cm]?[jt]s$/.test(name) ? [path] : [];
  });
}

test("every stream whose chunks are appended to a string is decoded as a stream", () => {
  const undecoded: string[] = [];
  let handlers = 0;
  for (const path of ["src", "testkit", "test", "bench", "scripts", "bin"].flatMap((dir) =>
    sources(join(ROOT, dir)),
  )) {
    const text = readFileSync(path, "utf8");
    for (const match of text.matchAll(APPEND)) {
      handlers++;
      const stream = match[1];
      if (!text.includes(`${stream}.setEncoding(`) && !text.includes(`${stream}?.setEncoding(`))
        undecoded.push(`${relative(ROOT, path)}: ${stream}`);
    }
  }
  assert.ok(handlers >= 10, `the pattern still finds the handlers (${handlers})`);
  assert.deepEqual(undecoded, []);
});
