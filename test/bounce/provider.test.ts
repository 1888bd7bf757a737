import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyReply } from "../../src/bounce/classify.ts";
import {
  detectProvider,
  hasDomainSuffix,
  providerFromText,
  recipientDomain,
  TEXT_MARKERS,
} from "../../src/bounce/provider.ts";
import { MICROSOFT_RULES } from "../../src/bounce/rules/microsoft.ts";
import { PROVIDER_CODE_PATTERNS } from "../../src/bounce/rules/provider-codes.ts";
import type { Provider } from "../../src/bounce/vocabulary.ts";

const CASES: Array<[Parameters<typeof detectProvider>[0], Provider]> = [
  [{ remoteMta: "mx01.mail.icloud.com" }, "apple"],
  [{ remoteMta: "dns; mx02.mail.icloud.com" }, "apple"],
  [{ remoteMta: "MX01.MAIL.ICLOUD.COM." }, "apple"],
  [{ remoteMta: "example-com.mail.protection.outlook.com" }, "microsoft"],
  [{ remoteMta: "aspmx.l.google.com", recipient: "ceo@customer.example" }, "google"],
  [{ remoteMta: "mta5.am0.yahoodns.net", recipient: "x@att.net" }, "yahoo"],
  [{ remoteMta: "mx1.comcast.net" }, "comcast"],
  // The host decides over the recipient domain and over text markers.
  [{ remoteMta: "mx.example.org", recipient: "x@icloud.com" }, "apple"],
  [{ remoteMta: "mx.mail.icloud.com", lowerText: "see https://support.google.com" }, "apple"],
  // Suffixes are anchored at a dot.
  [{ remoteMta: "mx.notmail.icloud.com.evil.example" }, "other"],
  [{ remoteMta: "mx.cloud.com" }, "other"],
  [{ recipient: "x@cloud.com" }, "other"],
  [{ recipient: "x@notgmail.com" }, "other"],
  // An address in the reply at a mailbox provider's domain names that mailbox's provider only where the
  // recipient is unknown (review R115: one server's reply given to several recipients).
  [{ lowerText: "550 5.1.1 <a@icloud.com>: user does not exist", recipient: "g@gmail.com" }, "google"],
  [{ lowerText: "550 5.1.1 <a@icloud.com>: user does not exist", recipient: "a@icloud.com" }, "apple"],
  [{ lowerText: "550 5.1.1 <a@icloud.com>: user does not exist", recipient: "a@custom.example" }, "apple"],
  [{ lowerText: "550 5.1.1 <a@icloud.com>: user does not exist" }, "apple"],
  [{ lowerText: "550 5.1.1 <b@outlook.com>: unknown", recipient: "y@yahoo.com" }, "yahoo"],
  // An address's domain up to a domain name's longest (253 characters) is still an address's domain.
  [
    {
      lowerText: `550 5.1.1 <a@${["a", "b", "c"].map((c) => c.repeat(63)).join(".")}.mail.icloud.com>: unknown`,
      recipient: "g@gmail.com",
    },
    "google",
  ],
  [{ lowerText: "550 rejected by mx.cox.net for <c@yahoo.com>", recipient: "c@yahoo.com" }, "cox"],
  // Markers in the text.
  [{ lowerText: "550 5.7.1 [cs01] message rejected due to local policy" }, "apple"],
  [{ lowerText: "please visit https://support.apple.com/en-us/ht204137" }, "apple"],
  [{ lowerText: "421 4.7.0 [tss04] messages from 192.0.2.1 temporarily deferred" }, "yahoo"],
  [{ lowerText: "see https://senders.yahooinc.com/smtp-error-codes" }, "yahoo"],
  [{ lowerText: "550 5.7.26 unauthenticated - gsmtp" }, "google"],
  [{ lowerText: "(s3150)" }, "microsoft"],
  // Exchange Online's own enhanced codes (X.7.500–X.7.799, no IANA registry entry) name Microsoft (review R92).
  [
    {
      lowerText:
        "550 5.7.515 access denied, sending domain [sender.test] doesn't meet the required authentication level.",
      recipient: "m-515@exim.test",
    },
    "microsoft",
  ],
  [{ lowerText: "451 4.7.650 the mail server [192.0.2.1] has been temporarily rate limited" }, "microsoft"],
  // And its other three-digit details (review R125): X.7.1xx, X.2.12x, X.4.3xx, X.7.3xx (sisimai go rhost/for-microsoft.go).
  [
    { lowerText: "550 5.7.124 sender not in allowed-senders list", recipient: "x@fabrikam.example" },
    "microsoft",
  ],
  [
    {
      lowerText:
        "550 5.2.122 the recipient has exceeded their limit for the number of messages they can receive per hour",
      recipient: "x@fabrikam.example",
    },
    "microsoft",
  ],
  [{ lowerText: "550 5.4.316 message expired, connection refused(socket error code 10061)" }, "microsoft"],
  [{ lowerText: "451 4.7.321 starttls-required: destination mail server must support tls" }, "microsoft"],
  // A detail no Microsoft family holds, or IANA's own two-digit ones.
  [{ lowerText: "550 5.2.200 denied", recipient: "x@example.org" }, "other"],
  [{ lowerText: "550 5.1.10 recipient address has null mx", recipient: "x@example.org" }, "other"],
  [{ lowerText: "550 relay 10.4.4.312 down", recipient: "x@example.org" }, "other"],
  // Not a piece of an IP address, a version or another code.
  [{ lowerText: "550 relay 10.5.7.515 denied", recipient: "x@example.org" }, "other"],
  [{ lowerText: "550 5.7.515.2 denied", recipient: "x@example.org" }, "other"],
  [{ lowerText: "550 5.7.1 access denied", recipient: "x@example.org" }, "other"],
  [{ lowerText: "550 5.7.51 denied", recipient: "x@example.org" }, "other"],
  // Recipient domains.
  [{ recipient: "x@icloud.com" }, "apple"],
  [{ recipient: "<x@Me.com>" }, "apple"],
  [{ recipient: "x@mac.com" }, "apple"],
  [{ recipient: "abc@privaterelay.appleid.com" }, "apple"],
  [{ recipient: "x@googlemail.com" }, "google"],
  [{ recipient: "x@google.com" }, "google"],
  [{ recipient: "x@notgoogle.com" }, "other"],
  [{ recipient: "x@yahoo.co.uk" }, "yahoo"],
  [{ recipient: "x@yahoo.co.jp" }, "other"],
  [{ recipient: "x@aol.com" }, "yahoo"],
  [{ recipient: "x@hotmail.fr" }, "microsoft"],
  [{ recipient: "x@outlook.com" }, "microsoft"],
  [{ recipient: "x@comcast.net" }, "comcast"],
  [{ recipient: "x@gmx.de" }, "gmx"],
  // Nothing known.
  [{}, "unknown"],
  [{ remoteMta: "192.0.2.1", lowerText: "550 no" }, "unknown"],
  [{ recipient: "not-an-address" }, "unknown"],
];

