import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classifyReply } from "../../src/bounce/classify.ts";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import { outsideLinksAndAddresses } from "../../src/bounce/rules/phrase-matcher.ts";
import { REPLY_CODE_RULES, reasonFromStatus, STATUS_RULES } from "../../src/bounce/rules/status-codes.ts";
import { REASONS } from "../../src/bounce/vocabulary.ts";

/** Each reply classifies to its reason; with `kept`, its recipient is not suppressed either. */
function assertReasons(cases: ReadonlyArray<[string, string]>, { kept = false } = {}): void {
  for (const [text, reason] of cases) {
    const got = classifyReply({ text });
    assert.equal(got.reason, reason, text);
    if (kept) assert.equal(got.suppressRecipient, false, text);
  }
}

describe("typical replies", () => {
  it("classify to their Sisimai reason", () => {
    const cases: Array<[string, string]> = [
      ["550 5.1.1 <a@example.org>... User unknown", "userunknown"],
      ["552 5.2.2 Mailbox full", "mailboxfull"],
      [
        "Host or domain name not found. Name service error for name=example.org type=A: Host not found",
        "hostunknown",
      ],
      ["554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", "blocked"],
      ["421 4.7.0 Too many concurrent SMTP connections", "ratelimited"],
      ["500 Remote server does not support TLS", "failedstarttls"],
      [
        "550 5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy",
        "authfailure",
      ],
      ["250 2.0.0 Ok: queued", "delivered"],
    ];
    assertReasons(cases);
  });
});

describe("status-code fallback", () => {
  it("maps enhanced status codes by subject.detail, then by subject", () => {
    assert.equal(reasonFromStatus("5.1.1", 550), "userunknown");
    assert.equal(reasonFromStatus("4.2.2", 452), "mailboxfull");
    assert.equal(reasonFromStatus("5.7.26", 550), "authfailure");
    assert.equal(reasonFromStatus("5.7.25", 550), "requireptr");
    assert.equal(reasonFromStatus("4.4.7", null), "expired");
    assert.equal(reasonFromStatus("5.6.9", null), "contenterror");
    assert.equal(reasonFromStatus("2.0.0", 250), "delivered");
  });

  it("says nothing for x.0.x and Sisimai's placeholders, and uses unambiguous reply codes", () => {
    assert.equal(reasonFromStatus("5.0.0", 550), null);
    assert.equal(reasonFromStatus("5.0.911", null), null);
    assert.equal(reasonFromStatus(null, 550), null);
    assert.equal(reasonFromStatus(null, 521), "notaccept");
    // Sisimai's reply-code probes (go reason/why-suspend.go, why-syntaxerror.go), RFC 5248 / RFC 5321.
    assert.equal(reasonFromStatus(null, 525), "suspend");
    assert.equal(reasonFromStatus(null, 502), "syntaxerror");
    assert.equal(reasonFromStatus(null, 504), "syntaxerror");
    // RFC 5321 §3.4: 551 "User not local; please try <forward-path>" (set-of-emails lhost-sendmail-17, -22 with
    // no DSN fields: "<<< 551 not our customer", labelled hasmoved by their Status 5.1.6).
    assert.equal(reasonFromStatus(null, 551), "hasmoved");
    assert.equal(reasonFromStatus("5.7.1", 551), "securityerror", "a status decides before the reply code");
    assert.equal(reasonFromStatus("5.5.4", 504), "systemerror", "a status decides before the reply code");
    assert.equal(reasonFromStatus("not a code", null), null);
  });

  it("every entry names a Sisimai 5.6 reason and a source", () => {
    for (const rule of [...STATUS_RULES, ...REPLY_CODE_RULES]) {
      assert.ok(Object.hasOwn(REASONS, rule.reason), String(rule.code));
      assert.ok(rule.source.length > 5, String(rule.code));
    }
  });
});

