import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LOCAL_AGENTS } from "../../src/bounce/dialects/local-agents.ts";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";

/**
 * A local delivery agent that wrote the bounce itself gives every recipient its reason, whatever the
 * delivery-status fields say (Sisimai lib/Sisimai/MDA.pm; the corpus' rfc3464-01: Dovecot's "Not enough disk
 * space" under a Sendmail DSN's "550 5.1.1 … User Unknown" is mailboxfull).
 */
const DAEMON = "Mail Delivery Subsystem <MAILER-DAEMON@mx.example.jp>";
/** What a Sendmail wrapper's DSN says under the agent's report: here, that the user is unknown. */
const UNKNOWN_USER = { status: "5.1.1", reply: "550 5.1.1 <kijitora@example.jp>... User Unknown" };
/** A DSN that explains nothing itself. */
const VAGUE = { status: "5.0.0", reply: "554 5.0.0 Service unavailable" };

function report(text: string, from = DAEMON, dsn = UNKNOWN_USER, partHead: string[] = []): string {
  return [
    `From: ${from}`,
    "To: <shironeko@example.org>",
    "Subject: Returned mail: see transcript for details",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    "",
    "--B",
    ...partHead,
    "",
    text,
    "",
    "--B",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.example.jp",
    "",
    "Final-Recipient: RFC822; kijitora@example.jp",
    "Action: failed",
    `Status: ${dsn.status}`,
    `Diagnostic-Code: SMTP; ${dsn.reply}`,
    "",
    "--B",
    "Content-Type: message/rfc822",
    "",
    "From: shironeko@example.org",
    "To: kijitora@example.jp",
    "Subject: test",
    "",
    "test",
    "--B--",
    "",
  ].join("\n");
}

const reasonOf = (raw: string): string | undefined =>
  recordsFromEmail(Buffer.from(raw, "latin1"), "agent.eml").records[0]?.reason;

/** The agent's report: its first line, then the example (an example that is the whole line stands alone). */
function agentText(agent: (typeof LOCAL_AGENTS)[number], example: string): string {
  if (agent.opens.test(example)) return example;
  const opening =
    agent.id === "dovecot" ? "Your message to <kijitora@example.jp> was automatically rejected:" : "";
  return opening ? `${opening}\n${example}` : `${agent.opens.source.replace(/^\^|\\/g, "")}${example}`;
}

