import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";

/**
 * iCloud's delivery verdict (undocumented by Apple; as seen on iCloud-delivered mail in public repositories): X-Apple-Action (MOVE_TO_FOLDER/INBOX, JUNK/Junk)
 * and X-Apple-MoveToFolder (INBOX or Junk) are reliable; X-ICL-SCORE is undocumented and shown raw.
 */
export interface AppleReport {
  verdict: "inbox" | "junk" | "unknown";
  action: string | null;
  moveToFolder: string | null;
  /** Raw X-ICL-SCORE: Apple documents no scale or threshold, so none is applied. */
  iclScore: string | null;
  /** Other iCloud/Cloudmark headers, raw (X-DMARC-Info, X-ARC-Info, X-CLX-Shades, …): context only. */
  other: Record<string, string>;
}

/** Undocumented iCloud headers worth showing as they are (seen on iCloud-delivered mail). */
export const APPLE_CONTEXT_HEADERS = [
  "x-dmarc-info",
  "x-dmarc-policy",
  "x-arc-info",
  "x-clx-shades",
  "x-clx-spam",
];

export function appleReport(
  action: string | null,
  moveToFolder: string | null,
  iclScore: string | null,
  other: Record<string, string> = {},
): AppleReport | null {
  if (action === null && moveToFolder === null && iclScore === null) return null;
  const words = `${action ?? ""} ${moveToFolder ?? ""}`.toLowerCase();
  const verdict = /junk/.test(words) ? "junk" : /inbox/.test(words) ? "inbox" : "unknown";
  return { verdict, action, moveToFolder, iclScore, other };
}

export function appleFindings(report: AppleReport | null): Finding[] {
  if (report?.verdict !== "junk") return [];
  const evidence = [
    report.action && `X-Apple-Action: ${report.action}`,
    report.moveToFolder && `X-Apple-MoveToFolder: ${report.moveToFolder}`,
  ];
  return [finding("APPLE_JUNK", evidence.filter(Boolean).join("; "))];
}