describe("statuses Sisimai reads before the text (sisimai go reason/lib.go ClassOrder[0])", () => {
  it("a mailbox-full status outweighs another reason's phrase; a size status yields only to mailbox full", () => {
    // A reply whose text and status disagree: Sisimai's MailboxFull, then MesgTooBig, probe the status
    // before UserUnknown reads the text (why-mailboxfull.go, why-mesgtoobig.go ProbesInto).
    assert.equal(
      classifyReply({ text: "550 5.2.2 <kijitora@example.jp>... User Unknown" }).reason,
      "mailboxfull",
    );
    assert.equal(
      classifyReply({ text: "552 5.3.4 <kijitora@example.jp>... Recipient address rejected: User unknown" })
        .reason,
      "emailtoolarge",
    );
    assert.equal(classifyReply({ text: "552 5.3.4 Mailbox full" }).reason, "mailboxfull");
    // Without the status the phrase decides as before.
    assert.equal(classifyReply({ text: "550 <kijitora@example.jp>... User Unknown" }).reason, "userunknown");
  });
  it("an authentication status outweighs a 'blocked' phrase; a code Sisimai's table does not list does not", () => {
    // The first sentence of Gmail's reply (https://support.google.com/mail/answer/81126), from no known host.
    const text = "550 5.7.26 This mail has been blocked because the sender is unauthenticated.";
    assert.equal(classifyReply({ text }).reason, "authfailure");
    // 4.7.23 is not in Sisimai's smtp/status table: the PTR wording decides.
    const ptr =
      "421 4.7.23 The sending IP address for this message doesn't have a PTR record, or the PTR record's forward DNS entry doesn't match the sending IP address.";
    assert.equal(classifyReply({ text: ptr }).reason, "requireptr");
  });
  it("a status Sisimai probes first outweighs a queue timeout's words, and only those", () => {
    // qmail-remote's trailer "Giving up on <ip>." is a queue-timeout phrase (why-expired.go, ClassOrder[1]
    // only); UserUnknown's, HostUnknown's, ContentError's and SpamDetected's probes read the status first.
    const qmail =
      "192.0.2.1 does not like recipient. Remote host said: 553 5.1.3 The recipient address <a@example.org> is not a valid RFC 5321 address. Giving up on 192.0.2.1.";
    assert.equal(classifyReply({ text: qmail }).reason, "userunknown");
    assert.equal(classifyReply({ text: "554 5.4.4 Giving up on 192.0.2.1." }).reason, "hostunknown");
    assert.equal(classifyReply({ text: "554 5.6.0 Giving up on 192.0.2.1." }).reason, "contenterror");
    assert.equal(classifyReply({ text: "554 Giving up on 192.0.2.1." }).reason, "expired");
    // qmail's own bounce: its family's message sets the reason, as lhost/via-qmail.go does (QSBMF layout).
    const bounce = [
      "From: MAILER-DAEMON@mail.example.net",
      "Subject: failure notice",
      "",
      "Hi. This is the qmail-send program at mail.example.net.",
      "I'm afraid I wasn't able to deliver your message to the following addresses.",
      "This is a permanent error; I've given up. Sorry it didn't work out.",
      "",
      "<kijitora@example.jp>:",
      "Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)",
      "",
      "--- Below this line is a copy of the message.",
      "",
      "Subject: hi",
      "",
    ].join("\n");
    assert.equal(recordsFromEmail(Buffer.from(bounce), "qmail.eml").records[0]?.reason, "notaccept");
  });
  it("a status never turns a refusal for spam, policy, rate or a virus into a dead address (review s18 R1)", () => {
    const cases: Array<[string, string]> = [
      ["550 5.1.1 Message rejected as spam by Content Filtering", "spamdetected"],
      ["550 5.1.0 Your message was identified as spam and rejected", "spamdetected"],
      ["550 5.1.1 Too many connections from your IP, slow down", "ratelimited"],
      [
        "550 5.1.1 <a@example.org>: Recipient address rejected: has sent to too many recipients this hour",
        "ratelimited",
      ],
      ["550 5.1.3 Message contains a virus", "virusdetected"],
      ["554 5.4.4 Message rejected as spam", "spamdetected"],
      ["550 5.1.2 Service unavailable, rate limit exceeded, too many connections", "ratelimited"],
      ["550 5.7.28 Mail rejected: too many connections from your IP", "ratelimited"],
      // X.6.1 names the content: Sisimai's contenterror ("rate limit" is a wording of no Sisimai list).
      ["554 5.6.1 Message rejected: rate limit exceeded for sender", "contenterror"],
      // X.6.0 names the content, not an address: Sisimai's contenterror (a bare "virus" yields to it).
      ["554 5.6.0 Message rejected: virus found in attachment", "contenterror"],
      // A timeout is a cause, not the sending MTA's give-up trailer: the status does not outrank it either.
      ["550 5.1.1 Connection timed out", "expired"],
      ["554 5.4.4 Connection timed out while talking to mx.example.org", "expired"],
    ];
    assertReasons(cases, { kept: true });
    // Words the UserUnknown probe yields to, or of a reason probed before it, decide as before.
    assert.equal(
      classifyReply({ text: "550 5.1.1 <a@example.org>... Mailbox is full" }).reason,
      "mailboxfull",
    );
    assert.equal(classifyReply({ text: "550 5.1.1 Your account has been disabled" }).reason, "suspend");
    // A local program's words stay mailererror.
    assert.equal(
      classifyReply({ text: 'procmail: Couldn\'t create "/var/spool/mail/neko"', status: "5.1.1" }).reason,
      "mailererror",
    );
  });
});

