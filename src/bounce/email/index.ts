import { mailDateIso, mailDateMs } from "../../util/dates.ts";
import { detach } from "../../util/detach.ts";
import { describeLimit, type LimitName, limitOf } from "../../util/limits.ts";
import type { ParseProblem } from "../../util/problem.ts";
import { type Classification, classifyReplyShared, type ReplyInput } from "../classify.ts";
import {
  commandVerdict,
  familyMarker,
  familyReason,
  headerVerdict,
  MTA_FAMILIES,
  type MtaFamily,
} from "../dialects/families.ts";
import { DIALECTS, type RecipientReport } from "../dialects/index.ts";
import { localAgentVerdict } from "../dialects/local-agents.ts";
import { sendsNoDelayWarnings } from "../dialects/no-delay-warnings.ts";
import { givesEveryRecipientOneRefusal } from "../dialects/one-refusal-for-all.ts";
import { type BounceRecord, ruleRef } from "../record.ts";
import { feedbackVerdict } from "../rules/feedback-types.ts";
import { smtpCommandIn } from "../smtp-command.ts";
import { isVagueStatus, specificFailureStatus } from "../smtp-reply.ts";
import { TextMemo } from "../text-memo.ts";
import {
  FILTERED_NO_PHASE,
  OTHER_RECIPIENT,
  type Reason,
  type ReasonHint,
  withoutLabel,
} from "../vocabulary.ts";
import { recordDiagnostic, type SpacedDiagnostic, spacedDiagnostic } from "./diagnostic-text.ts";
import { loadHeaderBytes } from "./header-bytes.ts";
import { type HeaderBlock, headerStart, headerValue } from "./headers.ts";
import { remoteHostIn } from "./remote-host.ts";
import { REPORT_NOTES, type ReportKind, reportKind } from "./reports.ts";
import { type ScannedEmail, scanEmail } from "./scan.ts";
import { localProgramReason, phaseHint } from "./smtp-phase.ts";
import { STATUS_IN_TEXT } from "./text.ts";

export { splitMbox } from "./mbox.ts";

/** Recipients read from one message, at most (the limit in force when the module loads, as scan.ts reads it). */
const MAX_RECIPIENTS = limitOf("recipientsPerMessage");
/** A failure status is what the diagnostic is about; a 2.x.x earlier in a transcript is not. */
/** A delivery's status quoted in a text ("2.0.0"), as STATUS_IN_TEXT a failure's: never a part of "10.2.1.1". */
const DELIVERED_STATUS_IN_TEXT = /(?<![\w.])2\.[0-7]\.\d{1,3}(?!\.?\d)/;
/**
 * A reply code stands alone: "550 ", "550-", "(550)", "'550 " (Exchange's "Remote Server returned '550 …'");
 * never the first part of an IP address ("203.0.113.9").
 */
