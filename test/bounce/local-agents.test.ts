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
    // The report's first line after blank lines of a space other than ASCII (U+3000 in UTF-8).
    const spaced = Buffer.from("\u3000\n  \u3000\nmaildrop: maildir over quota.").toString("latin1");
    assert.equal(
      reasonOf(report(spaced, DAEMON, UNKNOWN_USER, ["Content-Type: text/plain; charset=utf-8"])),
      "mailboxfull",
    );
  });
});