describe("a word or wording of no Sisimai list (virus, spam, blocked, rate limit, listed in…)", () => {
  it("yields to a status that names a reason, as Sisimai reads the reply then", () => {
    // Sisimai's Go and Perl editions: securityerror (5.7.1), contenterror (5.6.0), systemfull (4.3.1).
    const cases: Array<[string, string]> = [
      ["550 5.7.1 Message contains a virus (Win.Test.EICAR_HDB-1)", "securityerror"],
      ["554 5.7.1 Blocked by our Spam & Virus Firewall", "securityerror"],
      ["550 5.7.1 Your IP has a poor reputation", "securityerror"],
      ["554 5.6.0 Message rejected: malware found", "contenterror"],
      ["452 4.3.1 Message throttled, try again later", "systemfull"],
      ["421 4.7.0 Rate limit exceeded, try again later", "securityerror"],
      ["550 5.7.1 Rejected: listed in dnsbl.example.org", "securityerror"],
      ["554 5.7.1 Rejected by content filter", "securityerror"],
      ["550 5.7.1 Internal server error while checking sender", "securityerror"],
      ["554 5.7.1 System error, message rejected", "securityerror"],
      ["550 5.7.1 Network error, try again", "securityerror"],
      ["550 5.7.1 DNS error while looking up sender domain", "securityerror"],
      ["550 5.7.1 Unable to resolve sender domain", "securityerror"],
      ["554 5.7.1 Message not accepted: organization policy", "securityerror"],
      ["451 4.4.3 DNS error", "systemerror"],
      ["554 5.7.1 Account unavailable due to policy", "securityerror"],
      ["550 5.7.1 Address not found in directory, message rejected by policy", "securityerror"],
      // An address status of its own reason: 5.1.2 is hostunknown, as in both editions.
      ["550 5.1.2 DNS error: domain not found", "hostunknown"],
    ];
    assertReasons(cases);
  });
  it("decides where the status names no reason (Sisimai: onhold) or an address (review s18 R1)", () => {
    const cases: Array<[string, string]> = [
      ["550 Message contains a virus (Win.Test.EICAR_HDB-1)", "virusdetected"],
      ["554 5.0.0 Your IP has a poor reputation", "badreputation"],
      ["550 5.1.1 Message rejected: infected attachment", "virusdetected"],
      ["421 Throttled: try again later", "ratelimited"],
      ["421 Rate limit exceeded, try again later", "ratelimited"],
      ["550 5.1.1 Too many messages to this recipient, slow down", "ratelimited"],
      ["451 Temporary internal server error, try again later", "systemerror"],
      ["554 System error", "systemerror"],
      ["421 Network error, closing connection", "networkerror"],
      ["451 Name server timeout", "networkerror"],
      ["451 4.0.0 DNS lookup failed", "networkerror"],
      ["554 5.0.0 Message rejected by organization policy", "policyviolation"],
      ["550 Executable files are not allowed", "virusdetected"],
    ];
    assertReasons(cases, { kept: true });
    // An address's own reason decides too (and suppresses it).
    assertReasons([
      ["550 User unavailable", "userunknown"],
      ["550 Host not found", "hostunknown"],
      // Under its own status an address's wording comes before another reason's unlisted one (Sisimai: 5.1.1
      // stands unless another reason's phrase is there, and "listed in" is no phrase of its lists).
      ["550 5.1.1 Mailbox unavailable (listed in RBL)", "userunknown"],
    ]);
  });
  it("keeps the why in the category where the status decides the reason (review R41)", () => {
    // The reason is Sisimai's (securityerror by 5.7.x), the category what the words say.
    const cases: Array<[string, string, string]> = [
      ["554 5.7.1 Message rejected because it contains a virus", "securityerror", "content"],
      ["550 5.7.0 Message rejected: malware detected", "securityerror", "content"],
      ["550 5.7.1 Sender IP reputation is too low", "securityerror", "reputation"],
      ["550 5.7.1 Message rejected: blacklisted sender", "securityerror", "blocklist"],
      ["550 5.7.1 Connection refused - IP blocklisted", "securityerror", "blocklist"],
      ["550 5.7.1 Your domain is on our denylist", "securityerror", "blocklist"],
      ["554 5.7.1 Message blocked due to spam content", "securityerror", "content"],
      ["550 5.7.1 Message rejected: executable files are not allowed", "securityerror", "content"],
      ["554 5.7.1 Message not accepted: organization policy", "securityerror", "reputation"],
      ["421 4.7.0 Rate limit exceeded, try again later", "securityerror", "rate-limit"],
      // 4.7.1 alone is blocked for Sisimai (smtp/status/lib.go): the words still say why.
      ["451 4.7.1 Rate limited, please try again later", "blocked", "rate-limit"],
      ["451 4.7.1 Too many messages, slow down", "blocked", "rate-limit"],
      ["421 4.7.1 Message rate limit exceeded for this sender", "blocked", "rate-limit"],
      // A provider's wording at another host: "excessive volume" is Apple's (sisimai go rhost/for-apple.go),
      // "access denied, banned sender" Microsoft's; elsewhere the status decides, the words give the why.
      ["451 4.7.1 Excessive volume from your IP, try later", "blocked", "rate-limit"],
      ["554 5.7.1 Banned sender", "securityerror", "blocklist"],
      // Words in a link are not the verdict.
      ["550 5.7.1 Delivery not authorized, see https://example.org/spam-policy", "securityerror", "unknown"],
    ];
    for (const [text, reason, category] of cases) {
      const got = classifyReply({ text });
      assert.deepEqual([got.reason, got.category], [reason, category], text);
    }
  });
  it("reads the reply outside links and addresses (review R44)", () => {
    for (const address of ["bob@residential.example", "abuse@blocked.example", "info@virus-lab.example"]) {
      const text = `550 5.1.1 <${address}>: Recipient address rejected: undeliverable address`;
      const got = classifyReply({ text });
      assert.deepEqual([got.reason, got.suppressRecipient], ["userunknown", true], text);
    }
    assert.equal(
      classifyReply({ text: "550 Rejected, see https://example.org/spam-faq" }).reason,
      "undefined",
    );
    assert.equal(
      classifyReply({ text: "550 Rejected as spam, see https://example.org/faq" }).reason,
      "spamdetected",
    );
    // Linear over a long run of an address's characters or of "@" (no backtracking pattern).
    for (const run of ["a".repeat(10_000), "@".repeat(10_000), "a@".repeat(5_000)])
      assert.equal(
        outsideLinksAndAddresses(`550 5.7.1 spam ${run} blocked`).startsWith("550 5.7.1 spam "),
        true,
      );
  });
  it("comes after every phrase of Sisimai's lists, whatever their reason", () => {
    // "no such user" (why-userunknown.go) before the product name; "virus detected" (why-virusdetected.go).
    assert.equal(classifyReply({ text: "550 No such user here (Barracuda)" }).reason, "userunknown");
    const virus = classifyReply({ text: "550 5.7.1 Virus detected; content rejected" });
    assert.equal(virus.reason, "virusdetected");
    assert.equal(virus.rule.id, "virusdetected-virus-detected");
  });
});

