import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { classifyReply } from "../../src/bounce/classify.ts";
import { classifyEvent } from "../../src/bounce/classify-event.ts";
import { BOUNCE_CATEGORIES } from "../../src/bounce/dialects/bounce-categories.ts";
import { NO_DELAY_WARNINGS } from "../../src/bounce/dialects/no-delay-warnings.ts";
import { ONE_REFUSAL_FOR_ALL } from "../../src/bounce/dialects/one-refusal-for-all.ts";
import { preferStatus, readEmail, recordsFromEmail, splitMbox } from "../../src/bounce/email/index.ts";
import { remoteHostIn } from "../../src/bounce/email/remote-host.ts";
import { REPLY_CODE_IN_TEXT, STATUS_IN_TEXT } from "../../src/bounce/email/text.ts";
import { wholeTranscriptReply } from "../../src/bounce/email/transcript.ts";
import type { BounceRecord } from "../../src/bounce/record.ts";
import { smtpCommandIn } from "../../src/bounce/smtp-command.ts";
import type { DeliveryEvent } from "../../src/events/event.ts";
import { classifyEmailBuffer } from "../../src/pipeline/classify-email.ts";
import { emailItems } from "../../src/pipeline/email-events.ts";
import { dsnEmail as dsn, EXIM_NOTICE_HEAD } from "../../testkit/bounce-dsn.ts";

/** The general mechanisms that read bounces the way their MTA writes them (synthetic messages, 192.0.2.x). */

const records = (text: string): BounceRecord[] => recordsFromEmail(Buffer.from(text), "test.eml").records;

/** A plain-text (non-RFC 3464) report. */
function plain(subject: string, body: string): string {
  return `From: MAILER-DAEMON@mx.example.org\nTo: sender@example.org\nSubject: ${subject}\n\n${body}\n`;
}

/** Postfix's own "Undelivered Mail Returned to Sender" without DSN fields, its one recipient line as given. */
function postfixLocalReport(recipientLine: string): string {
  return plain(
    "Undelivered Mail Returned to Sender",
    [
      "This is the mail system at host mx.example.net.",
      "",
      "                   The mail system",
      "",
      recipientLine,
    ].join("\n"),
  );
}

/** The store's reading of an event the email reader made (classifyEvent on its reply, code, status, host, hint). */
const storedVerdict = (event: DeliveryEvent) =>
  classifyEvent({
    type: event.type,
    reply: event.reply ?? null,
    replyCode: event.replyCode ?? null,
    status: event.status ?? null,
    remoteMta: event.remoteMta ?? null,
    recipient: event.recipient ?? null,
    hint: event.reasonHint ?? null,
  });

/** A plain-text report (a Sendmail transcript) of these lines, read. */
const reportRecords = (subject: string, lines: readonly string[]): BounceRecord[] =>
  records(plain(subject, lines.join("\n")));

/** Sendmail's failure report with no DSN fields: its list of failed addresses, then its transcript (savemail.c). */
const sendmailReport = (listed: readonly string[], transcript: readonly string[]): BounceRecord[] =>
  reportRecords("Returned mail: see transcript for details", [
    "   ----- The following addresses had permanent fatal errors -----",
    ...listed,
    "",
    "   ----- Transcript of session follows -----",
    ...transcript,
  ]);

/** Sendmail's two lists (savemail.c): a failed recipient, then one still queued (review R151's report). */
const MIXED_LISTS = [
  "   ----- The following addresses had permanent fatal errors -----",
  "<gone@old.example>",
  "    (reason: 550 5.1.1 <gone@old.example>... User unknown)",
  "",
  "   ----- The following addresses had transient non-fatal errors -----",
  "<slow@far.example>",
];

/** The transcript under MIXED_LISTS: the failed recipient's exchange, then the queued one's own "Deferred" line. */
const MIXED_TRANSCRIPT = [
  "   ----- Transcript of session follows -----",
  "... while talking to mx.old.example.:",
  ">>> RCPT To:<gone@old.example>",
  "<<< 550 5.1.1 <gone@old.example>... User unknown",
  "550 5.1.1 <gone@old.example>... User unknown",
  "<slow@far.example>... Deferred: Connection timed out with mx.far.example.",
];

/** Each record of an email as its recipient, its report's action for it, then the fields `more` reads. */
function recipientActions(
  text: string,
  name: string,
  more: (record: BounceRecord) => unknown[],
): unknown[][] {
  const { records, actions } = readEmail(Buffer.from(text), name);
  return records.map((record, index) => [record.recipient, actions[index], ...more(record)]);
}

