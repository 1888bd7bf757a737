import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { headerStart } from "../../src/bounce/email/headers.ts";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import type { BounceRecord } from "../../src/bounce/record.ts";

/**
 * Bounces as they reach a sender in practice, beyond the shapes of the development corpus: other
 * encodings of the report, a multipart/report missing one of its parts, bounces a person forwarded, replies
 * folded over lines (synthetic messages; RFC 2606 / RFC 5737 names).
 */

const records = (text: string | Buffer): BounceRecord[] =>
  recordsFromEmail(typeof text === "string" ? Buffer.from(text) : text, "test.eml").records;

const b64 = (text: string): string => Buffer.from(text).toString("base64").replace(/.{76}/g, "$&\n");

const headers = (subject: string, type: string, from = "MAILER-DAEMON@mx.example.net"): string =>
  `From: ${from}\nTo: sender@example.com\nSubject: ${subject}\nDate: Tue, 01 Dec 2026 10:00:00 +0000\nMIME-Version: 1.0\nContent-Type: ${type}\n`;

const POSTFIX_TEXT = [
  "This is the mail system at host mx.example.net.",
  "",
  "I'm sorry to have to inform you that your message could not",
  "be delivered to one or more recipients.",
  "",
].join("\n");

function only(list: BounceRecord[]): BounceRecord {
  assert.equal(list.length, 1, JSON.stringify(list.map((record) => record.recipient)));
  return list[0];
}

describe("encodings of the report", () => {
  it("a base64 delivery-status part and a quoted-printable text part", () => {
    const fields = b64(
      "Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown\n",
    );
    const record = only(
      records(
        `${headers("Undelivered Mail Returned to Sender", 'multipart/report; report-type=delivery-status; boundary="B"')}\n--B\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nyour message could not=20\nbe delivered.\n\n--B\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n${fields}\n--B--\n`,
      ),
    );
    assert.equal(record.recipient, "gone@example.org");
    assert.equal(record.status, "5.1.1");
    assert.equal(record.reason, "userunknown");
  });

  it("a quoted-printable soft line break padded with blanks in transport (RFC 2045 §6.7 (3))", () => {
    const record = only(
      records(
        `${headers("Undelivered Mail Returned to Sender", 'multipart/report; report-type=delivery-status; boundary="B"')}\n--B\nContent-Type: text/plain\n\nyour message could not be delivered.\n\n--B\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: quoted-printable\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; gone@exam= \nple.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected: User unkno=\t\r\nwn\n\n--B--\n`,
      ),
    );
    assert.equal(record.recipient, "gone@example.org");
    assert.match(record.diagnostic ?? "", /User unknown$/);
  });

  it("a whole plain-text report in base64", () => {
    const body = b64(
      `${POSTFIX_TEXT}\n<quota@example.org>: host mx.example.org[192.0.2.1] said: 452 4.2.2 Mailbox full\n    (in reply to RCPT TO command)\n`,
    );
    const record = only(
      records(
        `${headers("Undelivered Mail Returned to Sender", "text/plain; charset=us-ascii")}Content-Transfer-Encoding: base64\n\n${body}\n`,
      ),
    );
    assert.equal(record.recipient, "quota@example.org");
    assert.equal(record.replyCode, 452);
    assert.equal(record.reason, "mailboxfull");
  });

  it("a Shift_JIS text before the English error lines", () => {
    const japanese = Buffer.from([
      0x83, 0x81, 0x81, 0x5b, 0x83, 0x8b, 0x82, 0xf0, 0x94, 0x7a, 0x90, 0x4d, 0x82, 0xc5, 0x82, 0xab, 0x82,
      0xdc, 0x82, 0xb9, 0x82, 0xf1, 0x82, 0xc5, 0x82, 0xb5, 0x82, 0xbd, 0x81, 0x42,
    ]);
    const message = Buffer.concat([
      Buffer.from(
        `${headers("Returned mail: User unknown", "text/plain; charset=Shift_JIS", "MAILER-DAEMON@mx.example.jp")}Content-Transfer-Encoding: 8bit\n\n`,
      ),
      japanese,
      Buffer.from(
        "\n\n   ----- The following addresses had permanent fatal errors -----\n<nouser@example.jp>\n    (reason: 550 5.1.1 <nouser@example.jp>... User unknown)\n",
      ),
    ]);
    const record = only(records(message));
    assert.equal(record.recipient, "nouser@example.jp");
    assert.equal(record.reason, "userunknown");
  });

  it("message/global-delivery-status with a UTF-8 recipient (RFC 6533)", () => {
    const record = only(
      records(
        `${headers("Undelivered Mail Returned to Sender", 'multipart/report; report-type=global-delivery-status; boundary="B"')}\n--B\nContent-Type: text/plain; charset=utf-8\n\n配信できませんでした。\n\n--B\nContent-Type: message/global-delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\nFinal-Recipient: utf-8; 山田@例え.jp\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n--B--\n`,
      ),
    );
    assert.equal(record.recipient, "山田@例え.jp");
    assert.equal(record.reason, "mailboxfull");
  });

  it("lower-case field names, a Status comment, a folded Diagnostic-Code, CRLF line ends", () => {
    const text = `${headers("Returned mail: see transcript for details", 'multipart/report; report-type=delivery-status;\n\tboundary="B"')}\n--B\nContent-Type: text/plain\n\nThe original message was received.\n\n--B\nContent-Type: message/delivery-status\n\nreporting-mta: dns; mx.example.net\n\nfinal-recipient: RFC822; <Over@Example.org>\naction: Failed\nstatus: 5.2.2 (mailbox full)\ndiagnostic-code: SMTP;\n  552 5.2.2 Over quota\n--B--\n`;
    const record = only(records(text.replace(/\n/g, "\r\n")));
    assert.equal(record.recipient, "Over@Example.org");
    assert.equal(record.status, "5.2.2");
    assert.equal(record.replyCode, 552);
    assert.equal(record.reason, "mailboxfull");
  });
});

