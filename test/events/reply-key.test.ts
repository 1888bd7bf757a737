import assert from "node:assert/strict";
import { test } from "node:test";
import { maskReply, swapTokens } from "../../src/events/reply-key.ts";

test("maskReply: per-message noise masked, codes and provider codes kept", () => {
  const table: [string, string][] = [
    ["421 4.7.28 rate limited. a1b2c3d4e5f6g7h8si1 - gsmtp", "421 4.7.28 rate limited. % - gsmtp"],
    ["550 5.1.1 <john.doe@example.org>: unknown", "550 5.1.1 <x@example.org>: unknown"],
    ["Messages from 192.0.2.10 deferred (1764300000)", "Messages from 0.0.0.0 deferred (#)"],
    ["550 5.7.1 [CS01] Message rejected", "550 5.7.1 [CS01] Message rejected"],
    [
      "554 RL000001 blocked; AS(2203) S3150 TSS04 5.7.515",
      "554 RL000001 blocked; AS(2203) S3150 TSS04 5.7.515",
    ],
  ];
  for (const [text, masked] of table) assert.equal(maskReply(text).masked, masked, text);
});

test("swapTokens rebuilds a diagnostic for another reply with the same key, in order", () => {
  const first = maskReply("421-4.7.28 a 421 4.7.28 b <x1@e.example> 111111 aaaaaaaaaaa1 - gsmtp");
  const second = maskReply("421-4.7.28 a 421 4.7.28 b <y2@e.example> 222222 bbbbbbbbbbb2 - gsmtp");
  assert.equal(first.masked, second.masked);
  assert.equal(
    swapTokens("421 4.7.28 a b <x1@e.example> 111111 aaaaaaaaaaa1 - gsmtp", first.tokens, second.tokens),
    "421 4.7.28 a b <y2@e.example> 222222 bbbbbbbbbbb2 - gsmtp",
  );
  assert.equal(swapTokens("no tokens here", first.tokens, second.tokens), null);
});
