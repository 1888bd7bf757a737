import assert from "node:assert/strict";
import { test } from "node:test";
import { TextMemo } from "../../src/bounce/text-memo.ts";

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
