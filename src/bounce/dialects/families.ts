import { type SpacedDiagnostic, spacedDiagnostic } from "../email/diagnostic-text.ts";
import { type HeaderBlock, headerValue } from "../email/headers.ts";
import type { ScannedEmail } from "../email/scan.ts";
import { STATUS_IN_TEXT } from "../email/text.ts";
import {
  type AnchorVisitor,
  type IndexedAnchor,
  trigramSlots,
  visitAnchors,
} from "../rules/trigram-index.ts";
import { type SmtpCommand, smtpCommandIn } from "../smtp-command.ts";
import { TextMemo } from "../text-memo.ts";
import type { Reason } from "../vocabulary.ts";

/**
 * MTA families of bounce reports and the messages only that family writes. The generic readers (RFC 3464
 * fields, recipient lines, "said:" phrases) find each family's recipients and replies; what they cannot
 * know is what a family's own wording means ("Envelope expired" from OpenSMTPD, "000C05A6" from
 * Exchange 2003). Each family is recognised by the headers its reports carry (any one group of
 * conditions, all of a group); its messages then give the record its reason as a hint, as Sisimai's
 * per-MTA decoders do (`messagesof`). A hint that is only a first guess (expired, userunknown,
 * hostunknown, networkerror, systemerror…) is still refined by the reply text (src/bounce/classify.ts).
 *
 * Facts from Sisimai's Go edition (github.com/sisimai/go-sisimai, BSD-2-Clause), files `lhost/via-*.go`;
 * each family cites its file and, where there is one, the product's or the source code's public URL.
 * Reasons use Sisimai 5.6 names (mesgtoobig → emailtoolarge, toomanyconn → ratelimited).
 */

/** Header (lower-case name, or `text` for the first 4 KiB of the report text) → pattern. */
export type FamilyMarks = Readonly<Record<string, RegExp>>;

export interface FamilyMessage {
  /**
   * Found in the recipient's diagnostic as written (case included: Sisimai's ContainsAny is case-sensitive,
   * and "Unable to" is qmail's wording where "unable to" is anyone's), with runs of spaces read as one.
   */
  phrase: string;
  reason: Reason;
  /** Only when the diagnostic holds no specific enhanced status (sisimai go lhost/via-gmail.go: one with no ".0"). */
  vagueStatusOnly?: boolean;
}

export interface MtaFamily {
  id: string;
  source: string;
  /** Any one group identifies the family; every condition of the group must hold. */
  marks: readonly FamilyMarks[];
  messages: readonly FamilyMessage[];
  /**
   * The family writes its message before the recipient lines ("The user(s) account is disabled.\n\n<a@b>: 550
   * user unknown"): a message there belongs to the first recipient, as Sisimai reads it.
   */
  messageBeforeRecipients?: boolean;
  /**
   * The reason the family gives an error by the SMTP command it came after, before reading its wording:
   * only where `when` finds the family's line that names the command.
   */
  commandVerdicts?: { when: RegExp; verdicts: readonly { command: SmtpCommand; reason: Reason }[] };
  /** A header of the report that gives every recipient its reason, whatever the text says (lower-case name). */
  headerVerdicts?: readonly { header: string; pattern: RegExp; reason: Reason }[];
  /**
   * The family's words for a message it dropped, in a report whose Action says delayed: the recipient's
   * delivery failed whatever the Action says.
   */
  droppedUnderDelayed?: RegExp;
}

/**
 * Mark groups for "any two of these conditions" (Sisimai counts a family's signs and needs two): every pair
 * is a group; two conditions on the report text become one pattern that needs both.
 */
function anyTwoOf(conditions: ReadonlyArray<readonly [string, RegExp]>): FamilyMarks[] {
  const groups: FamilyMarks[] = [];
  for (let i = 0; i < conditions.length; i++) {
    for (let j = i + 1; j < conditions.length; j++) {
      const [a, first] = conditions[i];
      const [b, second] = conditions[j];
      groups.push(
        a === b
          ? { [a]: new RegExp(`^(?=[\\s\\S]*(?:${first.source}))[\\s\\S]*(?:${second.source})`) }
          : { [a]: first, [b]: second },
      );
    }
  }
  return groups;
}

/**
 * A header that marks a family by being there, whatever its value: Sisimai tests only that the field exists
 * (`len(bf.Headers[name]) > 0`), and Exchange writes "X-MS-Embedded-Report:" with no value at all.
 */
const PRESENT = /^/;

const msg = (reason: Reason, ...phrases: string[]): FamilyMessage[] =>
  phrases.map((phrase) => ({ phrase, reason }));
const vague = (messages: FamilyMessage[]): FamilyMessage[] =>
  messages.map((message) => ({ ...message, vagueStatusOnly: true }));

