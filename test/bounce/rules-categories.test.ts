import assert from "node:assert/strict";
import { test } from "node:test";
import { type Classification, classifyReply, type ReplyInput } from "../../src/bounce/classify.ts";
import { CATEGORY_ACTION } from "../../src/bounce/rules/categories.ts";

test("the anchor: Apple CS01 is a retryable reputation block that never suppresses the address", () => {
  const got = classifyReply({ text: "550 5.7.1 [CS01] Message rejected due to local policy" });
  assert.deepEqual(
    {
      provider: got.provider,
      providerCode: got.providerCode,
      status: got.status,
      replyCode: got.replyCode,
      reason: got.reason,
      category: got.category,
      permanent: got.permanent,
      retryable: got.retryable,
      suppressRecipient: got.suppressRecipient,
    },
    {
      provider: "apple",
      providerCode: "CS01",
      status: "5.7.1",
      replyCode: 550,
      reason: "policyviolation",
      category: "reputation",
      permanent: true,
      retryable: true,
      suppressRecipient: false,
    },
  );
  assert.match(got.action, /icloudadmin@apple\.com/);
});

/** The fixed categories: [reply (or input), category, extra expectations]. */
const FIXED: Array<[string | ReplyInput, Classification["category"], Partial<Classification>?]> = [
  ["554 5.7.1 [CS01] Message rejected due to local policy", "reputation", { replyCode: 554 }],
  [
    "5.7.1 [CS02] Message rejected due to local policy",
    "reputation",
    { providerCode: "CS02", replyCode: null },
  ],
  ["554 5.7.1 [HM07] Message rejected due to local policy", "reputation", { providerCode: "HM07" }],
  ["554 5.7.1 [HM08] Message rejected due to local policy", "reputation", { providerCode: "HM08" }],
  ["421 [HCM1] Your mail from 192.0.2.1 was deferred.", "reputation", { retryable: true, permanent: false }],
  ["550 5.7.1 [HCM2] Your mail from 192.0.2.1 was rejected.", "reputation", { providerCode: "HCM2" }],
  [
    "554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM",
    "authentication",
    { retryable: false },
  ],
  ["554 5.7.1 Your message was rejected due to example.com's DMARC policy", "authentication"],
  [
    { text: "550-5.7.26 Unauthenticated email is not accepted. - gsmtp", remoteMta: "mx.google.com" },
    "authentication",
  ],
  [{ text: "421 4.7.27 SPF did not pass - gsmtp" }, "authentication", { retryable: true }],
  [{ text: "550 5.7.30 DKIM did not pass - gsmtp" }, "authentication"],
  [{ text: "550 5.7.32 From: header isn't aligned - gsmtp" }, "authentication"],
  [{ text: "550 5.7.40 Your domain has no DMARC record - gsmtp" }, "authentication"],
  [
    "550 5.7.515 Access denied, sending domain [EXAMPLE.COM] doesn't meet the required authentication level.",
    "authentication",
  ],
  ["550 5.7.0 Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.1", "blocklist"],
  ["550 5.7.1 Mail from IP 192.0.2.1 was rejected due to listing in Spamhaus SBL", "blocklist"],
  [
    "553 5.7.1 [BL21] Connections not accepted from IP addresses on Spamhaus",
    "blocklist",
    { providerCode: "BL21" },
  ],
  [
    "553 5.7.1 [BL23] Connections not accepted from IP addresses on Spamhaus XBL",
    "blocklist",
    { providerCode: "BL23" },
  ],
  [
    "550 5.7.1 ... part of their network is on our block list (S3140).",
    "blocklist",
    { providerCode: "S3140" },
  ],
  [
    "550 5.7.1 ... part of their network is on our block list (S3150).",
    "blocklist",
    { providerCode: "S3150" },
  ],
  ["421 4.7.1 Messages to x@icloud.com deferred due to excessive volume. Try again later", "rate-limit"],
  [
    { text: "421-4.7.28 Our system has detected an unusual rate of\r\n421 4.7.28 unsolicited mail - gsmtp" },
    "rate-limit",
  ],
  ["421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to user complaints", "rate-limit"],
  [
    "451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation.",
    "rate-limit",
  ],
  [
    "421 ... Domain Throttled. http://postmaster.comcast.net/smtp-error-codes.php#RL000010",
    "rate-limit",
    { providerCode: "RL000010", provider: "comcast" },
  ],
  [{ text: "550-5.7.1 This message is likely unsolicited mail. - gsmtp" }, "content", { provider: "google" }],
  [
    "554 Message not allowed - [PH01] Email not accepted for policy reasons.",
    "content",
    { providerCode: "PH01" },
  ],
  ["451 [BS02] Temporary server error. Please try again later.", "transient", { providerCode: "BS02" }],
  ["451 4.7.1 Service unavailable - try again later", "transient", { retryable: true }],
  ["450 4.7.1 <a@example.org>: Recipient address rejected: Greylisted for 300 seconds", "transient"],
  [
    { text: "550 5.1.1 <x@icloud.com>: user does not exist" },
    "recipient",
    { suppressRecipient: true, reason: "userunknown" },
  ],
  [
    { text: "550 5.1.6 recipient no longer on server", recipient: "x@icloud.com" },
    "recipient",
    { suppressRecipient: true, reason: "hasmoved" },
  ],
  [
    { text: "550 5.7.1 Relay not permitted", recipient: "a1b2@privaterelay.appleid.com" },
    "recipient",
    { suppressRecipient: true },
  ],
  [
    { text: "552 5.2.2 <x@icloud.com>: user is over quota" },
    "mailbox",
    { suppressRecipient: false, reason: "mailboxfull" },
  ],
];

