import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyReply } from "../../src/bounce/classify.ts";
import { providerFromText, TEXT_MARKERS } from "../../src/bounce/provider.ts";
import { APPLE_RULES } from "../../src/bounce/rules/apple.ts";
import { CATEGORY_ACTION, REASON_CATEGORY } from "../../src/bounce/rules/categories.ts";
import { COMCAST_RULES } from "../../src/bounce/rules/comcast.ts";
import { COX_SPECTRUM_RULES } from "../../src/bounce/rules/cox-spectrum.ts";
import { CROSS_PROVIDER_RULES } from "../../src/bounce/rules/cross-provider.ts";
import { MICROSOFT_RULES } from "../../src/bounce/rules/microsoft.ts";
import { extractProviderCode, PROVIDER_CODE_PATTERNS } from "../../src/bounce/rules/provider-codes.ts";
import type { ProviderRule } from "../../src/bounce/rules/provider-rule.ts";
import { PROVIDER_RULES } from "../../src/bounce/rules/provider-rules.ts";
import { YAHOO_RULES } from "../../src/bounce/rules/yahoo.ts";
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

/** The reply with every text marker's matches (links, codes, hosts, wordings) blanked out. */
function withoutMarkers(lowerText: string): string {
  let text = lowerText;
  for (const marker of TEXT_MARKERS)
    for (let guard = 0; guard < 20 && marker.pattern.test(text); guard++)
      text = text.replace(marker.pattern, " ");
  return text;
}

test("a provider's own rule names its writer when no host or text marker does, unless the recipient's mailbox is another provider's (R92's rule half, R138)", () => {
  const owned: Array<[readonly ProviderRule[], string[]]> = [
    [APPLE_RULES, ["apple"]],
    [YAHOO_RULES, ["yahoo"]],
    [MICROSOFT_RULES, ["microsoft"]],
    [COMCAST_RULES, ["comcast"]],
    [COX_SPECTRUM_RULES, ["cox", "charter"]],
  ];
  // Every ungated rule of a provider's table is that provider's own code or wording; a gated one needs no writer.
  for (const [table, providers] of owned)
    for (const rule of table) {
      if (rule.provider) assert.equal(rule.writtenBy, undefined, `${rule.id}: gated and written by`);
      else assert.ok(providers.includes(rule.writtenBy ?? ""), `${rule.id}: writtenBy ${rule.writtenBy}`);
    }
  for (const rule of CROSS_PROVIDER_RULES) assert.equal(rule.writtenBy, undefined, rule.id);
  let bareMatches = 0;
  for (const rule of PROVIDER_RULES) {
    if (rule.writtenBy === undefined) continue;
    const recipients = rule.exampleRecipient
      ? [rule.exampleRecipient]
      : [null, "u@example.org", "u@gmail.com"];
    for (const recipient of recipients) {
      const bare = withoutMarkers(rule.example.toLowerCase());
      for (const text of [rule.example, bare]) {
        const got = classifyReply({ text, recipient });
        if (got.rule.id !== rule.id) continue;
        if (text === bare && providerFromText(bare) === null) bareMatches++;
        // gmail.com's mail is refused by Gmail's servers only: another provider's words there are about another
        // recipient's refusal, and the mailbox's provider stays (review R138).
        const named: string | undefined = recipient === "u@gmail.com" ? "google" : rule.writtenBy;
        assert.equal(got.provider, named, `${rule.id} (${recipient}): ${text}`);
        // A host that names a provider is the stronger evidence: the words may be quoted through it.
        const host = rule.writtenBy === "google" ? "mx.hotmail.com" : "gmail-smtp-in.l.google.com";
        const relayed = classifyReply({ text, recipient, remoteMta: host });
        if (relayed.rule.id === rule.id)
          assert.notEqual(relayed.provider, rule.writtenBy, `${rule.id} via ${host}`);
      }
    }
  }
  // The wordings (not only the codes a text marker knows) name their writer.
  assert.ok(bareMatches >= 10, `${bareMatches} rules match their example without a marker`);
  const bare = classifyReply({
    text: "550 5.7.1 Unfortunately, messages from [192.0.2.10] weren't sent. Please contact your Internet service provider since part of their network is on our block list.",
    recipient: "u@example.org",
  });
  assert.equal(bare.provider, "microsoft");
  assert.equal(bare.rule.id, "microsoft-s3150-network-block");
  // A cross-provider phrase names nobody.
  assert.equal(
    classifyReply({ text: "554 5.7.1 Service unavailable; listed by spamhaus" }).provider,
    "unknown",
  );
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
