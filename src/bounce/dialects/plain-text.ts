import { detach } from "../../util/detach.ts";
import { headerValue } from "../email/headers.ts";
import { remoteHostIn } from "../email/remote-host.ts";
import type { ScannedEmail } from "../email/scan.ts";
import {
  ADDRESS_LIST_HEADER,
  addressesIn,
  echoedAddress,
  namesAddress,
  REPLY_CODE_IN_TEXT,
  type ReportText,
  readReportText,
  recipientsInReplies,
  recipientsInSentences,
  STATUS_IN_TEXT,
  TRANSCRIPT_HOST,
  withoutAddressee,
} from "../email/text.ts";
import {
  type Answer,
  answerAt,
  cutReplyCode,
  DIALOGUE,
  isReplyLine,
  isSendmailDeferral,
  isSendmailReason,
  SENDMAIL_REASON,
  transcriptLines,
  wholeTranscriptReply,
} from "../email/transcript.ts";
import type { Dialect, RecipientReport } from "./types.ts";

/** Signs that a message without structured fields is a bounce at all. */
const FAILURE_SUBJECT =
  /undeliver|undelivered|delivery|returned mail|failure|failed|not delivered|could not be delivered|bounce|rejected|non-?remis|nondeliverable/i;
/** With the words a person's subject has as often ("problem with your newsletter", "error in the invoice"). */
const BOUNCE_SUBJECT = new RegExp(`${FAILURE_SUBJECT.source}|error|problem|warning`, "i");
/**
 * Signs in the text itself, for a report whose headers name no bounce (an MTA nobody knows, or a relay that
 * rewrote From and Subject): generic wording, then the lines each MTA family starts its report with
 * (sisimai go lhost/via-*.go `startingof`: DragonFly, Exchange 2003, Exim, EZweb, InterScan, Sendmail/Postfix
 * transcripts, Activehunter/Biglobe/X1, OpenSMTPD, Postfix, X6, Notes, qmail, KDDI, Messaging Server, m-FILTER).
 * Only tested for a match anywhere, so "--- failure reasons" finds what "-{3,} failure reasons" does, without
 * trying every length of a long run of dashes (4,096 of them cost 0.16 s).
 */
const BOUNCE_TEXT =
  /could\s+not\s+be\s+delivered|undeliverable|delivery\s+(?:has\s+)?failed|permanent(?:ly)?\s+(?:error|fatal|failure)|failed\s+recipient|returned\s+to\s+(?:the\s+)?sender|not\s+(?:be\s+)?delivered|delivery\s+status\s+notification|mail\s+delivery\s+(?:software|system|subsystem)|unable\s+to\s+deliver|this is the dragonfly mail agent|there was an error delivering your mail|did not reach (?:the following|some or all of the intended) recipient|recipient\(s\) could not be reached|the user\(s\) account|received >>> [45]\d\d|a message that you sent (?:contained|could not|was rejected|has not)|each of the following recipients was rejected|transcript of session follows|the following addresses had (?:permanent fatal errors|delivery (?:problems|errors))|this is the mailer-daemon|this is the mail system at host|we had trouble delivering your message|the original message was received at|--- failure reasons|this is the qmail-send program|your mail (?:sent on|attempted to be delivered on):|this report relates to a message you sent|---server message/i;
/** A warning that delivery is still being tried (RFC 3464 Action: delayed), not a final failure. */
const DELAY_WARNING =
  /\bdelayed\b|delivery delay|warning message only|has not yet been delivered|not been delivered yet|will (?:keep trying|continue trying|be retried|retry)|attempts will continue|temporary failure report|still (?:being )?(?:tried|retried|undelivered)/i;
const BOUNCE_SENDER = /mailer-daemon|post_?master|mail delivery|mailer|bounce|daemon|system administrator/i;
/** A null reverse-path (RFC 5321 §4.5.5): what a delivery failure notice is sent with. */
const NULL_RETURN_PATH = /^\s*<\s*>\s*$/;
/** An MTA's "host x said:" before the reply it quotes (Postfix, Exim). */
const SAID = /\bsaid:/i;
/**
 * A multipart/report of delivery status (RFC 6522 §3, RFC 3464 §2; RFC 6533's global one) is a bounce
 * whoever wrote it and whatever its subject: when its delivery-status part says nothing (empty, broken), its
 * human-readable part is read like any other report (SurfControl's: From "<>", Subject "X").
 */
const DELIVERY_REPORT = /^(?:global-)?delivery-status$/i;

/** The message is a multipart/report whose report-type is delivery status. */
function isDeliveryReport(mail: ScannedEmail): boolean {
  if (mail.contentType.type !== "multipart/report") return false;
  const reportType = mail.contentType.params.get("report-type");
  return reportType !== undefined && DELIVERY_REPORT.test(reportType.trim());
}

