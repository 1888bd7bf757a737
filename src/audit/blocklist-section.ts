import { SEVERITY_ORDER, type Severity } from "../util/severity.ts";
import { type BlocklistReport, checkBlocklists, type ListResult } from "./blocklists.ts";
import { type AuditContext, raise, type SectionResult } from "./context.ts";
import type { AuditFinding } from "./findings.ts";

export const PROOFPOINT_IP_CHECK = "https://ipcheck.proofpoint.com/";

export async function auditBlocklists(ctx: AuditContext): Promise<SectionResult<BlocklistReport>> {
  const report = await checkBlocklists(ctx.resolver, { ips: ctx.ips, domains: [ctx.domain] }, ctx.lists);
  const findings = report.results.flatMap(resultFinding);
  const unavailable = report.probes.filter((probe) => !probe.ok);
  for (const probe of unavailable) {
    const fix = ctx.lists.lists.find((list) => list.id === probe.list)?.refusedFix;
    findings.push(raise("BLOCKLIST_UNAVAILABLE", `${probe.name} (${probe.zone}): ${probe.detail}`, { fix }));
  }
  // One finding per retired list, however many targets were checked on it.
  const retired = new Map<string, string>();
  for (const { name, verdict } of report.results)
    if (verdict.status === "retired" && !retired.has(name)) retired.set(name, verdict.why);
  for (const [name, why] of retired) findings.push(raise("BLOCKLIST_RETIRED", `${name}: ${why}`));
  findings.push(
    raise(
      "PROOFPOINT_NO_DNS_LIST",
      ctx.ips.length > 0
        ? `check ${ctx.ips.join(", ")} at ${PROOFPOINT_IP_CHECK}`
        : `Apple (iCloud) filtering uses Proofpoint: ${PROOFPOINT_IP_CHECK}`,
    ),
  );
  return { section: report, findings };
}

function resultFinding(result: ListResult): AuditFinding[] {
  const { verdict } = result;
  const who = `${result.target} on ${result.name} (${result.zone})`;
  switch (verdict.status) {
    case "listed": {
      const severity = worst(verdict.meanings.map((m) => m.severity));
      const meanings = verdict.meanings.map((m) => m.meaning).join("; ");
      const text = verdict.text ? ` — list says: ${verdict.text}` : "";
      const fix = result.delist ? `Fix the cause, then request removal at ${result.delist}` : undefined;
      if (result.scale === "reputation") {
        return [
          raise("BLOCKLIST_POOR_REPUTATION", `${who}: ${verdict.answers.join(", ")} = ${meanings}`, {
            severity,
            fix,
          }),
        ];
      }
      const id = result.kind === "ip" ? "BLOCKLIST_IP_LISTED" : "BLOCKLIST_DOMAIN_LISTED";
      return [raise(id, `${who}: ${verdict.answers.join(", ")} = ${meanings}${text}`, { severity, fix })];
    }
    case "unknown":
      return [raise("BLOCKLIST_LOOKUP_REFUSED", `${who}: ${verdict.why}`, { fix: verdict.fix })];
    default:
      return [];
  }
}

function worst(severities: Severity[]): Severity {
  return SEVERITY_ORDER.find((s) => severities.includes(s)) ?? "high";
}
