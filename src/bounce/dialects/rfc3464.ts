import { detach } from "../../util/detach.ts";
import { headerValue } from "../email/headers.ts";
import { remoteHostIn } from "../email/remote-host.ts";
import {
  addressesIn,
  REPLY_CODE_IN_TEXT,
  type ReportText,
  readReportText,
  recipientsInReplies,
  recipientsInSentences,
  type TextEntry,
} from "../email/text.ts";
import { isSendmailDeferral, isSendmailReason, wholeTranscriptReply } from "../email/transcript.ts";
import { categoryVerdict } from "./bounce-categories.ts";
import type { Dialect, RecipientReport } from "./types.ts";

const DELIVERED_ACTIONS = new Set(["delivered", "relayed", "expanded"]);
/** A reply code with its enhanced status ("550 5.1.10", "452-4.2.2"). */
const REPLY_QUOTED = /\b[245]\d\d[ -][245]\.[0-7]\.\d{1,3}\b/;

/**
 * RFC 3464 delivery status notifications: per-recipient fields from message/delivery-status (or the same
 * fields written inline). When a recipient has no Diagnostic-Code, the human-readable part supplies it.
 */
export const rfc3464: Dialect = {
  id: "rfc3464",
  source: "RFC 3464 §2.2–2.3 (per-message and per-recipient DSN fields)",
  detect: (mail) => (mail.deliveryStatus?.recipients.length ?? 0) > 0,
  parse(mail) {
    const dsn = mail.deliveryStatus!;
    // The human-readable part is read only when a recipient needs it (no Diagnostic-Code, or its SMTP phase).
    let text: ReportText | undefined;
    const report = () => {
      text ??= readReportText(mail.reportText);
      return text;
    };
    // Recipients the text names, for a group without Final-Recipient (never the bounce's own addressee).
    let named: string[] | undefined;
    const namedInText = (): string[] => {
      if (named) return named;
      const own = new Set(
        addressesIn(headerValue(mail.headers, "to")).map((address) => address.toLowerCase()),
      );
      const { entries, preamble, paragraphs } = report();
      const all = [
        ...entries.map((candidate) => candidate.recipient),
        ...recipientsInSentences(preamble, paragraphs),
        ...recipientsInReplies(mail.reportText),
      ];
      named = [...new Set(all.filter((address) => !own.has(address.toLowerCase())))];
      return named;
    };
    const reports = dsn.recipients.map((entry, index): RecipientReport | null => {
      const recipient = entry.recipient ?? namedInText()[index] ?? null;
      // A group without any recipient field, and a text that names nobody: other readers may know better.
      if (recipient === null && entry.unnamed) return null;
      const ownEntry = (): TextEntry | undefined => {
        const { entries } = report();
        const address = entry.recipient?.toLowerCase();
        // A report that names a recipient twice (Exchange: a sentence for people, then "Remote Server
        // returned '550 5.1.10 …'" for administrators): the mention that quotes a reply explains it.
        // Sendmail's own lines for the recipient come next: its "(reason: …)", else its transcript's "<a@b>...
        // Deferred: …" line, which is a queued recipient's own though the list of transient errors names it
        // first with nothing of its own (review R151).
        let same: TextEntry | undefined;
        let sendmail: TextEntry | undefined;
        let deferral: TextEntry | undefined;
        for (let i = 0; i < entries.length; i++) {
          const candidate = entries[i];
          if (candidate.recipient.toLowerCase() !== address) continue;
          if (REPLY_QUOTED.test(candidate.diagnostic)) return candidate;
          same ??= candidate;
          if (isSendmailReason(candidate.diagnostic)) sendmail ??= candidate;
          else if (isSendmailDeferral(candidate.diagnostic, candidate.recipient)) deferral ??= candidate;
        }
        return sendmail ?? deferral ?? same ?? entries[index];
      };
      const contextOf = () => ownEntry()?.diagnostic ?? "";
      // No Diagnostic-Code: the human-readable part explains, the recipient's own lines and the notice's
      // general sentences alike ("The user(s) account is disabled." above "<a@b>: 550 user unknown").
      // A reply quoted in the recipient's own lines is its error alone: the notice's sentences around it
      // ("… the following recipients:") would only lend phrases their words (Oracle Messaging Server's
      // "Reason: 550 …", sisimai go lhost/via-messagingserver.go reads the line alone).
      // A Diagnostic-Code that is a multi-line reply's first line alone (Sendmail's) reads the whole reply from
      // the report's transcript.
      const ownText = entry.diagnostic ? undefined : ownEntry();
      const own = ownText?.diagnostic ?? "";
      // Sendmail's "(reason: Connection timed out)" is the recipient's own error though it quotes no reply (review R146),
      // and so are the lines under a layout's label (Domino's "because:": review R149).
      const ownAlone =
        own !== "" &&
        (REPLY_CODE_IN_TEXT.test(own) ||
          isSendmailReason(own) ||
          ownText?.labelled === true ||
          (recipient !== null && isSendmailDeferral(own, recipient)));
      const given =
        (entry.diagnostic && (wholeTranscriptReply(entry.diagnostic, mail, recipient) ?? entry.diagnostic)) ||
        (ownAlone ? own : [own, report().preamble].filter(Boolean).join(" "));
      // The sentences left out of the error still name the remote host ("… while talking to mx.example.org.:").
      const textHost = ownAlone && remoteHostIn(own) === null ? remoteHostIn(report().preamble) : null;
      // The Status comment is the reporting MTA's own explanation; keep it unless the text already says it.
      const comment = entry.statusComment;
      const diagnostic =
        comment && !given.toLowerCase().includes(comment.toLowerCase()) ? `${given} (${comment})` : given;
      const delivered = entry.action !== null && DELIVERED_ACTIONS.has(entry.action);
      const category = delivered ? null : categoryVerdict(entry.bounceCategory);
      return {
        recipient,
        diagnostic,
        context: contextOf,
        status: entry.status,
        remoteMta: entry.remoteMta ?? (textHost === null ? null : detach(textHost)),
        reportingMta: dsn.reportingMta,
        action: entry.action,
        time: entry.lastAttempt ?? dsn.arrivalDate,
        diagnosticType: entry.diagnosticType,
        toProgram: entry.toProgram,
        hintReason: delivered && !entry.status?.startsWith("5") ? "delivered" : (category?.reason ?? null),
        hintSource: category?.rule ?? null,
      };
    });
    return reports.filter((report) => report !== null);
  },
};