/**
 * The generic fallback: recipients named on their own line in the human-readable report (qmail, Exim,
 * Gmail and most legacy MTAs write them so), each followed by its error lines.
 */
/** The original sender: the bounce's addressee, and the From/Return-Path of the attached original. */
function senderAddresses(mail: ScannedEmail): string {
  const original = mail.originalHeaders();
  const fromOriginal = original
    ? [headerValue(original, "from"), headerValue(original, "return-path")].filter((value) => value !== null)
    : [];
  return [headerValue(mail.headers, "to") ?? "", ...fromOriginal].join(", ");
}

/** "Received: from … by … for <a@b>; date": whom the original was delivered for. */
const RECEIVED_FOR = /\bfor\s+(<?[^\s<>;]{1,64}@[^\s<>;]{1,255}>?)/i;

/**
 * The original's To:, else the address its Received: field says it was "for" (RFC 5321 §4.4); at most one. Not
 * for a mailing list's post (a List-Id field, RFC 2919): its To: is the list and its Received: the list's own
 * hops, never the member whose server refused it (review R57: flufl.bounce's dumbass_01.txt, simple_43.txt named
 * python-list@python.org and the list's own address).
 */
function originalRecipient(mail: ScannedEmail): string[] {
  const headers = mail.originalHeaders();
  if (!headers || headerValue(headers, "list-id") !== null) return [];
  const to = addressesIn(headerValue(headers, "to"));
  if (to.length > 0) return to.slice(0, 1);
  const received = RECEIVED_FOR.exec(headerValue(headers, "received") ?? "")?.[1];
  return received ? addressesIn(received).slice(0, 1) : [];
}

/** A reply code or an enhanced status quoted in a text. */
const REPLY_IN_TEXT = new RegExp(`${REPLY_CODE_IN_TEXT.source}|${STATUS_IN_TEXT.source}`);

/** RFC 3834 §5: a message a program sent on its own ("auto-replied", "auto-generated"…), any value but "no". */
const AUTO_SUBMITTED = /^\s*auto-/i;
/** What an MTA calls itself in a notice's From when its address says nothing ("Mail Delivery System <…>"). */
const MTA_NAME =
  /^(?:mail delivery (?:sub)?system|mail(?:er)?[- ]daemon|post_?master|system administrator|mail administrator)$/i;
/** A reply as an MTA quotes it: a 4xx/5xx code with its enhanced status ("550 5.1.1", "452-4.2.2"). */
const REPLY_WITH_STATUS = new RegExp(`${REPLY_CODE_IN_TEXT.source}${STATUS_IN_TEXT.source}`);

/**
 * The From of an MTA's notice: an address whose local part is a mailer's (MAILER-DAEMON@, postmaster@,
 * bounce…@), or an MTA's own name for itself — not a business whose name or domain has one of the words
 * ("Bounce Fitness <info@…>", "MailerLite Support <support@mailerlite.example>"). A From with no address at
 * all ("MAILER-DAEMON") is read whole.
 */
