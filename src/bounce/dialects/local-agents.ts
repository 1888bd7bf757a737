import { escapeRegExp } from "../../util/regexp.ts";
import type { ScannedEmail } from "../email/scan.ts";
import type { Reason } from "../vocabulary.ts";

/**
 * Local delivery agents that write the bounce themselves: the report opens with the agent's own line
 * (Dovecot's "Your message to <a@b> was automatically rejected:", "mail.local: …", "procmail: …") and that
 * paragraph says why the agent refused the message, for every recipient of the report, whatever its
 * delivery-status fields say (a Sendmail wrapper's "550 5.1.1 … User Unknown" under Dovecot's "Not enough
 * disk space"). Facts from Sisimai lib/Sisimai/MDA.pm (Perl edition, BSD-2-Clause: each agent's first line
 * and its messages, matched case-insensitively); the agents' own public sources are cited per agent.
 * One phrase per entry; the example is the source's phrase, or the line a real report wrote.
 */
export interface LocalAgentMessage {
  phrase: string;
  reason: Reason;
  example: string;
}

export interface LocalAgent {
  id: string;
  source: string;
  /** The agent's first line of the report (it opens the report text). */
  opens: RegExp;
  /**
   * A word every match of `opens` holds, of ASCII letters, digits, "." and ":" only (nothing a tag or a named
   * character reference of HTML can stand for): an HTML report that holds none of the agents' words is no
   * agent's (AGENT_WORD). Each ends with the line's colon, as a word of the line's own that the markup and
   * style sheets of a large HTML report rarely hold (their text is searched whole for them).
   */
  word: string;
  messages: readonly LocalAgentMessage[];
  /**
   * The reason when none of its messages is in the paragraph: what the agent's line itself says happened. Dovecot
   * writes the line for a Sieve "reject" too (RFC 5429 §2.1: the recipient's own filter refused the message, its
   * reason text the user's words — "I am not taking mail from you, and I don't want your birdseed, either!"):
   * filtered. Only a fallback: a reason text the phrase tables know ("Mailbox is full") keeps their reason.
   */
  otherwise?: { reason: Reason; source: string };
}

const MDA = "Sisimai lib/Sisimai/MDA.pm";

/** An entry; its example is the source's own phrase unless a real report quoted more of the line. */
const says = (reason: Reason, phrase: string, example = phrase): LocalAgentMessage => ({
  phrase,
  reason,
  example,
});

export const LOCAL_AGENTS: readonly LocalAgent[] = [
  {
    id: "dovecot",
    source: `${MDA}; https://doc.dovecot.org/ (LDA/LMTP setting rejection_reason, default "Your message to <%t> was automatically rejected:%n%r")`,
    opens: /^Your message to \S+ was automatically rejected:/,
    word: "rejected:",
    messages: [
      says("userunknown", "mailbox doesn't exist: "),
      says("mailboxfull", "quota exceeded (mailbox for user is full)"),
      says("mailboxfull", "quota exceeded"),
      says("mailboxfull", "not enough disk space", "Not enough disk space"),
    ],
    otherwise: {
      reason: "filtered",
      source:
        "https://www.rfc-editor.org/rfc/rfc5429#section-2.1 (Sieve reject: Dovecot's LDA/LMTP sends it as the rejection_reason MDN)",
    },
  },
  {
    id: "mail.local",
    source: `${MDA}; https://man.freebsd.org/cgi/man.cgi?query=mail.local (Sendmail's local delivery agent)`,
    opens: /^mail\.local: /,
    word: ".local:",
    messages: [
      says("userunknown", ": unknown user:", "mail.local: unknown user: kijitora"),
      says("userunknown", ": user unknown"),
      says("userunknown", ": invalid mailbox path"),
      says("userunknown", ": user missing home directory"),
      says("mailboxfull", "disc quota exceeded", "mail.local: Disc quota exceeded"),
      says("mailboxfull", "mailbox full or quota exceeded"),
      says("systemerror", "temporary file write error"),
    ],
  },
  {
    id: "procmail",
    source: `${MDA}; https://github.com/BuGlessRB/procmail`,
    opens: /^procmail: /,
    word: "procmail:",
    messages: [
      says("mailboxfull", "quota exceeded while writing"),
      says("systemfull", "no space left to finish writing"),
    ],
  },
  {
    id: "maildrop",
    source: `${MDA}; https://www.courier-mta.org/maildrop/`,
    opens: /^maildrop: /,
    word: "maildrop:",
    messages: [
      says("userunknown", "invalid user specified."),
      says("userunknown", "cannot find system user"),
      says("mailboxfull", "maildir over quota.", "maildrop: maildir over quota."),
    ],
  },
  {
    id: "vpopmail",
    source: `${MDA}; https://github.com/brunonymous/vpopmail (vdelivermail)`,
    opens: /^vdelivermail: /,
    word: "vdelivermail:",
    messages: [
      says("userunknown", "sorry, no mailbox here by that name."),
      says(
        "filtered",
        "account is locked email bounced",
        "vdelivermail: account is locked email bounced kijitora@neko2.example.co.jp",
      ),
      says("filtered", "user does not exist, but will deliver to "),
      says("mailboxfull", "domain is over quota"),
      says("mailboxfull", "user is over quota"),
    ],
  },
  {
    id: "vmailmgr",
    source: `${MDA}; https://untroubled.org/vmailmgr/ (vdeliver)`,
    opens: /^vdeliver: /,
    word: "vdeliver:",
    messages: [
      says("userunknown", "invalid or unknown base user or domain"),
      says("userunknown", "invalid or unknown virtual user"),
      says("userunknown", "user name does not refer to a virtual user"),
      says("mailboxfull", "delivery failed due to system quota violation"),
    ],
  },
];

