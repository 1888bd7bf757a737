import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { lineBytesModuleSource } from "../../scripts/build-wasm.ts";
import { chunkBuffer, chunkMemory, inChunkMemory, LineBytes } from "../../src/events/line-bytes.ts";

test("the committed module is the assembly of line-bytes.wat", () => {
  const committed = readFileSync(join(import.meta.dirname, "../../src/events/line-bytes-wasm.ts"), "utf8");
  assert.equal(committed, lineBytesModuleSource());
});

/** The `read` bound last (a call: what an assertion narrowed before a bind is not kept). */
const readOf = (lineBytes: LineBytes) => lineBytes.read;

test("lines are compared in WebAssembly only where their bytes lie in a chunk memory", () => {
  const memory = Buffer.from(chunkBuffer(chunkMemory(1000)));
  assert.ok(memory.length >= 1000);
  const lineBytes = LineBytes.of(4, new Uint8Array(256));
  assert.ok(lineBytes !== null);
  const own = Buffer.from("to=<a@example.org>, relay=x");
  assert.equal(inChunkMemory(own), false);
  lineBytes.bind(own);
  assert.equal(readOf(lineBytes), null);
  const line = memory.subarray(5, 5 + own.copy(memory, 5));
  assert.equal(inChunkMemory(line), true);
  lineBytes.bind(line);
  assert.equal(lineBytes.base, 5);
  const read = readOf(lineBytes);
  assert.ok(read !== null);
  // One piece `@example.org>, ` and the rest as tail: the reply between them.
  const address = lineBytes.place(1, Buffer.from("@example.org>, "), [15], [], Buffer.from("x"));
  assert.ok(address >= 0);
  const at = line.indexOf("@");
  assert.equal(read(address, 5 + at, 5 + line.length), 5 + at + 15);
  line[at + 3] = "X".charCodeAt(0);
  assert.equal(read(address, 5 + at, 5 + line.length), -1);
  // A template too big for its place is not placed (its line template compares in JavaScript).
  assert.equal(lineBytes.place(2, new Uint8Array(4096), [4096], [], new Uint8Array(0)), -1);
});