function fromAnMta(from: string): boolean {
  const addresses = addressesIn(from);
  if (addresses.length === 0) return BOUNCE_SENDER.test(from);
  if (addresses.some((address) => BOUNCE_SENDER.test(address.slice(0, address.lastIndexOf("@")))))
    return true;
  const name = addresses
    .reduce((rest, address) => rest.replace(address, " "), from)
    .replace(/[<>()"']/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return MTA_NAME.test(name);
}

/**
 * Evidence that a note around an attached original is a failure notice, not a person's mail with a message
 * attached (R30, R31: "See the attached mail from Bob" is no bounce of Bob's To:) — only what an MTA writes:
 * a failed-recipients field or a delivery report, an MTA's From (its address or its own name, see
 * fromAnMta), a null Return-Path, the wording of a report, or a reply with its status ("550 5.1.1") or
 * "said:" in the note. A subject naming a failure counts only in a message a program sent (Auto-Submitted):
 * people write "Undelivered: our meeting" or "Fwd: delivery failed" over a mail they attach too; and a bare
 * number is no reply ("We got 500 copies", "see item 4.2.1").
 */
function isFailureNotice(mail: ScannedEmail, preamble: string): boolean {
  return (
    headerValue(mail.headers, "x-failed-recipients") !== null ||
    isDeliveryReport(mail) ||
    fromAnMta(mail.from) ||
    NULL_RETURN_PATH.test(headerValue(mail.headers, "return-path") ?? "") ||
    (FAILURE_SUBJECT.test(mail.subject) &&
      AUTO_SUBMITTED.test(headerValue(mail.headers, "auto-submitted") ?? "")) ||
    BOUNCE_TEXT.test(mail.reportText.slice(0, 4096)) ||
    REPLY_WITH_STATUS.test(preamble) ||
    SAID.test(preamble)
  );
}

/**
 * A recipient's whole error is one of the texts Postfix gives a local program's sysexits(3) status when the program
 * wrote nothing ("<a@b>: service unavailable" for EX_UNAVAILABLE; global/sys_exits.c, used by local(8) and pipe(8)
 * for a command: https://github.com/vdukhovni/postfix/blob/master/postfix/src/global/sys_exits.c): the report's
 * Diagnostic-Code would have said "X-Unix;". Not EX_NOUSER's "user unknown" nor EX_NOHOST's "host name unknown",
 * which say what failed; as Postfix writes them, lower-case and alone.
 */
const SYS_EXITS_TEXT =
  /^(?:command line usage error|data format error|cannot open input|service unavailable|internal software error|system resource problem|critical OS file missing|can't create user output file|input\/output error|temporary failure|remote error in protocol|permission denied|local configuration error)$/;

/**
 * EX_NOUSER's text as Postfix writes it for a local program's exit 67 ("<a@b>: user unknown", lower-case and
 * alone), with the status sys_exits.c pairs it with, 5.1.1: the program looked the user up and found none, as the
 * report's DSN fields would say (Status: 5.1.1, Diagnostic-Code: x-unix; user unknown). Postfix's own lookups
 * write other words (local(8): 'unknown user: "a"'; a remote reply comes after "said:").
 */
const SYS_EXITS_NO_USER = "user unknown";
const SYS_EXITS_NO_USER_STATUS = "5.1.1";

/**
 * A report Postfix wrote, the only writer of the sys_exits.c texts above: its Subject or its bounce(5) template's
 * opening ("This is the mail system at host mx.example.org.", then "The mail system" above the recipients; sisimai
 * go lhost/via-postfix.go's markers). Another MTA's words that happen to be those texts keep their own reading.
 */
const POSTFIX_SUBJECT = "Undelivered Mail Returned to Sender";
const POSTFIX_TEMPLATE =
  /^This is the (?:mail system at host |Postfix program)|^[ \t]*The (?:mail system|Postfix program)[ \t]*$/m;
const writtenByPostfix = (mail: ScannedEmail): boolean =>
  mail.subject.trim() === POSTFIX_SUBJECT || POSTFIX_TEMPLATE.test(mail.reportText.slice(0, 4096));

/** A recipient line whose own lines carry no reply: the error was written before it ("Error: … RCPT TO: a@b"). */
function withPreamble(diagnostic: string, preamble: string): string {
  if (!diagnostic) return preamble;
  return !REPLY_IN_TEXT.test(diagnostic) && REPLY_IN_TEXT.test(preamble)
    ? `${preamble} ${diagnostic}`
    : diagnostic;
}

/**
 * What the addresses under a list's header (src/bounce/email/text.ts ADDRESS_LIST_HEADER) had, in Sendmail's
 * words: "permanent fatal errors" names the recipients it gave up on, "transient non-fatal errors" the ones it
 * still tries, "successful delivery notifications" the ones delivered (RFC 3464 Action: failed / delayed /
 * delivered, as the report's DSN part says when it has one). Other MTAs' words name no action: Zoho writes
 * "fatal errors" over a warning ("THIS IS A WARNING MESSAGE ONLY", sisimai set-of-emails lhost-zoho-04), Biglobe
 * "delivery problems" over failures; their recipients take the report's. Each list runs to a blank line, each
 * address at a line's start (a success's words after it, "  (successfully delivered to mailbox)"; a program
 * recipient's address on its "(expanded from: …)" line), its "(reason: …)" indented under it. A report with both
 * failure lists is about both, whatever its words say overall ("Warning: message still undelivered after 4 hours"
 * is about the queued one): each recipient's action is its own list's (review R151).
 */
const LIST_ACTIONS: Record<string, ListedAction> = {
  "permanent fatal errors": "failed",
  "transient non-fatal errors": "delayed",
  "successful delivery notifications": "delivered",
};
const EXPANDED_FROM_LINE = /^\(expanded from: <?([^\s<>]+@[^\s<>]+?)>?\)$/i;
/** Text and lines read for the lists: hostile input stays bounded. */
const MAX_LIST_TEXT = 64 * 1024;
const MAX_LIST_LINES = 1024;

type ListedAction = "failed" | "delayed" | "delivered" | "relayed";

interface ListedActions {
  /** Per listed address (lower case), its list's action. */
  actions: Map<string, ListedAction>;
  /** The actions of the lists that name someone. */
  kinds: Set<ListedAction>;
  /** A list's header in other words was seen (its recipients' action is not known from it). */
  otherList: boolean;
}

function listActions(reportText: string): ListedActions | null {
  if (!reportText.includes("ollowing addresses had")) return null;
  let listed: ListedActions | null = null;
  let action: ListedAction | null = null;
  for (const line of reportText.slice(0, MAX_LIST_TEXT).split("\n", MAX_LIST_LINES)) {
    const trimmed = line.trim();
    const header = ADDRESS_LIST_HEADER.exec(trimmed);
    if (header !== null) {
      const had = header[1].toLowerCase();
      listed ??= { actions: new Map(), kinds: new Set(), otherList: false };
      action = Object.hasOwn(LIST_ACTIONS, had) ? LIST_ACTIONS[had] : null;
      if (action === null) listed.otherList = true;
    } else if (trimmed === "") action = null;
    else if (action !== null && trimmed.includes("@")) {
      const indented = trimmed !== line.trimEnd();
      const address = indented
        ? EXPANDED_FROM_LINE.exec(trimmed)?.[1]
        : trimmed.split(/\s/, 1)[0].replace(/^<(.*)>$/, "$1");
      if (address === undefined || listed === null) continue;
      const key = address.toLowerCase();
      if (!listed.actions.has(key)) listed.actions.set(key, action);
      listed.kinds.add(action);
    }
  }
  return listed;
}

/**
 * Postfix's success notice (its bounce templates' success_template, bounce(5): "Successful Mail Delivery Report"):
 * every recipient it lists was delivered, none failed.
 */
const POSTFIX_SUCCESS = /your message was successfully delivered to the destination\(s\)/i;
/**
 * Courier's notice that a delivery receipt was asked for and the next hop offers none (its heading "MESSAGE
 * DELIVERED TO A MAIL GATEWAY", Action: relayed in its DSN part; Courier 1.0.16, test/fixtures/mta-made
 * c15-success): every recipient it lists was relayed, none failed.
 */
const COURIER_RELAYED = /^[ \t]*MESSAGE DELIVERED TO A MAIL GATEWAY[ \t]*$/m;

/** What RFC 3464 would say in a report's Action, from its words: failed unless they say otherwise. */
function reportAction(mail: ScannedEmail, listed: ListedActions | null): ListedAction {
  if (listed?.kinds.has("failed")) return "failed";
  // Only Sendmail's list of recipients it still tries (a warning whose words say no "warning", "delay"…): none of
  // the report's recipients has failed. A list in other words may be of failures.
  if (listed?.kinds.has("delayed") && !listed.otherList) return "delayed";
  const head = mail.reportText.slice(0, 4096);
  if ((listed?.kinds.has("delivered") && !listed.kinds.has("delayed")) || POSTFIX_SUCCESS.test(head))
    return "delivered";
  if (COURIER_RELAYED.test(head)) return "relayed";
  return DELAY_WARNING.test(mail.subject) || DELAY_WARNING.test(head) ? "delayed" : "failed";
}

/**
 * A failure report's transcript line about a recipient still in the queue ("g@example.org... Deferred: 421 …",
 * Sendmail's transcript after its list of failed addresses, savemail.c): a recipient of the report only when the
 * list names it too. A report that lists nobody before such lines keeps them (they are all it says).
 */
function withoutOnlyDeferred<T extends { recipient: string; diagnostic: string }>(entries: T[]): T[] {
  const deferred = (entry: T) => isSendmailDeferral(entry.diagnostic, entry.recipient);
  if (deferred(entries[0])) return entries;
  const listed = new Set<string>();
  const kept: T[] = [];
  for (const entry of entries) {
    const key = entry.recipient.toLowerCase();
    if (!deferred(entry)) listed.add(key);
    else if (!listed.has(key)) continue;
    kept.push(entry);
  }
  return kept;
}

/**
 * A recipient's own reply in a Sendmail report with no DSN fields, as the DSN path reads it: the whole reply its
 * cut "(reason: 550-…)" line starts for its error.
 * The transcript holds one part per host ("... while talking to mx.example.org.:"): the recipient's is the one
 * where its reply was answered ("<<< " and the "(reason: …)" line), and only that part is about it — another
 * host's reply (a deferred recipient's "[TSS04]", the next host's refusal) is not its error, nor that host
 * its remote host (review R136). In a report about several recipients the reply alone is the error and no
 * command its phase (a pipelined session shows ">>> DATA" before every recipient's RCPT reply), as the DSN path
 * reads each recipient but the last; about one, its part stays in the error (Sendmail's own lines: "Message
 * could not be delivered for 5 days", what a DSN's Status would say). Sendmail's own verdict right after the
 * reply can still name the phase (refusedAtRcpt). Null when the recipient's lines hold no "(reason: …)" line.
 */
function ownSendmailReply(
  recipient: string,
  diagnostic: string,
  mail: ScannedEmail,
  transcript: () => readonly string[],
  several: boolean,
): {
  diagnostic: string;
  context: string | null;
  remoteMta: string | null;
  /** The command the recipient's error answered, where Sendmail's own line after the reply says so. */
  command?: "RCPT";
} | null {
  const reason = SENDMAIL_REASON.exec(diagnostic);
  if (reason === null) return null;
  // What follows the line is nothing or Sendmail's "----- Transcript of session follows -----" (savemail.c).
  const rest = diagnostic.slice(reason[0].length);
  const part = hostPart(transcript(), reason[1], recipient);
  // The whole reply the line was cut from: its run in the recipient's part, or (a transcript past the lines read
  // for parts) wherever the report holds it.
  const whole =
    part === null
      ? wholeTranscriptReply(reason[1], mail, recipient)
      : cutReplyCode(reason[1]) !== null && part.run.length > 1
        ? part.run.join(" ")
        : null;
  if (whole === null && rest === "" && part === null) return null;
  const error = `(reason: ${whole ?? reason[1]})`;
  const remoteMta = part === null ? null : remoteHostIn(part.text);
  const command = part !== null && refusedAtRcpt(part.echo, recipient) ? ("RCPT" as const) : undefined;
  if (several)
    return {
      diagnostic: error,
      context: part === null && rest !== "" ? diagnostic : null,
      remoteMta,
      command,
    };
  if (part === null) return { diagnostic: `${error}${rest}`, context: null, remoteMta };
  const own = ownPartOf(
    rest,
    part.parts.map((lines) => lines[0]),
    part.index,
  );
  const trimmed = withoutLaterReplies(own, part.later, own.indexOf(`<<< ${reason[1].trim()}`));
  // The later replies stay the error's context: they show the phase (a pipelined batch's DATA refused for want
  // of recipients says the error answered RCPT TO, email/smtp-command.ts).
  return { diagnostic: `${error}${trimmed}`, context: trimmed === own ? null : own, remoteMta, command };
}

/**
 * Sendmail's own line for a recipient (email/text.ts echoedAddress) in EX_NOUSER's stock words, right after the
 * server's reply: the reply refused its RCPT TO, whatever its words (usersmtp.c maps 550/551/553 to RCPT TO to
 * EX_NOUSER: ">>> RCPT To:<a@b>", "<<< 550 5.7.1 IP address blacklisted by recipient", "550 5.1.1 <a@b>... User
 * unknown", github.com/sisimai/set-of-emails lhost-sendmail-36.eml). A pipelined session shows ">>> DATA" before
 * every RCPT TO's reply; this line still says the reply answered RCPT TO. A refusal after DATA gets "554 5.0.0
 * Service unavailable" instead (Sendmail 8.17's own reports, test/fixtures/mta-made/sendmail).
 */
function refusedAtRcpt(echo: string | null, recipient: string): boolean {
  if (echo === null || !echo.endsWith("... User unknown")) return false;
  return echoedAddress(echo) === recipient.toLowerCase();
}

/**
 * `own` (a recipient's joined part) without the server's replies to later commands (`later`, whole lines): DATA's
 * refusal for want of recipients ("<<< 554 5.5.1 Error: no valid recipients"), QUIT's "<<< 221 …". The recipient's
 * "(reason: …)" line names the reply that failed it (savemail.c, q_rstatus); the later ones are no part of its error.
 */
function withoutLaterReplies(own: string, later: readonly string[], answered: number): string {
  if (later.length === 0 || answered < 0) return own;
  let text = own;
  let from = answered;
  for (const line of later) {
    const at = text.indexOf(` ${line}`, from);
    if (at < 0) continue;
    text = text.slice(0, at) + text.slice(at + line.length + 1);
    from = at;
  }
  return text;
}

/**
 * A recipient named by Sendmail's "a@b... Deferred: 421-4.7.0 Please see …" line (a delay warning's, deliver.c): the
 * line holds the reply's first line only, as "(reason: …)" does; the whole reply is in the recipient's host part of the
 * transcript (wholeTranscriptReply), put in its place. Null when the entry is no such line or the reply is not cut.
 */
function wholeDeferredReply(
  entry: { recipient: string; diagnostic: string },
  mail: ScannedEmail,
  transcript: () => readonly string[],
): string | null {
  if (!isSendmailDeferral(entry.diagnostic, entry.recipient)) return null;
  const opened = entry.diagnostic.indexOf("... Deferred: ");
  if (opened < 0) return null;
  const opening = entry.diagnostic.slice(0, opened + "... Deferred: ".length);
  const line = transcript().find((candidate) => candidate.startsWith(opening));
  if (line === undefined) return null;
  const cut = line.slice(opening.length);
  const whole = wholeTranscriptReply(cut, mail, entry.recipient);
  if (whole === null || !entry.diagnostic.startsWith(line)) return null;
  return `${opening}${whole}${entry.diagnostic.slice(line.length)}`;
}

/**
 * The recipient's joined transcript lines (`rest`: the separator, then every host's part as the text reader kept
 * them, Sendmail's stock echo of a reply left out) with only the part `index` of them kept; nothing when the
 * reader kept fewer parts (a "... Deferred" line of another recipient took the rest). The parts are found by their
 * opening lines (`openings`, the transcript's own, in order), each a whole line of `rest`: the lines were joined by
 * spaces, so a reply's "while talking to" mid-line would look the same as a part's marker there.
 */
function ownPartOf(rest: string, openings: readonly string[], index: number): string {
  const starts: number[] = [];
  for (let i = 0, from = 0; i < openings.length && i <= index + 1; i++) {
    const at = wholeLineAt(rest, openings[i], from);
    if (at < 0) break;
    starts.push(at);
    from = at + openings[i].length + 1;
  }
  if (index >= starts.length) return "";
  return `${rest.slice(0, starts[0])}${rest.slice(starts[index], starts[index + 1] ?? rest.length)}`;
}

/** Where `line` is a whole line of `joined` (lines joined by a space) at or after `from`: the index of the space before it. */
function wholeLineAt(joined: string, line: string, from: number): number {
  for (let at = joined.indexOf(` ${line}`, from); at >= 0; at = joined.indexOf(` ${line}`, at + 1)) {
    const end = at + line.length + 1;
    if (end === joined.length || joined[end] === " ") return at;
  }
  return -1;
}

/**
 * The part of a Sendmail transcript (its lines) where `reply` (a reply's first line) was answered: from its "...
 * while talking to" line to the next one or the transcript's end. Where several parts hold that line (Exim's
 * "503-All RCPT commands were rejected with this error:" after a 421 on each host of an expiry report), the one
 * that names the recipient ("a@b... Deferred: 421 …", savemail.c) is its (review R137); where one part holds it
 * for several recipients (a pipelined session refusing each alike), the one Sendmail's own line after it names the
 * recipient of is its. Null when none holds "<<< reply".
 */
function hostPart(lines: readonly string[], reply: string, recipient: string): HostPart | null {
  const answered = `<<< ${reply.trim()}`;
  const address = recipient.toLowerCase();
  let first: HostPart | null = null;
  const parts = transcriptParts(lines);
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    let answer: Answer | null = null;
    for (let at = part.indexOf(answered); at >= 0; at = part.indexOf(answered, at + 1)) {
      const next = answerAt(part, at);
      answer ??= next;
      if (next.echo !== null && namesAddress(next.echo.toLowerCase(), address)) {
        answer = next;
        break;
      }
    }
    if (answer === null) continue;
    const later = part.slice(answer.end).filter(isReplyLine);
    const found = { text: part.join(" "), index, later, echo: answer.echo, run: answer.run, parts };
    if (part.some((line) => line.includes("@") && namesAddress(line.toLowerCase(), address))) return found;
    first ??= found;
  }
  return first;
}

/**
 * A Sendmail transcript's lines (trimmed) cut into its host parts, each from its "... while talking to" line: a
 * blank line ends the transcript unless another host's part follows it.
 */
function transcriptParts(lines: readonly string[]): string[][] {
  const parts: string[][] = [];
  let part: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === "" && !TRANSCRIPT_HOST.test(lines[i + 1] ?? "")) break;
    if (line === "") continue;
    if (TRANSCRIPT_HOST.test(line)) {
      part = [];
      parts.push(part);
    }
    part?.push(line);
  }
  return parts;
}

