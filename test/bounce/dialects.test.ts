import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { familyMarker, familyReason, MTA_FAMILIES } from "../../src/bounce/dialects/families.ts";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import { scanEmail } from "../../src/bounce/email/scan.ts";

/**
 * One hand-written report per MTA family Sisimai decodes (sisimai go lhost/via-*.go, and the Perl
 * edition's families the Go edition folded into its RFC 3464 decoder), laid out as the family writes it
 * and anonymised (example.*, 192.0.2.x). Each asserts the recipient, its status / reply code, the reply
 * text and, where the family's own wording decides it, the reason. Most families are read by the generic
 * readers (RFC 3464 fields, recipient lines, "said:" phrases); the family table adds their messages.
 */
const DIR = join(import.meta.dirname, "../fixtures/bounce-email/dialects");

interface Expected {
  recipient: string;
  status?: string | null;
  replyCode?: number | null;
  reply: RegExp;
  reason?: string;
  rule?: RegExp;
  /** The remote server the report names (for provider rules scoped to a provider's servers). */
  remoteMta?: string;
}

const CASES: Record<string, Expected[]> = {
  "activehunter.eml": [
    {
      recipient: "kijitora@example.org",
      status: "5.1.1",
      replyCode: 550,
      reply: /no mailbox here by that name/,
      reason: "userunknown",
    },
  ],
  "apachejames.eml": [
    {
      recipient: "kijitora@example.org",
      replyCode: 550,
      reply: /^550 - Requested action not taken: no such user here$/,
    },
  ],
  "biglobe.eml": [
    {
      recipient: "kijitora@biglobe.ne.jp",
      reply: /exceeded the local limit/,
      reason: "mailboxfull",
      rule: /^dialect:biglobe$/,
    },
  ],
  "courier.eml": [
    {
      recipient: "kijitora@example.co.jp",
      status: "5.1.1",
      replyCode: 550,
      reply: /<<< 550 5\.1\.1/,
      reason: "userunknown",
    },
  ],
  "courier-nodomain.eml": [
    { recipient: "neko@nonexistent.example", reply: /No such domain\./, reason: "hostunknown" },
  ],
  "domino.eml": [
    { recipient: "kijitora@example.org", reply: /not listed in Domino Directory/, reason: "userunknown" },
  ],
  // ISO-2022-JP escapes in a delivery-status part that names no charset are decoded.
  "domino-ja.eml": [
    {
      recipient: "kijitora@example.co.jp",
      reply: /Domino ディレクトリには見つかりません/,
      reason: "userunknown",
    },
  ],
  "dragonfly.eml": [
    {
      remoteMta: "email.example.jp",
      recipient: "kijitora@example.com",
      status: "5.2.2",
      replyCode: 552,
      reply: /did not like our RCPT TO/,
      reason: "mailboxfull",
    },
  ],
  "dragonfly-expired.eml": [
    {
      recipient: "neko@example.com",
      reply: /Could not deliver for the last 432000 seconds/,
      reason: "expired",
    },
  ],
  "einsundeins.eml": [
    {
      recipient: "general@example.eu",
      reply: /Mail size limit exceeded/,
      reason: "emailtoolarge",
      rule: /^dialect:einsundeins$/,
    },
  ],
  // Exim's delay warning, as sisimai go lhost/via-exim.go quotes it: "Delay reason:" is its own verdict.
  "exim-delay.eml": [
    {
      recipient: "kijitora@example.co.jp",
      replyCode: 451,
      reply: /Delay reason: SMTP error from remote mail server after RCPT TO/,
      reason: "expired",
      rule: /^dialect:exim$/,
    },
  ],
  "exchange2003.eml": [{ recipient: "kijitora@example.co.jp", reply: /000C05A6/, reason: "userunknown" }],
  "exchange2007.eml": [
    {
      recipient: "kijitora@example.jp",
      status: "5.1.1",
      reply: /RESOLVER\.ADR\.RecipNotFound/,
      reason: "userunknown",
    },
  ],
  // No Content-Language: the subject and the administrators' heading are two of Exchange's signs (Sisimai
  // counts any two), so its code table decides: RESOLVER.RST.NotAuthorized is rejected.
  "exchange2007-nolanguage.eml": [
    {
      recipient: "kijitora@example.jp",
      status: "5.7.1",
      reply: /RESOLVER\.RST\.NotAuthorized/,
      reason: "rejected",
      rule: /^dialect:exchange2007$/,
    },
  ],
  // EZweb writes its own message before the recipient lines; it gives the first recipient its reason.
  "ezweb.eml": [
    { recipient: "neko@ezweb.ne.jp", replyCode: 550, reply: /550 user unknown/, reason: "suspend" },
  ],
  "gmx.eml": [
    { recipient: "kijitora@6jo.example.co.jp", reply: /delivery retry timeout exceeded/, reason: "expired" },
  ],
  // The 'Send mail as' settings "are misconfigured": the sender's own settings, rejected by Go's phrase (sisimai
  // go reason/why-rejected.go), not the remote server's misconfiguration (systemerror).
  "googleworkspace.eml": [
    { recipient: "kijitora@example.org", reply: /SENT_SECOND_EHLO/, reason: "rejected" },
  ],
  "imailserver.eml": [
    {
      recipient: "kijitora@example.com",
      reply: /^Unknown user: kijitora@example\.com$/,
      reason: "userunknown",
    },
  ],
  "interscanmss.eml": [
    {
      recipient: "kijitora@example.co.jp",
      status: "5.1.1",
      replyCode: 550,
      reply: /Received >>> 550 5\.1\.1/,
      reason: "userunknown",
    },
  ],
  "kddi.eml": [
    { recipient: "kijitora@ezweb.ne.jp", reply: /As their mailbox is full/, reason: "mailboxfull" },
  ],
  // au's filter verdict header decides over KDDI's own wording (sisimai go lhost/via-kddi.go).
  "kddi-spasign.eml": [
    {
      recipient: "kijitora@ezweb.ne.jp",
      reply: /SMTP relay error/,
      reason: "filtered",
      rule: /^dialect:kddi$/,
    },
  ],
  // A qmail clone (Yahoo's layout) known by qmail's own subject only: qmail's "Unable to" is its system error.
  "qmail-clone.eml": [
    {
      recipient: "neko@example.jp",
      reply: /multiple retries, giving up/,
      reason: "systemerror",
      rule: /^dialect:qmail$/,
    },
  ],
  "mailfoundry.eml": [
    {
      remoteMta: "mx22.example.org",
      recipient: "kijitora@example.org",
      replyCode: 550,
      reply: /failed with: 550 <kijitora@example\.org> No such user here/,
    },
  ],
  "mailmarshalsmtp.eml": [
    {
      recipient: "neko@example.org",
      status: "5.1.1",
      replyCode: 550,
      // The error alone, as Sisimai reads it: not the quoted "Your message:" block before it.
      reply: /^Could not be delivered because of 550 5\.1\.1 User unknown$/,
      reason: "userunknown",
    },
  ],
  "messagingserver.eml": [
    {
      recipient: "kijitora@example.jp",
      status: "5.1.1",
      replyCode: 550,
      reply: /User Unknown/,
      reason: "userunknown",
    },
  ],
  "mfilter.eml": [
    {
      recipient: "kijitora@example.jp",
      status: "5.1.1",
      replyCode: 550,
      reply: /550 5\.1\.1 unknown user/,
      reason: "userunknown",
    },
  ],
  "notes.eml": [
    {
      recipient: "kijitora@notes.example.jp",
      reply: /User not listed in public Name & Address Book/,
      reason: "userunknown",
    },
  ],
  "opensmtpd.eml": [{ recipient: "kijitora@example.jp", reply: /^Envelope expired$/, reason: "expired" }],
  "qmail.eml": [
    {
      recipient: "kijitora@example.org",
      status: "5.1.1",
      replyCode: 550,
      reply: /does not like recipient/,
      reason: "userunknown",
    },
  ],
  "qmail-nohost.eml": [
    {
      recipient: "neko@nonexistent.example",
      status: "5.1.2",
      reply: /couldn't find any host named/,
      reason: "hostunknown",
    },
  ],
  "v5sendmail.eml": [
    {
      recipient: "kijitora@example.org",
      replyCode: 550,
      reply: /<<< 550 <kijitora@example\.org>, User Unknown/,
      reason: "userunknown",
    },
  ],
  "verizon.eml": [
    {
      recipient: "5551230000@vtext.com",
      reply: /^Error: No valid recipients$/,
      reason: "userunknown",
    },
  ],
  "x1.eml": [{ recipient: "kijitora@example.co.jp", reply: /User unknown/ }],
  "x2.eml": [{ recipient: "kijitora@example.com", reply: /doesn't have a example\.com account/ }],
  "x3.eml": [
    {
      recipient: "kijitora@example.com",
      status: "5.3.0",
      replyCode: 553,
      reply: /SMTP:RCPT host 192\.0\.2\.8: 553 5\.3\.0/,
    },
  ],
  "x5.eml": [
    {
      recipient: "kijitora@example.org",
      status: "5.1.1",
      replyCode: 550,
      reply: /User Unknown/,
      reason: "userunknown",
    },
  ],
  "x6.eml": [
    {
      remoteMta: "mta2.example.jp",
      recipient: "kijitora@example.jp",
      status: "5.1.1",
      replyCode: 550,
      // The recipient's line alone: not the quoted Subject and Date before it.
      reply:
        /^SMTP Server <mta2\.example\.jp> rejected recipient <kijitora@example\.jp> .*\[550 5\.1\.1 User unknown\]$/,
      reason: "userunknown",
    },
  ],
  "zoho.eml": [
    { recipient: "kijitora@example.co.jp", replyCode: 421, reply: /Host not reachable/, reason: "expired" },
  ],
  "postfix.eml": [
    {
      recipient: "kijitora@example.org",
      status: "5.1.1",
      replyCode: 550,
      reply: /User Unknown/,
      reason: "userunknown",
    },
  ],
  "sendmail.eml": [
    {
      recipient: "kijitora@example.org",
      status: "5.2.2",
      replyCode: 552,
      reply: /Mailbox full/,
      reason: "mailboxfull",
    },
  ],
  "exim.eml": [{ recipient: "kijitora@example.ed.jp", reply: /^Unrouteable address$/ }],
  "gmail.eml": [{ recipient: "kijitora@example.jp", reply: /DNS Error: Domain name not found/ }],
  "aol.eml": [
    {
      recipient: "kijitora@example.org",
      status: "5.4.4",
      reply: /Malformed or unexpected name server reply/,
      reason: "notaccept",
      rule: /^dialect:aol$/,
    },
  ],
  "messagelabs.eml": [
    { recipient: "kijitora@example.org", replyCode: 550, reply: /No such user/, reason: "userunknown" },
  ],
  "office365.eml": [
    {
      recipient: "kijitora@example.org",
      status: "5.1.10",
      replyCode: 550,
      reply: /RESOLVER\.ADR\.RecipientNotFound/,
    },
  ],
  "gsuite.eml": [
    {
      recipient: "kijitora@example.org",
      replyCode: 550,
      reply: /550 #5\.1\.0 Address rejected/,
      reason: "userunknown",
    },
  ],
  "yandex.eml": [
    {
      recipient: "kijitora@example.jp",
      status: "5.1.1",
      replyCode: 550,
      reply: /User Unknown/,
      reason: "userunknown",
    },
  ],
  "facebook.eml": [
    {
      recipient: "kijitora@facebook.com",
      status: "5.1.1",
      replyCode: 550,
      reply: /RCP-P1/,
      reason: "userunknown",
    },
  ],
  "amazonses.eml": [
    {
      recipient: "bounce@simulator.amazonses.com",
      status: "5.1.1",
      replyCode: 550,
      reply: /user unknown/,
      reason: "userunknown",
    },
  ],
  "googlegroups.eml": [
    {
      recipient: "libsisimai@googlegroups.com",
      reply: /may not have permission to post/,
      reason: "rejected",
    },
  ],
  // The list that refused the post (sisimai go lhost/via-fml.go: the note's <…> address), not the poster.
  "fml.eml": [{ recipient: "neko@example.jp", reply: /^NOT MEMBER article from/, reason: "rejected" }],
  // The only address is inside the quoted reply.
  "unknown-mta-reply.eml": [
    {
      recipient: "bob@example.org",
      status: "5.1.1",
      replyCode: 550,
      reply: /said: 550 5\.1\.1 <bob@example\.org>/,
      reason: "userunknown",
    },
  ],
  // A bounce forwarded as a "> " quotation is read unquoted; a report written in two languages is one record.
  "forwarded-quoted.eml": [
    {
      recipient: "kijitora@example.com",
      status: "5.1.1",
      replyCode: 550,
      reply: /User unknown/,
      reason: "userunknown",
    },
  ],
  "bilingual.eml": [
    {
      recipient: "kijitora@example.jp",
      status: "5.2.2",
      replyCode: 550,
      reply: /Mailbox Full/,
      reason: "mailboxfull",
    },
  ],
  "rfc3834-apple-vacation.eml": [
    { recipient: "neko@example.org", reply: /I am away until March 10/, reason: "vacation" },
  ],
  // Recipients listed one per line, then one error for all of them.
  "unknown-mta-list.eml": [
    {
      recipient: "bob@example.org",
      status: "5.2.2",
      replyCode: 552,
      reply: /said: 552 5\.2\.2 mailbox over quota/,
      reason: "mailboxfull",
    },
    {
      recipient: "carol@example.org",
      status: "5.2.2",
      replyCode: 552,
      reply: /said: 552 5\.2\.2 mailbox over quota/,
      reason: "mailboxfull",
    },
  ],
  "unknown-mta-said.eml": [
    {
      recipient: "bob@example.org",
      status: "5.1.1",
      replyCode: 550,
      reply: /said: 550 5\.1\.1/,
      reason: "userunknown",
    },
  ],
};

test("every MTA family's report yields its recipients, status, reply and (where the family says) reason", () => {
  for (const [name, expected] of Object.entries(CASES)) {
    const { records, problems } = recordsFromEmail(readFileSync(join(DIR, name)), name);
    assert.deepEqual(problems, [], name);
    assert.equal(records.length, expected.length, `${name}: records`);
    expected.forEach((want, index) => {
      const got = records[index];
      assert.equal(got.recipient, want.recipient, `${name}: recipient`);
      if (want.status !== undefined) assert.equal(got.status, want.status, `${name}: status`);
      if (want.replyCode !== undefined) assert.equal(got.replyCode, want.replyCode, `${name}: reply code`);
      assert.match(got.diagnostic, want.reply, `${name}: reply`);
      if (want.reason) assert.equal(got.reason, want.reason, `${name}: reason`);
      if (want.rule) assert.match(got.rule.id, want.rule, `${name}: rule`);
      if (want.remoteMta) assert.equal(got.remoteMta, want.remoteMta, `${name}: remote MTA`);
    });
  }
});

test("a report from an unknown MTA that names no recipient is a problem naming the file, not silence", () => {
  const { records, problems } = recordsFromEmail(readFileSync(join(DIR, "unknown-mta-nothing.eml")), "x.eml");
  assert.deepEqual(records, []);
  assert.deepEqual(problems, [
    { source: { file: "x.eml", line: 1 }, message: "not a bounce report: no recipient found" },
  ]);
});

/** Sisimai's Go edition's MTA families (lhost INDEX), lower-cased: each has its own fixture here. */
const GO_FAMILIES = [
  "activehunter",
  "amazonses",
  "apachejames",
  "biglobe",
  "courier",
  "domino",
  "dragonfly",
  "ezweb",
  "einsundeins",
  "exchange2003",
  "exchange2007",
  "exim",
  "fml",
  "gmx",
  "googlegroups",
  "gmail",
  "googleworkspace",
  "imailserver",
  "interscanmss",
  "kddi",
  "mailfoundry",
  "mailmarshalsmtp",
  "messagingserver",
  "notes",
  "opensmtpd",
  "postfix",
  "sendmail",
  "v5sendmail",
  "verizon",
  "x1",
  "x2",
  "x3",
  "x6",
  "zoho",
  "mfilter",
  "qmail",
];
/** Families of its Perl edition that the Go edition folded into its RFC 3464 decoder, with no corpus message. */
const FOLDED_FAMILIES = ["aol", "facebook", "gsuite", "messagelabs", "office365", "x5", "yandex"];

test("every MTA family has a hand-written report among the cases", () => {
  for (const family of [...GO_FAMILIES, ...FOLDED_FAMILIES])
    assert.ok(`${family}.eml` in CASES, `${family}: no fixture`);
});

test("family wording: each family cites its Sisimai file, and no phrase is shadowed by an earlier one", () => {
  for (const family of MTA_FAMILIES) {
    assert.match(
      family.source,
      /sisimai (?:go lhost\/via-[a-z0-9]+\.go|lib\/Sisimai\/Lhost\/\w+\.pm)/,
      family.id,
    );
    assert.ok(family.marks.length > 0, `${family.id}: marks`);
    family.messages.forEach((message, index) => {
      const found = familyReason([family], `… ${message.phrase} …`);
      assert.ok(found, `${family.id}: ${message.phrase}`);
      const earlier = family.messages
        .slice(0, index)
        .find((e) => message.phrase.toLowerCase().includes(e.phrase.toLowerCase()));
      assert.ok(
        !earlier || earlier.reason === message.reason,
        `${family.id}: '${message.phrase}' is shadowed by '${earlier?.phrase}'`,
      );
      assert.equal(found.reason, earlier?.reason ?? message.reason);
    });
  }
});

test("Gmail's '(state N)' names the reason only when the reply's status does not (sisimai go lhost/via-gmail.go)", () => {
  const gmail = MTA_FAMILIES.filter((family) => family.id === "gmail");
  // Replies quoted in the Gmail help-forum threads Sisimai's state table cites.
  assert.equal(familyReason(gmail, "550 550 Unknown user *****@example.jp (state 18).")?.reason, "filtered");
  assert.equal(
    familyReason(gmail, "500 Remote server does not support TLS (state 6).")?.reason,
    "failedstarttls",
  );
  assert.equal(
    familyReason(gmail, "550 550 //5.1.0 Address rejected kijitora@example.jp (state 17).")?.reason,
    "filtered",
  );
  assert.equal(familyReason(gmail, "550 550 5.2.2 <kijitora@example.jp>... Mailbox Full (state 14)."), null);
  assert.equal(familyReason(gmail, "550 550 5.7.1 <kijitora@example.jp>... Access denied (state 13)."), null);
});

/** The families whose marks a message with these header lines (and this text) carries. */
function markedFamilies(headers: string, text = "Delivery failed."): string[] {
  const isMarked = familyMarker(scanEmail(`${headers}\nTo: sender@example.org\n\n${text}\n`));
  return MTA_FAMILIES.filter(isMarked).map((family) => family.id);
}

test("families are known by the signs Sisimai counts (sisimai go lhost/via-*.go detection)", () => {
  // Exim: any two of From, Message-Id, Subject; or an MXLogic clone's header.
  assert.ok(
    markedFamilies("Message-Id: <E1P1YNN-0003AD-Ga@example.org>\nSubject: Mail delivery failed").includes(
      "exim",
    ),
  );
  assert.ok(!markedFamilies("Subject: Mail delivery failed").includes("exim"));
  assert.ok(markedFamilies("X-MXL-Hash: 4a3b2c1d").includes("exim"));
  // Exchange 2007: any two of subject, sender, codes, heading, Content-Language; the sender alone is one.
  assert.ok(
    markedFamilies("Subject: Undeliverable: Nyaan", "Diagnostic information for administrators:").includes(
      "exchange2007",
    ),
  );
  assert.ok(!markedFamilies("From: postmaster@outlook.com").includes("exchange2007"));
  // EZweb: any two; its subject alone is one.
  assert.ok(!markedFamilies("Subject: Mail System Error - Returned Mail").includes("ezweb"));
  assert.ok(
    markedFamilies(
      "Subject: Mail System Error - Returned Mail\nMessage-Id: <20110000000000.F000000@lsean.ezweb.ne.jp>",
    ).includes("ezweb"),
  );
  // qmail by qmail-send's subject; OpenSMTPD by its relay; DragonFly by its agent; InterScan's Japanese title.
  assert.ok(markedFamilies("Subject: failure notice").includes("qmail"));
  assert.ok(
    markedFamilies("Received: from mx.example.org (OpenSMTPD) with ESMTPSA id 12345abc").includes(
      "opensmtpd",
    ),
  );
  assert.ok(
    markedFamilies(
      "Subject: Mail delivery failed\nReceived: from x id e070f by df.example.jp (DragonFly Mail Agent v0.13);",
    ).includes("dragonfly"),
  );
  assert.ok(markedFamilies("Subject: メッセージを配信できません。").includes("interscanmss"));
  // A header Sisimai only checks the presence of marks its family even with no value: Exchange 2003 writes
  // "X-MS-Embedded-Report:" empty (as in the corpus' lhost-exchange2003-02).
  assert.ok(markedFamilies("X-MS-Embedded-Report: ").includes("exchange2003"));
  assert.ok(markedFamilies("X-GMX-Antispam: ").includes("gmx"));
  assert.ok(!markedFamilies("X-MS-Embedded-Report-Not: 1").includes("exchange2003"));
  // Its "MSEXCH:<connector>:" line, as Exchange writes it; not the same words inside another MTA's line.
  const msexch = "MSEXCH:IMS:EXAMPLE:SITE:EXCH-01 0 (000C05A6) Unknown Recipient";
  assert.ok(
    markedFamilies("Subject: Undeliverable", `Unknown Recipient\n    ${msexch}`).includes("exchange2003"),
  );
  assert.ok(
    !markedFamilies(
      "Subject: Undelivered Mail Returned to Sender",
      `<a@example.org>: host mx.example.org[192.0.2.1] said: 550 ${msexch} (in reply to RCPT TO command)`,
    ).includes("exchange2003"),
  );
});

test("family wording wrapped or justified by the report (runs of spaces, line breaks) is still the family's", () => {
  const notes = MTA_FAMILIES.filter((family) => family.id === "notes");
  // sisimai go lhost/via-notes.go's message as a Notes report justifies it.
  assert.equal(
    familyReason(notes, "------- Failure Reasons  -------- User  not listed in public Name &\n Address Book")
      ?.reason,
    "userunknown",
  );
  const qmail = MTA_FAMILIES.filter((family) => family.id === "qmail");
  assert.equal(
    familyReason(qmail, "Sorry, I wasn't able to establish an SMTP\n   connection. (#4.4.1)")?.reason,
    "networkerror",
  );
});

/**
 * The plain reading familyReason must equal: every family in order, every message in order, by substring of
 * the text with its whitespace runs made single spaces.
 */
function familyReasonByScan(families: readonly (typeof MTA_FAMILIES)[number][], diagnostic: string) {
  const spaced = diagnostic.replace(/\s+/g, " ");
  const status = /\b[45]\.\d{1,3}\.\d{1,3}\b/.exec(diagnostic)?.[0];
  const specific = status !== undefined && !status.includes(".0");
  for (const family of families) {
    for (const message of family.messages) {
      if (!spaced.includes(message.phrase)) continue;
      if (message.vagueStatusOnly && specific) continue;
      return { family, reason: message.reason };
    }
  }
  return null;
}

test("family wording found in one scan equals a substring look-up of every phrase, overlaps and case included", () => {
  const phrases = MTA_FAMILIES.flatMap((family) => family.messages.map((message) => message.phrase));
  // Deterministic pseudo-random picks: overlapping, adjacent, upper-cased phrases, and vague-status replies.
  let seed = 12345;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const texts: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const picked = Array.from({ length: 1 + next(3) }, () => phrases[next(phrases.length)]);
    const glue = [" ", "", "; ", " 550 5.2.2 ", " 5.0.0 "][next(5)];
    let text = picked.join(glue);
    if (next(4) === 0) text = text.toUpperCase();
    if (next(3) === 0) text = text.slice(next(Math.max(1, text.length >> 2)));
    texts.push(text);
  }
  for (const text of texts) {
    const subsets = [MTA_FAMILIES, MTA_FAMILIES.filter((_, index) => index % 2 === 0)];
    for (const families of subsets) {
      const expected = familyReasonByScan(families, text);
      const found = familyReason(families, text);
      assert.deepEqual(
        found && { id: found.family.id, reason: found.reason },
        expected && { id: expected.family.id, reason: expected.reason },
        text,
      );
      const byPredicate = familyReason((family) => families.includes(family), text);
      assert.equal(byPredicate?.family.id, expected?.family.id, text);
    }
  }
});

test("family wording is matched as written, as Sisimai's ContainsAny does (qmail's 'Unable to' is not anyone's 'unable to')", () => {
  const qmail = MTA_FAMILIES.filter((family) => family.id === "qmail");
  const interscan = MTA_FAMILIES.filter((family) => family.id === "interscanmss");
  assert.equal(
    familyReason(qmail, "Unable to deliver message after multiple retries")?.reason,
    "systemerror",
  );
  assert.equal(familyReason(qmail, "550 unable to find recipient mailbox"), null);
  assert.equal(familyReason(interscan, "Unable to deliver message to <a@example.jp>")?.reason, "userunknown");
  assert.equal(familyReason(interscan, "550 unable to deliver message to <a@example.jp>"), null);
  // A "Failure Notice" report (qmail's subject, Yahoo's layout) whose reply says so in lower case.
  const fixture = readFileSync(join(DIR, "qmail-clone.eml"), "utf8").replace(
    "Unable to deliver message after multiple retries, giving up.",
    "Remote host said: 550 unable to find recipient mailbox",
  );
  const [record] = recordsFromEmail(Buffer.from(fixture), "qmail-clone.eml").records;
  assert.notEqual(record?.rule.id, "dialect:qmail");
  assert.notEqual(record?.reason, "systemerror");
});

test("Exim: an error after EHLO/HELO is the client refused, whatever the reply says (sisimai go lhost/via-exim.go)", () => {
  const exim = (said: string) =>
    readFileSync(join(DIR, "exim.eml"), "utf8").replace(
      "    Unrouteable address",
      `    host mx.example.ed.jp [192.0.2.25]\n    SMTP error from remote mail server after ${said}`,
    );
  const reading = (said: string) => recordsFromEmail(Buffer.from(exim(said)), "exim.eml").records[0];
  const helo = reading("EHLO mx.example.jp: 550 5.7.1 Sender address rejected: access denied");
  assert.deepEqual(
    [helo?.reason, helo?.rule.id, helo?.suppressRecipient],
    ["blocked", "dialect:exim", false],
  );
  // After RCPT the words decide as usual.
  const rcpt = reading("RCPT TO:<kijitora@example.ed.jp>: 550 5.1.1 <kijitora@example.ed.jp>: User unknown");
  assert.equal(rcpt?.reason, "userunknown");
  // Not an Exim report (its marks are gone): the family's rule does not apply.
  const other = recordsFromEmail(
    Buffer.from(
      exim("EHLO mx.example.jp: 550 5.7.1 Sender address rejected: access denied")
        .replace("Mail Delivery System", "Postmaster")
        .replace("Message-Id: <E1P1YNN-0003AD-Ga@mx.example.jp>", "Message-Id: <1@mx.example.jp>"),
    ),
    "x.eml",
  ).records[0];
  assert.notEqual(other?.rule.id, "dialect:exim");
});
