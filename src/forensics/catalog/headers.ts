import type { FindingKind } from "./kind.ts";

const RFC5322 =
  "RFC 5322 §3.6; Gmail and Apple require RFC 5322 compliance (https://support.google.com/mail/answer/81126, https://support.apple.com/en-us/102322)";
const PROOFPOINT =
  "X-Proofpoint-Spam-Details fields as seen in public samples (https://pastebin.com/8qfHnGPw; https://github.com/moohax/Proof-Pudding)";
const MS_HEADERS = "learn.microsoft.com/defender-office-365/message-headers-eop-mdo";

/** RFC 5322 hygiene, transport and receiver filter verdicts. */
export const HEADER_FINDINGS: readonly FindingKind[] = [
  // headers: hygiene
  {
    id: "FROM_MISSING",
    area: "headers",
    severity: "critical",
    title: "No From header",
    fix: "Send exactly one From header with one mailbox.",
    source: RFC5322,
  },
  {
    id: "FROM_MULTIPLE",
    area: "headers",
    severity: "critical",
    title: "More than one From header or mailbox",
    fix: "Send exactly one From header with one mailbox.",
    source: RFC5322,
  },
  {
    id: "MESSAGE_ID_MISSING",
    area: "headers",
    severity: "high",
    title: "No Message-ID header",
    fix: "Have your MTA or ESP add a Message-ID like <unique@your-domain>.",
    source: RFC5322,
  },
  {
    id: "MESSAGE_ID_MALFORMED",
    area: "headers",
    severity: "medium",
    title: "Message-ID is not of the form <left@right>",
    fix: "Generate Message-IDs as <unique@your-domain>.",
    source: "RFC 5322 §3.6.4",
  },
  {
    id: "DATE_MISSING",
    area: "headers",
    severity: "high",
    title: "No Date header",
    fix: "Add an RFC 5322 Date header when the message is created.",
    source: RFC5322,
  },
  {
    id: "DATE_INVALID",
    area: "headers",
    severity: "medium",
    title: "Date header cannot be parsed",
    fix: "Write the Date as in 'Tue, 01 Jul 2025 10:00:00 +0000'.",
    source: "RFC 5322 §3.3",
  },
  {
    id: "HEADER_DUPLICATED",
    area: "headers",
    severity: "high",
    title: "A header that may appear once appears more than once",
    fix: "Remove the duplicate; Gmail rejects duplicated singleton headers with 550 5.7.1.",
    source: RFC5322,
  },
  {
    id: "SUBJECT_MISSING",
    area: "headers",
    severity: "low",
    title: "No Subject header",
    fix: "Give every message a Subject.",
    source: "RFC 5322 §3.6.5",
  },
  // headers: transport and filter verdicts
  {
    id: "RECEIVED_SLOW_HOP",
    area: "headers",
    severity: "low",
    title: "A relay held the message for over an hour",
    fix: "Check the queue of the relay named in the evidence (throttling or deferrals).",
    source: "RFC 5321 §4.4 (Received time stamps)",
  },
  {
    id: "RECEIVED_WITHOUT_TLS",
    area: "headers",
    severity: "medium",
    title: "A hop between servers was not encrypted",
    fix: "Enable STARTTLS on the sending MTA; Gmail requires TLS.",
    source: "Gmail answer/81126 (TLS required)",
  },
  {
    id: "RECEIVER_AUTH_FAILED",
    area: "headers",
    severity: "high",
    title: "The receiver's Authentication-Results report a failure",
    fix: "Fix the failing method shown (see the auth section).",
    source: "RFC 8601",
  },
  {
    id: "PROOFPOINT_SPAM_VERDICT",
    area: "headers",
    severity: "high",
    title: "Proofpoint's rule is a spam verdict",
    fix: "Treat this copy as filtered: review content, links and sender reputation.",
    source: PROOFPOINT,
  },
  {
    id: "PROOFPOINT_HIGH_SPAMSCORE",
    area: "headers",
    severity: "medium",
    title: "Proofpoint score/spamscore at 50 or more (100 = definite spam)",
    fix: "Review content and links; PPS sites commonly quarantine above 50.",
    source: PROOFPOINT,
  },
  {
    id: "PROOFPOINT_PHISH_OR_MALWARE",
    area: "headers",
    severity: "high",
    title: "Proofpoint phish/malware/impostor score above 0",
    fix: "Check links, attachments and display names for anything that looks like impersonation.",
    source: PROOFPOINT,
  },
  {
    id: "PROOFPOINT_DETAILS_ENCODED",
    area: "headers",
    severity: "info",
    title: "Proofpoint details only in the opaque -Enc header",
    fix: "Nothing to fix: the encoded header cannot be read; rely on the folder verdict.",
    source: PROOFPOINT,
  },
  {
    id: "APPLE_JUNK",
    area: "headers",
    severity: "high",
    title: "iCloud filed the message as Junk",
    fix: "Work on reputation and content; Apple publishes no score threshold.",
    source:
      "X-Apple-Action / X-Apple-MoveToFolder as seen on iCloud-delivered mail in public repositories (Apple documents neither)",
  },
  {
    id: "MICROSOFT_SPAM",
    area: "headers",
    severity: "high",
    title: "Microsoft marked the message as spam (SCL 5+ or SFV:SPM)",
    fix: "Check sender reputation and content; SCL 5–9 goes to Junk.",
    source: MS_HEADERS,
  },
  {
    id: "MICROSOFT_BULK",
    area: "headers",
    severity: "medium",
    title: "Microsoft rates the sender as bulk with many complaints (BCL 7+)",
    fix: "Send only to engaged, opted-in recipients; BCL 7 is the default bulk threshold.",
    source: "learn.microsoft.com/defender-office-365/anti-spam-bulk-complaint-level-bcl-about",
  },
  {
    id: "SPAMASSASSIN_SPAM",
    area: "headers",
    severity: "medium",
    title: "SpamAssassin scored the message as spam",
    fix: "Look at the tests= list in the evidence and fix the top contributors.",
    source: "SpamAssassin X-Spam-Status (required=5.0 default)",
  },
];