interface HostPart {
  /** The part's lines joined by spaces. */
  text: string;
  /** Which part it is, 0 the first. */
  index: number;
  /** Every part of the transcript, in order (transcriptParts). */
  parts: readonly (readonly string[])[];
  /** The replies after the answered one (its own continuation lines aside), whole lines in order. */
  later: string[];
  /** Sendmail's own line right after the answered reply (Answer.echo). */
  echo: string | null;
  /** The answered reply's lines without "<<< " (its first, then its continuation lines up to MAX_REPLY_LENGTH). */
  run: string[];
}

/**
 * One entry per recipient: a report written twice (Mail.Ru's Russian then English text) names each
 * recipient twice. The first entry is kept, with the later one's error when only that quotes a reply, or is
 * Sendmail's own line about the recipient still queued ("<a@b>... Deferred: Connection timed out …") where the
 * first is no "(reason: …)" of Sendmail's (a recipient of its transient list, which gives none: review R151). A
 * later entry that is the recipient's own SMTP dialogue (a Sendmail transcript after the list of failed
 * addresses, each recipient's ">>> RCPT To:<a@b>" and its replies) is that recipient's too: it is added
 * to the first, so every recipient keeps its command and replies, not only the last listed (sisimai go
 * lhost/via-v5sendmail.go reads each recipient's command and replies from the transcript).
 */