describe("line ends", () => {
  it("a report whose lines end in a bare CR alone (classic Mac OS) reads as with LF (review R109)", () => {
    // Real reports of every carrier made on loopback (test/fixtures/mta-made), each with every line end a bare CR.
    const root = new URL("../fixtures/mta-made/", import.meta.url);
    let read = 0;
    for (const carrier of readdirSync(root, { withFileTypes: true })) {
      if (!carrier.isDirectory()) continue;
      const folder = new URL(`${carrier.name}/`, root);
      const names = readdirSync(folder).filter((name) => name.endsWith(".eml"));
      for (const name of names.sort().slice(0, 3)) {
        const lf = readFileSync(new URL(name, folder), "latin1").replace(/\r\n/g, "\n");
        const cr = Buffer.from(lf.replace(/\n/g, "\r"), "latin1");
        const expected = records(Buffer.from(lf, "latin1"));
        assert.ok(expected.length > 0, `${carrier.name}/${name}`);
        assert.deepEqual(records(cr), expected, `${carrier.name}/${name}`);
        read++;
      }
    }
    assert.ok(read >= 15, `${read} reports`);
  });
});

describe("an HTML-only report", () => {
  it("its character references are decoded before the reply is read", () => {
    const record = only(
      records(
        `${headers("Undeliverable: hello", "text/html; charset=utf-8", "postmaster@mx.example.net")}\n<html><body><p><b>Your message to <a href="mailto:gone@example.org">gone@example.org</a> couldn&#39;t be delivered.</b></p>\n<p>gone@example.org wasn&#8217;t found at example.org.</p>\n<p>Remote Server returned &#39;550 5.1.1 &lt;gone@example.org&gt;: Recipient address rejected: User unknown in virtual mailbox table&#39;</p>\n</body></html>\n`,
      ),
    );
    assert.equal(record.recipient, "gone@example.org");
    assert.equal(record.reason, "userunknown");
    assert.equal(record.replyCode, 550);
    assert.match(record.diagnostic, /wasn’t found .*'550 5\.1\.1 <gone@example\.org>: Recipient/);
    assert.doesNotMatch(record.diagnostic, /&#|&lt;/);
  });
});

describe("an HTML-only report written on one line", () => {
  it("its <p> and <br> still end lines: the recipient stands on a line of its own", () => {
    const record = only(
      records(
        `${headers("Undeliverable: hello", "text/html; charset=utf-8", "postmaster@mx.example.net")}\n<html><body><p>Delivery has failed to these recipients or groups:</p><p>gone@example.org<br>The&nbsp;email&nbsp;address&nbsp;you&nbsp;entered&nbsp;couldn&#39;t&nbsp;be&nbsp;found.</p><p>Diagnostic information for administrators:</p><p>Generating server: mx.example.net</p><p>gone@example.org<br>Remote Server returned &#39;550 5.1.1 User unknown&#39;</p></body></html>\n`,
      ),
    );
    assert.equal(record.recipient, "gone@example.org");
    assert.equal(record.reason, "userunknown");
    assert.equal(record.status, "5.1.1");
  });
});

describe("a multipart/report missing a part", () => {
  it("no delivery-status part: the text part's recipients and replies", () => {
    const record = only(
      records(
        `${headers("Undelivered Mail Returned to Sender", 'multipart/report; report-type=delivery-status; boundary="B"')}\n--B\nContent-Type: text/plain\n\n${POSTFIX_TEXT}\n<full@example.org>: host mx.example.org[192.0.2.1] said: 552 5.2.2\n    <full@example.org>: Mailbox full (in reply to RCPT TO command)\n\n--B\nContent-Type: message/rfc822\n\nFrom: sender@example.com\nTo: full@example.org\nSubject: hi\n\nhi\n--B--\n`,
      ),
    );
    assert.equal(record.recipient, "full@example.org");
    assert.equal(record.status, "5.2.2");
    assert.equal(record.reason, "mailboxfull");
  });

  it("only a delivery-status part, its closing boundary cut off", () => {
    const record = only(
      records(
        `${headers("Delivery Status Notification (Failure)", 'multipart/report; report-type=delivery-status; boundary="B"')}\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; nohost@nonexistent.example\nAction: failed\nStatus: 5.1.2\nDiagnostic-Code: smtp; 550 5.1.2 Host unknown (Name server: nonexistent.example: host not found)\n`,
      ),
    );
    assert.equal(record.recipient, "nohost@nonexistent.example");
    assert.equal(record.reason, "hostunknown");
  });

  it("a recipient's group without Final-Recipient: the failure is kept, the recipient taken from the text", () => {
    const message = (sentence: string) =>
      `${headers("Undelivered Mail Returned to Sender", 'multipart/report; report-type=delivery-status; boundary="B"')}\n--B\nContent-Type: text/plain\n\n${sentence}\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n--B--\n`;
    const record = only(records(message("Your message to norcpt@example.org could not be delivered.")));
    assert.equal(record.recipient, "norcpt@example.org");
    assert.equal(record.status, "5.2.2");
    assert.equal(record.reason, "mailboxfull");
    // A text that names only the bounce's own addressee gives no recipient: no record is made up.
    assert.deepEqual(records(message("Your message from sender@example.com could not be delivered.")), []);
  });

  it("a delivery-status part inside multipart/mixed", () => {
    const record = only(
      records(
        `${headers("failure notice", 'multipart/mixed; boundary="B"')}\n--B\nContent-Type: text/plain\n\nDelivery failed.\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; blocked@example.org\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org\n--B--\n`,
      ),
    );
    assert.equal(record.recipient, "blocked@example.org");
    assert.equal(record.reason, "blocked");
  });
});

describe("delivery-status fields", () => {
  it("no Diagnostic-Code: of a recipient named twice (Exchange), the mention quoting a reply explains it", () => {
    const list = records(
      `${headers("Undeliverable: hello", 'multipart/report; report-type=delivery-status; boundary="B"', "postmaster@mx.example.net")}\n--B\nContent-Type: text/plain\n\nDelivery has failed to these recipients or groups:\n\nfirst@example.org\nThe email address you entered couldn't be found. Please check the recipient's email address and try to resend the message.\n\nsecond@example.org\nThis recipient's mailbox is full and can't accept messages now.\n\nDiagnostic information for administrators:\n\nGenerating server: mx.example.net\n\nfirst@example.org\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n\nsecond@example.org\nRemote Server returned '552 5.2.2 mailbox full'\n\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; first@example.org\nAction: failed\nStatus: 5.1.10\n\nFinal-Recipient: rfc822; second@example.org\nAction: failed\nStatus: 5.2.2\n--B--\n`,
    );
    assert.deepEqual(
      list.map((record) => [record.recipient, record.reason, record.replyCode]),
      [
        ["first@example.org", "userunknown", 550],
        ["second@example.org", "mailboxfull", 552],
      ],
    );
    assert.match(list[0].diagnostic, /RESOLVER\.ADR\.RecipientNotFound/);
  });

  it("fields written right under the part's Content-Type, with no blank line, are still read", () => {
    const list = records(
      `${headers("Returned mail: see transcript for details", 'multipart/report; report-type=delivery-status; boundary="B"')}\n--B\nContent-Type: text/plain\n\nThe original message was received.\n\n--B\nContent-Type: message/delivery-status\nReporting-MTA: dns; mx.example.net\nFinal-Recipient: rfc822; one@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\nFinal-Recipient: rfc822; two@example.org\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2 Mailbox full\n--B--\n`,
    );
    assert.deepEqual(
      list.map((record) => [record.recipient, record.reason]),
      [
        ["one@example.org", "userunknown"],
        ["two@example.org", "mailboxfull"],
      ],
    );
  });

  it("a quoted local part ('\"a..b.\"@c', RFC 5321 §4.1.2) is the recipient, quotes kept, with or without the DSN", () => {
    const text = `This is the mail system at host mx.example.net.\n\n<"neko..nyaan."@example.org>: host mx.example.org[192.0.2.1] said:\n    550 5.1.1 <"neko..nyaan."@example.org>... User Unknown (in reply to\n    RCPT TO command)\n`;
    const fields = `Reporting-MTA: dns; mx.example.net\n\nFinal-Recipient: rfc822; "neko..nyaan."@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <"neko..nyaan."@example.org>... User Unknown\n`;
    const type = 'multipart/report; report-type=delivery-status; boundary="B"';
    for (const dsn of [fields, ""]) {
      const record = only(
        records(
          `${headers("Undelivered Mail Returned to Sender", type)}\n--B\nContent-Type: text/plain\n\n${text}\n--B\nContent-Type: message/delivery-status\n\n${dsn}\n--B--\n`,
        ),
      );
      assert.equal(record.recipient, '"neko..nyaan."@example.org');
      assert.equal(record.reason, "userunknown");
    }
  });

  it("a delivery-status report whose fields are missing is read from its text, whatever its sender and subject", () => {
    const record = only(
      records(
        `${headers("X", 'multipart/report; report-type=delivery-status; boundary="B"', "<>")}\n--B\nContent-Type: text/plain\n\nYour message could not be sent.\nAddressed To: gone@example.org\n\ngone@example.org: [192.0.2.2], 550 5.1.1 User unknown\n\n--B\nContent-Type: message/delivery-status\n\n\n--B--\n`,
      ),
    );
    assert.equal(record.recipient, "gone@example.org");
    assert.equal(record.reason, "userunknown");
  });

  it("a Final-Recipient that is a file or a pipe: the address Exim says generated it (sisimai go lhost/via-exim.go)", () => {
    const exim = (failed: string, recipient: string) =>
      records(
        `${headers("Mail delivery failed: returning message to sender", 'multipart/report; report-type=delivery-status; boundary="B"', "Mail Delivery System <Mailer-Daemon@mx.example.net>")}\n--B\nContent-type: text/plain; charset=us-ascii\n\nThis message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n${failed}\n    mailbox is full: retry timeout exceeded\n\n--B\nContent-type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\nAction: failed\nFinal-Recipient: rfc822;${recipient}\nStatus: 5.0.0\n\n--B--\n`,
      ).map((record) => [record.recipient, record.reason]);
    assert.deepEqual(exim("  save to /var/mail/neko\n    generated by neko@example.org", "/var/mail/neko"), [
      ["neko@example.org", "mailboxfull"],
    ]);
    assert.deepEqual(
      exim("  an undisclosed address\n    (generated from neko@example.org)", "an undisclosed address"),
      [["neko@example.org", "mailboxfull"]],
    );
  });

  it("a person's auto-reply sent from the null reverse-path (RFC 3834 §3.3) is no bounce: no record", () => {
    const reply = [
      "Return-Path: <>",
      "From: Neko Kijitora <neko@example.org>",
      "To: sender@example.com",
      "Subject: Re: Quarterly numbers",
      "Date: Tue, 03 Mar 2026 10:00:00 +0000",
      "Content-Type: text/plain; charset=us-ascii",
      "",
      "Your message to neko@example.org has been received but could not be read: I am on leave until March.",
      "Until then please write to tama@example.org; my mailbox is full of unread mail.",
      "",
    ].join("\n");
    assert.deepEqual(
      records(reply).map((record) => [record.recipient, record.reason]),
      [],
    );
  });

  it("'generated by' anywhere else names the notice's writer, never a recipient", () => {
    for (const sentence of [
      "This message was generated by mailer-daemon@mx.example.net.",
      "This report was generated from postmaster@mx.example.net",
    ]) {
      const notice = `${headers("Undelivered Mail", "text/plain", "Mail Delivery System <Mailer-Daemon@mx.example.net>")}\n${sentence}\nYour message could not be delivered.\n550 5.1.1 mailbox unavailable\n`;
      assert.deepEqual(
        records(notice).map((record) => record.recipient),
        [],
        sentence,
      );
    }
  });
});

describe("forwarded bounces", () => {
  const FORWARDER = "Alice <alice@example.com>";

  it("forwarded inline by a mail client: the quoted report's recipient and reply, not the forwarder", () => {
    const record = only(
      records(
        `${headers("Fwd: Undelivered Mail Returned to Sender", "text/plain; charset=utf-8", FORWARDER)}\nWhy does this keep happening?\n\n---------- Forwarded message ---------\nFrom: Mail Delivery System <MAILER-DAEMON@mx.example.net>\nDate: Tue, 1 Dec 2026 at 09:00\nSubject: Undelivered Mail Returned to Sender\nTo: <alice@example.com>\n\n${POSTFIX_TEXT}\n<someone@icloud.com>: host mx01.mail.icloud.com[17.57.152.5] said: 554 5.7.1\n    [CS01] Message rejected due to local policy. Please visit\n    https://support.apple.com/en-us/HT204137 (in reply to end of DATA command)\n`,
      ),
    );
    assert.equal(record.recipient, "someone@icloud.com");
    assert.equal(record.provider, "apple");
    assert.equal(record.providerCode, "CS01");
    assert.equal(record.reason, "policyviolation");
  });

  it("a DSN forwarded as an attachment with a note: the attached report is read", () => {
    const list = records(
      `${headers("Fwd: Delivery Status Notification (Failure)", 'multipart/mixed; boundary="OUT"', FORWARDER)}\n--OUT\nContent-Type: text/plain\n\nsee attached bounce\n\n--OUT\nContent-Type: message/rfc822\n\nFrom: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: alice@example.com\nSubject: Delivery Status Notification (Failure)\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="IN"\n\n--IN\nContent-Type: text/plain\n\nDelivery to the following recipient failed permanently:\n\n     nobody@gmail.com\n\n--IN\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; googlemail.com\n\nFinal-Recipient: rfc822; nobody@gmail.com\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try\n 550-5.1.1 double-checking the recipient's email address for typos or\n 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser\n--IN--\n\n--OUT--\n`,
    );
    const record = only(list);
    assert.equal(record.recipient, "nobody@gmail.com");
    assert.equal(record.reason, "userunknown");
    assert.equal(record.provider, "google");
  });

  it("a plain-text bounce forwarded as an attachment with a note", () => {
    const record = only(
      records(
        `${headers("Fwd: Undelivered Mail Returned to Sender", 'multipart/mixed; boundary="OUT"', FORWARDER)}\n--OUT\nContent-Type: text/plain\n\nCan you look at this one? Thanks, Alice\n\n--OUT\nContent-Type: message/rfc822\n\nFrom: MAILER-DAEMON@mx.example.net (Mail Delivery System)\nTo: alice@example.com\nSubject: Undelivered Mail Returned to Sender\n\n${POSTFIX_TEXT}\n<old@example.org>: host mx.example.org[192.0.2.1] said: 550 5.1.1\n    <old@example.org>: Recipient address rejected: User unknown in virtual\n    mailbox table (in reply to RCPT TO command)\n\n--OUT--\n`,
      ),
    );
    assert.equal(record.recipient, "old@example.org");
    assert.equal(record.reason, "userunknown");
  });

  it("an ESP's notification a person forwarded as an attachment (its sender no MTA): the notification is read", () => {
    const notification = JSON.stringify({
      notificationType: "Bounce",
      bounce: {
        bounceType: "Permanent",
        bounceSubType: "General",
        bouncedRecipients: [
          {
            emailAddress: "gone@example.org",
            action: "failed",
            status: "5.1.1",
            diagnosticCode: "smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown",
          },
        ],
        timestamp: "2026-12-01T09:00:00.000Z",
      },
      mail: { timestamp: "2026-12-01T08:59:58.000Z", source: "alice@example.com" },
    });
    const record = only(
      records(
        `${headers("Fwd: AWS Notification Message", 'multipart/mixed; boundary="OUT"', FORWARDER)}\n--OUT\nContent-Type: text/plain\n\nWhat does this one mean?\n\n--OUT\nContent-Type: message/rfc822\n\nFrom: AWS Notifications <no-reply@sns.amazonaws.com>\nTo: alice@example.com\nSubject: AWS Notification Message\n\n${notification}\n\n--OUT--\n`,
      ),
    );
    assert.equal(record.recipient, "gone@example.org");
    assert.equal(record.reason, "userunknown");
  });

  it("an ordinary message that attaches another ordinary message yields nothing", () => {
    const list = records(
      `${headers("Fwd: lunch", 'multipart/mixed; boundary="OUT"', FORWARDER)}\n--OUT\nContent-Type: text/plain\n\nsee below\n\n--OUT\nContent-Type: message/rfc822\n\nFrom: Bob <bob@example.org>\nTo: alice@example.com\nSubject: lunch\n\nNoon at the usual place?\n\n--OUT--\n`,
    );
    assert.deepEqual(list, []);
  });

  it("a person's mail attaching a message, whatever its subject or the attachment's text, is no bounce (R30)", () => {
    const mail = (subject: string, bobSays: string) =>
      `${headers(subject, 'multipart/mixed; boundary="FF"', FORWARDER)}\n--FF\nContent-Type: text/plain\n\nSee the attached mail from Bob.\n\n--FF\nContent-Type: message/rfc822\n\nFrom: Bob <bob@example.org>\nTo: Alice <alice@example.com>\nSubject: newsletter\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n\n${bobSays}\n\n--FF--\n`;
    const quoted =
      'My mail to news@example.net came back with\n"550 5.1.1 <news@example.net>: Recipient address rejected: User unknown".';
    for (const raw of [
      mail("problem with your newsletter", "Hi Alice, lunch on Friday? Bob"),
      mail("Fwd: problem with your newsletter", "Hi Alice, lunch on Friday? Bob"),
      mail("Fwd: problem with your newsletter", quoted),
    ]) {
      const { records: list, problems } = recordsFromEmail(Buffer.from(raw), "r30.eml");
      assert.deepEqual(list, []);
      assert.deepEqual(
        problems.map((problem) => problem.message),
        ["not a bounce report: no recipient found"],
      );
    }
  });

  /** Alice's note (or a program's) around Bob's ordinary mail to Carol. */
  const note = ({
    subject = "see attached",
    from = FORWARDER,
    extra = "",
    text = "See the attached mail.",
  }) =>
    `${headers(subject, 'multipart/mixed; boundary="FF"', from)}${extra}\n--FF\nContent-Type: text/plain\n\n${text}\n\n--FF\nContent-Type: message/rfc822\n\nFrom: Bob <bob@example.org>\nTo: Carol <carol@example.net>\nSubject: our meeting\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n\nTuesday at ten?\n\n--FF--\n`;
  /** Each note's records name exactly `want`. */
  const readAs = (want: string[], notes: Parameters<typeof note>[0][]) => {
    for (const options of notes) {
      const got = recordsFromEmail(Buffer.from(note(options)), "note.eml").records.map(
        (record) => record.recipient,
      );
      assert.deepEqual(got, want, JSON.stringify(options));
    }
  };

  it("a subject naming a failure is a notice's sign only when a program sent the mail (RFC 3834 Auto-Submitted)", () => {
    // A person's: the subject alone names no failed recipient.
    for (const subject of [
      "Undelivered: our meeting",
      "Fwd: delivery failed",
      "Returned mail: our meeting",
      "Re: delivery of the chairs",
      "Failed payment on my account",
      "Your application was rejected",
    ]) {
      const { records: list, problems } = recordsFromEmail(Buffer.from(note({ subject })), "person.eml");
      assert.deepEqual(list, [], subject);
      assert.deepEqual(
        problems.map((problem) => problem.message),
        ["not a bounce report: no recipient found"],
      );
    }
    // A program's (or one sent with a null reverse-path): the attached original's To: is the failed recipient.
    // (Auto-Submitted: auto-replied from a person's address is that person's auto-reply: the auto-reply reader.)
    const subject = "Undelivered: our meeting";
    readAs(
      ["carol@example.net"],
      ["Auto-Submitted: auto-generated\n", "Auto-Submitted: auto-notified\n", "Return-Path: <>\n"].map(
        (extra) => ({
          subject,
          extra,
        }),
      ),
    );
    // Auto-Submitted: no is a person's mail (RFC 3834 §5).
    readAs([], [{ subject, extra: "Auto-Submitted: no\n" }]);
  });

  it("an MTA's From is its address or its own name, not a business's name; a reply is a code with its status (R31)", () => {
    // People and businesses: no record. (A subject with "problem" makes the plain-text reader look at all.)
    const subject = "problem with my mail";
    readAs(
      [],
      [
        "Bounce Fitness <info@bouncefitness.example>",
        "MailerLite Support <support@mailerlite.example>",
        "Daemon Tools Team <team@daemon-tools.example>",
      ].map((from) => ({ from })),
    );
    readAs(
      [],
      ["We got 500 copies of the attached one.", "See item 4.2.1 of the contract.", "Call 555-0100."].map(
        (text) => ({
          subject,
          text,
        }),
      ),
    );
    // An MTA: the attached original's To:.
    readAs(
      ["carol@example.net"],
      [
        "MAILER-DAEMON@mx.example.net (Mail Delivery System)",
        "Mail Delivery Subsystem <mailer-daemon@example.net>",
        "Mail Delivery System <notices@relay.example.net>",
        "<postmaster@example.net>",
        "MAILER-DAEMON",
      ].map((from) => ({ from })),
    );
    readAs(
      ["carol@example.net"],
      [
        "Delivery to Carol: 550 5.1.1 mailbox unavailable",
        "host mx.example.net said: mailbox unavailable",
      ].map((text) => ({ subject, text })),
    );
  });
});

describe("replies folded over lines", () => {
  it("a Postfix 'said:' reply split after 'host', CRLF", () => {
    const text = `From: MAILER-DAEMON@mx.example.net\nTo: sender@example.com\nSubject: Undelivered Mail Returned to Sender\n\n${POSTFIX_TEXT}\n<a@yahoo.com>: host\n    mta5.am0.yahoodns.net[67.195.204.72] said: 554 5.7.9 Message not\n    accepted for policy reasons.  See\n    https://postmaster.yahooinc.com/error-codes (in reply to end of DATA\n    command)\n`;
    const record = only(records(text.replace(/\n/g, "\r\n")));
    assert.equal(record.recipient, "a@yahoo.com");
    assert.equal(record.provider, "yahoo");
    assert.equal(record.status, "5.7.9");
    assert.equal(record.reason, "policyviolation");
    assert.match(record.diagnostic, /Message not accepted for policy reasons\. See https/);
  });
});

describe("where the copy of the original message starts", () => {
  it("a line of dashes right before the original's header fields ends the report text (sisimai go lhost/via-ezweb.go)", () => {
    const record = only(
      records(
        `${headers("Mail System Error - Returned Mail", "text/plain", "<Postmaster@ezweb.ne.jp>")}\n<filtered@ezweb.ne.jp>\n\nEach of the following recipients was rejected by a remote mail server.\n---------------------------------------------------\nReceived: from mta.example.net (host [192.0.2.22])\n        by lsean.ezweb.ne.jp (EZweb Mail) with SMTP id 12ABCD8\nFrom: sender@example.com\nTo: filtered@ezweb.ne.jp\nSubject: User unknown\n`,
      ),
    );
    assert.equal(record.recipient, "filtered@ezweb.ne.jp");
    assert.doesNotMatch(record.diagnostic, /Received:|User unknown/);
  });

  it("EZweb's X-SPASIGN: NG is au's filter refusing the message: filtered (sisimai go lhost/via-ezweb.go)", () => {
    const message = (spasign: string) =>
      `From: <Postmaster@ezweb.ne.jp>\nTo: sender@example.com\nSubject: Mail System Error - Returned Mail\nX-SPASIGN: ${spasign}\n\nThe user(s) account is disabled.\n\n<kept@ezweb.ne.jp>: 550 user unknown (in reply to RCPT TO command)\n`;
    assert.equal(only(records(message("NG"))).reason, "filtered");
    assert.equal(only(records(message("OK"))).reason, "suspend");
  });
});

describe("complaint reports without a feedback-report part (Sisimai lib/Sisimai/ARF.pm)", () => {
  const complaint = (from: string, originalHeaders: string) =>
    `From: ${from}\nTo: fbl@example.com\nSubject: complaint about message from 192.0.2.25\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/plain\n\nThis is an email abuse report for an email message received from IP 192.0.2.25.\n\n--B\nContent-Type: message/rfc822\n\n${originalHeaders}From: news@example.com\nSubject: Weekly news\n\nHello\n--B--\n`;

  it("Microsoft's Junk Mail Reporting Program names the complainer in X-HmXmrOriginalRecipient", () => {
    const record = only(
      records(
        complaint(
          "staff@hotmail.com",
          "X-HmXmrOriginalRecipient: <complainer@hotmail.com>\nTo: list@example.com\n",
        ),
      ),
    );
    assert.equal(record.recipient, "complainer@hotmail.com");
    assert.equal(record.reason, "feedback");
    assert.equal(record.feedbackType, "abuse");
  });

  it("an Amazon SES complaint names the complainer in the original's To:", () => {
    const record = only(
      records(complaint("complaints@email-abuse.amazonses.com", "To: complainer@example.org\n")),
    );
    assert.equal(record.recipient, "complainer@example.org");
    assert.equal(record.reason, "feedback");
  });

  it("the same Subject from anyone else is not a complaint report", () => {
    assert.deepEqual(records(complaint("someone@example.net", "To: complainer@example.org\n")), []);
  });
});

describe("blanks at the end of the report's lines", () => {
  const dir = new URL("../fixtures/bounce-email/dialects/", import.meta.url);
  /** Recipient and reason of each record, the report's own lines padded with a space or not. */
  const read = (text: string) =>
    records(Buffer.from(text, "latin1")).map((record) => `${record.recipient} ${record.reason}`);
  /** Every line after the message's header padded (a gateway's padding, format=flowed soft breaks, "=20"). */
  const padded = (text: string) => {
    const body = text.search(/\r?\n\r?\n/);
    return text.slice(0, body + 1) + text.slice(body + 1).replace(/([^\r\n])(\r?\n)/g, "$1 $2");
  };

  it("every MTA family's report reads the same with its lines padded", () => {
    const files = readdirSync(dir).filter((name) => name.endsWith(".eml"));
    assert.ok(files.length > 40);
    const changed = files.filter((name) => {
      const text = readFileSync(new URL(name, dir), "latin1");
      return read(padded(text)).join(",") !== read(text).join(",");
    });
    assert.deepEqual(changed, []);
  });

  it("a recipient line and a 'Reason:' label with a trailing space (GMX: sisimai go lhost/via-gmx.go)", () => {
    const record = only(
      records(
        `${headers("Mail delivery failed: returning message to sender", "text/plain", "MAILER-DAEMON@gmx.net")}\nThis message was created automatically by mail delivery software. \n\nA message that you sent could not be delivered to one or more of \nits recipients. This is a permanent error. The following address \nfailed: \n\n<gone@example.org> \n\nReason: \ndelivery retry timeout exceeded \n\n--- The header of the original message is following. ---\n\nFrom: sender@example.com\n`,
      ),
    );
    assert.equal(record.recipient, "gone@example.org");
    assert.equal(record.reason, "expired");
  });
});

describe("Google Groups (sisimai go lhost/via-googlegroups.go)", () => {
  const gmail = (text: string, group = "gone@googlegroups.com") =>
    only(
      records(
        `${headers("Delivery Status Notification (Failure)", "text/plain; charset=UTF-8", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>")}X-Failed-Recipients: ${group}\n\n${text}`,
      ),
    );
  const reasons = [
    "A few more details on why you weren't able to post:",
    "",
    " * You might have spelled or formatted the group name incorrectly.",
    " * The owner of the group may have removed this group.",
    " * You may need to join the group before receiving permission to post.",
    " * This group may not be open to posting.",
    "",
  ].join("\n");
  const notice = (details = reasons) =>
    `Hello sender@example.com,\n\nWe're writing to let you know that the group you tried to contact (gone) may not exist, or you may not have permission to post messages to the group.\n${details}\nThanks,\n\nGoogle Groups\n`;

  it("Gmail's own bounce for an address at googlegroups.com is about that address, not a refused post", () => {
    const record = gmail(
      "** Address not found **\n\nYour message wasn't delivered to gone@googlegroups.com because the address couldn't be found, or is unable to receive mail.\n\nThe response from the remote server was:\n550 5.1.1 The email account that you tried to reach does not exist.\n",
    );
    assert.equal(record.recipient, "gone@googlegroups.com");
    assert.equal(record.reason, "userunknown");
  });

  it("the group's own notice, signed Google Groups, is a refused post", () => {
    const record = gmail(notice());
    assert.equal(record.recipient, "gone@googlegroups.com");
    assert.equal(record.reason, "rejected");
  });

  it("only the notice that lists its four reasons is a refused post; other text signed so is read for what it says (go via-googlegroups.go's onhold; Sisimai Perl reads corpus-variants' rewritten googlegroups-02, -07, -14 so)", () => {
    const quoted = gmail(notice("\nThe error that the other server returned was: 552 5.2.2 Mailbox full\n"));
    assert.equal(quoted.recipient, "gone@googlegroups.com");
    assert.equal(quoted.reason, "mailboxfull");
    assert.equal(gmail(notice("")).reason, "undefined");
  });

  it("a Google Workspace group at its organisation's own domain sends the same notice: a refused post", () => {
    const record = gmail(notice(), "team@corp.example");
    assert.equal(record.recipient, "team@corp.example");
    assert.equal(record.reason, "rejected");
  });
});

describe("blank lines above the header block", () => {
  const dir = new URL("../fixtures/bounce-email/dialects/", import.meta.url);
  const read = (text: string) =>
    records(Buffer.from(text, "latin1")).map((record) => `${record.recipient} ${record.reason}`);

  it("every MTA family's report reads the same under whitespace-only lines (a saved message's padding)", () => {
    const files = readdirSync(dir).filter((name) => name.endsWith(".eml"));
    assert.ok(files.length > 40);
    const changed = files.filter((name) => {
      const text = readFileSync(new URL(name, dir), "latin1");
      const want = read(text).join(",");
      return ["\n", `${" ".repeat(255)}\n`, "\t \r\n\r\n"].some((pad) => read(pad + text).join(",") !== want);
    });
    assert.deepEqual(changed, []);
  });

  it("an auto-reply padded so (npm baunsu's auto_earthlink.txt) is read as one", () => {
    const record = only(
      records(
        `${" ".repeat(255)}\nFrom: away@example.org\nTo: sender@example.com\nSubject: Re: hello\nPrecedence: auto_reply\n\nI apologize for this automatic reply to your email.\n`,
      ),
    );
    assert.equal(record.recipient, "away@example.org");
    assert.equal(record.reason, "vacation");
  });

  it("only blank lines above a header field are skipped", () => {
    const start = (text: string) => headerStart(Buffer.from(text, "latin1"));
    assert.equal(start("From: a@example.org\n\nbody\n"), 0);
    assert.equal(start("  \n\t\r\nFrom: a@example.org\n\nbody\n"), 6);
    assert.equal(start("\n\nThe mailbox gone@example.org is full.\n"), 0);
    assert.equal(start("   From: a@example.org\n"), 0);
    assert.equal(start(" \n \n"), 0);
  });
});

describe("a conversation's Subject naming a failure (review R64)", () => {
  const post = (from: string, extra: string) =>
    `From: ${from}\nTo: member@example.net\nSubject: [example] digest: mailbox full errors\nDate: Mon, 30 Nov 2026 09:14:27 +0000\n${extra}Content-Type: text/plain\n\nToday's topics: why does mailbox bob@example.com bounce?\n\nBob wrote: my mail to alice@example.com - no such user here, says the server.\n-- carol@example.com\n`;

  it("a list's post or a reply in a thread, from no MTA, is no bounce", () => {
    for (const extra of [
      "List-Id: Example <example.lists.example.org>\n",
      "In-Reply-To: <m1@example.com>\n",
      "References: <m0@example.com>\n",
    ])
      assert.deepEqual(records(post("Example List <list@lists.example.org>", extra)), [], extra);
  });

  it("the same Subject from an MTA, or with no thread, is still read as a notice", () => {
    assert.notDeepEqual(
      records(post("Mail Delivery System <mailer-daemon@example.org>", "In-Reply-To: <m1@example.com>\n")),
      [],
    );
    assert.notDeepEqual(records(post("Example List <list@lists.example.org>", "")), []);
  });
});

describe("an auto-reply from no one is a notice (review R70)", () => {
  it("'From: <>' with Auto-Submitted: auto-replied names the address its text names, never a record with no recipient", () => {
    const notice =
      "Return-Path: <>\nFrom: <>\nTo: sender@example.com\nIn-Reply-To: <m1@example.com>\nAuto-Submitted: auto-replied\nDate: Tue, 29 Dec 2009 12:12:54 +0000\n\nYou sent mail to gone@example.org. That's not a valid user here.\n";
    const list = records(notice);
    assert.deepEqual(
      list.map((record) => record.recipient),
      ["gone@example.org"],
    );
    // A person's auto-reply still names its From.
    const away = only(records(notice.replace("From: <>", "From: Away <away@example.org>")));
    assert.equal(away.recipient, "away@example.org");
    assert.equal(away.reason, "vacation");
  });
});

describe("X-Failed-Recipients bounds the recipient lines (review R71)", () => {
  it("Exim's 'A message sent by <sender>' paragraph names no failed recipient", () => {
    const text = [
      "X-Failed-Recipients: gone@example.org",
      "From: Mail Delivery System <Mailer-Daemon@mx.example.net>",
      "To: errors@example.com",
      "Subject: Mail delivery failed",
      "",
      "This message was created automatically by mail delivery software.",
      "",
      "A message sent by",
      "",
      "  <bounces+123@mail.example.com>",
      "",
      "could not be delivered to one or more of its recipients. The following",
      "address(es) failed:",
      "",
      "  gone@example.org",
      "    all hosts have been failing for a long time and were last tried after this message arrived",
      "",
    ].join("\n");
    assert.deepEqual(
      records(text).map((record) => [record.recipient, record.reason]),
      [["gone@example.org", "expired"]],
    );
    // A header naming none of the lines bounds nothing.
    assert.equal(
      records(text.replace("X-Failed-Recipients: gone@", "X-Failed-Recipients: other@")).length,
      2,
    );
  });
});
