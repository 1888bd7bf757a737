import type { Classification } from "../classify.ts";
import { hostName, recipientDomain } from "../provider.ts";
import { HOST_RULE_IDS } from "../rules/knowledge.ts";
import { phraseSource, statusProbedBefore } from "../rules/phrase-rule.ts";
import { PROVIDER_RULES } from "../rules/provider-rules.ts";
import { REASON_PHRASES } from "../rules/reason-phrases.ts";
import { sisimaiStatusReason } from "../rules/status-codes.ts";
import type { SmtpCommand } from "../smtp-command.ts";
import { FILTERED_NO_PHASE, type Reason, type ReasonHint } from "../vocabulary.ts";

/** A provider's own rules (its codes, its hosts' messages) already know what a reply means in each phase. */
const PROVIDER_RULE_IDS = new Set([...PROVIDER_RULES.map((rule) => rule.id), ...HOST_RULE_IDS]);

/**
 * Sendmail's mail.local(8), procmail, maildrop, Dovecot LDA: "mail.local: unknown user: x"; Postfix's local(8)
 * names the user it looked up in quotes, with no agent name: '<a@b>: unknown user: "a"'
 * (github.com/vdukhovni/postfix postfix/src/local/unknown.c; real Postfix 3.7 bounces in
 * test/fixtures/mta-made/postfix, github.com/sisimai/set-of-emails lhost-postfix-14.eml).
 */
