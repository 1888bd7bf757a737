import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostName, providerOf, recipientDomain } from "../../src/bounce/provider.ts";
import { patternAnchors, requiredLiteral } from "../../src/bounce/rules/pattern-anchors.ts";
import { ProviderMatcher } from "../../src/bounce/rules/provider-matcher.ts";
import {
  compileProviderRule,
  type ProviderRule,
  type RuleContext,
  ruleApplies,
} from "../../src/bounce/rules/provider-rule.ts";
import { matchProviderRule, PROVIDER_RULES } from "../../src/bounce/rules/provider-rules.ts";
import { parseReply } from "../../src/bounce/smtp-reply.ts";

/** Every rule tried in table order, each pattern run on the whole reply: no anchors, no index. */
const tryEvery = (table: readonly ProviderRule[], context: RuleContext): ProviderRule | null =>
  table.find((rule) => ruleApplies(compileProviderRule(rule), context)) ?? null;

const RECIPIENTS = [null, "a@icloud.com", "b@yahoo.com", "c@outlook.com", "d@gmail.com", "e@comcast.net"];
const HOSTS = [null, "mx01.mail.icloud.com", "mta5.am0.yahoodns.net", "mx.example.net"];

/** The classifier's context for a reply (as classify.ts builds it), with the given recipient and server. */
function contextOf(text: string, recipient: string | null, remoteMta: string | null): RuleContext {
  const parsed = parseReply(text);
  const lowerText = parsed.text.toLowerCase();
  const domain = recipient ? recipientDomain(recipient) : null;
  const remoteHost = remoteMta ? hostName(remoteMta) : null;
  return {
    lowerText,
    provider: providerOf(remoteHost, lowerText, domain),
    replyCode: parsed.replyCode,
    status: parsed.status,
    recipientDomain: domain,
    remoteHost,
  };
}

describe("the provider rules' matcher", () => {
  it("answers like trying every rule in table order: each example alone, padded, cut, joined to the next one", () => {
    const contexts = PROVIDER_RULES.flatMap((rule, index) => {
      const next = PROVIDER_RULES[(index + 1) % PROVIDER_RULES.length].example;
      const texts = [
        rule.example,
        `x ${rule.example} y`,
        rule.example.slice(0, rule.example.length >> 1),
        `${next} ${rule.example}`,
        `${rule.example}; ${next}`,
        rule.example.toUpperCase(),
      ];
      return texts.flatMap((text, at) => [
        contextOf(text, rule.exampleRecipient ?? null, null),
        contextOf(text, RECIPIENTS[(index + at) % RECIPIENTS.length], HOSTS[(index + at) % HOSTS.length]),
      ]);
    });
    const wrong = contexts.flatMap((context) => {
      const want = tryEvery(PROVIDER_RULES, context)?.id ?? null;
      const got = matchProviderRule(context)?.id ?? null;
      return got === want ? [] : [`${JSON.stringify(context.lowerText)}: ${got} instead of ${want}`];
    });
    assert.equal(contexts.length, PROVIDER_RULES.length * 12);
    assert.ok(contexts.filter((context) => tryEvery(PROVIDER_RULES, context) !== null).length > 300);
    assert.deepEqual(wrong, []);
  });

  it("tries a rule only where one of its anchors is, rules without one on every reply, still in table order", () => {
    const rule = (id: string, pattern: RegExp, extra: Partial<ProviderRule> = {}): ProviderRule => ({
      id,
      pattern,
      reason: "blocked",
      category: "reputation",
      action: "",
      source: "",
      example: "",
      ...extra,
    });
    const table = [
      rule("short", /\bab[0-9]{3}\b/, { provider: "yahoo" }),
      rule("alternation", /host (?:one|two) refused|refused by [a-z]+ policy/),
      rule("any", /(?:)/, { status: ["5.7.9"] }),
      rule("group", /\b(?:xyz-1|uvw-2)\b/),
      rule("lazy", /qx+?yz/),
      rule("late", /refused/),
    ];
    const matcher = new ProviderMatcher(table);
    const cases: Array<[string, Partial<RuleContext>, string | null]> = [
      ["550 ab123 refused", { provider: "yahoo" }, "short"],
      ["550 ab123 refused", {}, "late"],
      ["550 host two refused", {}, "alternation"],
      ["550 refused by local policy", {}, "alternation"],
      ["550 host three refused", { status: "5.7.9" }, "any"],
      ["550 blocked (uvw-2)", {}, "group"],
      ["550 blocked (uvw-3)", {}, null],
      ["550 qxxyz refused", {}, "lazy"],
      ["", {}, null],
    ];
    for (const [text, given, want] of cases) {
      const context: RuleContext = {
        lowerText: text,
        provider: "other",
        replyCode: 550,
        status: null,
        recipientDomain: null,
        remoteHost: null,
        ...given,
      };
      assert.equal(matcher.match(context)?.id ?? null, want, text);
      assert.equal(tryEvery(table, context)?.id ?? null, want, text);
    }
  });
});

describe("a pattern's anchors", () => {
  it("are the longest literal run, else a needed group's words, each top-level alternative anchored", () => {
    assert.deepEqual(patternAnchors(/\[cs01\]/), ["[cs01]"]);
    assert.deepEqual(patternAnchors(/user does not exist|unknown or illegal alias/), [
      "user does not exist",
      "unknown or illegal alias",
    ]);
    assert.deepEqual(patternAnchors(/\(s31[45]0\)|part of their network/), ["(s31", "part of their network"]);
    assert.deepEqual(patternAnchors(/\b(?:sc-00[1-4]|dy-00[12])\b/), ["sc-00", "dy-00"]);
    assert.deepEqual(patternAnchors(/helo rejected|(?:helo|ehlo)[^.]{0,60}not found/), [
      "helo rejected",
      "not found",
    ]);
    assert.deepEqual(patternAnchors(/helo rejected|(?:helo|ehlo)[^.]{0,60}(?:not found|unknown)/), [
      "helo rejected",
      "helo",
      "ehlo",
    ]);
    assert.deepEqual(patternAnchors(/\brl[0-9]{6}\b/), ["rl"], "a short run: looked for on its own");
  });

  it("are none when some match holds none of them", () => {
    assert.deepEqual(patternAnchors(/(?:)/), []);
    assert.deepEqual(patternAnchors(/abc|/), [], "an empty alternative matches anywhere");
    assert.deepEqual(patternAnchors(/abc|[0-9]+/), [], "an alternative without a literal");
    assert.deepEqual(patternAnchors(/\b(?:bl|es)[0-9]{6}\b/), [], "group words too short, no literal");
    assert.deepEqual(patternAnchors(/ABC/i), [], "flags");
    assert.deepEqual(patternAnchors(/\x41bcd/), [], "an escape read further than one character");
    assert.deepEqual(patternAnchors(/(?:abc)?def?/), ["de"]);
    // A lazy quantifier's "?" is no literal; a "{" that opens no quantifier is a literal (review s16 R2).
    for (const lazy of [/a+?bc/, /x\s*?yz/, /(?:foo)+?bar/, /mail.*?box full/, /abc{1,2}?def/])
      assert.deepEqual(patternAnchors(lazy), [], String(lazy));
    assert.deepEqual(patternAnchors(/abc{/), [], "a { with no }");
    assert.equal(requiredLiteral("abc{"), "abc", "ends without a }");
  });
});