describe("Sendmail transcripts", () => {
  it("each recipient of a plain-text report keeps its own dialogue of the transcript, not only the last listed (sisimai go lhost/via-v5sendmail.go)", () => {
    const report = records(
      plain(
        "Returned mail: see transcript for details",
        [
          "   ----- The following addresses had permanent fatal errors -----",
          "<a@example.jp>",
          "    (reason: 550 address does not exist)",
          "<b@example.jp>",
          "    (reason: 552 5.2.2 Mailbox Full)",
          "",
          "   ----- Transcript of session follows -----",
          "... while talking to mx.example.jp.:",
          ">>> RCPT To:<a@example.jp>",
          "<<< 550 address does not exist",
          "550 5.1.1 <a@example.jp>... User unknown",
          ">>> RCPT To:<b@example.jp>",
          "<<< 552 5.2.2 Mailbox Full",
          "",
        ].join("\n"),
      ),
    );
    // a@'s 5.1.1 is only Sendmail's stock status for any 550 (see below): the remote reply named none.
    assert.deepEqual(
      report.map((record) => [record.recipient, record.reason, record.status]),
      [
        ["a@example.jp", "userunknown", null],
        ["b@example.jp", "mailboxfull", "5.2.2"],
      ],
    );
  });
  it("Sendmail's own 'User unknown' line after the remote host's reply is its stock wording of the reply code, not the error (set-of-emails lhost-sendmail-22, -33: '551 not our customer', '550 5.7.1 IP address blacklisted' both echoed so)", () => {
    const transcript = (reply: string, echo: string) =>
      records(
        plain(
          "Returned mail: see transcript for details",
          [
            "   ----- The following addresses had permanent fatal errors -----",
            "<a@example.jp>",
            `    (reason: ${reply})`,
            "",
            "   ----- Transcript of session follows -----",
            "... while talking to mx.example.jp.:",
            ">>> RCPT To:<a@example.jp>",
            `<<< ${reply}`,
            echo,
            ">>> DATA",
            "<<< 503 Error: need RCPT command",
            "",
          ].join("\n"),
        ),
      )[0];
    // Sendmail echoes the address as the envelope gave it: in angle brackets or bare (review R136).
    for (const echo of [
      "550 5.1.1 <a@example.jp>... User unknown",
      "550 <a@example.jp>... User unknown",
      "550 5.1.1 a@example.jp... User unknown",
      "550 a@example.jp... User unknown",
    ]) {
      const record = transcript("550 5.7.1 IP address blacklisted by recipient", echo);
      assert.equal(record.reason, "blocked", echo);
      assert.equal(record.status, "5.7.1", echo);
      assert.doesNotMatch(record.diagnostic, /User unknown/, echo);
    }
    // Without a remote reply before it, the line is the only error there is.
    const [own] = records(
      plain(
        "Returned mail: see transcript for details",
        ["   ----- Transcript of session follows -----", "550 5.1.1 <a@example.jp>... User unknown", ""].join(
          "\n",
        ),
      ),
    );
    assert.equal(own.reason, "userunknown");
  });
  it("a recipient's 'Remote protocol error' takes the '<<<' reply of its host's dialogue as the cause", () => {
    const [record] = records(
      plain(
        "Returned mail: Remote protocol error",
        [
          "   ----- Transcript of session follows -----",
          "While talking to mx.example.net:",
          ">>> MAIL From:<sender@example.org>",
          "<<< 550 Relaying denied",
          "554 <someone@example.net>... Remote protocol error",
          "421 other.example.com (smtp)... Deferred: Connection timed out during user open with other.example.com",
        ].join("\n"),
      ),
    );
    assert.equal(record.recipient, "someone@example.net");
    assert.equal(record.reason, "norelaying");
    assert.doesNotMatch(
      record.diagnostic,
      /timed out/,
      "another host's status is not this recipient's error",
    );
  });

  it("Sendmail V5: the host's status line between a reply and the recipient it refused keeps the reply, read with the recipient's own line (sisimai go lhost/via-v5sendmail.go; set-of-emails lhost-v5sendmail-05's layout; every verdict = Sisimai Perl's)", () => {
    const report = (reply: string, own: string) =>
      reportRecords("Returned mail: User unknown", [
        "   ----- Transcript of session follows -----",
        "While talking to example.edu:",
        ">>> DATA",
        `<<< ${reply}`,
        "421 example.edu (smtp)... Deferred: Connection reset by peer during result wait with example.edu",
        `554 <a@example.edu>... ${own}`,
        "550 example.org (smtp)... 550 Host unknown",
        "554 <b@example.org>... 550 Host unknown (Authoritative answer from name server)",
        "",
      ]);
    const reset = "Remote protocol error: Connection reset by peer during result wait with example.edu";
    const [full, host] = report("552 5.2.2 Mailbox full", reset);
    assert.equal(full.recipient, "a@example.edu");
    assert.match(full.diagnostic, /^>>> DATA 552 5\.2\.2 Mailbox full 554 <a@/);
    assert.equal(full.reason, "mailboxfull");
    assert.equal(host.reason, "hostunknown");
    assert.doesNotMatch(host.diagnostic, /Mailbox/);
    assert.equal(report("550 5.7.1 Relaying denied", reset)[0].reason, "norelaying");
    // A reply that names no failure leaves the recipient's own words to decide.
    assert.equal(report("550 Your E-Mail is redundant.", reset)[0].reason, "blocked");
    // After DATA, Sendmail's "User unknown" read with the reply is Sisimai's filtered (go reason/why-filtered.go).
    assert.equal(
      report("550 5.7.1 IP address blacklisted by recipient", "User unknown")[0].reason,
      "filtered",
    );
    // The command the reply answered goes with it (Sisimai's reader keeps ">>> DATA" as the recipient's command;
    // Sisimai Perl: smtpcommand DATA): an unknown user after DATA is a filter's refusal of an accepted address,
    // not one to suppress (with no phase shown the words would stay the evidence about it).
    const [data] = report("550 User unknown", reset);
    assert.equal(data.reason, "filtered");
    assert.equal(data.suppressRecipient, false);
  });

  it("a '<<<' reply is the cause of the one recipient line after it, never of a later host's recipient (review R86: no false suppression)", () => {
    const file = new URL("../fixtures/bounce-email/sendmail-v5-reply-leak.eml", import.meta.url);
    const byRecipient = new Map(
      recordsFromEmail(readFileSync(file), "sendmail-v5-reply-leak.eml").records.map((record) => [
        record.recipient,
        record,
      ]),
    );
    const edu = byRecipient.get("kijitora@example.edu");
    assert.match(
      edu?.diagnostic ?? "",
      /^>>> DATA 550 5\.1\.1 Mailbox does not exist 554 <kijitora@example\.edu>/,
    );
    const other = byRecipient.get("kuroneko@example.or.jp");
    assert.equal(other?.reason, "blocked");
    assert.equal(other?.suppressRecipient, false);
    assert.doesNotMatch(other?.diagnostic ?? "", /Mailbox does not exist/);
  });

  it("docomo's 'Unknown user' in a report that shows no phase keeps the address (review R113: no false suppression)", () => {
    const file = new URL("../fixtures/bounce-email/opensmtpd-docomo-no-phase.eml", import.meta.url);
    const raw = readFileSync(file, "latin1");
    const read = (text: string) => recordsFromEmail(Buffer.from(text, "latin1"), "opensmtpd.eml").records[0];
    // docomo says it at RCPT (no such subscriber) and after DATA (the subscriber's filter): no phase, no verdict
    // on the address; Sisimai's label for it, filtered.
    const docomo = read(raw);
    assert.equal(docomo.recipient, "d-unkd@docomo.ne.jp");
    assert.deepEqual([docomo.reason, docomo.suppressRecipient], ["filtered", false]);
    // The same words from any other server are still the only evidence about the address (suppressed).
    const other = read(raw.replaceAll("docomo.ne.jp", "example.net"));
    assert.deepEqual([other.reason, other.suppressRecipient], ["filtered", true]);
  });

  it("a Status the reporting MTA read off a bare reply code never decides alone (review R107: no false suppression)", () => {
    const file = new URL("../fixtures/bounce-email/sendmail-mapped-status.eml", import.meta.url);
    const raw = readFileSync(file, "latin1");
    const read = (text: string) => recordsFromEmail(Buffer.from(text, "latin1"), "sendmail.eml").records;
    // Sendmail's "5.1.1 … User unknown" and Status 5.1.3 for a policy refusal: no rule reads the reply, so no verdict.
    const [policy] = read(raw);
    assert.equal(policy.recipient, "mc-tls@exim.test");
    assert.equal(policy.reason, "undefined");
    assert.equal(policy.suppressRecipient, false);
    // The status the verdict read (none): the store classifies the record's reply and status again.
    assert.equal(policy.status, null);
    const withReply = (reply: string) =>
      read(raw.replaceAll("550 Rejected by policy engine (ref 42)", reply))[0];
    // The reply's own words decide: an unknown user is one, whatever status Sendmail wrote.
    const unknown = withReply("550 Unknown user");
    assert.equal(unknown.reason, "userunknown");
    assert.equal(unknown.suppressRecipient, true);
    assert.equal(withReply("553 This route requires encryption (TLS)").reason, "failedstarttls");
    // Sendmail's 5.1.1 put in place of the reply's own 5.0.350: the reply's status is read, not Sendmail's.
    const replaced = read(
      raw
        .replace("Status: 5.1.3", "Status: 5.1.1")
        .replaceAll(
          "550 Rejected by policy engine (ref 42)",
          "550 5.0.350 Rejected by policy engine (ref 42)",
        ),
    )[0];
    assert.deepEqual(
      [replaced.status, replaced.reason, replaced.suppressRecipient],
      ["5.0.350", "undefined", false],
    );
    // A status the reply carries is the server's own: it decides as before.
    const carried = withReply("550 5.1.3 Rejected by policy engine (ref 42)");
    assert.equal(carried.status, "5.1.3");
    assert.equal(carried.rule.id, "status:5.1.3");
    // Another class than the reply code's is the MTA's own word (Sendmail's 4.4.7 of an expiry), kept.
    const expired = read(
      raw.replace("Status: 5.1.3", "Status: 4.4.7").replace("Action: failed", "Action: delayed"),
    )[0];
    assert.equal(expired.status, "4.4.7");
  });

  it("a reply right after 'while talking to' with no '>>>' command is the greeting: the client is blocked", () => {
    const human = [
      "   ----- The following addresses had permanent fatal errors -----",
      "<someone@example.net>",
      "    (reason: 554 IP=192.0.2.9 - A problem occurred. (Ask your postmaster for help.))",
      "",
      "   ----- Transcript of session follows -----",
      "... while talking to mx.example.net.:",
      "<<< 554 IP=192.0.2.9 - A problem occurred. (Ask your postmaster for help.)",
      "554 5.0.0 Service unavailable",
    ].join("\n");
    const fields = [
      "Final-Recipient: RFC822; someone@example.net",
      "Action: failed",
      "Status: 5.5.0",
      "Diagnostic-Code: SMTP; 554 IP=192.0.2.9 - A problem occurred. (Ask your postmaster for help.)",
    ].join("\n");
    const [greeting] = records(dsn(human, fields));
    assert.equal(greeting.reason, "blocked");
    // Sendmail's 5.5.0 for the bare 554 does not decide (R107), the greeting does; with it beside the reply the
    // verdict is the same, so the record keeps the status the report wrote (the store reads it alike).
    assert.equal(greeting.status, "5.5.0");
  });

  it("a local delivery agent's own 'unknown user' is believed (not read as a recipient-side filter)", () => {
    const human = [
      "   ----- The following addresses had permanent fatal errors -----",
      "<someone@example.net>",
      "",
      "   ----- Transcript of session follows -----",
      "mail.local: unknown user: someone",
      "554 <someone@example.net>... Service unavailable",
    ].join("\n");
    const fields = "Final-Recipient: RFC822; <someone@example.net>\nAction: failed\nStatus: 5.5.0";
    assert.equal(records(dsn(human, fields))[0].reason, "userunknown");
  });

  it("Postfix's local(8) 'unknown user: \"name\"' is its own lookup, believed in a report without DSN fields", () => {
    const report = postfixLocalReport('<someone@example.net>: unknown user: "someone"');
    assert.equal(records(report)[0].reason, "userunknown");
    // The same words from a remote server in no named phase stay Sisimai's filtered.
    const remote = plain(
      "Undelivered Mail Returned to Sender",
      "<someone@example.net>: unknown user someone",
    );
    assert.equal(records(remote)[0].reason, "filtered");
  });

  it("a report with no DSN fields gives each listed recipient its whole reply from the transcript, as the DSN path does, and no transcript line makes a recipient the list does not name (review's Sendmail 8.17 multi-recipient reports, DSN part removed)", () => {
    const report = sendmailReport(
      [
        "a@example.jp",
        "    (reason: 550-5.1.1 <a@example.jp>: Recipient address rejected:)",
        "b@example.jp",
        "    (reason: 550-5.7.26 This mail has been blocked because the sender is)",
      ],
      [
        "... while talking to mx.example.jp.:",
        ">>> DATA",
        "<<< 550-5.7.26 This mail has been blocked because the sender is",
        "<<< 550 5.7.26 unauthenticated. DKIM = did not pass.",
        "550 5.1.1 b@example.jp... User unknown",
        "<<< 550-5.1.1 <a@example.jp>: Recipient address rejected:",
        "<<< 550 5.1.1 User unknown in virtual mailbox table",
        "550 5.1.1 a@example.jp... User unknown",
        "<<< 421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred",
        "c@example.jp... Deferred: 421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred",
      ],
    );
    assert.deepEqual(
      report.map((record) => [record.recipient, record.reason, record.status]),
      [
        ["a@example.jp", "userunknown", "5.1.1"],
        ["b@example.jp", "authfailure", "5.7.26"],
      ],
    );
    assert.match(report[0].diagnostic, /User unknown in virtual mailbox table\)$/);
    assert.doesNotMatch(report[1].diagnostic, /TSS04/);
  });

  it("each listed recipient reads its reply and its host from its own part of the transcript, not another host's (review R136: Sendmail 8.17 with SendMimeErrors=False)", () => {
    const [unknown, spf] = sendmailReport(
      [
        "y-nf@example.jp",
        "    (reason: 552 1 Requested mail action aborted, mailbox not found)",
        "t-spf@example.com",
        "    (reason: 550 SPF check failed. https://service.mail.qq.com/detail/122/72)",
      ],
      [
        "... while talking to mx-biz.mail.am0.yahoodns.net.:",
        ">>> DATA",
        "<<< 552 1 Requested mail action aborted, mailbox not found",
        "554 5.0.0 Service unavailable",
        "... while talking to mx3.qq.com.:",
        ">>> DATA",
        "<<< 550 SPF check failed. https://service.mail.qq.com/detail/122/72",
        "550 5.1.1 t-spf@example.com... User unknown",
      ],
    );
    assert.deepEqual(
      [unknown, spf].map((record) => [
        record.recipient,
        record.remoteMta,
        record.reason,
        record.suppressRecipient,
      ]),
      [
        ["y-nf@example.jp", "mx-biz.mail.am0.yahoodns.net", "userunknown", true],
        ["t-spf@example.com", "mx3.qq.com", "authfailure", false],
      ],
    );
    // One failed recipient, another only deferred at the host before: its reply and host are its own part's.
    const [alone, ...others] = sendmailReport(
      ["t-spf@example.com", "    (reason: 550 SPF check failed. https://service.mail.qq.com/detail/122/72)"],
      [
        "... while talking to mx-biz.mail.am0.yahoodns.net.:",
        ">>> DATA",
        "<<< 421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to",
        "y-tss04@example.jp... Deferred: 421 4.7.0 [TSS04] Messages from 192.0.2.25 temporarily deferred due to",
        "... while talking to mx3.qq.com.:",
        ">>> DATA",
        "<<< 550 SPF check failed. https://service.mail.qq.com/detail/122/72",
        "550 5.1.1 t-spf@example.com... User unknown",
      ],
    );
    assert.deepEqual(others, []);
    assert.deepEqual([alone.remoteMta, alone.reason, alone.provider], ["mx3.qq.com", "authfailure", "other"]);
  });

  it("a transcript line of Sendmail's about another address is not the recipient's error (review R136: a Postmaster notify, the return to the refused sender failed too)", () => {
    const [record] = sendmailReport(
      ["known@example.jp", "    (reason: 550 Administrative prohibition)"],
      [
        "... while talking to mx.example.jp.:",
        ">>> MAIL From:<spammer@example.org> SIZE=109",
        "<<< 550 Administrative prohibition",
        "554 5.0.0 Service unavailable",
        "550 5.1.1 spammer@example.org... User unknown",
      ],
    );
    assert.deepEqual(
      [record.recipient, record.reason, record.suppressRecipient],
      ["known@example.jp", "rejected", false],
    );
    assert.doesNotMatch(record.diagnostic, /User unknown/);
  });

  it("Sendmail's 'a@b... User unknown' right after a recipient's reply says the reply refused its RCPT TO, though the pipelined transcript shows '>>> DATA' (Sendmail 8.17's multi-recipient reports, DSN part removed)", () => {
    const listed = [
      "mc-inv@example.jp",
      "    (reason: 550 Invalid Recipient)",
      "d-unkr@docomo.ne.jp",
      "    (reason: 550 Unknown user d-unkr@docomo.ne.jp)",
      "y-gone@example.jp",
      "    (reason: 550 No such user)",
    ];
    const transcript = [
      "... while talking to [127.0.0.1]:",
      ">>> DATA",
      "<<< 550 Invalid Recipient",
      "550 5.1.1 mc-inv@example.jp... User unknown",
      "<<< 550 Unknown user d-unkr@docomo.ne.jp",
      "550 5.1.1 d-unkr@docomo.ne.jp... User unknown",
      "<<< 550 No such user",
      "554 5.0.0 Service unavailable",
    ];
    assert.deepEqual(
      sendmailReport(listed, transcript).map((record) => [record.recipient, record.reason]),
      [
        ["mc-inv@example.jp", "userunknown"],
        ["d-unkr@docomo.ne.jp", "userunknown"],
        // "Service unavailable" names no phase: Sisimai's filtered for unknown-user words in none.
        ["y-gone@example.jp", "filtered"],
      ],
    );
    // The line names another address: no verdict on this recipient's phase.
    const other = sendmailReport(
      [
        "a@example.jp",
        "    (reason: 550 Invalid Recipient)",
        "b@example.jp",
        "    (reason: 552 Mailbox full)",
      ],
      [
        "... while talking to [127.0.0.1]:",
        ">>> DATA",
        "<<< 550 Invalid Recipient",
        "550 5.1.1 someone@example.jp... User unknown",
        "<<< 552 Mailbox full",
      ],
    );
    assert.equal(other[0].reason, "filtered");
  });

  it("two recipients refused with the same reply in one pipelined part each read the echo that follows their own reply, not the first's", () => {
    const listed = [
      "a@example.jp",
      "    (reason: 550 Invalid Recipient)",
      "b@example.jp",
      "    (reason: 550 Invalid Recipient)",
    ];
    const transcript = [
      "... while talking to [127.0.0.1]:",
      ">>> DATA",
      "<<< 550 Invalid Recipient",
      "550 5.1.1 a@example.jp... User unknown",
      "<<< 550 Invalid Recipient",
      "550 5.1.1 b@example.jp... User unknown",
      "<<< 554 5.5.1 Error: no valid recipients",
    ];
    const read = (order: readonly string[]) =>
      sendmailReport(order, transcript).map((record) => [record.recipient, record.reason]);
    assert.deepEqual(read(listed), [
      ["a@example.jp", "userunknown"],
      ["b@example.jp", "userunknown"],
    ]);
    // The second reply is b's whichever is listed first.
    assert.deepEqual(read([...listed.slice(2), ...listed.slice(0, 2)]), [
      ["b@example.jp", "userunknown"],
      ["a@example.jp", "userunknown"],
    ]);
  });

  it("Postfix's bare 'user unknown' for a recipient is a program's exit 67 (sys_exits.c: EX_NOUSER, 5.1.1), read without the DSN fields as with them", () => {
    const report = postfixLocalReport("<someone@example.net>: user unknown");
    const [record] = records(report);
    assert.deepEqual([record.reason, record.status], ["userunknown", "5.1.1"]);
  });

  it("a Sendmail DSN recipient without Diagnostic-Code reads its own '(reason: …)' line alone, not the notice's opening glued to it (review R146)", () => {
    const [record] = records(
      dsn(
        [
          "The original message was received at Wed, 25 Nov 2026 10:02:03 GMT",
          "from app1.example.org [10.0.0.7]",
          "",
          "   ----- The following addresses had permanent fatal errors -----",
          "<b.two@two.example>",
          "    (reason: Connection timed out)",
        ].join("\n"),
        ["Final-Recipient: RFC822; b.two@two.example", "Action: failed", "Status: 4.4.7"].join("\n"),
      ),
    );
    assert.deepEqual([record.diagnostic, record.reason], ["(reason: Connection timed out)", "expired"]);
  });

  it("a Sendmail DSN recipient still queued, without Diagnostic-Code, reads its own '<a@b>... Deferred: …' line, not another host's part and the notice's opening (review R151)", () => {
    const [, queued] = records(
      dsn(
        [
          "The original message was received at Mon, 7 Dec 2026 09:58:41 GMT",
          "from app1.example.org [10.0.0.7]",
          "",
          ...MIXED_LISTS,
          "",
          ...MIXED_TRANSCRIPT,
        ].join("\n"),
        [
          [
            "Final-Recipient: RFC822; gone@old.example",
            "Action: failed",
            "Status: 5.1.1",
            "Diagnostic-Code: SMTP; 550 5.1.1 <gone@old.example>... User unknown",
          ].join("\n"),
          ["Final-Recipient: RFC822; slow@far.example", "Action: delayed", "Status: 4.4.1"].join("\n"),
        ].join("\n\n"),
      ),
    );
    assert.equal(queued.recipient, "slow@far.example");
    assert.equal(
      queued.diagnostic,
      "<slow@far.example>... Deferred: Connection timed out with mx.far.example.",
    );
  });

  it("a Sendmail report of both lists with no DSN fields: each recipient's action is its own list's, the queued one reads its own '... Deferred' line, and ingest stores a bounce and a deferral (review R151)", () => {
    const text = plain(
      "Returned mail: see transcript for details",
      [...MIXED_LISTS, "", ...MIXED_TRANSCRIPT, "Warning: message still undelivered after 4 hours"].join(
        "\n",
      ),
    );
    const { records: read, actions } = readEmail(Buffer.from(text), "mixed.eml");
    assert.deepEqual(
      read.map((record, index) => [
        record.recipient,
        actions[index],
        record.reason,
        record.suppressRecipient,
      ]),
      [
        ["gone@old.example", "failed", "userunknown", true],
        ["slow@far.example", "delayed", "expired", false],
      ],
    );
    assert.match(read[1].diagnostic, /^<slow@far\.example>\.\.\. Deferred: Connection timed out/);
    const stored = emailItems(Buffer.from(text), "mixed.eml", null) as DeliveryEvent[];
    assert.deepEqual(
      stored.map((event) => [event.recipient, event.type]),
      [
        ["gone@old.example", "bounced"],
        ["slow@far.example", "deferred"],
      ],
    );
  });

  it("a success notice without DSN fields is no failure: Sendmail's list of successful deliveries, Postfix's success template (its recipients are delivered, and ingest stores them so)", () => {
    const sendmail = plain(
      "Return receipt",
      [
        "The original message was received at Sun, 6 Dec 2026 11:01:52 GMT",
        "",
        "   ----- The following addresses had successful delivery notifications -----",
        "<okuser@example.org>  (successfully delivered to mailbox)",
      ].join("\n"),
    );
    const postfix = plain(
      "Successful Mail Delivery Report",
      [
        "This is the mail system at host mx.example.org.",
        "",
        "Your message was successfully delivered to the destination(s)",
        "listed below. If the message was delivered to mailbox you will",
        "receive no further notifications. Otherwise you may still receive",
        "notifications of mail delivery errors from other systems.",
        "",
        "                   The mail system",
        "",
        "<okuser@example.org>: delivery via local: alias expanded",
      ].join("\n"),
    );
    for (const text of [sendmail, postfix]) {
      const { records: read, actions } = readEmail(Buffer.from(text), "success.eml");
      assert.deepEqual(
        read.map((record, index) => [record.recipient, actions[index], record.reason]),
        [["okuser@example.org", "delivered", "delivered"]],
      );
      const stored = emailItems(Buffer.from(text), "success.eml", null) as DeliveryEvent[];
      assert.deepEqual(
        stored.map((event) => event.type),
        ["delivered"],
      );
    }
  });

  it("Courier's notice of a message relayed to a gateway that gives no receipts, without DSN fields, is no failure: relayed, stored delivered (test/fixtures/mta-made c15-success's wording)", () => {
    const courier = plain(
      "NOTICE: mail delivery status.",
      [
        "This is a delivery status notification from mta.example.org,",
        "running the Courier mail server, version 1.0.16.",
        "",
        "---------------------------------------------------------------------------",
        "",
        "                   MESSAGE DELIVERED TO A MAIL GATEWAY",
        "",
        "You requested a delivery acknowledgement (a return receipt) for the",
        "following recipients of your E-mail message.  Unfortunately, your message",
        "has been transferred to an intermediate mail gateway that is not capable",
        "of generating delivery acknowledgements.",
        "",
        "<known@example.net>:",
        "     mx.example.net [192.0.2.25]:",
        " >>> DATA",
        " <<< 250 OK id=1xaABI-0004CL-31",
      ].join("\n"),
    );
    assert.deepEqual(
      recipientActions(courier, "relayed.eml", (record) => [record.reason, record.suppressRecipient]),
      [["known@example.net", "relayed", "delivered", false]],
    );
    const stored = emailItems(Buffer.from(courier), "relayed.eml", null) as DeliveryEvent[];
    assert.deepEqual(
      stored.map((event) => event.type),
      ["delivered"],
    );
  });

  it("a reply that says 'while talking to' mid-line opens no host part: the recipient still reads the part where it was refused (the marker counts only at a line's start)", () => {
    const [record] = sendmailReport(
      ["<bob@b.example>", "    (reason: 550 5.1.1 <bob@b.example>... User unknown)"],
      [
        "... while talking to mx1.b.example.:",
        ">>> RCPT To:<bob@b.example>",
        "<<< 451 4.3.0 Temporary failure while talking to backend store",
        "... while talking to mx2.b.example.:",
        ">>> RCPT To:<bob@b.example>",
        "<<< 550 5.1.1 <bob@b.example>... User unknown",
        "550 5.1.1 <bob@b.example>... User unknown",
      ],
    );
    assert.equal(record.remoteMta, "mx2.b.example");
    assert.match(record.diagnostic, /while talking to mx2\.b\.example\.: >>> RCPT To:<bob@b\.example>/);
    assert.doesNotMatch(record.diagnostic, /backend store/);
  });

  it("Sendmail's next list of addresses ends the recipient before it: its header is no part of that one's error", () => {
    const [gone] = reportRecords("Returned mail: see transcript for details", [...MIXED_LISTS]);
    assert.equal(gone.recipient, "gone@old.example");
    assert.doesNotMatch(gone.diagnostic, /following addresses/);
  });

  it("a report whose only list is of transient errors is about recipients still tried: delayed, not failed, even where the list line is not read as an address (review R151's class)", () => {
    const text = plain(
      "Returned mail: see transcript for details",
      [
        "   ----- The following addresses had transient non-fatal errors -----",
        "slow@far.example, other@far.example",
        "",
        ...MIXED_TRANSCRIPT.slice(0, 2),
        ">>> RCPT To:<slow@far.example>",
        "<<< 451 4.7.1 Greylisted, try again later",
        "<slow@far.example>... Deferred: 451 4.7.1 Greylisted, try again later",
      ].join("\n"),
    );
    assert.deepEqual(
      recipientActions(text, "transient.eml", (record) => [record.suppressRecipient]),
      [["slow@far.example", "delayed", false]],
    );
  });

  it("a list header in other MTAs' words ('delivery problems', sisimai go lhost/via-biglobe.go) names no action: its recipient takes the report's, not the transient list's beside it, and the header is no part of its error", () => {
    const lists = ["   --- The following addresses had delivery problems ---", ...MIXED_LISTS.slice(1)];
    const { records: read, actions } = readEmail(
      Buffer.from(
        plain("Returned mail: see transcript for details", [...lists, "", ...MIXED_TRANSCRIPT].join("\n")),
      ),
      "problems.eml",
    );
    assert.deepEqual(
      read.map((record, index) => [record.recipient, actions[index]]),
      [
        ["gone@old.example", "failed"],
        ["slow@far.example", "delayed"],
      ],
    );
    assert.doesNotMatch(read[0].diagnostic, /following addresses/);
  });

  it("Sendmail's queue timeout in seconds is an expiry too (pintvl: '1 second'), masked number and all", () => {
    const report = sendmailReport(
      ["a@example.jp", "    (reason: 221 mx.example.jp closing connection)"],
      [
        "a@example.jp... Deferred",
        "Message could not be delivered for 30 seconds",
        "Message will be deleted from queue",
      ],
    );
    assert.equal(report[0].reason, "expired");
  });
  it("a host part read around a reply from a line's start: the tail of a line cut 8 KiB before it names no one ('b@x' of 'bob@x')", () => {
    const cut = "550-5.1.1 The email account that you tried to reach does not exist.";
    const tail = ">>> RCPT To:<bob@x.example>\n";
    // From the "b" of "b@x.example" to bob's reply line: exactly the 8 KiB partNames reads before a reply.
    const pad = " ".repeat(8 * 1024 - "b@x.example".length - 1 - tail.length);
    const human = [
      "   ----- Transcript of session follows -----",
      "... while talking to mx.b.example.:",
      ...Array.from({ length: 8 }, (_, i) => `<<< 250-${"x".repeat(70)} ${i}`),
      `notes on bob@x.example${pad}`,
      `${tail}<<< ${cut}`,
      "<<< 550 5.1.1 bob's mailbox is gone",
      "... while talking to mx.a.example.:",
      ">>> RCPT To:<b@x.example>",
      `<<< ${cut}`,
      "<<< 550 5.1.1 the mailbox of b is gone",
      "",
    ].join("\n");
    assert.equal(
      wholeTranscriptReply(cut, { reportText: human }, "b@x.example"),
      `${cut} 550 5.1.1 the mailbox of b is gone`,
    );
  });
  it("recipients deferred on two hosts until the queue gave up each read their own host's reply, though the listed line is the same for both (review R137)", () => {
    const cut = "503-All RCPT commands were rejected with this error:";
    const part = (host: string, recipient: string, reply: readonly string[]) => [
      `... while talking to ${host}.:`,
      ">>> DATA",
      ...reply.map((line, index) => `<<< 421${index < reply.length - 1 ? "-" : " "}${line}`),
      ">>> QUIT",
      `<<< ${cut}`,
      ...reply.map((line) => `<<< 503-${line}`),
      "<<< 503 Valid RCPT command must precede DATA",
      `${recipient}... Deferred: 421-${reply[0]}`,
    ];
    const spectrum = [
      "4.7.0 Please see https://www.spectrum.net/support/internet/understanding-email-error-codes",
      "4.7.0 for more information. AUP#In-1350",
    ];
    const microsoft = [
      "RP-002 (BAY004-MC5F20) Unfortunately, some messages from 192.0.2.44",
      "weren't sent. Please try again.",
    ];
    const listed = ["s@charter.net", `    (reason: ${cut})`, "m@outlook.com", `    (reason: ${cut})`];
    const read = (parts: string[]) =>
      sendmailReport(listed, [
        ...parts,
        "Message could not be delivered for 5 days",
        "Message will be deleted from queue",
      ]).map((record) => [record.recipient, record.provider, record.providerCode]);
    const expected = [
      ["s@charter.net", "charter", "AUP#IN-1350"],
      ["m@outlook.com", "microsoft", "RP-002"],
    ];
    const charter = part("charter.mx.a.cloudfilter.net", "s@charter.net", spectrum);
    const outlook = part("outlook-com.olc.protection.outlook.com", "m@outlook.com", microsoft);
    assert.deepEqual(read([...charter, ...outlook]), expected);
    assert.deepEqual(read([...outlook, ...charter]), expected);
  });
  it("a blank line between two hosts' parts of a transcript does not end it: the second host's recipient keeps its host (review R139)", () => {
    const listed = [
      "y@umami-ramen.example",
      "    (reason: 552 1 Requested mail action aborted, mailbox not found)",
      "t@qq.com",
      "    (reason: 550 SPF check failed. https://service.mail.qq.com/detail/122/72)",
    ];
    const qq = [
      "... while talking to mx3.qq.com.:",
      ">>> DATA",
      "<<< 550 SPF check failed. https://service.mail.qq.com/detail/122/72",
      "550 5.1.1 t@qq.com... User unknown",
    ];
    const yahoo = [
      "... while talking to mx-biz.mail.am0.yahoodns.net.:",
      ">>> DATA",
      "<<< 552 1 Requested mail action aborted, mailbox not found",
      "554 5.0.0 Service unavailable",
    ];
    const hosts = (transcript: string[]) =>
      sendmailReport(listed, transcript).map((record) => [
        record.recipient,
        record.remoteMta,
        record.provider,
      ]);
    const expected = [
      ["y@umami-ramen.example", "mx-biz.mail.am0.yahoodns.net", "yahoo"],
      ["t@qq.com", "mx3.qq.com", "other"],
    ];
    assert.deepEqual(hosts([...yahoo, ...qq]), expected);
    assert.deepEqual(hosts([...qq, "", ...yahoo]), expected);
  });
  it("a delay warning's recipients, each named by its own \"a@b... Deferred: 421-…\" line after its host's part, read only their own part in either order (review R139)", () => {
    const part = (host: string, recipient: string, reply: readonly string[]) => [
      `... while talking to ${host}.:`,
      ">>> DATA",
      ...reply.map((line, index) => `<<< 421${index < reply.length - 1 ? "-" : " "}${line}`),
      ">>> QUIT",
      "221 mx.example.net closing connection",
      `${recipient}... Deferred: 421-${reply[0]}`,
    ];
    const spectrum = part("charter.mx.a.cloudfilter.net", "s@charter.net", [
      "4.7.0 Please see https://www.spectrum.net/support/internet/understanding-email-error-codes",
      "4.7.0 for more information. AUP#In-1350",
    ]);
    const outlook = part("outlook-com.olc.protection.outlook.com", "m@outlook.com", [
      "RP-002 (BAY004-MC5F20) Unfortunately, some messages from 192.0.2.44",
      "weren't sent. Please try again.",
    ]);
    const read = (parts: string[]) =>
      reportRecords("Warning: could not send message for past 4 hours", [
        "   **********************************************",
        "   **      THIS IS A WARNING MESSAGE ONLY      **",
        "   **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **",
        "   **********************************************",
        "",
        "   ----- Transcript of session follows -----",
        ...parts,
        "Warning: message still undelivered after 4 hours",
        "Will keep trying until message is 5 days old",
      ])
        .map((record) => [
          record.recipient,
          record.reason,
          record.provider,
          record.providerCode,
          record.diagnostic,
        ])
        .sort();
    // Each recipient reads its own host's part, whichever comes first: s@ never Microsoft's RP-002 (the next host's
    // part), m@ never Spectrum's reply; each its own host's provider.
    for (const parts of [
      [...spectrum, ...outlook],
      [...outlook, ...spectrum],
    ]) {
      const records = read(parts);
      assert.deepEqual(
        records.map(([recipient, , provider, , diagnostic]) => [
          recipient,
          provider,
          /RP-002/.test(String(diagnostic)),
          /spectrum/.test(String(diagnostic)),
        ]),
        [
          ["m@outlook.com", "microsoft", true, false],
          ["s@charter.net", "charter", false, true],
        ],
      );
    }
  });
  it("the server's replies to later commands are no part of a recipient's error, but still show its phase (savemail.c: '(reason: …)' names the reply that failed it)", () => {
    const refusal = "554 5.7.1 <unknown[192.0.2.1]>: Client host rejected: Access denied";
    const [pipelined] = sendmailReport(
      ["<a@example.org>", `    (reason: ${refusal})`],
      [
        "... while talking to mx.example.org.:",
        ">>> DATA",
        `<<< ${refusal}`,
        "554 5.0.0 Service unavailable",
        "<<< 554 5.5.1 Error: no valid recipients",
      ],
    );
    // DATA's "no valid recipients" (Postfix smtpd.c) was read as the recipient's own unknown-user error.
    assert.equal(pipelined.reason, "blocked");
    // Exim's DATA refusal quoting the RCPT error still says RCPT TO: an unknown user at RCPT, not after DATA.
    const [quoted] = sendmailReport(
      ["<b@example.org>", "    (reason: 550 Invalid Recipient)"],
      [
        "... while talking to mx.example.org.:",
        ">>> DATA",
        "<<< 550 Invalid Recipient",
        "550 5.1.1 <b@example.org>... User unknown",
        "<<< 503-All RCPT commands were rejected with this error:",
        "<<< 503-Invalid Recipient",
        "<<< 503 Valid RCPT command must precede DATA",
      ],
    );
    assert.equal(quoted.reason, "userunknown");
    assert.equal(quoted.suppressRecipient, true);
  });
  it('a program recipient in the list of failed addresses ("|exit 69" over "(expanded from: a@b)", savemail.c) is the address it came from, its error that program\'s exit, and never another recipient\'s', () => {
    const listed = [
      "<ghost@example.org>",
      "    (reason: 550 5.1.1 <ghost@example.org>... User unknown)",
      '"|/usr/local/bin/filter --strict"',
      "    (reason: Service unavailable)",
      "    (expanded from: alias@example.org)",
    ];
    const transcript = ['"|/usr/local/bin/filter --strict"... Service unavailable'];
    const expected = [
      ["ghost@example.org", "userunknown", true],
      ["alias@example.org", "mailererror", false],
    ];
    const verdicts = (report: BounceRecord[]) =>
      report.map((record) => [record.recipient, record.reason, record.suppressRecipient]);
    assert.deepEqual(verdicts(sendmailReport(listed, transcript)), expected);
    // The other order: the program's lines stay its own.
    assert.deepEqual(
      verdicts(sendmailReport([...listed.slice(2), ...listed.slice(0, 2)], transcript)),
      expected.slice().reverse(),
    );
    // A program listed with no address it came from names no recipient.
    assert.deepEqual(verdicts(sendmailReport(listed.slice(0, 4), transcript)), [expected[0]]);
  });
});

