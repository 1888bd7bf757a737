import type { BounceRecord } from "../bounce/record.ts";
import { NOT_FAILURES } from "../bounce/rules/categories.ts";
import type { Category } from "../bounce/vocabulary.ts";
import { type Color, escapeLine, paint } from "./terminal.ts";

/** The readable form of one record: a short block, coloured on a TTY, mail-borne text escaped. */

const CATEGORY_COLOR: Readonly<Record<Category, Color>> = {
  reputation: "red",
  content: "magenta",
  authentication: "yellow",
  blocklist: "red",
  "rate-limit": "yellow",
  recipient: "red",
  mailbox: "yellow",
  infrastructure: "yellow",
  transient: "cyan",
  "auto-reply": "gray",
  complaint: "magenta",
  delivered: "green",
  unknown: "gray",
};

/** Longest reply text shown; JSON output always carries the whole diagnostic. */
const MAX_SHOWN = 600;

export function renderRecord(record: BounceRecord, stream: NodeJS.WriteStream = process.stdout): string {
  const color = (text: string, c: Color) => paint(text, c, stream);
  const where =
    record.source.line === null ? record.source.file : `${record.source.file}:${record.source.line}`;
  const code = [record.replyCode, record.status, record.providerCode]
    .filter((part) => part !== null)
    .join(" ");
  const verdict = NOT_FAILURES.includes(record.category)
    ? "not a delivery failure"
    : [
        record.permanent ? "permanent" : "temporary",
        record.retryable ? "retry later can succeed" : "retrying will not help",
        record.suppressRecipient ? color("suppress the address", "red") : "keep the address",
      ].join(", ");
  const diagnostic =
    record.diagnostic.length > MAX_SHOWN ? `${record.diagnostic.slice(0, MAX_SHOWN)}…` : record.diagnostic;
  const lines = [
    `${color(escapeLine(record.recipient ?? "(no recipient)"), "bold")}  ${color(escapeLine(where), "gray")}`,
    `  provider  ${record.provider}${record.remoteMta ? ` (${escapeLine(record.remoteMta)})` : ""}${code ? `  code ${escapeLine(code)}` : ""}`,
    `  reason    ${record.reason} → ${color(record.category, CATEGORY_COLOR[record.category])}  ${verdict}`,
    `  action    ${record.action}`,
    `  reply     ${escapeLine(diagnostic) || color("(none)", "gray")}`,
    `  rule      ${color(`${record.rule.id}${record.rule.source ? ` — ${record.rule.source}` : ""}`, "gray")}`,
  ];
  if (record.feedbackType) lines.splice(3, 0, `  feedback  ${escapeLine(record.feedbackType)}`);
  return `${lines.join("\n")}\n\n`;
}