function onePerRecipient<T extends { recipient: string; diagnostic: string }>(entries: T[]): T[] {
  if (entries.length < 2) return entries;
  const kept = new Map<string, T>();
  for (const entry of entries) {
    const key = entry.recipient.toLowerCase();
    const first = kept.get(key);
    if (!first) kept.set(key, entry);
    else if (DIALOGUE.test(entry.diagnostic))
      kept.set(key, { ...first, diagnostic: `${first.diagnostic} ${entry.diagnostic}`.trim() });
    else if (
      !REPLY_IN_TEXT.test(first.diagnostic) &&
      (REPLY_IN_TEXT.test(entry.diagnostic) ||
        (isSendmailDeferral(entry.diagnostic, entry.recipient) && !isSendmailReason(first.diagnostic)))
    )
      kept.set(key, { ...first, diagnostic: entry.diagnostic });
  }
  return kept.size === entries.length ? entries : [...kept.values()];
}

/**
 * Recipients listed one per line with one error after the list ("bob@…", "carol@…", then "Reason: … said:
 * 552 …"): a recipient line with nothing of its own takes the error of the recipient after it.
 */
function shareFollowingError<T extends { diagnostic: string }>(entries: T[]): T[] {
  if (entries.length < 2 || entries.every((entry) => entry.diagnostic !== "")) return entries;
  const shared = entries.slice();
  for (let index = shared.length - 2; index >= 0; index--) {
    const next = shared[index + 1].diagnostic;
    if (shared[index].diagnostic === "" && REPLY_IN_TEXT.test(next))
      shared[index] = { ...shared[index], diagnostic: next };
  }
  return shared;
}

