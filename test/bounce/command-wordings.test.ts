import assert from "node:assert/strict";
import { test } from "node:test";
import {
  COMMAND_WORDINGS,
  type CommandWording,
  SMTP_COMMANDS,
  smtpCommandIn,
} from "../../src/bounce/smtp-command.ts";

/** The command an entry names in a text, read with that entry alone (its group's word, or its own command). */
function commandOf(entry: CommandWording, text: string): string | null {
  const match = new RegExp(entry.pattern.source, "i").exec(text);
  if (!match) return null;
  if (entry.command) return entry.command;
  const word = (match[1] ?? "").toLowerCase().replace(/\s+/g, " ");
  if (/^(?:end of |final )?data/.test(word)) return "DATA";
  if (word.startsWith("rcpt")) return "RCPT";
  if (word.startsWith("mail")) return "MAIL";
  if (word === "ehlo" || word === "helo") return "HELO";
  if (word === "initial connection") return "CONN";
  return null;
}

/** Trying every entry alone and keeping the latest command of the session (the definition the matcher keeps). */
function reference(text: string): string | null {
  const found = new Set(COMMAND_WORDINGS.map((entry) => commandOf(entry, text)));
  return SMTP_COMMANDS.toReversed().find((command) => found.has(command)) ?? null;
}

test("command wordings are well formed: no flags, lower case, a source, an example", () => {
  for (const entry of COMMAND_WORDINGS) {
    assert.equal(entry.pattern.flags, "", entry.pattern.source);
    assert.doesNotMatch(entry.pattern.source.replace(/\\[A-Za-z]/g, ""), /[A-Z]/, entry.pattern.source);
    assert.ok(entry.source.length > 10 && /sisimai go |https:\/\//.test(entry.source), entry.source);
    // An entry without a command of its own names it by the word its group captures.
    if (!entry.command) assert.match(entry.pattern.source, /\((?!\?)/, entry.pattern.source);
  }
});

test("every command wording's example names its command, and no other entry reads that example", () => {
  for (const entry of COMMAND_WORDINGS) {
    const expected = commandOf(entry, entry.example);
    assert.ok(expected, `${entry.pattern.source} does not read its example ${JSON.stringify(entry.example)}`);
    assert.equal(smtpCommandIn(entry.example), expected, entry.example);
    // Shadowing: an entry whose example another one also reads is not shown to be needed.
    for (const other of COMMAND_WORDINGS)
      if (other !== entry)
        assert.equal(
          commandOf(other, entry.example),
          null,
          `${other.pattern.source} reads ${JSON.stringify(entry.example)}`,
        );
  }
});

test("the compiled matcher answers like trying every entry alone, for examples padded and joined", () => {
  const examples = COMMAND_WORDINGS.map((entry) => entry.example);
  const texts = examples.flatMap((example, i) => [
    example,
    `Delivery failed: ${example} (end)`,
    `${example}\n${examples[(i + 1) % examples.length]}`,
    `${examples[(i + 5) % examples.length]} ${example}`,
  ]);
  for (const text of texts) assert.equal(smtpCommandIn(text), reference(text), JSON.stringify(text));
});

test("the latest command of the session wins whatever the order the text names them in", () => {
  assert.equal(
    smtpCommandIn("after RCPT TO:<a@example.org>: 550 … (in reply to end of DATA command)"),
    "DATA",
  );
  assert.equal(smtpCommandIn(">>> DATA\n… after MAIL FROM:<b@example.org>"), "DATA");
  assert.equal(
    smtpCommandIn("Connected to 192.0.2.1 but greeting failed. 192.0.2.1 does not like recipient."),
    "RCPT",
  );
  // A Postfix line wrapped inside the command's name.
  assert.equal(smtpCommandIn("User Unknown (in reply to RCPT\n    TO command)"), "RCPT");
  assert.equal(smtpCommandIn("550 5.1.1 user unknown"), null);
});

test("DATA refused only for want of recipients is not the error's phase: the RCPT before it is (RFC 5321 §3.3)", () => {
  const transcript = [
    "... while talking to inbound-smtp.example.com.:",
    ">>> RCPT To:<kijitora@example.com>",
    "<<< 550 5.7.1 IP address blacklisted by recipient",
    "550 5.1.1 <kijitora@example.com>... User unknown",
    ">>> DATA",
    "<<< 503 Error: need RCPT command",
  ].join("\n");
  assert.equal(smtpCommandIn(transcript), "RCPT");
  assert.equal(
    smtpCommandIn(`${transcript}\n(reason: 550 5.7.1 IP address blacklisted by recipient)`),
    "RCPT",
  );
  // DATA's refusal alone names no phase; DATA refused for its own reason is DATA.
  assert.equal(smtpCommandIn(">>> DATA\n<<< 503 Error: need RCPT command"), null);
  assert.equal(
    smtpCommandIn(">>> RCPT To:<a@example.com>\n<<< 250 OK\n>>> DATA\n<<< 554 5.7.1 spam"),
    "DATA",
  );
});