test("provider detection: host first, then text markers, then recipient domain", () => {
  for (const [evidence, provider] of CASES) {
    assert.equal(detectProvider(evidence), provider, JSON.stringify(evidence));
  }
});

test("a provider's own code names the provider, with no host and no link in the reply", () => {
  const owned = PROVIDER_CODE_PATTERNS.filter((entry) => entry.provider !== undefined);
  assert.ok(owned.length >= 6);
  for (const entry of owned) {
    // The code alone: the provider's links and host names dropped (a link's #fragment kept: Comcast's code).
    const bare = entry.example
      .toLowerCase()
      .replace(/https?:\/\/[^\s#]*#?/g, "")
      .replace(/\S+\.(?:com|net)\b/g, "");
    assert.equal(providerFromText(bare), entry.provider, `${entry.id}: ${bare}`);
  }
  // Outlook.com's legacy codes and their troubleshooting link (no host in either).
  assert.equal(
    detectProvider({
      lowerText:
        "550 dy-001 (snt004-mc1f8) unfortunately, messages from 192.0.2.1 weren't sent. we do not accept email from dynamic ip's.",
    }),
    "microsoft",
  );
  assert.equal(
    detectProvider({
      lowerText: "you can also refer to http://mail.live.com/mail/troubleshooting.aspx#errors.",
    }),
    "microsoft",
  );
  // Letters and digits that only look like a code name nobody.
  assert.equal(providerFromText("550 5.1.1 user unknown (as12)"), null);
  assert.equal(providerFromText("550 disc-001 rejected"), null);
  // A network's AS number in a blocklist reply is no EOP rule id (those are AS + eight digits), and a
  // legacy code's letters inside an address or a host name are no code.
  assert.equal(providerFromText("554 5.7.1 service unavailable; your network (as14061) is listed"), null);
  assert.equal(providerFromText("550 5.7.1 rejected: sender address sc-001@example.org denied"), null);
  assert.equal(providerFromText("550 5.7.1 relay via mx.sc-001.example.org denied"), null);
  assert.equal(providerFromText("550 rejected by policy (as16012607)"), "microsoft");
  assert.equal(providerFromText("550 sc-001. unfortunately, messages weren't sent"), "microsoft");
  const asCode = PROVIDER_CODE_PATTERNS.find((entry) => entry.id === "microsoft-as-rule");
  assert.equal(asCode?.pattern.test("your network (as14061) is listed"), false);
  const legacy = PROVIDER_CODE_PATTERNS.find((entry) => entry.id === "microsoft-legacy");
  assert.equal(legacy?.pattern.test("sender address sc-001@example.org denied"), false);
  // Nor do Outlook.com's own rules for those codes.
  for (const rule of MICROSOFT_RULES.filter((entry) => entry.id.startsWith("microsoft-legacy"))) {
    const code = /(?:rp|ou|sc|dy)-00[0-9]/i.exec(rule.example)?.[0].toLowerCase() ?? "";
    assert.ok(rule.pattern.test(rule.example.toLowerCase()), rule.id);
    assert.equal(rule.pattern.test(`sender address ${code}@example.org denied`), false, rule.id);
    assert.equal(rule.pattern.test(`relay via mx.${code}.example.org denied`), false, rule.id);
  }
});

test("a provider's own wording names it, one phrase per entry, and only that wording does", () => {
  const wordings = TEXT_MARKERS.filter((marker) => marker.id !== undefined);
  assert.ok(wordings.length >= 10);
  assert.equal(new Set(wordings.map((marker) => marker.id)).size, wordings.length);
  for (const marker of wordings) {
    const example = marker.example?.toLowerCase() ?? "";
    assert.ok(marker.pattern.test(example), `${marker.id} reads its own example`);
    assert.equal(providerFromText(example), marker.provider, `${marker.id}: ${example}`);
    // Without the providers' wording the reply names nobody: no link, code or host in the example.
    const bare = wordings.reduce((text, entry) => text.replace(entry.pattern, " "), example);
    assert.equal(providerFromText(bare), null, `${marker.id} names by its words alone`);
    // Every earlier marker (links, codes, hosts) still decides first: wording comes after them all.
    assert.ok(TEXT_MARKERS.indexOf(marker) >= TEXT_MARKERS.findLastIndex((entry) => entry.id === undefined));
  }
  // The same words with a host or a link of another provider keep that provider.
  assert.equal(
    detectProvider({
      remoteMta: "mx.example.org",
      lowerText: "421 4.7.28 gmail has detected an unusual rate",
    }),
    "google",
  );
  assert.equal(providerFromText("550 5.7.1 blocked (s3150). gmail has detected nothing"), "microsoft");
  // A provider's name outside its own sentences names nobody.
  assert.equal(providerFromText("550 5.1.1 <someone@gmail.com>: recipient address rejected"), null);
  assert.equal(providerFromText("550 message to yahoo users refused by policy"), null);
});

test("domain suffixes are anchored at a dot", () => {
  assert.equal(hasDomainSuffix("mx01.mail.icloud.com", "icloud.com"), true);
  assert.equal(hasDomainSuffix("icloud.com", "icloud.com"), true);
  assert.equal(hasDomainSuffix("notsicloud.com", "icloud.com"), false);
  assert.equal(hasDomainSuffix("", "icloud.com"), false);
});

test("recipientDomain reads the domain of an address", () => {
  assert.equal(recipientDomain("<Someone@ICloud.com>"), "icloud.com");
  assert.equal(recipientDomain("a@b@c.example"), "c.example");
  assert.equal(recipientDomain("nobody"), null);
  assert.equal(recipientDomain("x@localhost"), null);
});

test("a reply naming another mailbox's address: the recipient's own domain decides where the rule tables single it out (review R115)", () => {
  const classify = (recipient: string | null) =>
    classifyReply({ text: "550 5.1.1 <a@icloud.com>: user does not exist", recipient }).provider;
  // A domain the tables single out (NTT docomo's), or a provider's, says where the recipient is.
  assert.equal(classify("d@docomo.ne.jp"), "other");
  assert.equal(classify("g@gmail.com"), "google");
  // No recipient, or a domain of no provider that nothing singles out (the store keys both alike): the address.
  assert.equal(classify(null), "apple");
  assert.equal(classify("c@custom.example"), "apple");
});

test("a provider's code in a reply to a recipient at another provider's own mailbox domain names that mailbox's provider, not the code's (review R138)", () => {
  const classify = (text: string, recipient: string, remoteMta: string | null = null) =>
    classifyReply({ text, recipient, remoteMta }).provider;
  const tss09 =
    "553 5.7.2 [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes";
  // A custom domain: the code is all there is (Yahoo hosts it).
  assert.equal(classify(tss09, "a@umami-ramen.example"), "yahoo");
  assert.equal(classify(tss09, "a@aol.com"), "yahoo");
  // gmail.com's mail is refused by Gmail's servers only; qq.com is one a rule table singles out (Tencent's).
  assert.equal(classify(tss09, "a@gmail.com"), "google");
  assert.equal(classify(tss09, "a@charter.net"), "charter");
  assert.equal(classify(tss09, "a@qq.com"), "other");
  // The server that wrote the reply still names its provider.
  assert.equal(classify(tss09, "a@gmail.com", "mta5.am0.yahoodns.net"), "yahoo");
  const spectrum =
    "554 5.7.1 Please see https://www.spectrum.net/support/internet/understanding-email-error-codes for more information. AUP#In-1100";
  assert.equal(classify(spectrum, "a@cb-plumbing.example"), "charter");
  assert.equal(classify(spectrum, "a@hotmail.com"), "microsoft");
  // A provider's own wording (a rule's writtenBy: no marker in the text) yields the same way.
  const reputation =
    "451 The mail server [192.0.2.10] has been temporarily rate limited due to IP reputation.";
  assert.equal(classify(reputation, "a@cb-plumbing.example"), "microsoft");
  assert.equal(classify(reputation, "a@gmail.com"), "google");
});

test("Gmail's refusal of a client that must use its provider's relay is norelaying with the status it quotes or with the '7.7.1' Google's page prints (sisimai go rhost/for-google.go)", () => {
  const words =
    "The IP you're using to send mail is not authorized to send email directly to our servers. Use the SMTP relay at your service provider instead.";
  for (const lead of ["550 7.7.1", "550-5.7.1 [192.0.2.1]", "550"]) {
    const record = classifyReply({ text: `${lead} ${words}`, remoteMta: "aspmx.l.google.com" });
    assert.deepEqual([record.reason, record.provider], ["norelaying", "google"], lead);
  }
});