/** The report's writer, as Sisimai's MDA reader requires: a mailer daemon, a postmaster, a delivery subsystem. */
const DAEMON = /^\s*"?(?:mail delivery subsystem|mailer-daemon|postmaster)/i;
/** One test of the first line for every agent (most reports open with none). */
const ANY_AGENT = new RegExp(LOCAL_AGENTS.map((agent) => agent.opens.source).join("|"));
/**
 * ANY_AGENT anywhere in a line: the report's first line cannot be an agent's when it holds none (looked for
 * in the raw parts, the report not decoded for it: most reports are read without their text).
 */
const ANY_AGENT_LINE = new RegExp(
  LOCAL_AGENTS.map((agent) => agent.opens.source.replace(/^\^/, "")).join("|"),
);
/**
 * Any agent's word: every match of ANY_AGENT holds one, so a report that holds none is not an agent's (looked
 * for in an HTML report's bytes, which costs less than its text). Words that end with the line's colon: the
 * longest plain word of each line ("automatically", "mail.local:") made the expression read a large HTML
 * report's every character (AOL's 64 KB notices: twice the time of this one).
 */
const AGENT_WORD = new RegExp(LOCAL_AGENTS.map((agent) => escapeRegExp(agent.word)).join("|"));

/** The paragraph read after the agent's line: at most this many lines (the agent writes one or two). */
const MAX_PARAGRAPH_LINES = 8;

/**
 * The reason a local delivery agent gives every recipient when it wrote the report itself: its line opens
 * the report text, and a message of its own is in that paragraph (up to the first blank line); else the
 * agent's `otherwise` reason, marked `fallback` (it decides only where the reply's own words do not). Null
 * otherwise.
 */
export function localAgentVerdict(
  mail: ScannedEmail,
): { family: { id: string; source: string }; reason: Reason; fallback?: true } | null {
  if (!DAEMON.test(mail.from) || !mail.reportMayOpenWith(ANY_AGENT_LINE, AGENT_WORD)) return null;
  const text = mail.reportText;
  let start = 0;
  while (start < text.length && /\s/.test(text[start])) start++;
  const firstEnd = text.indexOf("\n", start);
  const first = text.slice(start, firstEnd < 0 ? text.length : firstEnd).trimEnd();
  if (!ANY_AGENT.test(first)) return null;
  const agent = LOCAL_AGENTS.find((candidate) => candidate.opens.test(first));
  if (!agent) return null;
  const lines: string[] = [];
  for (const line of text.slice(start).split("\n", MAX_PARAGRAPH_LINES)) {
    if (line.trim() === "") break;
    lines.push(line.trim());
  }
  // A space after each line: a phrase that ends with one ("mailbox doesn't exist: ") may end the line.
  const paragraph = `${lines.join(" ")} `.toLowerCase();
  const message = agent.messages.find((candidate) => paragraph.includes(candidate.phrase));
  if (message) return { family: agent, reason: message.reason };
  if (!agent.otherwise) return null;
  return {
    family: { id: agent.id, source: agent.otherwise.source },
    reason: agent.otherwise.reason,
    fallback: true,
  };
}