/** An enhanced status in a reply names a reason when no part of it is 0 ("5.2.2", not "5.7.0" or "5.0.1"). */
const specificStatusIn = (text: string): boolean => {
  const status = STATUS_IN_TEXT.exec(text)?.[0];
  return status !== undefined && !status.includes(".0");
};

/** Exim's own messages (sisimai go lhost/via-exim.go, from Exim's source), shared by the families running Exim. */
const EXIM_MESSAGES: readonly FamilyMessage[] = [
  ...msg("userunknown", "user not found"),
  ...msg(
    "hostunknown",
    "all host address lookups failed permanently",
    "all relevant MX records point to non-existent hosts",
    "Unrouteable address",
  ),
  ...msg("mailboxfull", "mailbox is full", "error: quota exceed"),
  ...msg(
    "notaccept",
    "an MX or SRV record indicated no SMTP service",
    "no host found for existing SMTP connection",
  ),
  ...msg(
    "syntaxerror",
    "angle-brackets nested too deep",
    'expected word or "<"',
    "domain missing in source-routed address",
    "malformed address:",
  ),
  ...msg(
    "systemerror",
    "delivery to file forbidden",
    "delivery to pipe forbidden",
    "local delivery failed",
    "LMTP error after ",
  ),
  ...msg("contenterror", 'Too many "Received" headers'),
  // Exim's delay notices (retry.c, deliver.c, smtp.c, receive.c): read after its other messages, as Sisimai's
  // `delayedfor`; a frozen message is one Exim stopped trying to deliver.
  ...msg(
    "expired",
    "retry timeout exceeded",
    "No action is required on your part",
    "retry time not reached for any host after a long failure period",
    "all hosts have been failing for a long time and were last tried",
    "Delay reason: ",
    "has been frozen",
    "was frozen on arrival by ",
  ),
  // A pipe transport's command failed ("pipe to |/usr/local/bin/filter").
  ...msg("mailererror", "pipe to |"),
];

/** Subjects of Exim's reports (deliver.c, receive.c), and of its clones (sisimai go lhost/via-exim.go). */
const EXIM_SUBJECT =
  /Delivery Status Notification|Mail delivery failed|Mail failure|Message frozen|Warning: message |error\(s\) in forwarding or filtering/;
/** The Message-Id Exim writes: "<E1P1YNN-0003AD-Ga@example.org>" ('-' 8th and '@' 18th after '<'). */
const EXIM_MESSAGE_ID = /^\s*<[0-9A-Za-z]{6,7}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}@/;