/**
 * A list's post or a reply in a thread (List-Id, RFC 2919; In-Reply-To / References, RFC 5322 §3.6.4) from no
 * MTA: its Subject is what people discuss ("[list] mailbox full errors", "Re: Mail delivery failed"), not a
 * notice's own (review R64). A failure notice says so elsewhere too (its sender, its text, a report part).
 */
function isConversation(mail: ScannedEmail): boolean {
  return (
    (headerValue(mail.headers, "list-id") !== null ||
      headerValue(mail.headers, "in-reply-to") !== null ||
      headerValue(mail.headers, "references") !== null) &&
    !fromAnMta(mail.from)
  );
}

/**
 * The recipient lines X-Failed-Recipients names, when it names any of them: the MTA's own list of the failed
 * (Exim's, spec chapter "Bounce messages"); other address lines of its text are not (review R71: Exim's "A
 * message sent by <sender> could not be delivered", written when the bounce goes to an errors address).
 */
function failedRecipientsOnly<T extends { recipient: string }>(entries: T[], mail: ScannedEmail): T[] {
  const failed = addressesIn(headerValue(mail.headers, "x-failed-recipients"));
  if (failed.length === 0) return entries;
  const named = new Set(failed.map((address) => address.toLowerCase()));
  const kept = entries.filter((entry) => named.has(entry.recipient.toLowerCase()));
  return kept.length > 0 ? kept : entries;
}