describe("DSN fields", () => {
  it("a reply that refuses another recipient of the report by name is not this recipient's verdict: kept, not suppressed, in the store alike (review R85)", () => {
    const group = (recipient: string, named: string) =>
      [
        `Final-Recipient: rfc822; ${recipient}`,
        "Action: failed",
        "Status: 5.1.1",
        `Diagnostic-Code: SMTP; 550 5.1.1 <${named}>: Recipient address rejected: User unknown in relay recipient table`,
      ].join("\n");
    const email = (groups: string[]) =>
      Buffer.from(dsn("The message could not be delivered.", groups.join("\n\n")));
    const verdicts = (groups: string[]) =>
      recordsFromEmail(email(groups), "t.eml").records.map((record) => [
        record.recipient,
        record.reason,
        record.suppressRecipient,
      ]);
    // nullmailer gives up the whole message at one refused RCPT and gives every recipient that refusal.
    const nullmailer = [
      group("known@example.net", "ghost@example.net"),
      group("ghost@example.net", "ghost@example.net"),
    ];
    assert.deepEqual(verdicts(nullmailer), [
      ["known@example.net", "userunknown", false],
      ["ghost@example.net", "userunknown", true],
    ]);
    // The event carries the hint: the store's reading of it is the record's.
    const stored = emailItems(email(nullmailer), "t.eml", null)
      .filter((item): item is DeliveryEvent => "type" in item)
      .map((event) => {
        const verdict = storedVerdict(event);
        return [event.recipient, verdict?.reason, verdict?.suppressRecipient];
      });
    assert.deepEqual(stored, verdicts(nullmailer));
    // An address the reply names that the report does not list (an alias's expansion) is still the recipient's.
    assert.deepEqual(
      verdicts([group("alias@example.net", "person@example.net"), group("b@example.net", "b@example.net")]),
      [
        ["alias@example.net", "userunknown", true],
        ["b@example.net", "userunknown", true],
      ],
    );
  });

  it("a nullmailer report gives every recipient one refusal: a verdict only on a recipient the reply names, bare or in <> (review R126)", () => {
    const group = (recipient: string, reply: string) =>
      [
        `Final-Recipient: rfc822; ${recipient}`,
        "Action: failed",
        "Status: 5.1.1",
        `Diagnostic-Code: SMTP; ${reply}`,
      ].join("\n");
    const verdicts = (human: string, recipients: string[], reply: string) =>
      recordsFromEmail(
        Buffer.from(dsn(human, recipients.map((recipient) => group(recipient, reply)).join("\n\n"))),
        "t.eml",
      ).records.map((record) => [record.recipient, record.suppressRecipient, record.provider]);
    for (const entry of ONE_REFUSAL_FOR_ALL) assert.match(entry.example, entry.marker, entry.id);
    const nullmailer =
      "This is the nullmailer delivery system.  The message attached below\ncould not be delivered.";
    // Apple's reply names the refused address bare, after its words.
    assert.deepEqual(
      verdicts(
        nullmailer,
        ["ghost@me.com", "known@example.net"],
        "550 5.1.1 unknown or illegal alias: ghost@me.com",
      ),
      [
        // The reply's me.com address names ghost's provider, not known's (a domain of no provider of its own).
        ["ghost@me.com", true, "apple"],
        ["known@example.net", false, "other"],
      ],
    );
    // A reply that names no one refuses one of them: the report cannot say which, so none is suppressed.
    assert.deepEqual(
      verdicts(nullmailer, ["known@example.net", "ghost@example.net"], "550 5.1.1 User unknown"),
      [
        ["known@example.net", false, "other"],
        ["ghost@example.net", false, "other"],
      ],
    );
    // Another MTA's report that gives two recipients the same reply gives each its own: both suppressed.
    assert.deepEqual(
      verdicts(
        "The message could not be delivered.",
        ["a@example.net", "b@example.net"],
        "550 5.1.1 User unknown",
      ),
      [
        ["a@example.net", true, "other"],
        ["b@example.net", true, "other"],
      ],
    );
    // A bare address naming another recipient of any report is not this recipient's verdict.
    assert.deepEqual(
      verdicts(
        "The message could not be delivered.",
        ["a@example.net", "b@example.net"],
        "550 Unknown user b@example.net",
      ),
      [
        ["a@example.net", false, "other"],
        ["b@example.net", true, "other"],
      ],
    );
  });

  it("the Status comment is the reporting MTA's explanation and joins the diagnostic", () => {
    const fields = [
      "Final-Recipient: rfc822;someone@example.net",
      "Action: failed",
      "Status: 5.2.1 (mailbox disabled, not accepting messages)",
      "Diagnostic-Code: smtp;550 5.2.1 <someone@example.net>... User Unknown",
    ].join("\n");
    const [record] = records(dsn("Delivery failed.", fields));
    assert.equal(record.reason, "suspend");
    assert.match(record.diagnostic, /\(mailbox disabled, not accepting messages\)$/);
  });

  it("an X.400 gateway's reason is read from its supplementary information (RFC 2156's X400-Supplementary-Info)", () => {
    const fields = (info: string) =>
      [
        "Original-Recipient: rfc822; someone@example.net",
        "Final-Recipient: x400; /RFC-822=someone(a)example.net/ADMD= /C=WW/",
        "Action: failed",
        "Diagnostic-Code: Reason 1 (Unable-To-Transfer); Diagnostic -1 (Unknown)",
        "Status: 5.0.0",
        info,
      ].join("\n");
    const [relay] = records(
      dsn(
        "Your message was not delivered.",
        fields(
          `X400-Supplementary-Info: "MTA '192.0.2.7' gives error message 5.7.1 Unable to relay for someone(a)example.net"`,
        ),
      ),
    );
    assert.equal(relay.recipient, "someone@example.net");
    assert.equal(relay.reason, "norelaying");
    assert.equal(relay.status, "5.7.1");
    const [full] = records(
      dsn(
        "Your message was not delivered.",
        fields(`X400-Supplementary-Info: "MTA '192.0.2.7' gives error message 552 5.2.2 Mailbox full"`),
      ),
    );
    assert.equal(full.reason, "mailboxfull");
    // Without it, the X.400 reason alone names no failure.
    const [bare] = records(
      dsn("Your message was not delivered.", fields("X400-Last-Trace: Sun, 4 Nov 2001 07:45:00 +0000")),
    );
    assert.equal(bare.reason, "undefined");
  });

  it("a Diagnostic-Code that is a multi-line reply's first line alone reads the whole reply from Sendmail's transcript, each recipient its own (R82)", () => {
    const transcript = [
      "   ----- Transcript of session follows -----",
      "... while talking to mx.example.net.:",
      ">>> RCPT To:<a@example.net>",
      "<<< 550-5.7.1 Unfortunately, messages from [192.0.2.44] weren't sent. Please",
      "<<< 550-5.7.1 contact your Internet service provider since part of their network is on",
      "<<< 550 5.7.1 our block list (S3140).",
      ">>> RCPT To:<b@example.net>",
      "<<< 552-5.2.2 The recipient's inbox is out of storage space. Please direct",
      "<<< 552 5.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaPerm",
      "<<< 550-5.7.1 Unfortunately, messages from [192.0.2.44] weren't sent. Please",
      "<<< 550 5.7.1 try again",
    ].join("\n");
    const group = (to: string, code: string) =>
      [
        `Final-Recipient: rfc822; ${to}`,
        "Action: failed",
        "Status: 5.0.0",
        `Diagnostic-Code: SMTP; ${code}`,
      ].join("\n");
    const [a, b] = records(
      dsn(
        transcript,
        [
          group("a@example.net", "550-5.7.1 Unfortunately, messages from [192.0.2.44] weren't sent. Please"),
          group("b@example.net", "552-5.2.2 The recipient's inbox is out of storage space. Please direct"),
        ].join("\n\n"),
      ),
    );
    assert.match(a.diagnostic, /weren't sent\. Please contact .* our block list \(S3140\)\.$/);
    assert.equal(a.reason, "blocked");
    assert.match(b.diagnostic, /space\. Please direct the recipient to https:/);
    // A first line the transcript does not have, or a Diagnostic-Code that holds the whole reply: kept as written.
    const [cut] = records(dsn(transcript, group("c@example.net", "550-5.7.1 Unfortunately, messages from")));
    assert.equal(cut.diagnostic, "550 5.7.1 Unfortunately, messages from");
    const folded =
      "550-5.7.1 Unfortunately, messages from [192.0.2.44] weren't sent. Please\n 550 5.7.1 go away";
    const [whole] = records(dsn(transcript, group("d@example.net", folded)));
    assert.match(whole.diagnostic, /Please go away$/);
  });

  it("two recipients whose cut replies open alike in one pipelined part each read the reply Sendmail's own line after it names", () => {
    const transcript = [
      "   ----- Transcript of session follows -----",
      "... while talking to mx.example.net.:",
      ">>> DATA",
      "<<< 550-5.7.1 Message refused for this recipient:",
      "<<< 550 5.7.1 its mailbox is full",
      "550 5.7.1 a@example.net... User unknown",
      "<<< 550-5.7.1 Message refused for this recipient:",
      "<<< 550 5.7.1 it does not exist",
      "550 5.7.1 b@example.net... User unknown",
      "<<< 554 5.5.1 Error: no valid recipients",
    ].join("\n");
    const group = (to: string) =>
      [
        `Final-Recipient: rfc822; ${to}`,
        "Action: failed",
        "Status: 5.0.0",
        "Diagnostic-Code: SMTP; 550-5.7.1 Message refused for this recipient:",
      ].join("\n");
    const read = (order: readonly string[]) =>
      records(dsn(transcript, order.map(group).join("\n\n"))).map((record) => [
        record.recipient,
        record.diagnostic,
      ]);
    const expected = [
      ["a@example.net", "550 5.7.1 Message refused for this recipient: its mailbox is full"],
      ["b@example.net", "550 5.7.1 Message refused for this recipient: it does not exist"],
    ];
    assert.deepEqual(read(["a@example.net", "b@example.net"]), expected);
    assert.deepEqual(read(["b@example.net", "a@example.net"]), expected.toReversed());
  });

  it("an MTA that sends no delay warnings (nullmailer-send(8)) reports a failure even under Action: delayed (review R84)", () => {
    for (const entry of NO_DELAY_WARNINGS) assert.match(entry.example, entry.marker, entry.id);
    const fields = [
      "Final-Recipient: rfc822; later@example.net",
      "Action: delayed",
      "Status: 4.2.2",
      "Diagnostic-Code: SMTP; 452 4.2.2 Mailbox full",
    ].join("\n");
    const actions = (human: string) => readEmail(Buffer.from(dsn(human, fields)), "test.eml").actions;
    assert.deepEqual(
      actions("This is the nullmailer delivery system.  The message attached below\nhas not been delivered."),
      ["failed"],
    );
    assert.deepEqual(actions("This is a delay warning: delivery is still being attempted."), ["delayed"]);
  });

  it("an unfolded multi-line reply stays in Diagnostic-Code and the fields after it are read", () => {
    const fields = [
      "Diagnostic-Code: smtp; 550-Please turn on SMTP Authentication in your mail client.",
      "550-mx.example.net [192.0.2.21]:25 is not permitted to",
      "550 relay through this server without authentication.",
      "Status: 5.0.0",
      "Action: failed",
      "Final-Recipient: rfc822; someone@example.net",
    ].join("\n");
    const [record] = records(dsn("Delivery failed.", fields));
    assert.equal(record.recipient, "someone@example.net");
    assert.equal(record.status, "5.0.0");
    assert.equal(record.reason, "securityerror");
    assert.match(record.diagnostic, /without authentication\.$/);
  });

  it("Status field or the reply's status: Sisimai's preference (sisimai go smtp/status/prefer.go)", () => {
    // The class the reply code names wins.
    assert.equal(preferStatus("5.1.1", "4.2.2", 452), "4.2.2");
    assert.equal(preferStatus("4.4.7", "5.1.1", 450), "4.4.7");
    // A vague field gives way to a reply's status without a zero; a vague reply never replaces the field.
    assert.equal(preferStatus("5.0.0", "5.7.1", 550), "5.7.1");
    assert.equal(preferStatus("5.7.0", "5.7.26", 550), "5.7.26");
    assert.equal(preferStatus("5.1.1", "5.0.0", 550), "5.1.1");
    // Ambiguous fields (4.4.7, 4.7.0, 5.3.Z, X.5.Z command errors) give way.
    assert.equal(preferStatus("4.4.7", "4.4.2", 421), "4.4.2");
    assert.equal(preferStatus("5.5.2", "5.1.1", 550), "5.1.1");
    // Otherwise the report's own field stands.
    assert.equal(preferStatus("5.2.2", "5.1.1", 550), "5.2.2");
    assert.equal(preferStatus("5.7.1", "5.7.26", 550), "5.7.1");
    // A field that is the reply's status cut short (nullmailer's "Status: 5.7.7" for 5.7.708) is the reply's.
    assert.equal(preferStatus("5.7.7", "5.7.708", 550), "5.7.708");
    assert.equal(preferStatus("4.7.2", "4.7.28", 421), "4.7.28");
    assert.equal(preferStatus("5.7.2", "5.7.1", 550), "5.7.2");
  });

  it("the reply's status is its first that is not vague: X.0.0 and 4.4.7 give way (sisimai go smtp/status/find.go)", () => {
    // Amazon WorkMail (Sisimai corpus lhost-amazonworkmail-05, expected 4.4.2): its own 4.4.7 wraps the server's.
    const reply =
      "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>";
    const report = `Final-Recipient: rfc822; someone@example.net\nStatus: 4.4.7\nDiagnostic-Code: smtp; ${reply}`;
    const [record] = records(dsn("Delivery failed.", report));
    assert.deepEqual([record.status, record.reason], ["4.4.2", "expired"]);
  });

  it("a status is never read from inside an IP address: a vague reply naming a host keeps its own status", () => {
    for (const [reply, status, reason] of [
      ["550 5.0.0 Error from relay 10.5.1.1", "5.0.0", "undefined"],
      ["550 5.0.0 Delivery to 10.5.2.2 failed", "5.0.0", "undefined"],
      ["550 5.0.0 Rejected by policy; your host 192.5.1.1 is not allowed", "5.0.0", "blocked"],
      ["554 4.4.7 Message expired: connection to 172.4.2.9 timed out", "4.4.7", "expired"],
    ]) {
      const report = `Final-Recipient: rfc822; someone@example.net\nAction: failed\nStatus: ${status}\nDiagnostic-Code: smtp; ${reply}`;
      const [record] = records(dsn("Delivery failed.", report));
      assert.deepEqual(
        [record.status, record.reason, record.suppressRecipient],
        [status, reason, false],
        reply,
      );
    }
  });

  it("a DSN without Diagnostic-Code: the recipient's own reply is the error, the text around it still names the remote host", () => {
    const text = [
      "   ----- Transcript of session follows -----",
      "... while talking to mx.example.org.:",
      "<<< 550 5.1.1 <someone@example.net>... User unknown",
      "",
      "<someone@example.net>: 550 5.1.1 User unknown",
    ].join("\n");
    const report = "Final-Recipient: rfc822; someone@example.net\nAction: failed\nStatus: 5.1.1";
    const [record] = records(dsn(text, report));
    assert.deepEqual([record.remoteMta, record.reason], ["mx.example.org", "userunknown"]);
  });

  it("the status the remote server wrote after its reply code wins over the Status field", () => {
    const fields = [
      "Final-Recipient: rfc822; someone@example.net",
      "Action: failed",
      "Status: 5.1.1",
      "Diagnostic-Code: smtp; 552 5.2.2 Over quota",
    ].join("\n");
    const [record] = records(dsn("Delivery failed.", fields));
    assert.equal(record.status, "5.2.2");
    assert.equal(record.reason, "mailboxfull");
  });

  it("a vague X.0.0 in the reply does not replace a specific Status field", () => {
    const fields = [
      "Final-Recipient: rfc822; someone@example.net",
      "Action: failed",
      "Status: 5.1.1",
      "Diagnostic-Code: smtp; 550 5.0.0 <someone@example.net>... User unknown",
    ].join("\n");
    assert.equal(records(dsn("Delivery failed.", fields))[0].status, "5.1.1");
  });

  it("a bare X-Unix exit number is a mailer error where the recipient was a program or the status says nothing", () => {
    const fields = (actual: string) =>
      [
        "Final-Recipient: RFC822; someone@example.net",
        actual,
        "Action: failed",
        "Status: 5.3.0",
        "Diagnostic-Code: X-Unix; 77",
      ].join("\n");
    const toProgram = records(
      dsn("Delivery failed.", fields("X-Actual-Recipient: X-Unix; |/usr/bin/filter")),
    );
    assert.equal(toProgram[0].reason, "mailererror");
    const toMailbox = records(dsn("Delivery failed.", fields("X-Note: none")));
    assert.equal(toMailbox[0].reason, "systemerror");
    // Where the status names no reason, the report's type is all there is (sisimai go reason/find.go).
    const vague = records(dsn("Delivery failed.", fields("X-Note: none").replace("5.3.0", "5.0.0")));
    assert.equal(vague[0].reason, "mailererror");
  });
});

describe("plain-text reports", () => {
  it("a layout's label over the recipient's error is no part of it, nor the notice's lead-in to its list (HCL Domino's 'because:', review R149)", () => {
    const domino = (dsnPart: boolean) =>
      records(
        (dsnPart ? dsn : (text: string) => plain("DELIVERY FAILURE: User not listed", text))(
          [
            "Your message",
            "",
            "  Subject: December digest",
            "",
            "was not delivered to:",
            "",
            "  anna.berg@partner.example.de",
            "",
            "because:",
            "",
            "  User Anna Berg (anna.berg@partner.example.de) not listed in Domino Directory",
          ].join("\n"),
          ["Final-Recipient: rfc822;anna.berg@partner.example.de", "Action: failed", "Status: 5.0.0"].join(
            "\n",
          ),
        ),
      )[0];
    for (const dsnPart of [true, false])
      assert.equal(
        domino(dsnPart).diagnostic,
        "User Anna Berg (anna.berg@partner.example.de) not listed in Domino Directory",
        `DSN part: ${dsnPart}`,
      );
  });

  it("Postfix's text for a local program's exit status alone (global/sys_exits.c: \"<a@b>: service unavailable\") is a mailer error; 'user unknown' keeps its own meaning", () => {
    const postfix = (error: string) =>
      records(
        plain(
          "Undelivered Mail Returned to Sender",
          `This is the mail system at host mx.example.org.\n\n                   The mail system\n\n<alias@example.org>: ${error}\n`,
        ),
      )[0];
    for (const error of ["service unavailable", "permission denied", "temporary failure"])
      assert.equal(postfix(error).reason, "mailererror", error);
    assert.notEqual(postfix("user unknown").reason, "mailererror");
    // Only the whole text, as Postfix writes it.
    assert.notEqual(
      postfix("host mx.example.net[192.0.2.1] said: 554 service unavailable").reason,
      "mailererror",
    );
    // Only in a report Postfix wrote: another MTA's recipient line in those words is that MTA's, read as written.
    const other = (error: string) =>
      records(
        plain(
          "Returned mail: delivery failed",
          `The following message could not be delivered.\n\n<alias@example.org>: ${error}\n`,
        ),
      )[0];
    assert.notEqual(other("service unavailable").reason, "mailererror");
    assert.deepEqual([postfix("user unknown").status, other("user unknown").status], ["5.1.1", null]);
  });

  it("a final report without any code is permanent; a delay warning is not", () => {
    const body =
      "Delivery to the following recipient failed permanently:\n\n  someone@example.net\n\nHost or domain name not found";
    const [failed] = records(plain("Undeliverable: hello", body));
    assert.equal(failed.reason, "hostunknown");
    assert.equal(failed.permanent, true);
    assert.equal(failed.suppressRecipient, true);
    const [delayed] = records(
      plain("Warning: message delayed", `${body}\nDelivery attempts will continue for some time.`),
    );
    assert.equal(delayed.permanent, false);
    assert.equal(delayed.suppressRecipient, false);
  });

  it("a final report of a temporary error nothing explains is expired (the MTA gave up retrying)", () => {
    const body =
      "A message that you sent could not be delivered to one or more of its recipients.\n\nsomeone@example.net Error, ERROR_CODE :421, Host not answering.";
    assert.equal(records(plain("Undelivered Mail Returned to Sender", body))[0].reason, "expired");
  });

  it("a delay warning whose error nothing explains is expired, and stays retryable (sisimai go reason/find.go)", () => {
    const [record] = records(
      dsn(
        "This is the mail system at host mx.example.org. THIS IS A WARNING ONLY.",
        "Final-Recipient: rfc822; kijitora@example.net\nAction: delayed\nStatus: 4.0.0\nDiagnostic-Code: smtp; 451 Requested action aborted",
      ),
    );
    assert.equal(record.reason, "expired");
    assert.equal(record.permanent, false);
    assert.equal(record.retryable, true);
    assert.equal(record.suppressRecipient, false);
  });
});

describe("an MTA's own verdict", () => {
  const queueTooLong =
    "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)\nI'm not going to try again; this message has been in the queue too long.";
  const qmailReport = (body: string) =>
    `From: MAILER-DAEMON@mx.example.org\nTo: sender@example.org\nSubject: failure notice\n\nHi. This is the qmail-send program at mx.example.org.\nI'm afraid I wasn't able to deliver your message to the following addresses.\n\n<bob@example.net>:\n${body}\n`;
  it("qmail's own wording decides; the same text from another MTA is the queue timeout (sisimai go lhost/via-qmail.go, reason/why-expired.go)", () => {
    const qmail = records(qmailReport(queueTooLong));
    assert.equal(qmail[0]?.reason, "networkerror");
    const other = records(
      plain(
        "Delivery failure",
        `Unable to deliver message to the following address(es).\n\n<bob@example.net>:\n${queueTooLong}\n`,
      ),
    );
    assert.equal(other[0]?.reason, "expired");
  });
  it("a verdict is still replaced by a phrase of a reason Sisimai re-checks (mailbox full, user unknown…)", () => {
    const text = records(
      qmailReport(
        "192.0.2.9 does not like recipient.\nRemote host said: 450 4.2.2 <bob@example.net>... Mailbox Full\nGiving up on 192.0.2.9.\nI'm not going to try again; this message has been in the queue too long.",
      ),
    );
    assert.equal(text[0]?.reason, "mailboxfull");
  });
  it("qmail-remote's 'Giving up on <host>.' after a refusal is not a queue timeout: the reply's words decide (sisimai go reason/find.go probes expired last)", () => {
    const refused = (reply: string) =>
      records(
        qmailReport(
          `192.0.2.9 does not like recipient.\nRemote host said: ${reply}\nGiving up on 192.0.2.9.`,
        ),
      )[0];
    const unknown = refused("550 can't accept user");
    assert.deepEqual([unknown?.reason, unknown?.suppressRecipient], ["userunknown", true]);
    assert.equal(refused("550 this address no longer accepts mail")?.reason, "suspend");
    assert.equal(refused("550 bad sender ip address")?.reason, "blocked");
    // Sisimai probes SyntaxError and SecurityError after Expired: a queue timeout beside their words is expired.
    for (const text of [
      "Connection timed out: 500 5.5.2 Syntax error, command unrecognized",
      "server did not respond: could not retrieve credentials",
    ])
      assert.equal(classifyReply({ text, status: "5.0.0" }).reason, "expired", text);
    // With no other reason in the words, the MTA's "giving up" still reads as expired.
    assert.equal(
      records(plain("Delivery failure", "<bob@example.net>:\nGiving up on 192.0.2.9 after 5 days\n"))[0]
        ?.reason,
      "expired",
    );
  });
});

describe("GMX / web.de (sisimai go lhost/via-gmx.go)", () => {
  const gmx = (command: string, reply: string) =>
    records(
      [
        "From: MAILER-DAEMON@mail.gmx.com",
        "To: sender@gmx.net",
        "Subject: Mail delivery failed: returning message to sender",
        "X-GMX-Antispam: 0 (Mail was not recognized as spam); Detail=V3;",
        "",
        "This message was created automatically by mail delivery software.",
        "",
        '"bob@example.net":',
        `SMTP error from remote server after ${command} command:`,
        "host: mx.example.net",
        reply,
        "",
        "--- The header of the original message is following. ---",
        "",
      ].join("\n"),
    )[0];
  it("'after RCPT command:' is the RCPT phase: words of an unknown user there are the recipient's", () => {
    assert.equal(
      smtpCommandIn("SMTP error from remote server after RCPT command: host: mx.example.net"),
      "RCPT",
    );
    assert.equal(
      smtpCommandIn("SMTP error from remote server after MAIL command: host: mx.example.net"),
      "MAIL",
    );
    const record = gmx("RCPT", "550 address does not exist");
    assert.deepEqual(
      [record?.recipient, record?.reason, record?.suppressRecipient],
      ["bob@example.net", "userunknown", true],
    );
    assert.equal(gmx("DATA", "550 address does not exist")?.reason, "filtered");
  });
});

describe("InterScan MSS (sisimai go lhost/via-interscanmss.go)", () => {
  const interscan = (sent: string, received: string) =>
    records(
      [
        'From: "InterScan MSS" <postmaster@example.co.jp>',
        "To: <sender@example.org>",
        "Subject: Mail could not be delivered",
        "",
        "...",
        "",
        sent,
        received,
        "",
        "************************     End of message     **********************",
        "",
      ].join("\n"),
    )[0];
  it("'Sent <<< RCPT TO:' (its arrows turned) is the RCPT phase: words of an unknown user are the recipient's", () => {
    assert.equal(smtpCommandIn("Sent <<< RCPT TO:<bob@example.net> Received >>> 550 user not found"), "RCPT");
    assert.equal(smtpCommandIn("Sent <<< DATA Received >>> 550 user not found"), "DATA");
    const record = interscan("Sent <<< RCPT TO:<bob@example.net>", "Received >>> 550 user not found");
    assert.deepEqual([record?.recipient, record?.reason], ["bob@example.net", "userunknown"]);
    // A Sendmail transcript's "<<<" is the reply: "<<< RCPT" there names no command sent.
    assert.equal(smtpCommandIn("<<< 550 5.7.1 RCPT TO rejected"), null);
  });
});

describe("m-FILTER (sisimai go lhost/via-mfilter.go)", () => {
  it("'-------SMTP command' then the command names the phase: after DATA an unknown user is a filter's", () => {
    assert.equal(smtpCommandIn("-------server message 550 user not found -------SMTP command DATA"), "DATA");
    assert.equal(smtpCommandIn("-------SMTP command\nMAIL FROM:<sender@example.org>"), "MAIL");
    const [record] = records(
      [
        "From: MAILER-DAEMON@m-filter.example.co.jp",
        "To: sender@example.org",
        "Subject: failure notice",
        "",
        "bob@example.net",
        "",
        "",
        "-------server message",
        "550 user not found",
        "",
        "-------SMTP command",
        "DATA",
        "",
        "-------original message",
        "",
      ].join("\n"),
    );
    assert.deepEqual(
      [record?.recipient, record?.reason, record?.suppressRecipient],
      ["bob@example.net", "filtered", false],
    );
  });
});

describe("DragonFly Mail Agent (sisimai go lhost/via-dragonfly.go; dma net.c)", () => {
  it("'… did not like our <command>:' names the phase of every command, not only RCPT TO", () => {
    const line = (command: string) =>
      `mx.example.org [192.0.2.25] did not like our ${command}:\n550 user not found`;
    assert.equal(smtpCommandIn(line("RCPT TO")), "RCPT");
    assert.equal(smtpCommandIn(line("final DATA")), "DATA");
    assert.equal(smtpCommandIn(line("DATA")), "DATA");
    assert.equal(smtpCommandIn(line("MAIL FROM")), "MAIL");
  });

  /** dma's notice for one recipient and the reply its RCPT TO got: [recipient, reason, suppress] of each record. */
  const dmaRecords = (reply: readonly string[], to = "a@example.net") =>
    reportRecords("Mail delivery failed", [
      "This is the DragonFly Mail Agent v0.13 at mta.example.org.",
      "",
      `There was an error delivering your mail to <${to}>.`,
      "",
      "mx.example.net [192.0.2.25] did not like our RCPT TO:",
      ...reply,
      "",
    ]).map((record) => [record.recipient, record.reason, record.suppressRecipient]);

  it("an address inside the quoted reply is the server's text, not a second recipient (review R89: no false suppression)", () => {
    const report = (reply: readonly string[]) => dmaRecords(reply);
    assert.deepEqual(
      report([
        "550-5.7.511 Access denied, banned sender[192.0.2.44]. To request removal",
        "550-5.7.511 from this list, forward this message to delist@example.com. For",
        "550 5.7.511 more information please go to http://example.com/fwlink.",
      ]),
      [["a@example.net", "blocked", false]],
    );
    assert.deepEqual(
      report([
        "550 5.1.1 The email account that you tried to reach does not exist, or write to help@example.com.",
      ]),
      [["a@example.net", "userunknown", true]],
    );
  });

  it("a multi-line reply whose first word is '550-<address>' is the server's text: the report's recipient keeps its record (review R108)", () => {
    const report = (reply: readonly string[], to = "gd-508@exim.test") => dmaRecords(reply, to);
    // GoDaddy's IB508 reply sent in two lines, as dma printed it (review's dma v0.13 capture, set 7 d113).
    assert.deepEqual(
      report([
        "550-jane@coolexample.com Invalid SPF record. Please inspect your SPF settings, and try again.",
        "550 IB508",
      ]).map(([recipient]) => recipient),
      ["gd-508@exim.test"],
    );
    // The hostile form: the reply's address is never suppressed in place of the recipient.
    assert.deepEqual(report(["550-jane@coolexample.com User unknown", "550 5.1.1 see above"]), [
      ["gd-508@exim.test", "userunknown", true],
    ]);
    // Whatever form the server's reply takes after dma's "did not like our RCPT TO:", its address is its text (the
    // R108 addendum: a recipient-line form, a code glued to an enhanced status).
    for (const reply of [
      ["jane@coolexample.com: 550 5.1.1 User unknown"],
      ["550-5.1.1-jane@coolexample.com User unknown", "550 5.1.1 end"],
    ])
      assert.deepEqual(report(reply), [["gd-508@exim.test", "userunknown", true]]);
    // A local part that only looks like a code (a phone number: a digit after the hyphen) is still an address.
    assert.deepEqual(
      report(["550 5.1.1 User unknown"], "555-0100@sms.example.net").map(([recipient]) => recipient),
      ["555-0100@sms.example.net"],
    );
  });

  it("a later paragraph's recipient is a recipient again, each with its own paragraph's reply (review R91)", () => {
    const paragraph = (address: string, reply: string) => [
      `There was an error delivering your mail to <${address}>.`,
      "",
      "mx.example.net [192.0.2.25] did not like our RCPT TO:",
      reply,
      "",
    ];
    const report = (first: string, second: string) =>
      reportRecords("Mail delivery failed", [
        "This is the DragonFly Mail Agent v0.13 at mta.example.org.",
        "",
        ...paragraph("a@example.net", first),
        ...paragraph("b@example.org", second),
      ]).map((record) => [record.recipient, record.reason]);
    const unknown = "550 5.1.1 User unknown";
    const full = "552 5.2.2 Mailbox full";
    assert.deepEqual(report(unknown, full), [
      ["a@example.net", "userunknown"],
      ["b@example.org", "mailboxfull"],
    ]);
    assert.deepEqual(report(full, unknown), [
      ["a@example.net", "mailboxfull"],
      ["b@example.org", "userunknown"],
    ]);
  });
});

describe("a notice that quotes the original's headers (Oracle Messaging Server, iCloud's relays)", () => {
  it("the quoted Subject is the sender's words, never the recipient's error", () => {
    const notice = (reason: string, subject: string) =>
      records(
        dsn(
          [
            "This report relates to a message you sent with the following header fields:",
            "",
            "  From: sender@example.org",
            "  To: bob@example.org",
            `  Subject: ${subject}`,
            "",
            "Your message cannot be delivered to the following recipients:",
            "",
            "  Recipient address: bob@example.org",
            `  Reason: ${reason}`,
          ].join("\n"),
          "Final-recipient: rfc822;bob@example.org\nAction: failed\nStatus: 5.0.0",
        ),
      )[0];
    const record = notice("Remote SMTP server has rejected address", "Your mailbox is full - act now");
    assert.equal(record?.recipient, "bob@example.org");
    assert.notEqual(record?.reason, "mailboxfull");
    assert.doesNotMatch(record?.diagnostic ?? "", /act now/);
    assert.equal(
      notice("Illegal host/domain name found", "Your account has been suspended")?.reason,
      "hostunknown",
    );
    // A reply in the recipient's own "Reason:" line is its error alone: "bad … recipients" across the
    // notice's sentences is no unknown user (sisimai go lhost/via-messagingserver.go reads the line alone).
    const reply = notice("550 bad sender ip address", "Hello");
    assert.deepEqual([reply?.recipient, reply?.reason], ["bob@example.org", "blocked"]);
    assert.equal(reply?.diagnostic, "Reason: 550 bad sender ip address");
    // A port or a phone number is no reply: the notice's sentences still explain the recipient's line.
    for (const reason of [
      "could not connect to mx.example.org:465 (refused)",
      "call the helpdesk at 415-555-0100",
    ]) {
      const unquoted = notice(reason, "Hello");
      assert.equal(unquoted?.recipient, "bob@example.org", reason);
      assert.match(unquoted?.diagnostic ?? "", /cannot be delivered/, reason);
    }
  });
});

describe("a reply quoted in a notice's text", () => {
  it("is a 4xx/5xx code (and an enhanced status) standing alone, not a port, a longer number or a phone number", () => {
    for (const text of ["said: 550 5.1.1 unknown", "452-4.2.2 full", "Reason: 550 bad", "<<< 421 try later"])
      assert.ok(REPLY_CODE_IN_TEXT.test(text), text);
    for (const text of ["mx.example.org:465 refused", "10.550 x", "call 415-555-0100", "id 5550 x", "a550 b"])
      assert.ok(!REPLY_CODE_IN_TEXT.test(text), text);
    for (const text of ["Status: 5.1.1", "(4.4.7)", "status 5.2.2."])
      assert.ok(STATUS_IN_TEXT.test(text), text);
    for (const text of ["from 10.5.1.1", "host 192.0.4.5", "version 4.1.12.3", "v5.1.1"])
      assert.ok(!STATUS_IN_TEXT.test(text), text);
  });

  it("a DSN's vague Status never gives way to a piece of an IP address or a longer code in its reply (no false userunknown)", () => {
    const verdict = (reply: string) => {
      const [record] = records(
        dsn(
          "The message could not be delivered.",
          [
            "Final-Recipient: rfc822; someone@example.net",
            "Action: failed",
            "Status: 5.0.0",
            `Diagnostic-Code: smtp; ${reply}`,
          ].join("\n"),
        ),
      );
      return [record.status, record.reason, record.suppressRecipient];
    };
    assert.deepEqual(verdict("550 Mail from 10.5.1.1 refused by policy"), ["5.0.0", "undefined", false]);
    // Yahoo's own error code "4.16.55.1" is no enhanced status (sisimai go smtp/status/find.go).
    assert.deepEqual(verdict("550 Refused, see 5.16.55.1 at https://example.net"), [
      "5.0.0",
      "undefined",
      false,
    ]);
    assert.deepEqual(verdict("550 Refused (#5.1.1)"), ["5.1.1", "userunknown", true]);
  });
});

describe("the remote host a plain-text report names", () => {
  it("Gmail's 'for the recipient domain … by <host>. [ip]' and GMX's 'host: <host>' (sisimai go lhost/via-gmail.go, via-gmx.go)", () => {
    assert.equal(
      remoteHostIn(
        "Google tried to deliver your message, but it was rejected by the server for the recipient domain example.jp by mx.Example.jp. [192.0.2.153].",
      ),
      "mx.example.jp",
    );
    assert.equal(
      remoteHostIn("SMTP error from remote server after RCPT command: host: mx.example.jp 550 5.1.1 unknown"),
      "mx.example.jp",
    );
    assert.equal(remoteHostIn("ghost: not a host line"), null);
  });
  it("Gmail's '[<host> <ip>: timed out]' after its 'did not accept our requests to connect' (set-of-emails rfc3464-56.eml)", () => {
    const notice =
      "The recipient server did not accept our requests to connect. Learn more at https://support.google.com/mail/answer/7720";
    assert.equal(remoteHostIn(`${notice} [neko1.nyaan.jp 192.0.2.222: timed out]`), "neko1.nyaan.jp");
    assert.equal(remoteHostIn(`${notice}\n [mx.example.net. 192.0.2.44: timed out]`), "mx.example.net");
    assert.equal(remoteHostIn(`${notice} [not a host]`), null);
  });
  it("a Gmail notice naming a provider's server lets that provider's rules decide", () => {
    const [record] = records(
      [
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        "To: sender@gmail.com",
        "Subject: Delivery Status Notification (Failure)",
        "",
        "Delivery to the following recipient failed permanently:",
        "",
        "     bob@example.net",
        "",
        "Technical details of permanent failure: ",
        "Google tried to deliver your message, but it was rejected by the server for the recipient domain example.net by eu-smtp-inbound-1.mimecast.com. [192.0.2.1].",
        "",
        "The error that the other server returned was:",
        "550 Invalid Recipient",
        "",
      ].join("\n"),
    );
    assert.deepEqual([record?.remoteMta, record?.reason], ["eu-smtp-inbound-1.mimecast.com", "userunknown"]);
  });
  it("Google's NXDOMAIN under its 'Address not found' heading, without RFC 3464 fields, is networkerror", () => {
    // sisimai go lhost/via-googleworkspace.go: " responded with code NXDOMAIN" is networkerror; "Address not
    // found" and "Domain name not found" are wordings of no Sisimai list (unlisted: they decide last).
    const [record] = records(
      [
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
        "To: sender@gmail.com",
        "Subject: Delivery Status Notification (Failure)",
        "",
        "** Address not found **",
        "",
        "Your message wasn't delivered to bob@example.jp because the domain example.jp couldn't be found. Check for typos or unnecessary spaces and try again.",
        "",
        "The response was:",
        "",
        "DNS Error: 80335577 DNS type 'mx' lookup of example.jp responded with code NXDOMAIN",
        "Domain name not found: example.jp",
        "",
      ].join("\n"),
    );
    assert.deepEqual([record?.recipient, record?.reason], ["bob@example.jp", "networkerror"]);
  });
});

describe("DSN recipient fields (RFC 3464 §2.3.1, §2.3.2)", () => {
  const recipientOf = (fields: string) =>
    records(
      dsn(
        "Your message cannot be delivered.",
        `${fields}\nAction: failed\nStatus: 5.2.0\nDiagnostic-Code: smtp; 522 5.2.0 Delivery failed: Over quota`,
      ),
    ).map((record) => record.recipient);
  it("a source-routed or dot-less Final-Recipient is an internal route: the Original-Recipient is the address (Oracle Messaging Server)", () => {
    assert.deepEqual(
      recipientOf(
        "Original-recipient: rfc822;kijitora@example.net\nFinal-recipient: rfc822;@smtp.example.net:kijitora@server",
      ),
      ["kijitora@example.net"],
    );
    assert.deepEqual(
      recipientOf(
        "Original-Recipient: rfc822;kijitora@example.net\nFinal-Recipient: rfc822;kijitora@mailstore1",
      ),
      ["kijitora@example.net"],
    );
  });
  it("an Internet Final-Recipient stays the recipient (an alias's target), and an internal one with no Original-Recipient is kept", () => {
    assert.deepEqual(
      recipientOf(
        "Original-Recipient: rfc822;alias@example.net\nFinal-Recipient: rfc822;kijitora@example.org",
      ),
      ["kijitora@example.org"],
    );
    assert.deepEqual(recipientOf("Final-Recipient: rfc822;kijitora@server"), ["kijitora@server"]);
  });
});

describe("NTT docomo (sisimai go rhost/for-nttdocomo.go)", () => {
  const docomo = (status: string, command: string, reply = "550 Unknown user kijitora@docomo.ne.jp") =>
    records(
      dsn(
        `<kijitora@docomo.ne.jp>: host mfsmax.docomo.ne.jp[192.0.2.240] said: ${reply} (in reply to ${command} command)`,
        [
          "Final-Recipient: rfc822; kijitora@docomo.ne.jp",
          "Action: failed",
          `Status: ${status}`,
          "Remote-MTA: dns; mfsmax.docomo.ne.jp",
          `Diagnostic-Code: smtp; ${reply}`,
        ].join("\n"),
      ),
    )[0];
  const report = (status: string, command: string, reply?: string) => docomo(status, command, reply)?.reason;
  it("'550 Unknown user' is the sender refused after DATA, an unknown user at RCPT, the reception filter with 5.2.0", () => {
    assert.equal(report("5.0.0", "end of DATA"), "rejected");
    assert.equal(report("5.0.0", "RCPT TO"), "userunknown");
    assert.equal(report("5.2.0", "end of DATA"), "filtered");
    assert.equal(report("5.1.1", "end of DATA"), "userunknown");
  });
  it("docomo's words do not suppress after DATA: its table says the sender was refused, not the address", () => {
    const record = docomo("5.0.0", "end of DATA");
    assert.deepEqual([record?.reason, record?.suppressRecipient], ["rejected", false]);
    // Its reception filter (Status 5.2.0) says "unknown user" too: filtered, and the address is kept.
    const filtered = docomo("5.2.0", "end of DATA");
    assert.deepEqual([filtered?.reason, filtered?.suppressRecipient], ["filtered", false]);
  });
  it("with Status 5.0.0 the phase decides whatever the reply says", () => {
    assert.equal(report("5.0.0", "end of DATA", "550 Message rejected"), "rejected");
    assert.equal(report("5.0.0", "RCPT TO", "550 Mailbox unavailable"), "userunknown");
  });
});

describe("Sisimai's rejected words at MAIL FROM and DATA (sisimai go reason/why-rejected.go ProbesInto)", () => {
  const report = (phase: string, status: string, said = "550 Administrative prohibition") =>
    records(
      dsn(
        `<someone@example.net>: host mx.example.net[192.0.2.8] said: ${said} (in reply to ${phase} command)`,
        ["Final-Recipient: rfc822; someone@example.net", "Action: failed", `Status: ${status}`].join("\n"),
      ),
    )[0]?.reason;
  it("decide over the status's reason there, as elsewhere only under a status that names nothing", () => {
    // Exim's DATA ACL "deny" (Sendmail's report: Status 5.2.0, test/fixtures/mta-made/sendmail s26).
    assert.equal(report("end of DATA", "5.2.0"), "rejected");
    assert.equal(report("MAIL FROM", "5.2.0"), "rejected");
    assert.equal(report("RCPT TO", "5.2.0"), "filtered");
  });
  it("a status Sisimai probes before Rejected (mailbox full, too large) still decides", () => {
    assert.equal(report("end of DATA", "5.2.2"), "mailboxfull");
    assert.equal(report("end of DATA", "5.3.4"), "emailtoolarge");
  });
  it("a status Sisimai's table does not list names nothing, whatever its RFC 3463 class would say", () => {
    // 5.5.0 and 5.4.1 are in no row of sisimai go smtp/status/lib.go: its Rejected probe reads the words.
    for (const status of ["5.5.0", "5.4.1"])
      for (const phase of ["RCPT TO", "end of DATA", "MAIL FROM"])
        assert.equal(report(phase, status), "rejected", `${status} ${phase}`);
    // 5.5.2 is in it (syntaxerror): at RCPT the status still decides.
    assert.equal(report("RCPT TO", "5.5.2"), "syntaxerror");
  });
});

describe("content words before DATA (sisimai go reason/why-spamdetected.go, why-filtered.go ProbesInto)", () => {
  const report = (phase: string, status: string, said: string) =>
    records(
      dsn(
        `<someone@example.net>: host mx.example.net[192.0.2.8] said: ${said} (in reply to ${phase} command)`,
        ["Final-Recipient: rfc822; someone@example.net", "Action: failed", `Status: ${status}`].join("\n"),
      ),
    )[0]?.reason;
  const spam = "451 4.7.1 Message appears to be unsolicited";
  it("give way to a status Sisimai's table names blocked before the message was sent", () => {
    for (const phase of ["RCPT TO", "MAIL FROM", "EHLO"])
      assert.equal(report(phase, "4.7.1", spam), "blocked", phase);
    assert.equal(report("RCPT TO", "4.7.1", "451 4.7.1 Message filtered"), "blocked");
  });
  it("keep the content's category under that label, in a report and in a log event (R41: the category keeps the why)", () => {
    const record = records(
      dsn(
        `<someone@example.net>: host mx.example.net[192.0.2.8] said: ${spam} (in reply to RCPT TO command)`,
        ["Final-Recipient: rfc822; someone@example.net", "Action: failed", "Status: 4.7.1"].join("\n"),
      ),
    )[0];
    assert.deepEqual([record?.reason, record?.category], ["blocked", "content"]);
    const event = classifyEvent({
      type: "deferred",
      reply: "451 4.7.1 Message content rejected, UBE, id=12345-01",
      replyCode: 451,
      status: "4.7.1",
      remoteMta: "mx.example.net",
      recipient: "someone@example.net",
      hint: null,
      smtpCommand: "RCPT",
    });
    assert.deepEqual([event?.reason, event?.category], ["blocked", "content"]);
  });
  it("decide after DATA, and under a status that names nothing or only a security error", () => {
    assert.equal(report("end of DATA", "4.7.1", spam), "spamdetected");
    assert.equal(report("RCPT TO", "5.0.0", "550 Message appears to be unsolicited"), "spamdetected");
    assert.equal(report("RCPT TO", "5.7.1", "550 5.7.1 Message appears to be unsolicited"), "spamdetected");
  });
});

describe("user-unknown wording and the SMTP phase (sisimai go reason/why-userunknown.go, why-filtered.go)", () => {
  // Yahoo! JAPAN's reply, as Sisimai's X2 and PowerMTA messages quote it.
  const reply =
    "554 delivery error: dd This user doesn't have a example.jp account (kijitora@example.jp) [0]";
  const report = (phase: string, status = "5.0.0", said = reply) =>
    records(
      dsn(
        `<kijitora@example.jp>: host mx.example.jp[192.0.2.8] said: ${said}${phase}`,
        ["Final-Recipient: rfc822; kijitora@example.jp", "Action: failed", `Status: ${status}`].join("\n"),
      ),
    )[0]?.reason;
  it("is a filter's refusal after DATA or with no phase shown, an unknown user at RCPT or with a 5.1.x status", () => {
    assert.equal(report(""), "filtered");
    assert.equal(report(" (in reply to end of DATA command)"), "filtered");
    assert.equal(report(" (in reply to RCPT TO command)"), "userunknown");
    assert.equal(report("", "5.1.1"), "userunknown");
  });
  it("only a status Sisimai's table names userunknown (5.1.0, 5.1.1, 5.1.3) says so besides the words", () => {
    // sisimai go smtp/status/lib.go: 5.1.4 (ambiguous address) is filtered, 4.1.1 is not listed.
    for (const status of ["5.1.4", "4.1.1"]) {
      const said = `${status[0]}50 ${status} <kijitora@example.jp>... User unknown`;
      assert.equal(report("", status, said), "filtered", status);
      assert.equal(report(" (in reply to end of DATA command)", status, said), "filtered", status);
      assert.equal(report(" (in reply to RCPT TO command)", status, said), "userunknown", status);
    }
    for (const status of ["5.1.0", "5.1.3"])
      assert.equal(report("", status, `550 ${status} <kijitora@example.jp>... User unknown`), "userunknown");
  });
  it("Exim's 'after pipelined <command>:' names the phase as its plain 'after <command>:' does (RFC 2920)", () => {
    const exim = (command: string) =>
      records(
        plain(
          "Mail delivery failed: returning message to sender",
          [
            ...EXIM_NOTICE_HEAD,
            "  kijitora@example.jp",
            "    host mx.example.jp [192.0.2.25]",
            `    SMTP error from remote mail server after ${command}:`,
            "    550 Unknown user kijitora@example.jp",
          ].join("\n"),
        ),
      )[0]?.reason;
    assert.equal(exim("pipelined RCPT TO:<kijitora@example.jp>"), "userunknown");
    assert.equal(exim("RCPT TO:<kijitora@example.jp>"), "userunknown");
    assert.equal(exim("pipelined end of data"), "filtered");
    assert.equal(exim("pipelined MAIL FROM:<sender@example.org> SIZE=1024"), "onhold");
  });
  it("before RCPT it is not about the recipient: on hold at MAIL FROM, the client blocked at EHLO", () => {
    // sisimai go reason/find.go: neither probe applies before RCPT, nothing else decides (onhold); anotherone()
    // and lhost/via-exim.go read EHLO/HELO as blocked.
    assert.equal(report(" (in reply to MAIL FROM command)"), "onhold");
    assert.equal(report(" (in reply to EHLO command)"), "blocked");
    assert.equal(report("", "5.0.0", "550 user unknown (in reply to MAIL FROM command)"), "onhold");
  });
  it("ingest's path (each record an event, classified by classifyEvent) gives the same verdicts", () => {
    for (const said of ["550 Mailbox does not exist", "550 Invalid recipient", reply]) {
      for (const phase of [
        "",
        " (in reply to end of DATA command)",
        " (in reply to MAIL FROM command)",
        " (in reply to EHLO command)",
      ]) {
        const raw = Buffer.from(
          dsn(
            `<kijitora@example.jp>: host mx.example.jp[192.0.2.8] said: ${said}${phase}`,
            ["Final-Recipient: rfc822; kijitora@example.jp", "Action: failed", "Status: 5.0.0"].join("\n"),
          ),
        );
        const [record] = recordsFromEmail(raw, "t.eml").records;
        const [event] = emailItems(raw, "t.eml", null).filter(
          (item): item is DeliveryEvent => "type" in item,
        );
        const stored = storedVerdict(event);
        const label = `${said}${phase}`;
        assert.deepEqual(
          [stored?.reason, stored?.category, stored?.suppressRecipient],
          [record?.reason, record?.category, record?.suppressRecipient],
          label,
        );
      }
    }
  });
  it("suppression follows the words where no phase is shown; after DATA, before RCPT, the address is kept", () => {
    const verdict = (reply: string, phase: string) => {
      const record = records(
        dsn(
          `<kijitora@example.jp>: host mx.example.jp[192.0.2.8] said: ${reply}${phase}`,
          [
            "Final-Recipient: rfc822; kijitora@example.jp",
            "Action: failed",
            "Status: 5.0.0",
            `Diagnostic-Code: smtp; ${reply}`,
          ].join("\n"),
        ),
      )[0];
      return `${record?.reason} ${record?.category} ${record?.suppressRecipient} ${record?.retryable}`;
    };
    for (const reply of [
      "550 Invalid recipient",
      "550 Mailbox does not exist",
      "550 Requested action not taken: mailbox unavailable",
      "550 recipient rejected",
    ]) {
      assert.equal(verdict(reply, ""), "filtered recipient true false", reply);
      // Accepted at RCPT TO, refused after DATA: a filter's refusal, not a bad address (RFC 5321 §3.3).
      assert.equal(
        verdict(reply, " (in reply to end of DATA command)"),
        "filtered content false false",
        reply,
      );
      assert.equal(
        verdict(reply, " (in reply to RCPT TO command)"),
        "userunknown recipient true false",
        reply,
      );
      assert.equal(verdict(reply, " (in reply to MAIL FROM command)"), "onhold unknown false false", reply);
      assert.equal(verdict(reply, " (in reply to EHLO command)"), "blocked blocklist false true", reply);
    }
  });
  it("an MTA's own category for the recipient stands (X-PowerMTA-BounceCategory: bad-mailbox)", () => {
    const fields = [
      "Final-Recipient: rfc822;kijitora@example.com",
      "Action: failed",
      "Status: 5.0.0 (undefined status)",
      "Diagnostic-Code: smtp;554 delivery error: dd This user doesn't have a example.com account (kijitora@example.com) [0] - mta1082.mail.bf1.example.com",
      "X-PowerMTA-BounceCategory: bad-mailbox",
    ].join("\n");
    const [record] = records(dsn("<kijitora@example.com> delivery failed; will not continue trying", fields));
    // Without the category, this reply in no named phase would be a filter's refusal.
    assert.equal(record.reason, "userunknown");
    // The reply still refines the category: a disabled mailbox in a bad-mailbox group is suspend.
    const disabled = fields
      .replace("5.0.0 (undefined status)", "5.2.1 (mailbox disabled, not accepting messages)")
      .replace(
        /Diagnostic-Code: .*/,
        "Diagnostic-Code: smtp;550 5.2.1 <kijitora@example.com>... User Unknown",
      );
    assert.equal(records(dsn("Delivery failed.", disabled))[0].reason, "suspend");
  });
  it("every bounce category's example group gets the category's reason", () => {
    for (const entry of BOUNCE_CATEGORIES) {
      const fields = `Final-Recipient: rfc822;kijitora@example.com\nAction: failed\n${entry.example}`;
      assert.equal(records(dsn("Delivery failed.", fields))[0]?.reason, entry.reason, entry.category);
    }
  });
});

describe("reply codes in text", () => {
  it("the first part of an IP address is not a reply code", () => {
    const fields = [
      "Final-Recipient: rfc822; someone@example.net",
      "Action: failed",
      "Status: 4.4.1",
      "Diagnostic-Code: X-Postfix; connect to example.net[203.0.113.9]:25: Connection timed out",
    ].join("\n");
    assert.equal(records(dsn("Delivery failed.", fields))[0].replyCode, null);
  });
});

describe("charsets", () => {
  it("8-bit text labelled ISO-2022-JP that is not UTF-8 is read as EUC-JP", () => {
    const head = Buffer.from(
      "From: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail\nContent-Type: text/plain; charset=iso-2022-jp\n\n<someone@example.net>: 550 user unknown\n",
    );
    const eucJp = Buffer.from([0xc1, 0xf7, 0xbf, 0xae, 0x0a]); // 送信
    const [record] = recordsFromEmail(Buffer.concat([head, eucJp]), "x.eml").records;
    assert.match(record.diagnostic, /送信/);
  });
});

describe("fml mailing-list notices", () => {
  it("X-MLServer: fml with 'Duplicated Message-ID' is a system error about the list", () => {
    const text = [
      "From: list-admin@example.org",
      "To: list-admin@example.org",
      "Subject: Loop Alert: Duplicated Message-ID (cats ML)",
      "X-MLServer: fml [fml 4.0.3 release]",
      "",
      "Duplicated Message-ID in <cats@example.org>.",
      "",
      "Original mail as follows:",
      "",
      "   From: someone@example.net",
      "",
    ].join("\n");
    const [record] = records(text);
    assert.equal(record.recipient, "cats@example.org");
    assert.equal(record.reason, "systemerror");
  });

  it("a message without the X-MLServer header is not read as an fml notice", () => {
    const text =
      "From: list@example.org\nTo: a@example.org\nSubject: Loop Alert: hello\n\nHello <b@example.org>.\n";
    assert.equal(records(text).length, 0);
  });
});

describe("mbox", () => {
  it("a whole postmark line starts a message even without the empty line before it", () => {
    const message = (n: number) =>
      `From MAILER-DAEMON  Thu Jul  2 12:05:0${n} 2020\nFrom: MAILER-DAEMON@mx.example.org\nSubject: Undelivered Mail\n\nbody ${n}\n`;
    const mbox = Buffer.from(`${message(1)}--boundary--\n${message(2)}`);
    const parts = splitMbox(mbox);
    assert.equal(parts.length, 2);
    assert.equal(parts[1].line, 7);
    assert.match(parts[1].raw.toString(), /^From MAILER-DAEMON/);
  });

  it("a 'From ' line in a body that is not a whole postmark does not split", () => {
    const mbox = Buffer.from(
      "From a@example.org Thu Jul  2 12:05:05 2020\nSubject: x\n\nline\nFrom here on, nothing splits\n",
    );
    assert.equal(splitMbox(mbox).length, 1);
    assert.equal([...classifyEmailBuffer(mbox, "x.mbox")].length, 1);
  });
});

describe("an unknown user after DATA is a filter's refusal: the address is kept", () => {
  const corpus = (name: string) => {
    const path = new URL(`../fixtures/sisimai/eml/${name}`, import.meta.url);
    const [record] = recordsFromEmail(readFileSync(path), name).records;
    return `${record?.reason} ${record?.category} ${record?.suppressRecipient}`;
  };
  it("'550 Unknown user' answering DATA (Postfix's phase, Sendmail's and Courier's '>>> DATA')", () => {
    assert.equal(corpus("lhost-postfix-03.eml"), "filtered content false");
    assert.equal(corpus("lhost-sendmail-19.eml"), "filtered content false");
    assert.equal(corpus("lhost-courier-02.eml"), "filtered content false");
  });
  it("a pipelined batch's refusal before DATA's 'need RCPT' answered RCPT TO: no phase shown unless DATA's reply quotes it", () => {
    // Sendmail's transcript shows ">>> DATA", then the RCPT reply, then DATA's "503 5.0.0 Need RCPT".
    assert.equal(corpus("lhost-sendmail-27.eml"), "filtered recipient true");
    const transcript = (second: string) =>
      records(
        dsn(
          [
            "   ----- The following addresses had permanent fatal errors -----",
            "<kijitora@example.jp>",
            "    (reason: 550 Unknown user kijitora@example.jp)",
            "",
            "   ----- Transcript of session follows -----",
            "... while talking to mx.example.jp.:",
            ">>> DATA",
            "<<< 550 Unknown user kijitora@example.jp",
            second,
          ].join("\n"),
          [
            "Final-Recipient: rfc822; kijitora@example.jp",
            "Action: failed",
            "Status: 5.0.0",
            "Diagnostic-Code: smtp; 550 Unknown user kijitora@example.jp",
          ].join("\n"),
        ),
      )[0];
    for (const second of [
      "<<< 554 5.5.1 Error: no valid recipients",
      "<<< 503 5.0.0 Need RCPT (recipient)",
    ]) {
      const record = transcript(second);
      assert.deepEqual([record?.reason, record?.suppressRecipient], ["filtered", true], second);
    }
    // Exim's DATA refusal quoting the one refusal every RCPT TO drew proves the phase: RCPT (src/smtp_in.c).
    const exim = (quoted: string) =>
      transcript(
        [
          "<<< 503-All RCPT commands were rejected with this error:",
          `<<< 503-${quoted}`,
          "<<< 503 Valid RCPT command must precede DATA",
        ].join("\n"),
      );
    assert.deepEqual(
      [
        exim("Unknown user kijitora@example.jp")?.reason,
        exim("Unknown user kijitora@example.jp")?.suppressRecipient,
      ],
      ["userunknown", true],
    );
    // Another refusal quoted (the first reply answered MAIL FROM, or a line is missing): no phase, as before.
    assert.deepEqual(
      [exim("Mailbox full")?.reason, exim("Mailbox full")?.suppressRecipient],
      ["filtered", true],
    );
    // The same with the lines joined, as a report that folds its transcript writes it.
    assert.equal(
      smtpCommandIn(
        ">>> DATA <<< 550 unknown user <<< 503 All RCPT commands were rejected with this error: unknown user Valid RCPT command must precede DATA",
      ),
      "RCPT",
    );
    // Replies of replies are read in one pass: a hostile run of them is no transcript, and no hang.
    assert.equal(smtpCommandIn(`>>> DATA ${"<<< 550 ".repeat(20_000)}`), "DATA");
    assert.equal(
      smtpCommandIn(
        `>>> DATA <<< 550 x <<< 503-All RCPT commands were rejected with this error:${" x".repeat(100_000)}`,
      ),
      "RCPT",
    );
    // DATA answered by its own refusal, the session going on: the phase is DATA.
    const data = transcript("554 5.0.0 Service unavailable");
    assert.deepEqual([data?.reason, data?.suppressRecipient], ["filtered", false]);
  });
});