/** Ordered: when a message carries the marks of several families, the first whose wording matches decides. */
export const MTA_FAMILIES: readonly MtaFamily[] = [
  {
    id: "activehunter",
    source: "sisimai go lhost/via-activehunter.go (QUALITIA Active!hunter: X-AHMailID header)",
    marks: [{ "x-ahmailid": PRESENT }],
    messages: [],
  },
  {
    id: "aol",
    source:
      "sisimai go rhost/for-aol.go (AOL as the reporting host); sisimai lib/Sisimai/Lhost/Aol.pm (Perl 4.25: AOL's relays mark their reports X-AOL-IP)",
    marks: [{ "x-aol-ip": PRESENT }],
    messages: [
      ...msg("hostunknown", "Host or domain name not found"),
      ...msg("notaccept", "type=MX: Malformed or unexpected name server reply"),
    ],
  },
  {
    id: "apachejames",
    source: "sisimai go lhost/via-apachejames.go; https://james.apache.org/ (AbstractNotify.java)",
    marks: [{ subject: /^\[BOUNCE\]$/ }, { "message-id": /\.JavaMail\./ }, { received: /JAMES SMTP Server/ }],
    messages: [],
  },
  {
    id: "biglobe",
    source: "sisimai go lhost/via-biglobe.go (BIGLOBE, postmaster@*.biglobe.ne.jp)",
    marks: [{ from: /postmaster@(?:biglobe|inacatv|tmtv|ttv)\.ne\.jp/i, subject: /^Returned mail:/ }],
    messages: [
      ...msg("filtered", "Mail Delivery Failed... User unknown"),
      ...msg("mailboxfull", "The number of messages in recipient's mailbox exceeded the local limit."),
    ],
  },
  {
    id: "courier",
    source:
      "sisimai go lhost/via-courier.go; https://www.courier-mta.org/ (courier/module.esmtp/esmtpclient.c)",
    marks: [
      { from: /Courier mail server at / },
      { subject: /NOTICE: mail delivery status\.|WARNING: delayed mail\./ },
      { "message-id": /^\s*<courier\./ },
    ],
    messages: [
      ...msg("hostunknown", "No such domain."),
      ...msg("systemerror", "This domain's DNS violates RFC 1035."),
      ...msg("networkerror", "DNS lookup failed."),
      // Courier's words for a connection the server closed (as one does after its 421, RFC 5321 §3.8): a soft
      // error it retries (its delay warnings carry the same words under Status 4.0.0), so a failed recipient's
      // report with them and no reply is its retry time running out ("queuetime",
      // https://www.courier-mta.org/courier.html; RFC 3463 X.4.2 "useful only as a persistent transient error").
      // Not Sisimai's: it reads the 5.0.0 placeholder (onhold).
      ...msg("expired", "Network connection shut down by the remote mail server"),
    ],
  },
  {
    id: "domino",
    source: "sisimai go lhost/via-domino.go (HCL Domino: 'DELIVERY FAILURE:' subjects)",
    marks: [{ subject: /^DELIVERY[ _]FAILURE:/ }],
    messages: [
      ...msg("filtered", "Cannot route mail to user"),
      ...msg("systemerror", "Several matches found in Domino Directory"),
      ...msg(
        "userunknown",
        "not listed in Domino Directory",
        "not listed in public Name & Address Book",
        "no se encuentra en el Directorio de Domino",
        "non répertorié dans l'annuaire Domino",
        "Domino ディレクトリには見つかりません",
      ),
    ],
  },
  {
    id: "dragonfly",
    source:
      "sisimai go lhost/via-dragonfly.go; DragonFly Mail Agent https://github.com/corecode/dma (dma.c:373, net.c:663)",
    // "Received: from MAILER-DAEMON id e070f by df.example.jp (DragonFly Mail Agent v0.13)".
    marks: [{ subject: /Mail delivery failed/, received: /from MAILER-DAEMON|\(DragonFly Mail Agent/i }],
    messages: [
      ...msg("expired", "Could not deliver for the last "),
      ...msg("hostunknown", "DNS lookup failure: host "),
    ],
  },
  {
    id: "einsundeins",
    source:
      "sisimai go lhost/via-einsundeins.go (1&1 / IONOS: http://postmaster.1and1.com/en/error-messages)",
    marks: [
      { from: /^"Mail Delivery System"/, subject: /^Mail delivery failed: returning message to sender$/ },
    ],
    messages: msg("emailtoolarge", "Mail size limit exceeded"),
  },
  {
    id: "exchange2003",
    source: "sisimai go lhost/via-exchange2003.go (Microsoft Exchange 2003 MSEXCH error codes)",
    marks: [
      { "x-ms-embedded-report": PRESENT },
      { "x-mailer": /^(?:Internet Mail Service \(|Microsoft Exchange Server Internet Mail Connector)/ },
      { "x-mimeole": /Produced By Microsoft Exchange/ },
      { received: / with Internet Mail Service \(/ },
      // Its diagnostic line itself, where a relay or a forwarder left none of those headers: "MSEXCH:" then the
      // connector (IMS, IMC, MSExchangeMTA) is Exchange's own prefix (the comments of via-exchange2003.go quote
      // "MSEXCH:IMS:KIJITORA CAT:EXAMPLE:EXCHANGE 0 (000C05A6) Unknown Recipient"), opening a line of its report as
      // Exchange writes it. Quoted inside another MTA's line ("host x said: 550 MSEXCH:IMS:…") it does not make that
      // MTA's report Exchange's.
      { text: /^[ \t]*MSEXCH:[A-Za-z]+:/m },
    ],
    messages: [
      ...msg("userunknown", "000C05A6"),
      ...msg("filtered", "000C0595"),
      ...msg("systemerror", "00010256", "000D06B5"),
      ...msg("networkerror", "00120270"),
      ...msg("contenterror", "00050311", "000502CC"),
      ...msg("securityerror", "000B0981"),
    ],
  },
  {
    id: "exchange2007",
    source:
      "sisimai go lhost/via-exchange2007.go; https://learn.microsoft.com/en-us/exchange/mail-flow/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online",
    // Any two of: its subjects, its senders, its error codes or its diagnostic heading in the text, a
    // Content-Language field (as Sisimai counts them).
    marks: anyTwoOf([
      ["subject", /Undeliverable|Non[_ ]remis[_ ]|Non recapitabile|Olevererbart/],
      ["from", /postmaster@outlook\.com|\.onmicrosoft\.com/],
      ["text", / RESOLVER\.| QUEUE\./],
      [
        "text",
        /Error Details|Diagnostic information for administrators:|Informations de diagnostic pour les administrateurs|Informazioni di diagnostica per gli amministratori|Diagnostisk information f/,
      ],
      ["content-language", /./],
    ]),
    messages: [
      ...msg("hostunknown", "SMTPSEND.DNS.NonExistentDomain"),
      ...msg("networkerror", "SMTPSEND.DNS.MxLoopback"),
      ...msg(
        "systemerror",
        "RESOLVER.ADR.BadPrimary",
        "RESOLVER.ADR.InvalidInSmtp",
        "RESOLVER.ADR.Ambiguous",
      ),
      ...msg(
        "userunknown",
        "RESOLVER.ADR.RecipNotFound",
        "RESOLVER.ADR.RecipientNotFound",
        "RESOLVER.ADR.ExRecipNotFound",
      ),
      ...msg("ratelimited", "RESOLVER.ADR.RecipLimit"),
      ...msg("securityerror", "RESOLVER.RST.AuthRequired"),
      ...msg("rejected", "RESOLVER.RST.NotAuthorized"),
      ...msg("emailtoolarge", "RESOLVER.RST.RecipSizeLimit"),
      ...msg("expired", "QUEUE.Expired"),
    ],
  },
  {
    id: "exim",
    source: "sisimai go lhost/via-exim.go; https://github.com/Exim/exim (route.c, deliver.c, transports/*.c)",
    // Any two of its From, Message-Id and Subject (as Sisimai counts them), or the marks of an Exim clone
    // (McAfee SaaS, formerly MXLogic: X-MX-Bounce, X-MXL-Hash, X-MXL-NoteHash, "<mxl~" Message-Ids).
    marks: [
      ...anyTwoOf([
        ["from", /Mail Delivery System/],
        ["message-id", EXIM_MESSAGE_ID],
        ["subject", EXIM_SUBJECT],
      ]),
      { "x-failed-recipients": /./, "message-id": EXIM_MESSAGE_ID },
      { "x-mx-bounce": PRESENT },
      { "x-mxl-hash": PRESENT },
      { "x-mxl-notehash": PRESENT },
      { "message-id": /^\s*<mxl~/ },
    ],
    messages: EXIM_MESSAGES,
    // "SMTP error from remote mail server after EHLO …": the client was refused, whatever the reply says
    // (via-exim.go sets blocked, an explicit reason). After MAIL FROM it sets onhold, a first guess the
    // reply's words still refine: the generic SMTP-phase rules read that (src/bounce/email/smtp-phase.ts).
    commandVerdicts: {
      when: /SMTP error from remote |LMTP error after /,
      verdicts: [{ command: "HELO", reason: "blocked" }],
    },
  },
  {
    id: "ezweb",
    source: "sisimai go lhost/via-ezweb.go (au by KDDI EZweb: Postmaster@ezweb.ne.jp)",
    // Any two of its sender, subject, relay and Message-Id (as Sisimai counts them).
    marks: anyTwoOf([
      ["from", /Postmaster@(?:ezweb\.ne\.jp|au\.com)/i],
      ["subject", /^Mail System Error - Returned Mail$/],
      ["received", /ezweb\.ne\.jp \(EZweb Mail\) with|\.au\.com \(/],
      ["message-id", /\.(?:ezweb\.ne\.jp|au\.com)>/],
    ]),
    messages: [
      ...msg("expired", "Your message was not delivered within "),
      ...msg("mailboxfull", "The user(s) account is temporarily over quota"),
      ...msg("suspend", "The user(s) account is disabled.", "The user(s) account is temporarily limited."),
    ],
    messageBeforeRecipients: true,
    // "X-SPASIGN: NG": au's filter (spamghetti) refused the message for this recipient.
    headerVerdicts: [{ header: "x-spasign", pattern: /^\s*NG\b/, reason: "filtered" }],
  },
  {
    id: "gmail",
    source: "sisimai go lhost/via-gmail.go (mailer-daemon@googlemail.com 'Delivery Status Notification')",
    marks: [{ from: /<mailer-daemon@googlemail\.com>/, subject: /Delivery Status Notification/ }],
    messages: [
      // The SMTP state Gmail's old reports name after the remote reply decides first ("550 550 5.1.1
      // <…>... User Unknown (state 14)"): the table in sisimai go lhost/via-gmail.go `statetable`, whose
      // replies come from Gmail help-forum threads it cites.
      // A specific status in the reply ("550 550 5.7.1 … Access denied (state 13)") still names the reason.
      ...vague(msg("failedstarttls", "(state 6)", "(state 9)")),
      ...vague(msg("systemerror", "(state 8)")),
      ...vague(msg("norelaying", "(state 12)")),
      ...vague(msg("blocked", "(state 13)")),
      ...vague(msg("userunknown", "(state 14)")),
      ...vague(msg("filtered", "(state 15)", "(state 17)", "(state 18)")),
      ...msg(
        "expired",
        "DNS Error: Could not contact DNS servers",
        "Delivery to the following recipient has been delayed",
        "The recipient server did not accept our requests to connect",
      ),
      ...msg(
        "hostunknown",
        "DNS Error: Domain name not found",
        "DNS Error: DNS server returned answer with no data",
      ),
      // sisimai go lhost/via-googleworkspace.go: the same sender, without RFC 3464 fields.
      ...msg("networkerror", " had no relevant answers.", " responded with code NXDOMAIN"),
      ...msg("notaccept", "Null MX"),
      ...msg(
        "userunknown",
        "because the address couldn't be found. Check for typos or unnecessary spaces and try again.",
      ),
    ],
  },
  {
    id: "gmx",
    source: "sisimai go lhost/via-gmx.go (GMX / web.de: X-GMX-Antispam header)",
    marks: [{ "x-gmx-antispam": PRESENT }],
    messages: msg("expired", "delivery retry timeout exceeded"),
  },
  {
    id: "imailserver",
    source: "sisimai go lhost/via-imailserver.go; https://community.progress.com/s/products/imailserver",
    marks: [{ subject: /^Undeliverable Mail / }, { "x-mailer": /^<SMTP32 v/ }],
    messages: [
      ...msg("hostunknown", "Unknown host"),
      ...msg("userunknown", "Unknown user", "Invalid final delivery userid"),
      ...msg("mailboxfull", "User mailbox exceeds allowed size"),
      ...msg("virusdetected", "Requested action not taken: virus detected"),
      ...msg("spamdetected", "Blacklisted URL in message"),
      ...msg("expired", "Delivery failed "),
    ],
  },
  {
    id: "interscanmss",
    source:
      "sisimai go lhost/via-interscanmss.go (Trend Micro InterScan Messaging Security Suite: 'Unable to deliver message to')",
    marks: [
      { from: /^"InterScan/ },
      { subject: /Mail could not be delivered|メッセージを配信できません。|メール配信に失敗しました/ },
    ],
    messages: msg("userunknown", "Unable to deliver message to"),
  },
  {
    id: "kddi",
    source: "sisimai go lhost/via-kddi.go (au one net / KDDI)",
    marks: [
      { from: /no-reply@\.|\.dion\.ne\.jp/ },
      { "reply-to": /no-reply@app\.auone-net\.jp/ },
      { received: /ezweb\.ne\.jp \(|\.au\.com \(/ },
    ],
    messages: [
      ...msg("mailboxfull", "As their mailbox is full"),
      ...msg("norelaying", "Due to the following SMTP relay error"),
      ...msg("hostunknown", "As the remote domain doesnt exist"),
    ],
    // "X-SPASIGN: NG": au's filter refused the message for this recipient, as in EZweb's reports.
    headerVerdicts: [{ header: "x-spasign", pattern: /^\s*NG\b/, reason: "filtered" }],
  },
  {
    id: "mailru",
    source: "sisimai lib/Sisimai/Lhost/MailRu.pm (Perl 4.25; Mail.Ru's Exim: mailer-daemon@*mail.ru)",
    marks: [{ from: /mailer-daemon@[^\s>]*mail\.ru/i, "message-id": /\.(?:mail\.ru|smailru\.net)>/ }],
    messages: [
      ...msg("expired", "retry timeout exceeded", "No action is required on your part"),
      // Mail.Ru runs Exim: Exim's own messages.
      ...EXIM_MESSAGES,
    ],
  },
  {
    id: "messagelabs",
    source:
      "sisimai go rhost/for-messagelabs.go (MessageLabs as the reporting host); sisimai lib/Sisimai/Lhost/MessageLabs.pm (Perl 4.25: Broadcom/Symantec Email Security.cloud reports carry X-Msg-Ref)",
    marks: [{ "x-msg-ref": /./, from: /MAILER-DAEMON@messagelabs\.com/i }],
    messages: [
      ...msg("userunknown", "No such user"),
      ...msg("securityerror", "Please turn on SMTP Authentication in your mail client"),
    ],
  },
  {
    id: "messagingserver",
    source: "sisimai go lhost/via-messagingserver.go (Oracle Communications Messaging Server)",
    marks: [{ "content-type": /Boundary_\(ID_/ }, { subject: /^Delivery Notification: / }],
    messages: msg("hostunknown", "Illegal host/domain name found"),
  },
  {
    id: "notes",
    source: "sisimai go lhost/via-notes.go (HCL Notes: 'Undeliverable message' subjects)",
    marks: [{ subject: /^Undeliverable message/ }],
    messages: [
      ...msg("networkerror", "Message has exceeded maximum hop count"),
      ...msg(
        "userunknown",
        "User not listed in public Name & Address Book",
        "ディレクトリのリストにありません",
      ),
    ],
  },
  {
    id: "opensmtpd",
    source:
      "sisimai go lhost/via-opensmtpd.go; https://github.com/OpenSMTPD/OpenSMTPD (smtpd/queue.c, smtpd/mta.c)",
    // An envelope past its queue lifetime (smtpd.conf `queue ttl`) is reported "Envelope expired", Status
    // 4.4.7, under Action: delayed and the "only a temporary failure report" text, and the message is gone
    // from the queue: OpenSMTPD 6.8.0p2 on loopback (test/fixtures/mta-made/opensmtpd o17-timeout, o18-deferred-expired).
    droppedUnderDelayed: /\bEnvelope expired\b/,
    marks: [
      { subject: /Delivery status notification/, from: /Mailer Daemon </ },
      { received: /from localhost \(localhost \[local\]\)/, from: /Mailer Daemon </ },
      { received: / \(OpenSMTPD\) with / },
    ],
    messages: [
      ...msg("expired", "Envelope expired"),
      ...msg("securityerror", "Could not retrieve credentials"),
      ...msg("hostunknown", "Invalid domain name", "Domain does not exist"),
      ...msg(
        "networkerror",
        "Address family mismatch on destination MXs",
        "All routes to destination blocked",
        "bad DNS lookup error code",
        "Could not retrieve source address",
        "Loop detected",
        "Network error on destination MXs",
        "No valid route to remote MX",
        "No valid route to destination",
        "Temporary failure in MX lookup",
      ),
      ...msg(
        "notaccept",
        "Destination seem to reject all mails",
        "No MX found for domain",
        "No MX found for destination",
      ),
    ],
  },
  {
    id: "qmail",
    source:
      "sisimai go lhost/via-qmail.go; https://cr.yp.to/qmail.html (qmail-local.c, qmail-remote.c, error_str.c)",
    marks: [
      { received: /\(qmail \d+ invoked (?:for bounce|from network)\)/ },
      // The report names its program ("Hi. This is the qmail-send program at …"), whatever the Subject says.
      { text: /^Hi\. This is the qmail/m },
      // qmail-send.c's subject, and Yahoo's (a qmail clone).
      { subject: /^\s*(?:failure notice|Failure Notice)\s*$/ },
    ],
    messages: [
      ...msg("hostunknown", "Sorry, I couldn't find any host "),
      ...msg("mailboxfull", "disk quota exceeded"),
      ...msg("emailtoolarge", "Message size exceeds fixed maximum message size:"),
      ...msg(
        "networkerror",
        "Sorry, I wasn't able to establish an SMTP connection",
        "Sorry. Although I'm listed as a best-preference MX or A for that host",
      ),
      ...msg("notaccept", "Sorry, I couldn't find a mail exchanger or IP address"),
      ...msg("systemerror", "bad interpreter: No such file or directory", "system error", "Unable to"),
      ...msg("systemfull", "Requested action not taken: mailbox unavailable (not enough free space)"),
      ...msg("userunknown", "no mailbox here by that name"),
      // The qmail-ldap patch's messages (qmail-ldap-1.03-20040101.patch), in the same file.
      ...msg("emailtoolarge", "The message exeeded the maximum size the user accepts"),
      ...msg(
        "suspend",
        "Mailaddress is administrativly disabled",
        "Mailaddress is administrativley disabled",
        "Mailaddress is administratively disabled",
        "Mailaddress is administrativeley disabled",
      ),
      ...msg(
        "systemerror",
        "Automatic homedir creator crashed",
        "Illegal value in LDAP attribute",
        "LDAP attribute is not given but mandatory",
        "Timeout while performing search on LDAP server",
        "Too many results returned but needs to be unique",
        "Permanent error while executing qmail-forward",
        "Temporary error in automatic homedir creation",
        "Temporary error while executing qmail-forward",
        "Temporary failure in LDAP lookup",
        "Unable to contact LDAP server",
        "Unable to login into LDAP server, bad credentials",
      ),
      // qmail-send.c:922 "I'm not going to try again; this message has been in the queue too long."
      ...msg("expired", "this message has been in the queue too long."),
    ],
  },
  {
    id: "verizon",
    source:
      "sisimai go lhost/via-verizon.go (Verizon Wireless: post_master@vtext.com, sysadmin@*.vzwpix.com)",
    marks: [{ from: /post_master@vtext\.com|sysadmin@[^\s>]*\.vzwpix\.com/ }],
    messages: msg(
      "userunknown",
      "550 - Requested action not taken: no such user here",
      "No valid recipients",
    ),
  },
  {
    id: "zoho",
    source: "sisimai go lhost/via-zoho.go; https://www.zoho.com/mail/ (X-ZohoMail header)",
    marks: [{ "x-zohomail": PRESENT }],
    messages: msg("expired", "Host not reachable"),
  },
];

/** What text marks look at: the subject, and the report text's first 4 KB (cut once per message). */
interface MarkedText {
  subject: string;
  reportHead(): string;
  /** Every value of a header field (lower-case name), unfolded on first use. */
  values(name: string): readonly string[];
}

/** Each family's mark groups as [name, pattern] lists, made once (not per message). */
const MARK_GROUPS: ReadonlyMap<MtaFamily, ReadonlyArray<ReadonlyArray<[string, RegExp]>>> = new Map(
  MTA_FAMILIES.map((family) => [family, family.marks.map((marks) => Object.entries(marks))]),
);

/** Does the message carry every mark of one group? `received` and other repeated fields: any occurrence. */
function marked(mail: MarkedText, marks: ReadonlyArray<[string, RegExp]>): boolean {
  for (let i = 0; i < marks.length; i++) {
    const [name, pattern] = marks[i];
    if (name === "text") {
      if (!pattern.test(mail.reportHead())) return false;
    } else if (name === "subject") {
      if (!pattern.test(mail.subject)) return false;
    } else if (!mail.values(name).some((value) => pattern.test(value))) return false;
  }
  return true;
}

/** What the marks of a message look at: its subject, its report text's head, its header values (read lazily). */
function markedText(mail: ScannedEmail): MarkedText {
  const values = new Map<string, string[]>();
  let head: string | null = null;
  return {
    subject: mail.subject,
    reportHead: () => {
      head ??= mail.reportText.slice(0, 4096);
      return head;
    },
    values: (name) => {
      let list = values.get(name);
      if (list === undefined) {
        list = [];
        const fields = mail.headers.fields;
        for (let i = 0; i < fields.length; i++) {
          const field = fields[i];
          if (field.nameLength === name.length && field.isNamed(name)) list.push(field.value);
        }
        values.set(name, list);
      }
      return list;
    },
  };
}

/**
 * Whether the message carries a family's marks. Each family is looked at only when asked, and once: most
 * messages are asked about one family or none (nothing is built for them, headers unfolded only then).
 */
export function familyMarker(mail: ScannedEmail): (family: MtaFamily) => boolean {
  let text: MarkedText | null = null;
  let known: Map<MtaFamily, boolean> | null = null;
  return (family) => {
    known ??= new Map();
    let carries = known.get(family);
    if (carries === undefined) {
      text ??= markedText(mail);
      const of = text;
      carries = (MARK_GROUPS.get(family) ?? []).some((marks) => marked(of, marks));
      known.set(family, carries);
    }
    return carries;
  };
}

/** Each family's phrases lower-cased once (found lower-cased, then checked as written). */
const LOWER_PHRASES: ReadonlyMap<FamilyMessage, string> = new Map(
  MTA_FAMILIES.flatMap((family) => family.messages.map((message) => [message, message.phrase.toLowerCase()])),
);
const DISTINCT_PHRASES = [...new Set(LOWER_PHRASES.values())];
/**
 * The phrases of three characters or more, indexed as the rule matchers index their anchors
 * (rules/trigram-index.ts): one pass over a diagnostic compares only the phrases indexed under the three
 * characters at each position. (One expression of every phrase cost as much to run and ~130 KB of regexp
 * code compiled in every isolate.)
 */
const PHRASE_SLOTS = trigramSlots(
  DISTINCT_PHRASES.filter((phrase) => phrase.length >= 3).map(
    (anchor): IndexedAnchor => ({ anchor, offset: 0 }),
  ),
);
/** Shorter phrases, looked for one by one. */
const SHORT_PHRASES = DISTINCT_PHRASES.filter((phrase) => phrase.length < 3);

/** The pass's visitor: collects each phrase that starts where its indexed characters put it. */
class PhraseCollector implements AnchorVisitor<IndexedAnchor> {
  text = "";
  found: Set<string> | null = null;

  visit(anchors: readonly IndexedAnchor[], at: number): void {
    for (let i = 0; i < anchors.length; i++) {
      const entry = anchors[i];
      const start = at - entry.offset;
      if (start >= 0 && this.text.startsWith(entry.anchor, start)) this.add(entry.anchor);
    }
  }

  add(phrase: string): void {
    if (this.found === null) this.found = new Set();
    this.found.add(phrase);
  }
}
const COLLECTOR = new PhraseCollector();

/** The family phrases a lower-cased text holds, or null for none. */
export function familyPhrasesIn(lower: string): Set<string> | null {
  COLLECTOR.text = lower;
  COLLECTOR.found = null;
  visitAnchors(PHRASE_SLOTS, lower, COLLECTOR);
  for (let i = 0; i < SHORT_PHRASES.length; i++)
    if (lower.includes(SHORT_PHRASES[i])) COLLECTOR.add(SHORT_PHRASES[i]);
  const found = COLLECTOR.found;
  COLLECTOR.text = "";
  COLLECTOR.found = null;
  return found;
}

/** A family message whose phrase a text holds, and its place in the table. */
interface PhraseOwner {
  family: MtaFamily;
  message: FamilyMessage;
  order: number;
}

/** Where each lower-cased phrase is written: its family and message, in table order. */
const PHRASE_OWNERS = new Map<string, PhraseOwner[]>();
MTA_FAMILIES.flatMap((family) => family.messages.map((message) => ({ family, message }))).forEach(
  ({ family, message }, order) => {
    const phrase = LOWER_PHRASES.get(message) ?? "";
    const list = PHRASE_OWNERS.get(phrase);
    if (list) list.push({ family, message, order });
    else PHRASE_OWNERS.set(phrase, [{ family, message, order }]);
  },
);

const NO_OWNERS: readonly PhraseOwner[] = [];
/**
 * The owners of the family phrases each diagnostic holds (found in `lower`, its lower-cased copy), in table
 * order: a diagnostic seen again is not scanned again, nor are its owners gathered and sorted again (a folder
 * of 14,000 bounce emails: 3.8 % of the instructions). Kept by the diagnostic as written, not by `lower`: that
 * string is the record's diagnostic too, whose hash the reply memos then find computed already (V8 keeps a
 * string's hash in it), instead of hashing a second string of the same length.
 */
const OWNERS_BY_TEXT = new TextMemo<readonly PhraseOwner[]>(4096, 2048);

function phraseOwners(spaced: string, lower: string): readonly PhraseOwner[] {
  const known = OWNERS_BY_TEXT.get(spaced);
  if (known !== undefined) return known;
  const found = familyPhrasesIn(lower);
  const owners =
    found === null
      ? NO_OWNERS
      : [...found].flatMap((phrase) => PHRASE_OWNERS.get(phrase) ?? []).sort((a, b) => a.order - b.order);
  OWNERS_BY_TEXT.set(spaced, owners);
  return owners;
}

/**
 * The first of `families` (a list, or which families of the table count) whose own wording is in
 * `diagnostic`, and the reason it gives; or null. Families and their messages are taken in table order;
 * whether a family counts (its marks, looked up lazily) is asked only once its wording is found.
 */
export function familyReason(
  families: readonly MtaFamily[] | ((family: MtaFamily) => boolean),
  diagnostic: string | SpacedDiagnostic,
): { family: MtaFamily; reason: Reason } | null {
  const { spaced, lower } = typeof diagnostic === "string" ? spacedDiagnostic(diagnostic) : diagnostic;
  const owners = phraseOwners(spaced, lower);
  if (owners.length === 0) return null;
  const counts = typeof families === "function" ? families : (family: MtaFamily) => families.includes(family);
  const passed = new Set<MtaFamily>();
  for (let i = 0; i < owners.length; i++) {
    const { family, message } = owners[i];
    if (passed.has(family)) continue;
    // Unfolding keeps every status and its word boundaries: the spaced text is read for it.
    if (message.vagueStatusOnly && specificStatusIn(spaced)) continue;
    // Found lower-cased (one scan for every phrase); the family wrote it as the table does.
    if (!spaced.includes(message.phrase)) continue;
    if (!counts(family)) {
      passed.add(family);
      continue;
    }
    return { family, reason: message.reason };
  }
  return null;
}

/** The families that decide by the SMTP command an error came after. */
const COMMAND_FAMILIES = MTA_FAMILIES.filter((family) => family.commandVerdicts !== undefined);

/**
 * The reason a family gives an error by the SMTP command it came after (sisimai go lhost/via-exim.go:
 * after EHLO/HELO, blocked), or null; the family's marks are looked at only when its line is there.
 */
export function commandVerdict(
  familyMarked: (family: MtaFamily) => boolean,
  diagnostic: string,
): { family: MtaFamily; reason: Reason } | null {
  for (let i = 0; i < COMMAND_FAMILIES.length; i++) {
    const family = COMMAND_FAMILIES[i];
    const rules = family.commandVerdicts;
    if (!rules?.when.test(diagnostic) || !familyMarked(family)) continue;
    const command = smtpCommandIn(diagnostic);
    const verdict = rules.verdicts.find((entry) => entry.command === command);
    if (verdict) return { family, reason: verdict.reason };
  }
  return null;
}

/** The families that decide by a header, with the header they read. */
const HEADER_VERDICTS = MTA_FAMILIES.flatMap((family) =>
  (family.headerVerdicts ?? []).map((verdict) => ({ family, ...verdict })),
);

/**
 * The reason a report's own header gives all its recipients (sisimai go lhost/via-ezweb.go: X-SPASIGN: NG
 * is filtered), or null; one header lookup per family that has such a header.
 */
export function headerVerdict(
  headers: HeaderBlock,
  familyMarked: (family: MtaFamily) => boolean,
): { family: MtaFamily; reason: Reason } | null {
  for (let i = 0; i < HEADER_VERDICTS.length; i++) {
    const verdict = HEADER_VERDICTS[i];
    const value = headerValue(headers, verdict.header);
    if (value === null || !verdict.pattern.test(value) || !familyMarked(verdict.family)) continue;
    return { family: verdict.family, reason: verdict.reason };
  }
  return null;
}
