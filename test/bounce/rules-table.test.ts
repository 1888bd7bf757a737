import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyReply } from "../../src/bounce/classify.ts";
import { CATEGORY_ACTION, REASON_CATEGORY } from "../../src/bounce/rules/categories.ts";
import { extractProviderCode, PROVIDER_CODE_PATTERNS } from "../../src/bounce/rules/provider-codes.ts";
import { PROVIDER_RULES } from "../../src/bounce/rules/provider-rules.ts";
import { CATEGORIES, REASONS } from "../../src/bounce/vocabulary.ts";

/** Letters outside escapes (\s, \b, \d …) must be lower case: patterns only ever see lower-cased text. */
function hasUpperCase(pattern: RegExp): boolean {
  return /[A-Z]/.test(pattern.source.replace(/\\[A-Za-z]/g, ""));
}

test("every provider rule's example classifies to that rule and to no earlier one", () => {
  for (const rule of PROVIDER_RULES) {
    const got = classifyReply({ text: rule.example, recipient: rule.exampleRecipient ?? null });
    assert.equal(got.rule.id, rule.id, `example of ${rule.id} matched ${got.rule.id}`);
    assert.equal(got.reason, rule.reason, rule.id);
    assert.equal(got.category, rule.category, rule.id);
    if (rule.providerCode) assert.equal(got.providerCode, rule.providerCode, `${rule.id} providerCode`);
    if (rule.provider) assert.equal(got.provider, rule.provider, `${rule.id} provider`);
  }
});

test("provider rules are well formed: unique ids, lower-case patterns, known vocabulary, a source", () => {
  const ids = new Set<string>();
  for (const rule of PROVIDER_RULES) {
    assert.ok(!ids.has(rule.id), `duplicate id ${rule.id}`);
    ids.add(rule.id);
    assert.ok(!hasUpperCase(rule.pattern), `${rule.id}: pattern has upper case`);
    // No flags: the patterns are also combined into one prefilter, which could not keep per-rule flags.
    assert.equal(rule.pattern.flags, "", `${rule.id}: regex flags`);
    assert.ok(Object.hasOwn(REASONS, rule.reason), `${rule.id}: reason ${rule.reason}`);
    assert.ok(Object.hasOwn(CATEGORIES, rule.category), `${rule.id}: category ${rule.category}`);
    assert.ok(rule.source.length > 10, `${rule.id}: source`);
    assert.ok(rule.action.length > 10, `${rule.id}: action`);
  }
});

test("every provider-code pattern extracts its example's code, and no earlier pattern does", () => {
  for (const entry of PROVIDER_CODE_PATTERNS) {
    assert.ok(!hasUpperCase(entry.pattern), entry.id);
    const earlier = PROVIDER_CODE_PATTERNS.slice(0, PROVIDER_CODE_PATTERNS.indexOf(entry));
    const lower = entry.example.toLowerCase();
    for (const other of earlier) assert.ok(!other.pattern.test(lower), `${other.id} shadows ${entry.id}`);
    assert.equal(extractProviderCode(lower), entry.code, entry.id);
  }
});

test("Yahoo's bracketed codes are the documented families only (TS, TSS, IPTS, PH, BL)", () => {
  assert.equal(
    extractProviderCode("553 5.7.1 [bl21] connections will not be accepted from 192.0.2.25"),
    "BL21",
  );
  assert.equal(
    extractProviderCode("554 message not allowed - [ph01] email not accepted for policy reasons"),
    "PH01",
  );
  // No public page lists a [GLnn] family: a bracketed code of no documented family is nobody's code.
  assert.equal(extractProviderCode("421 4.7.0 [gl01] message from 192.0.2.25 temporarily deferred"), null);
});

test("default tables cover every reason and category", () => {
  for (const reason of Object.keys(REASONS)) assert.ok(Object.hasOwn(REASON_CATEGORY, reason), reason);
  for (const category of Object.keys(CATEGORIES))
    assert.ok(CATEGORY_ACTION[category as keyof typeof CATEGORIES]);
});
