import { PASS_THRESHOLD, round2 } from "../confidence.ts";
import { textFinding } from "../text-cause.ts";
import type { Cause, DiagnoseContext } from "../types.ts";

const TITLE = "Authentication failure or misalignment";
/** Audit findings alone (no bounce citing authentication) add this much: a lead, not a proven cause. */
const AUDIT_ONLY_CONFIDENCE = 0.25;
const AUTH_FINDING = /SPF|DKIM|DMARC|ALIGN/;

/** Bounce texts citing SPF/DKIM/DMARC (Apple's HME1, DMARC policy), and the domain audit when given. */
export function authentication(context: DiagnoseContext): Cause {
  const found = textFinding(context, "authentication");
  const auditFindings = (context.audit?.findings ?? []).filter(
    (f) => AUTH_FINDING.test(f.id) && (f.severity === "critical" || f.severity === "high"),
  );
  const evidence = [...found.evidence];
  for (const finding of auditFindings.slice(0, 6)) {
    evidence.push({
      text: `Audit: ${finding.title} (${finding.id})${finding.evidence ? `: ${finding.evidence}` : ""}`,
    });
  }
  const boost = auditFindings.length ? (found.confidence > 0 ? 0.15 : AUDIT_ONLY_CONFIDENCE) : 0;
  const confidence = Math.min(1, round2(found.confidence + boost));
  const passed = confidence >= PASS_THRESHOLD;
  const domain = context.audit?.domain ?? context.facts.sendingDomains[0] ?? "your sending domain";
  return {
    id: "authentication",
    title: TITLE,
    confidence,
    passed,
    subjects: found.ips,
    evidence,
    actions: [
      `Publish SPF for every sending IP${found.ips.length ? ` (${found.ips.slice(0, 5).join(", ")})` : ""} and sign with DKIM aligned to ${domain}`,
      `Publish a DMARC record for ${domain} (Apple requires one for bulk mail); start at p=none with rua reports, then tighten`,
      `Verify with \`deliverlens audit --domain ${domain}\` and \`deliverlens inspect\` on a message as received`,
    ],
    rulesOut: [],
    against: passed ? undefined : `Only ${found.count} bounces cite authentication`,
  };
}