export const plainText: Dialect = {
  id: "plain-text",
  source: "Common non-RFC 3464 bounce layouts (see Sisimai lib/Sisimai/Lhost/*.pm)",
  detect(mail) {
    return (
      headerValue(mail.headers, "x-failed-recipients") !== null ||
      isDeliveryReport(mail) ||
      (BOUNCE_SUBJECT.test(mail.subject) && !isConversation(mail)) ||
      BOUNCE_SENDER.test(mail.from) ||
      NULL_RETURN_PATH.test(mail.from) ||
      BOUNCE_TEXT.test(mail.reportText.slice(0, 4096))
    );
  },
  parse(mail) {
    const text = readReportText(mail.reportText);
    const time = headerValue(mail.headers, "date");
    // What RFC 3464 would say in Action; where Sendmail's lists say it, each recipient's is its list's.
    const listed = listActions(mail.reportText);
    const action = reportAction(mail, listed);
    const actionOf = (recipient: string) => listed?.actions.get(recipient.toLowerCase()) ?? action;
    if (text.entries.length > 0) {
      const kept =
        text.entries.length > 1
          ? failedRecipientsOnly(action === "failed" ? withoutOnlyDeferred(text.entries) : text.entries, mail)
          : text.entries;
      const entries = shareFollowingError(
        onePerRecipient(kept.length > 1 ? withoutAddressee(kept, senderAddresses(mail)) : kept),
      );
      // A recipient line with nothing after it: the error was written before it (e.g. "Error: … RCPT TO: a@b").
      let lines: string[] | undefined;
      const transcript = () => {
        lines ??= transcriptLines(mail.reportText);
        return lines;
      };
      let postfix: boolean | undefined;
      const sysExits = (diagnostic: string) => {
        if (!SYS_EXITS_TEXT.test(diagnostic) && diagnostic !== SYS_EXITS_NO_USER) return false;
        postfix ??= writtenByPostfix(mail);
        return postfix;
      };
      return entries.map((entry): RecipientReport => {
        const own = ownSendmailReply(entry.recipient, entry.diagnostic, mail, transcript, entries.length > 1);
        const exit = sysExits(entry.diagnostic);
        return {
          ...entry,
          diagnostic: withPreamble(
            own?.diagnostic ?? wholeDeferredReply(entry, mail, transcript) ?? entry.diagnostic,
            text.preamble,
          ),
          ...(own?.context ? { context: own.context } : {}),
          ...(own?.command ? { command: own.command } : {}),
          ...(own?.remoteMta ? { remoteMta: detach(own.remoteMta) } : {}),
          ...(entry.toProgram || exit ? { diagnosticType: "x-unix" } : {}),
          ...(exit && entry.diagnostic === SYS_EXITS_NO_USER ? { status: SYS_EXITS_NO_USER_STATUS } : {}),
          notice: text.preamble,
          time,
          action: actionOf(entry.recipient),
        };
      });
    }
    const failed = addressesIn(headerValue(mail.headers, "x-failed-recipients"));
    // X-Failed-Recipients, then an address in a sentence ("could not be delivered to <a@b>"), then one in a
    // quoted reply ("said: 550 5.1.1 <a@b>: …"), then the original's To:. The original sender is named only
    // when nothing else is ("MAIL FROM:<sender> … 550 <sender>... Please use the smtp server of your ISP").
    // Each source is read only when the ones before it named nobody (most reports stop at the first).
    let senders: Set<string> | undefined;
    const notSender = (found: string[]) => {
      if (found.length === 0) return found;
      senders ??= new Set(addressesIn(senderAddresses(mail)).map((address) => address.toLowerCase()));
      const known = senders;
      return found.filter((address) => !known.has(address.toLowerCase()));
    };
    let inReplies: string[] | undefined;
    const replies = () => {
      inReplies ??= recipientsInReplies(text.preamble);
      return inReplies;
    };
    const inSentences = failed.length > 0 ? [] : recipientsInSentences(text.preamble, text.paragraphs);
    let named = failed.length > 0 ? failed : notSender(inSentences);
    const bySentences = failed.length === 0 && named.length > 1;
    if (named.length === 0) named = notSender(replies());
    // The original's To: only in a failure notice: a person's mail attaching a message names nobody who failed.
    if (named.length === 0 && isFailureNotice(mail, text.preamble)) named = originalRecipient(mail);
    if (named.length === 0) named = inSentences.length > 0 ? inSentences : replies();
    const recipients = named;
    const own = bySentences ? ownParagraphs(text, recipients) : null;
    return recipients.map(
      (recipient, index): RecipientReport => ({
        recipient,
        diagnostic: own?.[index] ?? text.preamble,
        time,
        action: actionOf(recipient),
      }),
    );
  },
};

/**
 * Each recipient's own part of a notice that names them in paragraphs of their own ("The following message to
 * <a@b> was undeliverable. The reason for the problem: 550 …" / blank line / the same for <c@d>): the notice's
 * opening, then the paragraphs from the one naming it up to the one naming the next (review R91). Null when
 * two recipients share a paragraph or one is not found: then each reads the whole preamble.
 */
function ownParagraphs(text: ReportText, recipients: readonly string[]): string[] | null {
  const { preamble, paragraphs } = text;
  if (recipients.length < 2 || paragraphs.length === 0) return null;
  const starts: number[] = [];
  for (const recipient of recipients) {
    const at = preamble.indexOf(recipient);
    if (at < 0) return null;
    let start = 0;
    for (const paragraph of paragraphs) if (paragraph <= at) start = paragraph;
    if (starts.length > 0 && start <= starts[starts.length - 1]) return null;
    starts.push(start);
  }
  const opening = starts[0] > 0 ? `${preamble.slice(0, starts[0])}` : "";
  return starts.map((start, index) =>
    `${opening}${preamble.slice(start, starts[index + 1] ?? preamble.length)}`.trim(),
  );
}
