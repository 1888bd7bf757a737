import assert from "node:assert/strict";
import { test } from "node:test";
import { TEXT_MARKERS } from "../../src/bounce/provider.ts";
import { anyOf } from "../../src/bounce/rules/any-of.ts";
import { PROVIDER_CODE_PATTERNS } from "../../src/bounce/rules/provider-codes.ts";
import { PROVIDER_RULES } from "../../src/bounce/rules/provider-rules.ts";

test("anyOf matches exactly where one of its patterns does", () => {
  const tables = [
    PROVIDER_CODE_PATTERNS.map((entry) => entry.pattern),
    TEXT_MARKERS.map((marker) => marker.pattern),
    PROVIDER_RULES.map((rule) => rule.pattern),
  ];
  const texts = [
    ...PROVIDER_CODE_PATTERNS.map((entry) => entry.example.toLowerCase()),
    ...PROVIDER_RULES.map((rule) => rule.example.toLowerCase()),
    "550 5.1.1 user unknown",
    "",
    "421 4.7.0 [ts01] messages from 192.0.2.1 temporarily deferred",
    "550 5.7.1 [cs01] message rejected due to local policy. please visit https://support.apple.com/hT204137",
  ];
  for (const patterns of tables) {
    const joined = anyOf(patterns);
    assert.ok(joined, "these tables join");
    for (const text of texts)
      assert.equal(
        joined.test(text),
        patterns.some((pattern) => pattern.test(text)),
        text,
      );
  }
});

test("anyOf refuses what it cannot join faithfully, and an empty list matches nothing", () => {
  assert.equal(anyOf([/abc/, /def/i]), null, "flags");
  assert.equal(anyOf([/(a)\1/, /b/]), null, "a backreference");
  assert.equal(anyOf([])?.test("anything"), false);
  assert.equal(anyOf([/a|b/, /c/])?.test("b"), true, "a top-level alternative stays inside its group");
});
