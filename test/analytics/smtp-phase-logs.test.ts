import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import type { SmtpCommand } from "../../src/bounce/smtp-command.ts";
import type { FormatName } from "../../src/events/formats.ts";
import { classifyEventStream } from "../../src/pipeline/index.ts";
import { Store } from "../../src/store/index.ts";
import { dsnEmail } from "../../testkit/bounce-dsn.ts";

/**
 * The SMTP phase a reply came in changes what it means (src/bounce/email/smtp-phase.ts): an unknown user
 * after DATA is a filter's refusal of an address RCPT TO had accepted (kept), before RCPT TO it is not about
 * the recipient at all. A Postfix or Exim log line shows the phase as a bounce report does, so the same
 * reply at the same phase gets the same verdict from a DSN, from `classify` of a log, and in the store.
 */
const dir = mkdtempSync(join(tmpdir(), "deliverlens-smtp-phase-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const RECIPIENT = "alice@example.org";

/** How each MTA writes the phase: Postfix's status text, Exim's "after …", a report's human part. */
const PHASES: Record<SmtpCommand, { postfix: (reply: string) => string; exim: string }> = {
  CONN: {
    postfix: (reply) => `host mx.example.org[192.0.2.4] refused to talk to me: ${reply}`,
    exim: "initial connection",
  },
  HELO: {
    postfix: (reply) => `host mx.example.org[192.0.2.4] said: ${reply} (in reply to EHLO command)`,
    exim: "EHLO mail.example.net",
  },
  MAIL: {
    postfix: (reply) => `host mx.example.org[192.0.2.4] said: ${reply} (in reply to MAIL FROM command)`,
    exim: "MAIL FROM:<news@example.net> SIZE=2048",
  },
  RCPT: {
    postfix: (reply) => `host mx.example.org[192.0.2.4] said: ${reply} (in reply to RCPT TO command)`,
    exim: `pipelined RCPT TO:<${RECIPIENT}>`,
  },
  DATA: {
    postfix: (reply) => `host mx.example.org[192.0.2.4] said: ${reply} (in reply to end of DATA command)`,
    exim: "end of data",
  },
};

/** Replies whose verdict depends on the phase (`status` is the DSN's, null where the reply shows none). */
const REPLIES: { reply: string; status: string }[] = [
  { reply: "550 Unknown user", status: "5.0.0" },
  { reply: "550 5.1.0 User unknown", status: "5.1.0" },
  { reply: "550 5.1.1 <alice@example.org>: Recipient address rejected: User unknown", status: "5.1.1" },
  { reply: "554 Transaction failed", status: "5.0.0" },
  { reply: "550 access denied", status: "5.0.0" },
];

type Verdict = string;
const verdictOf = (record: { reason: unknown; category: unknown; suppressRecipient?: unknown }) =>
  `${record.reason} ${record.category}${"suppressRecipient" in record ? ` ${record.suppressRecipient}` : ""}`;

function fromDsn(command: SmtpCommand, reply: string, status: string): Verdict {
  const human = `<${RECIPIENT}>: ${PHASES[command].postfix(reply)}`;
  const fields = [
    `Final-Recipient: rfc822; ${RECIPIENT}`,
    "Action: failed",
    `Status: ${status}`,
    "Remote-MTA: dns; mx.example.org",
    `Diagnostic-Code: smtp; ${reply}`,
  ].join("\n");
  const records = recordsFromEmail(Buffer.from(dsnEmail(human, fields)), "t.eml").records;
  assert.equal(records.length, 1);
  return verdictOf(records[0]);
}

/** `second`: lines of one log differ by their time (else the store keeps one as the others' duplicate). */
const stamp = (second: number) =>
  `12:${String(Math.floor(second / 60)).padStart(2, "0")}:${String(second % 60).padStart(2, "0")}`;

function postfixLine(command: SmtpCommand, reply: string, status: string, second = 0): string {
  return `Feb  2 ${stamp(second)} mail postfix/smtp[123]: 4F1AB2C3D4: to=<${RECIPIENT}>, relay=mx.example.org[192.0.2.4]:25, delay=1.3, delays=0/0/0.4/0.9, dsn=${status}, status=bounced (${PHASES[command].postfix(reply)})`;
}

function eximLine(command: SmtpCommand, reply: string, second = 0): string {
  return `2026-02-02 ${stamp(second)} 1tAbCd-000Abc-12 ** ${RECIPIENT} R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.4]: SMTP error from remote mail server after ${PHASES[command].exim}: ${reply}`;
}

async function classified(text: string, format: FormatName): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for await (const batch of classifyEventStream(Readable.from([Buffer.from(text)]), format, "log", {
    year: 2026,
  })) {
    for (const item of batch) if ("reason" in item) out.push(verdictOf(item));
  }
  return out;
}

async function stored(text: string, format: FormatName, fastPath: boolean): Promise<Verdict[]> {
  const path = join(dir, `${format}.log`);
  writeFileSync(path, text);
  const store = await Store.open(":memory:");
  try {
    await ingestFile(store, path, { format, year: 2026, fastPath });
    const rows = await store.all<{ reason: string; category: string }>(
      "SELECT reason, category FROM events WHERE type = 'bounced' ORDER BY line",
    );
    return rows.map(verdictOf);
  } finally {
    store.close();
  }
}

const COMMANDS = Object.keys(PHASES) as SmtpCommand[];
/** Reason and category alone: the store keeps no suppression column. */
const withoutSuppression = (verdict: Verdict) => verdict.split(" ").slice(0, 2).join(" ");

describe("the SMTP phase of a log line decides as a bounce report's", () => {
  it("a Postfix and an Exim log line get a DSN's verdict for the same reply at each phase", async () => {
    for (const { reply, status } of REPLIES) {
      for (const command of COMMANDS) {
        const expected = fromDsn(command, reply, status);
        const postfix = await classified(`${postfixLine(command, reply, status)}\n`, "postfix");
        assert.deepEqual(postfix, [expected], `Postfix ${command}: ${reply}`);
        const exim = await classified(`${eximLine(command, reply)}\n`, "exim");
        // Exim's line carries no DSN status: the reply's own decides where it has one.
        const eximDsn = fromDsn(command, reply, /^\d{3} [245]\.\d/.test(reply) ? status : "5.0.0");
        assert.deepEqual(exim, [eximDsn], `Exim ${command}: ${reply}`);
      }
    }
  });

  it("an unknown user after DATA keeps the address, at RCPT it is suppressed, at MAIL FROM it is on hold", async () => {
    const verdicts = async (reply: string, status: string) =>
      Object.fromEntries(
        await Promise.all(
          COMMANDS.map(async (command) => [
            command,
            (await classified(`${postfixLine(command, reply, status)}\n`, "postfix"))[0],
          ]),
        ),
      );
    const unknown = await verdicts("550 Unknown user", "5.0.0");
    assert.equal(unknown.RCPT, "userunknown recipient true");
    assert.match(unknown.DATA, /^filtered \S+ false$/);
    assert.match(unknown.MAIL, / false$/);
    const unnamed = await verdicts("550 5.1.0 User unknown", "5.1.0");
    assert.equal(unnamed.MAIL, "onhold unknown false");
    assert.equal(unnamed.RCPT, "userunknown recipient true");
  });

  it("the store keeps each phase's verdict: the same replies at every phase, in one log, ingested as classified", async () => {
    for (const format of ["postfix", "exim"] as const) {
      const lines: string[] = [];
      for (const { reply, status } of REPLIES) {
        for (const command of COMMANDS) {
          const second = lines.length;
          lines.push(
            format === "postfix"
              ? postfixLine(command, reply, status, second)
              : eximLine(command, reply, second),
          );
        }
      }
      const text = `${lines.join("\n")}\n`;
      const expected = (await classified(text, format)).map(withoutSuppression);
      assert.equal(expected.length, lines.length);
      assert.ok(new Set(expected).size > 3, expected.join("\n"));
      for (const fastPath of [true, false]) {
        assert.deepEqual(await stored(text, format, fastPath), expected, `${format} fastPath=${fastPath}`);
      }
    }
  });
});