describe("a receiver's cap on one client's sessions or messages (review R130, R134)", () => {
  it("says what it is from any host, against X.7.0's security default", () => {
    for (const remoteMta of ["cxr.mx.a.cloudfilter.net", "mx.example.org", null]) {
      const got = classifyReply({
        text: "421 4.7.0 cox too many sessions from 192.0.2.1",
        remoteMta,
        recipient: "xb-sess@cb-plumbing.example",
      });
      assert.equal(got.reason, "ratelimited", String(remoteMta));
      assert.equal(got.suppressRecipient, false, String(remoteMta));
    }
    assertReasons([["421 Max message per connection reached, closing transmission channel", "ratelimited"]]);
  });
});

describe("a container's first guess against the status (sisimai go reason/find.go)", () => {
  it("stands against a status Sisimai reads only after it, yields to one it probes first", () => {
    // An MTA's "expired" over a bare 5.7.1 (securityerror, which Sisimai never probes by status).
    assert.equal(
      classifyReply({ text: "550 5.7.1 Delivery failed", hintReason: "expired" }).reason,
      "expired",
    );
    // A mailbox-full status is probed before anything else.
    assert.equal(
      classifyReply({ text: "452 4.2.2 Delivery failed", hintReason: "expired" }).reason,
      "mailboxfull",
    );
    // An unknown user's status before a guessed unknown host.
    assert.equal(
      classifyReply({ text: "550 5.1.1 Delivery failed", hintReason: "hostunknown" }).reason,
      "userunknown",
    );
  });
});

