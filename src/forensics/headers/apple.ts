import { finding } from "../catalog.ts";
import type { Finding } from "../finding.ts";

/**
 * iCloud's delivery verdict (providers-and-codes.md §2.2): X-Apple-Action (MOVE_TO_FOLDER/INBOX, JUNK/Junk)
 * and X-Apple-MoveToFolder (INBOX or Junk) are reliable; X-ICL-SCORE is undocumented and shown raw.
 */
export interface AppleReport {
  verdict: "inbox" | "junk" | "unknown";
  action: string | null;
  moveToFolder: string | null;
  /** Raw X-ICL-SCORE: Apple documents no scale or threshold, so none is applied. */
  iclScore: string | null;
}

export function appleReport(
  action: string | null,
  moveToFolder: string | null,
  iclScore: string | null,
): AppleReport | null {
  if (action === null && moveToFolder === null && iclScore === null) return null;
  const words = `${action ?? ""} ${moveToFolder ?? ""}`.toLowerCase();
  const verdict = /junk/.test(words) ? "junk" : /inbox/.test(words) ? "inbox" : "unknown";
  return { verdict, action, moveToFolder, iclScore };
}

export function appleFindings(report: AppleReport | null): Finding[] {
  if (report?.verdict !== "junk") return [];
  const evidence = [
    report.action && `X-Apple-Action: ${report.action}`,
    report.moveToFolder && `X-Apple-MoveToFolder: ${report.moveToFolder}`,
  ];
  return [finding("APPLE_JUNK", evidence.filter(Boolean).join("; "))];
}