const LOCAL_AGENT_UNKNOWN_USER =
  /(?:^|\s)(?:(?:mail\.local|local|procmail|maildrop|dovecot-lda|deliver|lmtp):\s*(?:unknown user|user unknown|no such user)\b|unknown user: ")/;

/**
 * The text said userunknown and the status did not: only the words say so. A status says so only where
 * Sisimai's status table names it userunknown (5.1.0, 5.1.1, 5.1.3: sisimai go smtp/status/lib.go, as
 * reason/why-userunknown.go `ProbesInto` reads it); an address status it names otherwise (5.1.4 ambiguous
 * address: filtered, 5.1.2 hostunknown, 4.1.1 none) leaves the words to the phase.
 */
const wordsOfUnknownUser = (reason: Reason, status: string | null): boolean =>
  reason === "userunknown" && sisimaiStatusReason(status) !== "userunknown";

/**
 * Before RCPT TO no recipient was named (RFC 5321 §3.3: MAIL FROM gives the reverse-path only): an unknown
 * user there is the sender or the client — in the words, or with X.1.0, which names no address (RFC 3463
 * §3.2). X.1.1–X.1.6 name the destination address: such a report is about the recipient whatever its phase.
 */
const unknownUserBeforeRcpt = (reason: Reason, status: string | null): boolean =>
  reason === "userunknown" && !(status !== null && /^[45]\.1\.[1-9]/.test(status));

/**
 * The words of Sisimai's Rejected list (the table's entries that yield to an explicit status): its probe reads
 * them under any status at MAIL FROM and after DATA (sisimai go reason/why-rejected.go `ProbesInto`), where
 * elsewhere they count only when the status names nothing explicit.
 */
const REJECTED_WORDS = new RegExp(
  REASON_PHRASES.rules
    .filter((rule) => rule.yieldsToStatus === true)
    .map((rule) => rule.pattern?.source ?? phraseSource(rule))
    .join("|"),
);

/** What the reply text alone gave (a status-code fallback or nothing) when no phrase explained it. */
const UNEXPLAINED: readonly Reason[] = ["undefined", "securityerror", "blocked", "syntaxerror"];

/**
 * Reasons that depend on the SMTP phase the error came in, which only the report (not the reply text) shows.
 * Ordered, first match wins; `text` and the reason from the text are tested first so the command is only
 * looked up when it matters.
 */
interface PhaseRule {
  id: string;
  text: RegExp;
  textReason: (reason: Reason, status: string | null) => boolean;
  commands: (command: SmtpCommand | null) => boolean;
  /** The rule does not apply when the text matches this. */
  unless?: RegExp;
  /** Only for these servers: the remote host or the recipient's domain ends with one of them. */
  hosts?: readonly string[];
  reason: ReasonHint;
  source: string;
}
const PHASE_RULES_AS_WRITTEN: readonly PhaseRule[] = [
  {
    // docomo's Status 5.0.0 says nothing itself: the phase decides whatever the reply's words (sisimai go
    // rhost/for-nttdocomo.go: at RCPT an unknown user, after DATA the sender refused). Its "550 Unknown
    // user" after DATA with no Status is the same refusal.
    id: "docomo-status-5-0-0-after-data",
    text: /./,
    textReason: (reason, status) => status === "5.0.0" || (status === null && reason === "userunknown"),
    hosts: ["docomo.ne.jp"],
    commands: (command) => command === "DATA",
    reason: "rejected",
    source: "sisimai go rhost/for-nttdocomo.go (Status 5.0.0 and the DATA command: rejected)",
  },
  {
    id: "docomo-status-5-0-0-at-rcpt",
    text: /./,
    textReason: (_reason, status) => status === "5.0.0",
    hosts: ["docomo.ne.jp"],
    commands: (command) => command === "RCPT",
    reason: "userunknown",
    source: "sisimai go rhost/for-nttdocomo.go (Status 5.0.0 and the RCPT command: userunknown)",
  },
  {
    // docomo answers "550 Unknown user" both at RCPT (the address does not exist) and after DATA (the
    // subscriber's reception filter refused the sender: the address exists). A report that shows no phase
    // cannot tell which: Sisimai's label (filtered), and the address is kept — docomo's words alone are no
    // evidence that it is gone (review R113).
    id: "docomo-unknown-user-no-phase",
    text: /./,
    textReason: (reason, status) => status === "5.0.0" || (status === null && reason === "userunknown"),
    hosts: ["docomo.ne.jp"],
    commands: (command) => command === null,
    reason: "filtered",
    source:
      "sisimai go rhost/for-nttdocomo.go (Status 5.0.0: userunknown at RCPT, rejected after DATA, neither in no phase; then reason/why-filtered.go `ProbesInto`: filtered)",
  },
  {
    // "No such user" is what a recipient-side filter says for any refusal after the envelope was accepted:
    // with no X.1.x address status, wording of an unknown user is userunknown only where the report shows
    // the address was refused (at RCPT). After DATA the address had been accepted at RCPT TO: a filter's
    // refusal, and the address is kept. Before RCPT (connection, HELO, MAIL) the refusal was not about
    // the recipient at all, and other rules decide.
    id: "user-unknown-after-data",
    text: /./,
    textReason: wordsOfUnknownUser,
    // A local delivery agent that looked the user up itself ("mail.local: unknown user: x") is believed.
    unless: LOCAL_AGENT_UNKNOWN_USER,
    commands: (command) => command === "DATA",
    reason: "filtered",
    source:
      "sisimai go reason/why-userunknown.go and why-filtered.go `ProbesInto` (user-unknown wording is userunknown with a 5.1.x status or at RCPT; at DATA or in no named phase, filtered; before RCPT, neither); RFC 5321 §3.3 (RCPT TO had accepted the address)",
  },
  {
    // In no named phase Sisimai labels it filtered too, but nothing shows the address was accepted: the
    // words stay the evidence about it (suppressed: src/bounce/classify.ts).
    id: "user-unknown-no-phase",
    text: /./,
    textReason: wordsOfUnknownUser,
    unless: LOCAL_AGENT_UNKNOWN_USER,
    commands: (command) => command === null,
    reason: FILTERED_NO_PHASE,
    source:
      "sisimai go reason/why-filtered.go `ProbesInto` (a command that is not before DATA, including none: filtered)",
  },
  {
    // Refused at MAIL FROM, the recipient was not named yet: Sisimai's user-unknown probe needs RCPT, its
    // filtered probe a phase after the envelope, and nothing else explains the reply, so it stays on hold.
    id: "user-unknown-at-mail-from",
    text: /./,
    textReason: unknownUserBeforeRcpt,
    unless: LOCAL_AGENT_UNKNOWN_USER,
    commands: (command) => command === "MAIL",
    reason: "onhold",
    source:
      "sisimai go reason/why-userunknown.go, why-filtered.go `ProbesInto` (neither at MAIL), reason/find.go (nothing else decided: onhold); lhost/via-exim.go (after MAIL FROM: onhold)",
  },
  {
    // The status's reason, where Sisimai's Rejected probe reads the words first: a status of a reason probed
    // by its status before Rejected (mailboxfull, emailtoolarge, authfailure, requireptr) stays, and an
    // unknown user's status is left to the rules above (why-userunknown.go, why-filtered.go).
    id: "rejected-words-at-mail-or-data",
    text: REJECTED_WORDS,
    textReason: (reason, status) =>
      reason !== "rejected" &&
      reason !== "userunknown" &&
      sisimaiStatusReason(status) === reason &&
      !statusProbedBefore(status, reason, "rejected"),
    commands: (command) => command === "MAIL" || command === "DATA",
    reason: "rejected",
    source:
      "sisimai go reason/why-rejected.go `ProbesInto` (at MAIL and DATA its words decide whatever the status names; at DATA not under userunknown), reason/lib.go ClassOrder[0]",
  },
  {
    // Before DATA the server had no content to judge: Sisimai's SpamDetected and Filtered probes read their
    // words only after the envelope (why-spamdetected.go, why-filtered.go `ProbesInto`), so the Blocked probe
    // after them takes a status its table names blocked — "451 4.7.1 … spam …" at RCPT TO refuses the client.
    id: "content-words-before-data-under-blocked-status",
    text: /./,
    textReason: (reason, status) =>
      (reason === "spamdetected" || reason === "filtered") && sisimaiStatusReason(status) === "blocked",
    commands: (command) =>
      command === "CONN" || command === "HELO" || command === "MAIL" || command === "RCPT",
    reason: "blocked",
    source:
      "sisimai go reason/why-spamdetected.go, why-filtered.go `ProbesInto` (not at CONN, EHLO/HELO, MAIL, RCPT), why-blocked.go (the status's reason), smtp/status/lib.go (4.7.1, 4.7.2: blocked)",
  },
  {
    id: "access-denied-at-mail-from",
    text: /\baccess denied\b/,
    textReason: (reason) => UNEXPLAINED.includes(reason),
    commands: (command) => command === "MAIL",
    reason: "rejected",
    source: "Sisimai lib/Sisimai/Reason/Rejected.pm ('access denied (in reply to mail from command)')",
  },
  {
    // Refused before any envelope command: the client (IP, hostname, HELO) is what was refused.
    id: "refused-at-connection",
    text: /./,
    // Wording of an unknown user there is not about the recipient (not named yet) either.
    textReason: (reason, status) =>
      (reason !== "blocked" && UNEXPLAINED.includes(reason)) || unknownUserBeforeRcpt(reason, status),
    unless: LOCAL_AGENT_UNKNOWN_USER,
    commands: (command) => command === "CONN" || command === "HELO",
    reason: "blocked",
    source:
      "RFC 5321 §3.1, §4.3.2 (a 554 greeting / HELO refusal rejects the client); Sisimai lib/Sisimai/Reason/Blocked.pm; sisimai go reason/find.go anotherone() and lhost/via-exim.go (EHLO/HELO: blocked)",
  },
];
const PHASE_RULES: readonly PhaseRule[] = PHASE_RULES_AS_WRITTEN.map(
  // Every rule of one shape (its optional fields there, perhaps undefined, in one order): phaseReason reads them
  // for each record in code compiled for the shapes it has seen, and each new one threw that code away.
  // `satisfies`: every field, the optional ones too, so a field added to PhaseRule and not copied here fails tsc.
  (rule): PhaseRule =>
    ({
      id: rule.id,
      text: rule.text,
      textReason: rule.textReason,
      commands: rule.commands,
      unless: rule.unless,
      hosts: rule.hosts,
      reason: rule.reason,
      source: rule.source,
    }) satisfies Record<keyof PhaseRule, unknown>,
);

/**
 * "Diagnostic-Code: X-Unix; 255" / "x-unix; temporary failure": the report of a local delivery program
 * (Sendmail mailer, Postfix pipe/local), when the text itself explains nothing more specific. A bare
 * sysexits(3) number for a recipient that was not a program (Sendmail's local mailer writing a mailbox:
 * 77 EX_NOPERM, 73 EX_CANTCREAT) is the receiving system's own error, which the status code tells; where
 * the status tells nothing (X.0.0), the report's type is all there is (sisimai go reason/find.go
 * anotherone(): a status's reason first, then "X-UNIX" → mailererror).
 */
export function localProgramReason(
  report: { diagnosticType?: string | null; toProgram?: boolean },
  diagnostic: string,
  textReason: Reason,
): Reason | null {
  if (report.diagnosticType !== "x-unix") return null;
  if (!report.toProgram && /^\d{1,3}$/.test(diagnostic))
    return textReason === "undefined" ? "mailererror" : null;
  return UNEXPLAINED.includes(textReason) || textReason === "systemerror" ? "mailererror" : null;
}

/** `name` is `host` or one of its subdomains. */
const isWithin = (name: string, host: string): boolean => name === host || name.endsWith(`.${host}`);

/**
 * The hint the SMTP phase implies for a reply the classifier gave `classification` with no hint of its own,
 * or null: the one place where the phase changes a verdict, for the email reader (the command its report
 * shows) and classifyEvent (a log line's: src/events/postfix.ts, exim.ts) alike. `local` is what a local
 * delivery program's report implies (localProgramReason), which comes before the phase.
 */
export function phaseHint(
  classification: Readonly<Classification>,
  lowerText: string,
  reply: { status?: string | null; remoteMta?: string | null; recipient?: string | null },
  commandOf: () => SmtpCommand | null,
  local: Reason | null = null,
): ReasonHint | null {
  if (PROVIDER_RULE_IDS.has(classification.rule.id)) return null;
  const byPhase =
    local ??
    phaseReason(lowerText, reply.status ?? null, classification.reason, commandOf, () => [
      reply.remoteMta ? hostName(reply.remoteMta) : null,
      reply.recipient ? recipientDomain(reply.recipient) : null,
    ]);
  return byPhase !== classification.reason ? byPhase : null;
}

/** The container-level reason the SMTP phase implies for a reply the text classified as `textReason`, or null. */
function phaseReason(
  lowerText: string,
  status: string | null,
  textReason: Reason,
  commandOf: () => SmtpCommand | null,
  serversOf: () => ReadonlyArray<string | null> = () => [],
): ReasonHint | null {
  let command: SmtpCommand | null | undefined;
  // The servers (host names, a recipient's domain) are worked out only for a rule limited to some.
  let servers: ReadonlyArray<string | null> | undefined;
  // An index loop: for-of allocates an iterator per call in Maglev-compiled code (email runs' tier).
  for (let i = 0; i < PHASE_RULES.length; i++) {
    const rule = PHASE_RULES[i];
    if (!rule.textReason(textReason, status) || !rule.text.test(lowerText)) continue;
    if (rule.unless?.test(lowerText)) continue;
    if (rule.hosts) {
      servers ??= serversOf();
      if (!servers.some((name) => name && rule.hosts?.some((host) => isWithin(name, host)))) continue;
    }
    command ??= commandOf();
    if (rule.commands(command)) return rule.reason;
  }
  return null;
}