describe("local delivery agents that write the report", () => {
  for (const agent of LOCAL_AGENTS) {
    it(`${agent.id}: its word is in every opening line, and HTML cannot write it but as it is`, () => {
      assert.match(agent.word, /^[A-Za-z0-9.:]+$/);
      for (const message of agent.messages) {
        const opening = agentText(agent, message.example).split("\n")[0];
        const line = agent.opens.exec(opening)?.[0];
        assert.ok(line !== undefined, opening);
        assert.ok(line.includes(agent.word), `${agent.word} not in ${line}`);
      }
    });
    agent.messages.forEach((message, index) => {
      it(`${agent.id}: "${message.example}" is ${message.reason}, by its own entry`, () => {
        const first = agent.messages.findIndex((entry) =>
          message.example.toLowerCase().includes(entry.phrase),
        );
        assert.equal(first, index, "an earlier entry of the agent takes the example");
        assert.equal(reasonOf(report(agentText(agent, message.example), DAEMON, VAGUE)), message.reason);
      });
    });
  }

  it("Dovecot's rejection over a DSN that says user unknown (the corpus' rfc3464-01 layout) is mailboxfull", () => {
    const text = "Your message to <nekochan> was automatically rejected:\nNot enough disk space";
    assert.equal(reasonOf(report(text)), "mailboxfull");
  });

  it("Dovecot's reject MDN (Auto-Submitted: auto-replied (rejected)) is the refused recipient's, not a vacation", () => {
    // The shape of flufl.bounce's test data simple_38.txt (https://gitlab.com/warsaw/flufl.bounce), example addresses.
    const mdn = [
      "From: Mail Delivery Subsystem <admin@example.org>",
      "To: <sender@example.org>",
      "Subject: Automatically rejected mail",
      "Auto-Submitted: auto-replied (rejected)",
      "Precedence: bulk",
      "MIME-Version: 1.0",
      'Content-Type: multipart/report; report-type=disposition-notification; boundary="B"',
      "",
      "--B",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "Your message to <kijitora@example.jp> was automatically rejected:",
      "Quota exceeded",
      "--B",
      "Content-Type: message/disposition-notification",
      "",
      "Reporting-UA: mail; Dovecot Mail Delivery Agent",
      "Final-Recipient: rfc822; kijitora@example.jp",
      "Disposition: automatic-action/MDN-sent-automatically; deleted",
      "",
      "--B--",
      "",
    ].join("\n");
    const records = recordsFromEmail(Buffer.from(mdn), "mdn.eml").records;
    assert.deepEqual(
      records.map((record) => [record.recipient, record.reason]),
      [["kijitora@example.jp", "mailboxfull"]],
    );
    // A Sieve reject's own words (RFC 5429 §2.1's example) name no reason: the recipient's filter refused it.
    const sieve = mdn.replace(
      "Quota exceeded",
      "I am not taking mail from you, and I don't want your birdseed, either!",
    );
    assert.deepEqual(
      recordsFromEmail(Buffer.from(sieve), "sieve.eml").records.map((record) => [
        record.recipient,
        record.reason,
      ]),
      [["kijitora@example.jp", "filtered"]],
    );
    // Only a fallback: reason words the phrase tables know keep their reason (review R68).
    const named = mdn.replace("Quota exceeded", "Mailbox is full");
    assert.equal(recordsFromEmail(Buffer.from(named), "named.eml").records[0]?.reason, "mailboxfull");
    // A person's auto-reply still is one.
    const away = mdn
      .replace("auto-replied (rejected)", "auto-replied")
      .replace(/Your message to[\s\S]*?exceeded/, "I am away.");
    assert.equal(recordsFromEmail(Buffer.from(away), "away.eml").records[0]?.reason, "vacation");
  });

  it("only when the agent's line opens the report, and a mailer daemon sent it", () => {
    const inTranscript = "   ----- Transcript of session follows -----\nmaildrop: maildir over quota.";
    assert.equal(reasonOf(report(inTranscript)), "userunknown");
    const fromPerson = report("maildrop: maildir over quota.", "Jane <jane@example.jp>");
    assert.equal(reasonOf(fromPerson), "userunknown");
    assert.equal(reasonOf(report("maildrop: maildir over quota.")), "mailboxfull");
  });

  it("when the report's text is encoded: the agent's line is found in the decoded text", () => {
    const dovecot =
      "Your message to <kijitora@example.jp> was automatically rejected:\nNot enough disk space";
    // A soft line break inside the agent's line: its raw bytes hold no agent's line.
    const qp = "Your message to <kijitora@example.jp> was automatically rejec=\nted:\nNot enough disk space";
    assert.equal(
      reasonOf(report(qp, DAEMON, UNKNOWN_USER, ["Content-Transfer-Encoding: quoted-printable"])),
      "mailboxfull",
    );
    const base64 = Buffer.from(dovecot).toString("base64");
    assert.equal(
      reasonOf(report(base64, DAEMON, UNKNOWN_USER, ["Content-Transfer-Encoding: base64"])),
      "mailboxfull",
    );
    // A charset that writes ASCII in two bytes a character (and a non-ASCII one, so the part is decoded).
    const utf16 = Buffer.from(`${dovecot} (\u00e9)`, "utf16le").toString("latin1");
    const head = ["Content-Type: text/plain; charset=utf-16le", "Content-Transfer-Encoding: binary"];
    assert.equal(reasonOf(report(utf16, DAEMON, UNKNOWN_USER, head)), "mailboxfull");
    // ISO-2022-JP unlabelled (partText knows it by its escapes): an escape back to ASCII inside the agent's name.
    const jis = "mail\u001b(Bdrop: maildir over quota.\n\u001b$B$3$s\u001b(B";
    assert.equal(reasonOf(report(jis, DAEMON, UNKNOWN_USER)), "mailboxfull");
    // After U+3000 in Shift_JIS (0x81 0x40) and Big5 (0xA1 0x40): its last byte is "@", printable ASCII.
    const sjis = `\u0081@\u0081@\nmaildrop: maildir over quota.`;
    assert.equal(
      reasonOf(report(sjis, DAEMON, UNKNOWN_USER, ["Content-Type: text/plain; charset=shift_jis"])),
      "mailboxfull",
    );
    const big5 = `\u00a1@\u00a1@\nmaildrop: maildir over quota.`;
    assert.equal(
      reasonOf(report(big5, DAEMON, UNKNOWN_USER, ["Content-Type: text/plain; charset=big5"])),
      "mailboxfull",
    );
    // The report's first line after blank lines of a space other than ASCII (U+3000 in UTF-8).
    const spaced = Buffer.from("\u3000\n  \u3000\nmaildrop: maildir over quota.").toString("latin1");
    assert.equal(
      reasonOf(report(spaced, DAEMON, UNKNOWN_USER, ["Content-Type: text/plain; charset=utf-8"])),
      "mailboxfull",
    );
  });

  it("when the report is HTML only: the agent's line is found in its text, however the HTML writes it", () => {
    const html = (body: string, head: string[] = []) =>
      report(body, DAEMON, UNKNOWN_USER, ["Content-Type: text/html; charset=utf-8", ...head]);
    const plain = "<html><body><p>maildrop: maildir over quota.</p></body></html>";
    assert.equal(reasonOf(html(plain)), "mailboxfull");
    // A character reference writes a letter of the agent's name; another its blank; a tag is the blank.
    assert.equal(reasonOf(html("<p>&#109;aildrop:&nbsp;maildir over quota.</p>")), "mailboxfull");
    assert.equal(reasonOf(html("<p>mail&#x64;rop: maildir over quota.</p>")), "mailboxfull");
    assert.equal(reasonOf(html("<p>maildrop:<span>maildir over quota.</span></p>")), "mailboxfull");
    // Dovecot's line, its longest word split by a soft line break (quoted-printable) or encoded (base64).
    const dovecot =
      "<div>Your message to &lt;kijitora@example.jp&gt; was automat=\nically rejected:<br>Not enough disk space</div>";
    assert.equal(reasonOf(html(dovecot, ["Content-Transfer-Encoding: quoted-printable"])), "mailboxfull");
    const base64 = Buffer.from(plain).toString("base64");
    assert.equal(reasonOf(html(base64, ["Content-Transfer-Encoding: base64"])), "mailboxfull");
    // Not an agent's report: its text opens with something else (a style sheet's text, another sentence).
    assert.equal(reasonOf(html("<style>p {}</style><p>maildrop: maildir over quota.</p>")), "userunknown");
    assert.equal(reasonOf(html("<p>Delivery failed.</p><p>mail drop: over quota.</p>")), "userunknown");
  });
});