const FAILURE_CODE_IN_TEXT = /(?:^|[\s:;(['"])([45][0-5]\d)(?=[\s\-,)\]]|\.(?!\d)|$)/;
const REPLY_CODE_IN_TEXT = /(?:^|[\s:;(['"])(2[0-5]\d)(?=[\s\-,)\]]|\.(?!\d)|$)/;

/** A status right after a reply code ("550 5.2.2", "550-'5.2.2"): the remote server's own, not a wrapper's. */
const REPLIED_STATUS_IN_TEXT = /\b[45]\d\d[- ]['"]?([45]\.[0-7]\.\d{1,3})(?!\.?\d)/;

/**
 * Which of the report's Status field and the status written in the reply to keep (sisimai go
 * smtp/status/prefer.go): the one whose class agrees with the reply code; the field, unless it is vague
 * (X.0.0, or X.Y.0 / X.0.Z against a reply's status with no zero), ambiguous (4.4.7, 4.7.0, 5.3.Z, X.5.1,
 * X.5.2, X.5.4, X.5.5), a 5.1.1 the reply refines, or a 5.1.3 the reply calls a security matter (5.7.Z).
 * A field that is the reply's status cut short is the reply's: nullmailer writes "Status: 5.7.7" for a reply's
 * 5.7.708 (RFC 3463 §2: subject and detail have up to three digits each).
 */
export function preferStatus(field: string, inText: string, replyCode: number | null): string {
  if (field === inText) return field;
  if (inText.length > field.length && inText.startsWith(field)) return inText;
  const code = replyCode === null ? "" : String(replyCode)[0];
  if (code && field[0] !== inText[0]) {
    if (code === field[0]) return field;
    if (code === inText[0]) return inText;
  }
  const fieldZero = field.includes(".0");
  const textZero = inText.includes(".0");
  if (field.includes(".0.0")) return inText.includes(".0.0") ? field : inText;
  if (fieldZero && !textZero) return inText;
  if (inText.includes(".0.0")) return field;
  if (field === "4.4.7" || field === "4.7.0" || field.startsWith("5.3.")) return inText;
  if (/^\d\.5\.[1245]$/.test(field)) return inText;
  if (field === "5.1.1") return textZero || inText.startsWith("5.5.") ? field : inText;
  if (field === "5.1.3" && inText.startsWith("5.7.")) return inText;
  return field;
}

/**
 * The report's status: its Status field and the status written in the reply (a failure status before any
 * 2.x.x of a transcript), as preferStatus weighs them; a 2.x.x field (a delivery) is kept.
 */
function statusOf(report: RecipientReport, inText: string | null, replyCode: number | null): string | null {
  const given = report.status ?? null;
  if (!given || !inText || inText === given) return given ?? inText;
  if (given.startsWith("2.")) return given;
  return preferStatus(given, inText, replyCode);
}

/**
 * Where the report's Status field is the reporting MTA's reading of the remote's reply, not the server's own
 * status, the status the reply itself gives (`inText`; null for none); undefined where the field is the server's
 * or the MTA's own word. The diagnostic is the remote's SMTP reply (RFC 3464 §2.3.6, diagnostic type `smtp`) and
 * the field, of the reply code's class, is not the status the reply carries: the reporting MTA made it of the
 * code alone or put it in place of the server's — Sendmail writes `5.1.1` and "User unknown" for any 550 to RCPT
 * TO (also over a reply's own `5.0.350`), `5.2.2` for 552, `5.1.3` for 553, whatever the server said (review
 * R107). One of another class than the reply's code is the MTA's own word (Sendmail's 4.4.7 of a message that
 * expired in its queue), and a vague X.0.0 decides nothing anyway. Such a status never decides alone: a refusal
 * no rule reads is no dead address to suppress. It still gates the rules of a host whose own table reads it
 * (NTT docomo's 5.2.0) and keeps Sisimai's order against a reply's words, as Sisimai reads it.
 */
function replysOwnStatus(
  report: RecipientReport,
  inText: string | null,
  replyCode: number | null,
): string | null | undefined {
  const status = report.status ?? null;
  if (
    status === null ||
    status === inText ||
    replyCode === null ||
    report.diagnosticType !== "smtp" ||
    status.charCodeAt(0) !== String(replyCode).charCodeAt(0) ||
    status.endsWith(".0.0")
  )
    return undefined;
  return inText;
}

/** Do two readings of one reply reach the same verdict (what the store counts and acts on)? */
function sameVerdict(a: Readonly<Classification>, b: Readonly<Classification>): boolean {
  return (
    a.reason === b.reason &&
    a.category === b.category &&
    a.suppressRecipient === b.suppressRecipient &&
    a.permanent === b.permanent &&
    a.retryable === b.retryable
  );
}

/**
 * A report whose error nothing else explains is about time in the queue: a delay warning (Action: delayed,
 * RFC 3464 §2.3.3: still being retried past the warning time), or a bounce that reports only a temporary
 * (4xx) error, after which the MTA kept retrying until it gave up (RFC 5321 §4.5.4.1). Sisimai reads only the
 * first as expired (an undecided reason with Action delayed:
 * https://github.com/sisimai/go-sisimai/blob/main/reason/find.go); the second, a failed report of a 4xx its
 * phrases do not explain, is onhold (no verdict) in its Go and Perl editions — the RFC's reading is ours.
 */
function expiredInQueue(
  classification: Readonly<Classification>,
  action: string | null | undefined,
): boolean {
  if (action === "delayed") return true;
  const code = classification.replyCode;
  return code !== null ? code >= 400 && code < 500 : (classification.status?.startsWith("4.") ?? false);
}

/** What a diagnostic's words alone say: the reply code and status written in it, the remote host it names. */
class TextFacts {
  readonly replyCode: number | null;
  /**
   * A failure status after a reply code, else the first failure status; either only when it is not vague
   * (X.0.0, 4.4.7) or the text has no other: "554 4.4.7 Message expired … <421 4.4.2 Connection timed out>"
   * is 4.4.2. Else the first 2.x.x; or null.
   */
  readonly status: string | null;
  #remoteHost: string | null | undefined = undefined;

  constructor(diagnostic: string) {
    const code = (FAILURE_CODE_IN_TEXT.exec(diagnostic) ?? REPLY_CODE_IN_TEXT.exec(diagnostic))?.[1];
    this.replyCode = code ? Number(code) : null;
    const replied = REPLIED_STATUS_IN_TEXT.exec(diagnostic)?.[1];
    this.status =
      (replied !== undefined && !isVagueStatus(replied) ? replied : specificFailureStatus(diagnostic)) ??
      replied ??
      (STATUS_IN_TEXT.exec(diagnostic) ?? DELIVERED_STATUS_IN_TEXT.exec(diagnostic))?.[0] ??
      null;
  }

  /**
   * The remote host `diagnostic` (the text these facts are of) names: looked for only when a report names no
   * remote MTA itself; kept as a copy (a match is a slice of the whole message).
   */
  remoteHost(diagnostic: string): string | null {
    if (this.#remoteHost === undefined) {
      const host = remoteHostIn(diagnostic);
      this.#remoteHost = host === null ? null : detach(host);
    }
    return this.#remoteHost;
  }
}

/**
 * Each record diagnostic's TextFacts: a diagnostic seen again (one MTA's reply to many recipients) is not
 * searched again for its reply code, status and remote host.
 */
const FACTS_BY_TEXT = new TextMemo<TextFacts>(4096, 2048);

function textFacts(diagnostic: string): TextFacts {
  let facts = FACTS_BY_TEXT.get(diagnostic);
  if (facts === undefined) {
    facts = new TextFacts(diagnostic);
    FACTS_BY_TEXT.set(diagnostic, facts);
  }
  return facts;
}

/**
 * The DSN action a recipient's record is classified with: the one its event is stored by (`reported`, actionOf:
 * its report's Action, `failed` where its MTA dropped a delayed message); a record without one (a plain-text
 * notice, a report damaged where its Action line was) that shows no reply code or status either gave up — the
 * store keeps it as a bounce (src/pipeline/email-events.ts), classified with a bounce's action, `failed` — and is
 * read alone as that too, so `permanent` (a `failed` action with neither code nor status) is one thing whichever
 * path read it (review s42 R119).
 */
function classifiedAction(
  reported: string | null,
  replyCode: number | null,
  status: string | null,
): string | null {
  return reported ?? (replyCode === null && status === null ? "failed" : null);
}

function toRecord(
  report: RecipientReport,
  text: SpacedDiagnostic,
  file: string,
  line: number | null,
  /** The recipient's action as its event is stored (actionOf). */
  action: string | null,
): { record: BounceRecord; hint: ReasonHint | null } {
  const { diagnostic, lowerDiagnostic } = recordDiagnostic(text);
  const facts = textFacts(diagnostic);
  // "X-Unix; 255" is a program's exit status, not an SMTP reply.
  const replyCode = report.replyCode ?? (report.diagnosticType === "x-unix" ? null : facts.replyCode);
  const status = statusOf(report, facts.status, replyCode);
  let input: ReplyInput = {
    text: diagnostic,
    replyCode,
    status,
    remoteMta: report.remoteMta ?? facts.remoteHost(diagnostic),
    reportingMta: report.reportingMta ?? null,
    recipient: report.recipient,
    action: classifiedAction(action, replyCode, status),
    hintReason: report.hintReason ?? null,
  };
  let classification = classifyReplyShared(input);
  // The input with the report's own status, kept while the reply's own status is read in its place (below).
  let asReported: ReplyInput | null = null;
  const replys = status === report.status ? replysOwnStatus(report, facts.status, replyCode) : undefined;
  if (replys !== undefined && classification.rule.id === `status:${status}`) {
    // The reporting MTA's reading of the reply decided alone: the reply's own words, status and code decide
    // instead (and the record then shows the reply's status, as the store, which classifies the record's reply
    // and status again, must read it). Where they say the same, the report's status stays.
    const unread: ReplyInput = { ...input, status: replys };
    const byReply = classifyReplyShared(unread);
    if (!sameVerdict(byReply, classification)) {
      asReported = input;
      input = unread;
      classification = byReply;
    }
  }
  let hint: ReasonHint | null = input.hintReason ?? null;
  if (!input.hintReason && classification.reason === "undefined" && report.notice) {
    // The recipient's lines name no reason; the notice's words before them may ("Your message was not delivered
    // within 2 days" above "The following recipients did not receive your message: <a@b>"), as Sisimai's
    // fallback reads a notice's whole text (lib/Sisimai/RFC3464.pm).
    const whole = classifyReplyShared({ ...input, text: `${report.notice} ${diagnostic}` });
    if (whole.reason !== "undefined") classification = whole;
  }
  if (!input.hintReason) {
    // The SMTP phase can change what the reply means; only the report shows it (rarely needed: looked up lazily).
    const byPhase = phaseHint(
      classification,
      lowerDiagnostic,
      input,
      () =>
        report.command ??
        smtpCommandIn(
          `${typeof report.context === "function" ? report.context() : (report.context ?? "")} ${diagnostic}`,
        ),
      localProgramReason(report, diagnostic, classification.reason),
    );
    if (byPhase) hint = byPhase;
    else if (classification.reason === "undefined" && expiredInQueue(classification, report.action))
      hint = "expired";
    if (hint) classification = classifyReplyShared({ ...input, hintReason: hint });
  }
  if (asReported !== null && hint) {
    // The report's hint decided in the end: where the report's own status gives that same verdict beside it,
    // the record keeps the status the report wrote (Sendmail's 5.5.0 over "554 … (BL)", blocked either way).
    // The store classifies the record's reply, status and hint again, and reads the same.
    const kept = classifyReplyShared({ ...asReported, hintReason: hint });
    if (sameVerdict(kept, classification)) classification = kept;
  }
  const rule =
    hint &&
    report.hintSource &&
    hint === report.hintReason &&
    classification.rule.id === `hint:${withoutLabel(hint)}`
      ? report.hintSource
      : classification.rule;
  // Field by field (the classification may be the memo's own object): the order of a spread of it.
  const record: BounceRecord = {
    recipient: report.recipient,
    source: { file, line },
    format: "email",
    time: mailDateIso(report.time),
    provider: classification.provider,
    remoteMta: classification.remoteMta,
    replyCode: classification.replyCode,
    status: classification.status,
    providerCode: classification.providerCode,
    reason: classification.reason,
    category: classification.category,
    permanent: classification.permanent,
    retryable: classification.retryable,
    suppressRecipient: classification.suppressRecipient,
    action: classification.action,
    diagnostic: classification.diagnostic,
    rule,
  };
  if (report.hintReason === "feedback") {
    record.feedbackType = report.feedbackType ?? null;
    if (record.reason === "feedback") feedbackVerdict(record);
  }
  return { record, hint };
}

/** "From MAILER-DAEMON Thu Jul  2 12:05:05 2020": the date of an mbox postmark line (RFC 4155), UTC. */
const POSTMARK_DATE =
  /^From \S+ +((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} +\d{1,2} \d\d:\d\d(?::\d\d)? (?:\S+ )?\d{4})/;

function messageDate(headers: HeaderBlock, raw: Buffer): string | null {
  const date = headerValue(headers, "date");
  if (date && !Number.isNaN(mailDateMs(date))) return date;
  // RFC 5321 §4.4: every Received: field ends with "; date-time" (the first one is the newest hop).
  const received = headerValue(headers, "received");
  const stamp = received ? received.slice(received.lastIndexOf(";") + 1).trim() : "";
  if (stamp && !Number.isNaN(mailDateMs(stamp))) return stamp;
  const postmark = POSTMARK_DATE.exec(raw.toString("latin1", 0, Math.min(raw.length, 400)));
  return postmark ? `${postmark[1]} UTC` : date;
}

/** What one message says: its records, and what an event made of each needs besides. */
export interface EmailReading {
  records: BounceRecord[];
  /** Per record, the reason the report itself implied (passed to the classifier as its hint), or null. */
  hints: Array<ReasonHint | null>;
  /** Per record, the report's RFC 3464 Action (failed, delayed, delivered…), or null when it gives none. */
  actions: Array<string | null>;
  problems: ParseProblem[];
  /** When the message was written, raw: its Date: header, else its first Received: stamp, else its mbox postmark. */
  date: string | null;
  /** Message-ID of the original message, from its attached copy. */
  originalMessageId: string | null;
  /** Set when the message is a DMARC / TLS report, not a bounce (then it has no records). */
  report: ReportKind | null;
}

/** Families that write their message before the recipient lines (looked for only in their reports). */
const MESSAGE_FIRST = MTA_FAMILIES.filter((family) => family.messageBeforeRecipients);
/** A cheap first look (From, Subject) before the families are worked out: most reports are no such family's. */
const markOf = (name: string): RegExp => {
  // Only the marks that name this field: an always-failing "(?!)" branch for each other one would still be
  // tried at every character of the value.
  // Each once: a family that needs any two of its marks (anyTwoOf) names a field in several of its groups, and a
  // repeated alternative would be tried again at every character of the value.
  const sources = [
    ...new Set(MESSAGE_FIRST.flatMap((family) => family.marks.flatMap((marks) => marks[name]?.source ?? []))),
  ];
  return new RegExp(sources.length > 0 ? sources.join("|") : "(?!)", "i");
};
const MESSAGE_FIRST_FROM = markOf("from");
const MESSAGE_FIRST_SUBJECT = markOf("subject");

/**
 * The wording of the report's own MTA family written before the first recipient ("The user(s) account is
 * disabled." then "<a@b>: 550 user unknown"), which sisimai go lhost/via-ezweb.go gives that recipient.
 */
function messageBeforeFirstRecipient(
  mail: ScannedEmail,
  recipient: string,
  isMarked: (family: MtaFamily) => boolean,
): { family: MtaFamily; reason: Reason } | null {
  if (!MESSAGE_FIRST_FROM.test(mail.from) && !MESSAGE_FIRST_SUBJECT.test(mail.subject)) return null;
  if (!MESSAGE_FIRST.some(isMarked)) return null;
  const text = mail.reportText;
  const at = text.toLowerCase().indexOf(recipient.toLowerCase());
  return at > 0
    ? familyReason((family) => family.messageBeforeRecipients === true && isMarked(family), text.slice(0, at))
    : null;
}

/** A message read only in part: which limit cut it, and that the run exits 1. */
function limitProblem(limit: LimitName, where: { file: string; line: number }): ParseProblem {
  const what: Record<string, string> = {
    recipientsPerMessage: `only the first ${limitOf(limit).toLocaleString("en-US")} recipients were read`,
    mimeParts: `only the first ${limitOf(limit).toLocaleString("en-US")} MIME parts were read`,
    mimeDepth: "deeper MIME parts were read as opaque leaves",
    reportTextBytes: "recipients listed past it were not read",
  };
  return {
    source: where,
    message: `message reached ${describeLimit(limit)}: ${what[limit] ?? "read in part"}`,
    failed: true,
  };
}

/**
 * One record per recipient the message reports, in the order it reports them. `line` is where the message
 * starts (mbox); null for a file holding one message.
 */
export function recordsFromEmail(
  raw: Buffer,
  file: string,
  line: number | null = null,
): { records: BounceRecord[]; problems: ParseProblem[] } {
  const { records, problems } = readEmail(raw, file, line);
  return { records, problems };
}

/**
 * recordsFromEmail with what `ingest` needs to make events of the records (`withOriginal`: also the
 * message's date and the attached original's Message-ID, which cost a parse of its headers).
 */
/** A delivery report's own MIME part, inside an attached message. */
const NESTED_REPORT = /^Content-Type:[ \t]*(?:message\/(?:global-)?delivery-status|multipart\/report)/im;

/**
 * A notice that attaches the bounce it got instead of being one (a gateway forwarding it, Sisimai
 * lib/Sisimai/Lhost/X5.pm; a person forwarding it "as attachment" with a note): the attached message, when
 * it holds delivery-status fields or an MTA wrote it (or, `bySubject`, whoever wrote it when the notice's
 * subject says it forwards it), and the notice has no delivery-status fields of its own.
 */
function forwardedReport(mail: ScannedEmail, raw: Buffer, bySubject = false): Buffer | null {
  if (mail.deliveryStatus || mail.feedback) return null;
  const attached = mail.parts.find((part) => part.type.type === "message/rfc822");
  if (!attached) return null;
  const inner = raw.subarray(attached.bodyStart, attached.bodyEnd);
  // A message its subject calls forwarded attaches what it forwards: a report whoever wrote it (an ESP's
  // notification, a carrier's notice, an auto-reply, an ARF report), read for what it says.
  if (bySubject && FORWARDED_SUBJECT.test(mail.subject)) return inner;
  const head = inner.toString("latin1", 0, Math.min(inner.length, 64 * 1024));
  return NESTED_REPORT.test(head) || DAEMON_SENDER.test(head) ? inner : null;
}

/**
 * The subject prefix mail programs give a message a person forwards: "Fwd:"/"FW:" and the localised "TR:"
 * (French), "WG:" (German), "RV:" (Spanish), "ENC:" (Portuguese), "VS:" (Finnish), "Doorst:" (Dutch)
 * (https://en.wikipedia.org/wiki/List_of_email_subject_abbreviations).
 */
const FORWARDED_SUBJECT = /^\s*(?:fwd?|tr|wg|rv|enc|vs|doorst)\s*:/i;

/** A report an MTA wrote (its From), when it has no delivery-status part: a plain-text bounce forwarded. */
const DAEMON_SENDER = /^From:[^\n]*\b(?:mailer-daemon|postmaster|mail delivery (?:system|subsystem))\b/im;

/**
 * The records of a dialect's reports (at most MAX_RECIPIENTS), each given the reason its MTA family's own
 * wording or header implies when the report gave none. Its own function, as familyHint: readEmail stays
 * small enough that V8 compiles it once, early, instead of rebuilding this loop inlined into it.
 */
function addRecords(
  reading: EmailReading,
  reports: RecipientReport[],
  mail: ScannedEmail,
  file: string,
  line: number | null,
): void {
  // The MTA family's own wording gives a reason the generic phrases may not know (each family's marks
  // looked at once, and only for a family whose wording or header is there).
  const isMarked = familyMarker(mail);
  // A family's header, or the local delivery agent that wrote the report, gives a verdict for the
  // message (looked up once); a fallback one decides only for a recipient whose own words give no
  // reason (review R68).
  const found: MessageVerdict | null = headerVerdict(mail.headers, isMarked) ?? localAgentVerdict(mail);
  const fallback = found?.fallback ? found : null;
  const verdict = fallback ? null : found;
  // The report's recipients, and whether its one reply for all of them is only some recipient's refusal (each
  // read once, when needed).
  let listed: Set<string | undefined> | null = null;
  let oneRefusal: boolean | null = null;
  for (let r = 0; r < reports.length && r < MAX_RECIPIENTS; r++) {
    const entry = reports[r];
    // Unfolded and lower-cased once: the family wording, the record's diagnostic and its phase read it.
    const text = spacedDiagnostic(entry.diagnostic);
    if (!entry.hintReason)
      hintFrom(entry, familyHint(entry, text, entry === reports[0], verdict, mail, isMarked));
    const action = actionOf(entry, text.spaced, isMarked, mail);
    let { record, hint } = toRecord(entry, text, file, line, action);
    if (fallback && !entry.hintReason && record.reason === "undefined") {
      hintFrom(entry, fallback);
      ({ record, hint } = toRecord(entry, text, file, line, action));
    }
    // A reply that is no verdict on this recipient (with no hint of the report's own but the no-phase one) is read
    // again as such: the event carries the hint, so the store reads it alike.
    if (reports.length > 1 && (hint === null || hint === FILTERED_NO_PHASE) && record.suppressRecipient) {
      listed ??= new Set(reports.map((report) => report.recipient?.toLowerCase()));
      oneRefusal ??= oneRefusalForAll(reports, mail);
      if (notThisRecipients(record, listed, oneRefusal)) {
        entry.hintReason = OTHER_RECIPIENT;
        ({ record, hint } = toRecord(entry, text, file, line, action));
      }
    }
    reading.records.push(record);
    reading.hints.push(hint);
    reading.actions.push(action);
  }
}

/**
 * The reply is no verdict on this recipient: it names another recipient of the same report and not this one
 * (nullmailer gives up the whole message at one refused RCPT and gives every recipient that refusal: "550 5.1.1
 * <ghost@b>: … User unknown", or Apple's "550 5.1.1 unknown or illegal alias: ghost@b", for known@b too; review
 * R85, R126), or the report is of an MTA that writes one refusal for all and the reply does not name this
 * recipient (`oneRefusal`: "501 Invalid address" refused one of them, the report cannot say which). An alias's
 * expansion ("<alias@b>: …" for a Final-Recipient that is not listed twice) is still the recipient's own.
 */
function notThisRecipients(
  record: BounceRecord,
  listed: Set<string | undefined>,
  oneRefusal: boolean,
): boolean {
  const named = namedAddresses(record.diagnostic);
  const recipient = record.recipient?.toLowerCase();
  if (recipient !== undefined && named.includes(recipient)) return false;
  return oneRefusal || named.some((address) => listed.has(address));
}

/** The report is of an MTA that gives every recipient one refusal, and gives its recipients one same reply. */
function oneRefusalForAll(reports: readonly RecipientReport[], mail: ScannedEmail): boolean {
  const first = reports[0].diagnostic;
  return (
    reports.every((report) => report.diagnostic === first) && givesEveryRecipientOneRefusal(mail.reportText)
  );
}

/** A reply's named addresses are looked for at its first `@`s only, each part read at most this far. */
const ADDRESS_SIGNS = 16;
const ADDRESS_PART = 255;
/** Characters that end an address in a reply's words (a quoted local part is not read). */
const ADDRESS_END = new Set([...' \t\r\n<>()[]:;,"@']);

/** The addresses a reply names, bare or in angle brackets, lower-cased (a domain's final dot dropped). */
function namedAddresses(text: string): string[] {
  const found: string[] = [];
  let at = text.indexOf("@");
  for (let sign = 0; at !== -1 && sign < ADDRESS_SIGNS; sign++, at = text.indexOf("@", at + 1)) {
    let start = at;
    while (start > 0 && at - start < ADDRESS_PART && !ADDRESS_END.has(text[start - 1])) start--;
    let end = at + 1;
    while (end < text.length && end - at < ADDRESS_PART && !ADDRESS_END.has(text[end])) end++;
    while (end > at + 1 && text[end - 1] === ".") end--;
    if (start < at && end > at + 1) found.push(text.slice(start, end).toLowerCase());
  }
  return found;
}

const DROPPING_FAMILIES = MTA_FAMILIES.filter((family) => family.droppedUnderDelayed);

/**
 * The recipient's Action, but failed where its MTA family's words say a delayed message was dropped, or where
 * the report's MTA sends no delay warnings.
 */
function actionOf(
  entry: RecipientReport,
  text: string,
  isMarked: (family: MtaFamily) => boolean,
  mail: ScannedEmail,
): string | null {
  if (entry.action !== "delayed") return entry.action ?? null;
  const dropped = DROPPING_FAMILIES.some(
    (family) => family.droppedUnderDelayed?.test(text) && isMarked(family),
  );
  // The report text is decoded on first read: only a delayed recipient's report needs it (review R88).
  return dropped || sendsNoDelayWarnings(mail.reportText) ? "failed" : "delayed";
}

function hintFrom(entry: RecipientReport, found: MessageVerdict | null): void {
  if (!found) return;
  entry.hintReason = found.reason;
  entry.hintSource = ruleRef(`dialect:${found.family.id}`, found.family.source);
}

/**
 * A reason for every recipient of a message, and who gives it (an MTA family, a local delivery agent);
 * `fallback` when it only stands in for a reply whose own words say nothing the tables know.
 */
type MessageVerdict = { family: { id: string; source: string }; reason: Reason; fallback?: true };

/**
 * The MTA family verdict for a report that gave no reason itself: the family's header (for every recipient),
 * else the SMTP command its error came after, else its wording in the diagnostic, else (first recipient only)
 * its wording before the first recipient.
 */
function familyHint(
  entry: RecipientReport,
  text: SpacedDiagnostic,
  first: boolean,
  verdict: MessageVerdict | null,
  mail: ScannedEmail,
  isMarked: (family: MtaFamily) => boolean,
): MessageVerdict | null {
  if (verdict) return verdict;
  const found = entry.diagnostic
    ? (commandVerdict(isMarked, entry.diagnostic) ?? familyReason(isMarked, text))
    : null;
  if (found) return found;
  return first && entry.recipient ? messageBeforeFirstRecipient(mail, entry.recipient, isMarked) : null;
}

/**
 * The attached report, looked for only when the notice itself does not do (most bounces are not forwarded),
 * read as a message of its own. A function of the module, not a closure made per message: the call sites are
 * reached only for forwarded reports, so the feedback V8 had when it compiled readEmail named the one closure
 * it had seen, and the next message's closure deoptimised it (--trace-deopt: "wrong call target").
 */
function forwardedReading(
  mail: ScannedEmail,
  raw: Buffer,
  file: string,
  line: number | null,
  withOriginal: boolean,
  depth: number,
  bySubject = false,
): EmailReading | null {
  const inner = depth < 2 ? forwardedReport(mail, raw, bySubject) : null;
  return inner ? readEmail(inner, file, line, withOriginal, depth + 1) : null;
}

export function readEmail(
  message: Buffer,
  file: string,
  line: number | null = null,
  withOriginal = false,
  depth = 0,
): EmailReading {
  const where = { file, line: line ?? 1 };
  const reading: EmailReading = {
    records: [],
    hints: [],
    actions: [],
    problems: [],
    date: null,
    originalMessageId: null,
    report: null,
  };
  try {
    const start = headerStart(message);
    const raw = start > 0 ? message.subarray(start) : message;
    const text = raw.toString("latin1");
    // Lines ended by a bare CR alone (classic Mac OS files; RFC 5322 §2.3 wants CRLF): with no LF anywhere, each CR
    // ends a line (review R109). Looked for in the text (a string search stops at the first line's end).
    if (text.indexOf("\n") < 0 && text.includes("\r"))
      return readEmail(Buffer.from(text.replaceAll("\r", "\n"), "latin1"), file, line, withOriginal, depth);
    // Its header blocks are read in WebAssembly from a copy of its bytes.
    loadHeaderBytes(text, raw);
    const mail = scanEmail(text);
    if (withOriginal) reading.date = messageDate(mail.headers, raw);
    // Read when used: the report text, read on demand, may add its own.
    const limits = () => mail.limitsReached.map((limit) => limitProblem(limit, where));
    const report = reportKind(mail);
    if (report) {
      reading.report = report;
      reading.problems.push({ source: where, message: REPORT_NOTES[report] });
      return reading;
    }
    // With no text of its own the notice is only a wrapper: the attached report is read first.
    const wrapper = !mail.deliveryStatus && !mail.feedback && !/\S/.test(mail.reportText);
    const first = wrapper ? forwardedReading(mail, raw, file, line, withOriginal, depth) : null;
    if (first && first.records.length > 0) return { ...first, date: first.date ?? reading.date };
    // Index loops on this path: for-of allocates an iterator per loop in Maglev-compiled code.
    for (let d = 0; d < DIALECTS.length; d++) {
      const dialect = DIALECTS[d];
      if (!dialect.detect(mail)) continue;
      const reports = dialect.parse(mail);
      if (reports.length === 0) continue;
      addRecords(reading, reports, mail, file, line);
      if (mail.limitsReached.length > 0) reading.problems.push(...limits());
      if (reports.length > MAX_RECIPIENTS) reading.problems.push(limitProblem("recipientsPerMessage", where));
      if (withOriginal) {
        const original = mail.originalHeaders();
        reading.originalMessageId = original ? (headerValue(original, "message-id")?.trim() ?? null) : null;
      }
      // A note around an attached report ("see the bounce below") says nothing the attachment does not.
      if (!wrapper && reading.records.every((record) => record.reason === "undefined")) {
        const inner = forwardedReading(mail, raw, file, line, withOriginal, depth, true);
        if (inner?.records.some((record) => record.reason !== "undefined"))
          return { ...inner, date: inner.date ?? reading.date };
      }
      return reading;
    }
    const inner = wrapper ? null : forwardedReading(mail, raw, file, line, withOriginal, depth, true);
    if (inner && inner.records.length > 0) return { ...inner, date: inner.date ?? reading.date };
    reading.problems.push({ source: where, message: "not a bounce report: no recipient found" }, ...limits());
    return reading;
  } catch (error) {
    // Only a bug gets here; the message is skipped, never the run.
    reading.records = [];
    reading.hints = [];
    reading.actions = [];
    reading.problems = [{ source: where, message: `could not read message: ${String(error)}` }];
    return reading;
  }
}
