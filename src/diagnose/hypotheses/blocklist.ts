import { PASS_THRESHOLD } from "../confidence.ts";
import { textFinding } from "../text-cause.ts";
import type { Cause, DiagnoseContext } from "../types.ts";

const TITLE = "Blocklisted sending IP or link domain";
/** A live listing of one of the sender's own IPs or domains is strong evidence by itself. */
const LIVE_LISTING_CONFIDENCE = 0.6;

/** Bounce texts that cite Spamhaus, Proofpoint or another blocklist, and live lookups when online. */
export function blocklist(context: DiagnoseContext): Cause {
  const found = textFinding(context, "blocklist");
  const listed = context.audit?.listed ?? [];
  const evidence = [...found.evidence];
  for (const item of listed) evidence.push({ text: `Live lookup: ${item.name} is listed on ${item.list}` });
  if (context.audit && listed.length === 0) {
    evidence.push({ text: "Live lookups: none of the audited IPs or domains is listed" });
  }
  const confidence = Math.max(found.confidence, listed.length ? LIVE_LISTING_CONFIDENCE : 0);
  const passed = confidence >= PASS_THRESHOLD;
  const names = [...new Set([...found.signals.map((s) => s.id), ...listed.map((l) => l.list)])];
  return {
    id: "blocklist",
    title: TITLE,
    confidence,
    passed,
    subjects: [...found.ips, ...listed.map((l) => l.name)],
    evidence,
    actions: delistingSteps(names, found.ips),
    rulesOut: [],
    against: passed
      ? undefined
      : `Only ${found.count} bounces cite a blocklist${context.audit ? " and no live listing" : ""}`,
  };
}

/** Delisting steps per list family; sources: each list's own delisting page (data/blocklists.json `delist`). */
export function delistingSteps(lists: readonly string[], ips: readonly string[]): string[] {
  const steps: string[] = [];
  const ipText = ips.length ? ` (${ips.slice(0, 5).join(", ")})` : "";
  if (lists.some((l) => l.includes("spamhaus-dbl") || l.toLowerCase().includes("dbl"))) {
    steps.push(
      "Find the listed link domain (`deliverlens inspect` on the campaign messages), remove it from your mail, fix the cause, then request removal at https://check.spamhaus.org/",
    );
  }
  if (lists.some((l) => l.includes("spamhaus") && !l.includes("dbl"))) {
    steps.push(
      `Look up the sending IPs${ipText} at https://check.spamhaus.org/ and follow the removal steps`,
    );
  }
  if (lists.some((l) => l.includes("proofpoint"))) {
    steps.push(
      `Check the sending IPs${ipText} at https://ipcheck.proofpoint.com/ and request delisting there (Apple filters with Proofpoint, which has no DNS list)`,
    );
  }
  steps.push(
    "Stop the mail that caused the listing (purchased or stale segments, compromised forms) before asking for removal",
  );
  steps.push(
    "Re-run `deliverlens audit --domain D --ip IP` from your own recursive resolver to confirm the delisting",
  );
  return steps;
}
