import assert from "node:assert/strict";
import { test } from "node:test";
import { detached, TextMemo } from "../../src/bounce/text-memo.ts";

test("a TextMemo keeps values by text, at most `entries` of them, none for a text longer than `longest`", () => {
  const memo = new TextMemo<number>(3, 10);
  memo.set("a", 1);
  memo.set("b", 2);
  assert.equal(memo.get("a"), 1);
  assert.equal(memo.get(`${"a"}`), 1, "looked up by the characters, not the string object");
  memo.set("x".repeat(11), 3);
  assert.equal(memo.get("x".repeat(11)), undefined, "longer than `longest`: not kept");
  memo.set("c", 3);
  memo.set("d", 4); // full at 3: started afresh, then d kept
  assert.equal(memo.get("a"), undefined);
  assert.equal(memo.get("d"), 4);
});

test("detached gives the same characters", () => {
  const whole = `${"header ".repeat(100)}550 5.1.1 <someone@example.com> user unknown`;
  const slice = whole.slice(700);
  assert.equal(detached(slice), slice);
  assert.equal(detached("short"), "short");
});