test("the issue's fixed categories", () => {
  for (const [input, category, extra] of FIXED) {
    const got = classifyReply(typeof input === "string" ? { text: input } : input);
    const label = typeof input === "string" ? input : input.text;
    assert.equal(got.category, category, `${label} → ${got.rule.id}`);
    for (const [key, value] of Object.entries(extra ?? {})) {
      assert.deepEqual(got[key as keyof Classification], value, `${label}: ${key}`);
    }
  }
});

test("suppressRecipient is never set for policy, reputation or 4xx replies", () => {
  for (const text of [
    "550 5.7.1 [CS01] Message rejected due to local policy",
    "550 5.7.1 [HCM2] Your mail from 192.0.2.1 was rejected.",
    "450 4.1.1 <x@example.org>: Recipient address rejected: User unknown in local recipient table",
  ]) {
    assert.equal(classifyReply({ text }).suppressRecipient, false, text);
  }
});

test("status is null when the reply carries none; a given status is kept; garbage status is dropped", () => {
  assert.equal(classifyReply({ text: "554 Message not allowed" }).status, null);
  assert.equal(classifyReply({ text: "550 no such user", status: "5.1.1" }).status, "5.1.1");
  assert.equal(classifyReply({ text: "550 no such user", status: "5.x.y" }).status, null);
  assert.equal(classifyReply({ text: "" }).reason, "undefined");
});

test("container hints: feedback and vacation decide; a refinable hint yields to the reply text", () => {
  assert.equal(classifyReply({ text: "550 5.1.1 user unknown", hintReason: "feedback" }).reason, "feedback");
  assert.equal(classifyReply({ text: "", hintReason: "vacation" }).category, "auto-reply");
  const complaint = classifyReply({ text: "", hintReason: "feedback", action: "failed" });
  assert.deepEqual(
    [complaint.permanent, complaint.retryable, complaint.suppressRecipient],
    [false, false, false],
  );
  const refined = classifyReply({
    text: "550 5.7.1 [CS01] Message rejected due to local policy",
    hintReason: "expired",
  });
  assert.equal(refined.reason, "policyviolation");
  assert.equal(classifyReply({ text: "", hintReason: "expired" }).reason, "expired");
  const delivered = classifyReply({ text: "250 2.0.0 OK", action: "delivered" });
  assert.equal(delivered.reason, "delivered");
  assert.equal(delivered.category, "delivered");
  assert.equal(delivered.permanent, false);
  const delayed = classifyReply({ text: "Connection timed out", action: "delayed" });
  assert.equal(delayed.retryable, true);
  assert.equal(delayed.permanent, false);
});