describe("a phrase Sisimai lists under one reason but always reads as an earlier one (sisimai go reason/lib.go ClassOrder)", () => {
  it("is that earlier reason, as the reply's meaning is", () => {
    // qmail-smtpd's rcpthosts refusal: why-blocked.go lists it, NoRelaying (probed first) has it too.
    assert.equal(
      classifyReply({ text: "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)" }).reason,
      "norelaying",
    );
    // RFC 5321's 552 text: why-systemfull.go lists it, MailboxFull's "exceeded storage allocation" comes first.
    assert.equal(
      classifyReply({ text: "552 Requested mail action aborted: exceeded storage allocation" }).reason,
      "mailboxfull",
    );
  });
});

describe("an unknown user's words under a recipient status of a reason Sisimai probes later (why-userunknown.go)", () => {
  it("are the unknown user, not the null MX (X.1.10) or the unknown host (X.1.2) the status would say", () => {
    const cases: Array<[string, string]> = [
      ["550 5.1.10 <a@example.org>: Recipient address rejected: User unknown", "userunknown"],
      ["550 5.1.10 Recipient not found", "userunknown"],
      [
        "550 5.1.2 <a@example.org>: Recipient address rejected: User unknown in local recipient table",
        "userunknown",
      ],
      // The host's own words, or none, leave the status standing.
      ["550 5.1.2 Host unknown (Name server: example.org: host not found)", "hostunknown"],
      ["556 5.1.10 Recipient address has null MX", "notaccept"],
    ];
    assertReasons(cases);
  });
});