test("suppression follows the reply's meaning, the label follows Sisimai (a status it reads before the words)", () => {
  // AOL/Yahoo's reply. With no host known, Sisimai reads Status 5.2.2 first (reason/why-mailboxfull.go:
  // smtp/status 5.2.2 is mailboxfull) and so do we; the words still say the address does not exist.
  const aol = "552 1 Requested mail action aborted, mailbox not found";
  const bare = classifyReply({ text: aol, status: "5.2.2" });
  assert.deepEqual(
    [bare.reason, bare.category, bare.suppressRecipient, bare.retryable, bare.action],
    ["mailboxfull", "recipient", true, false, CATEGORY_ACTION.recipient],
  );
  // Yahoo's own table (sisimai go rhost/for-yahooinc.go) is read before the status: the label is userunknown.
  for (const context of [{ recipient: "a@aol.com" }, { remoteMta: "mx-aol.mail.gm0.yahoodns.net" }]) {
    const got = classifyReply({ text: aol, status: "5.2.2", ...context });
    assert.deepEqual(
      [got.reason, got.suppressRecipient, got.rule.id],
      ["userunknown", true, "rhost-yahooinc-mailbox-not-found"],
    );
  }
  // A disabled mailbox may come back (RFC 3463 X.2.1): Sisimai's label, no suppression.
  const disabled = classifyReply({ text: "550 5.2.2 mailbox disabled, not accepting messages" });
  assert.deepEqual(
    [disabled.reason, disabled.category, disabled.suppressRecipient],
    ["mailboxfull", "mailbox", false],
  );
  // Sisimai's second probe reads 5.3.4 as too big (reason/why-mesgtoobig.go); content either way.
  const spam = classifyReply({ text: "552 5.3.4 Message rejected for policy reasons: spam detected" });
  assert.deepEqual([spam.reason, spam.category, spam.suppressRecipient], ["emailtoolarge", "content", false]);
  // An address status names the address the words are about: 5.1.7 is the sender's, never the recipient's.
  const sender = classifyReply({ text: "550 5.1.7 No such domain neko.example.com" });
  assert.deepEqual([sender.reason, sender.suppressRecipient], ["rejected", false]);
});

test("a provider's disabled account that its page says stays disabled is suppressed (GoDaddy), a generic one is not", () => {
  const godaddy = classifyReply({ text: "550 Account disabled", remoteMta: "smtp.secureserver.net" });
  assert.deepEqual(
    [godaddy.reason, godaddy.category, godaddy.suppressRecipient, godaddy.retryable, godaddy.rule.id],
    ["suspend", "recipient", true, false, "rhost-godaddy-account-disabled"],
  );
  const generic = classifyReply({ text: "550 5.2.1 mailbox disabled, not accepting messages" });
  assert.deepEqual([generic.reason, generic.suppressRecipient], ["suspend", false]);
});

test("a suspended address whose words say it is gone for good is suppressed; one suspended for now is not", () => {
  for (const input of [
    { text: "550 5.2.1 <kijitora@example.org>... is unavailable: user is terminated" },
    { text: "550 5.2.1 this address no longer accepts mail" },
    {
      text: "554 delivery error: dd kijitora@yahoo.com is no longer valid.",
      recipient: "kijitora@yahoo.com",
    },
  ]) {
    const got = classifyReply(input);
    assert.deepEqual(
      [got.reason, got.category, got.suppressRecipient],
      ["suspend", "recipient", true],
      input.text,
    );
  }
  const temporary = classifyReply({ text: "550 5.2.1 this account has been temporarily suspended" });
  assert.deepEqual([temporary.reason, temporary.suppressRecipient], ["suspend", false]);
});

test("a provider's own wording names it: Gmail's 'Gmail requires all senders to authenticate' is not Yahoo's rule", () => {
  const gmail = classifyReply({
    text: "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. - gsmtp",
  });
  assert.deepEqual(
    [gmail.provider, gmail.rule.id, gmail.category],
    ["google", "google-authentication", "authentication"],
  );
  assert.doesNotMatch(gmail.action, /Yahoo/);
  const yahoo = classifyReply({
    text: "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
  });
  assert.deepEqual([yahoo.rule.id, yahoo.reason], ["yahoo-requires-authentication", "authfailure"]);
});
