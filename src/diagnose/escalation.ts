import type { Episode } from "./analytics-bridge.ts";
import type { Facts } from "./facts.ts";
import { POLICY_CATEGORIES } from "./facts.ts";
import type { Cause } from "./types.ts";

/** Apple's postmaster page asks for company, domain, IPs, SMTP errors and a description with the start time. */
export const APPLE_ESCALATION_ADDRESS = "icloudadmin@apple.com";
const SOURCE = "https://support.apple.com/en-us/102322";

export interface EscalationInput {
  facts: Facts;
  causes: readonly Cause[];
  episodes: readonly Episode[];
  company: string | null;
  domain: string | null;
  ips: string[];
}

/** The escalation note, prefilled; recipient addresses never appear (replies are grouped without them). */
export function escalationNote({ facts, causes, episodes, company, domain, ips }: EscalationInput): string {
  const policy = facts.replies.filter(
    (r) => r.type === "bounced" && (POLICY_CATEGORIES as readonly string[]).includes(r.category),
  );
  const sendingIps = ips.length ? ips : topIps(facts);
  const started = episodes[0]?.start ?? policy.map((r) => r.firstSeen.slice(0, 10)).sort()[0] ?? "(date)";
  const top = causes[0];
  const errors = policy
    .slice(0, 6)
    .map(
      (r) =>
        `  - ${r.reply.slice(0, 240)} — ${r.count.toLocaleString("en-US")} times, first seen ${r.firstSeen.replace("T", " ").slice(0, 16)} UTC`,
    );
  const changes =
    top && top.id !== "insufficient-evidence" ? top.actions.slice(0, 4) : ["(describe what you changed)"];
  return [
    `To: ${APPLE_ESCALATION_ADDRESS}`,
    `Subject: Policy rejections (${[...new Set(policy.map((r) => r.providerCode).filter(Boolean))].join(", ") || "local policy"}) for mail from ${domain ?? "(domain)"}`,
    "",
    `Company: ${company ?? "(company name)"}`,
    `Sending domain: ${domain ?? "(domain)"}`,
    `Sending IPs: ${sendingIps.join(", ") || "(IPs)"}`,
    "SMTP errors received (counts and first seen):",
    ...(errors.length ? errors : ["  - (none recorded)"]),
    "",
    `Description: since ${started}, part of our mail to iCloud addresses is rejected under local policy` +
      (episodes.length
        ? ` in ${episodes.length} episode(s) (${episodes.map((e) => `${e.start}…${e.end}: ${e.policyBounces}`).join("; ")})`
        : "") +
      ".",
    "What we changed:",
    ...changes.map((c) => `  - [ ] ${c}`),
    "",
    `(Prefilled by deliverlens; Apple's postmaster page asks for these details: ${SOURCE}.)`,
  ].join("\n");
}

function topIps(facts: Facts): string[] {
  const sent = new Map<string, number>();
  for (const cell of facts.cells) {
    if (cell.ip !== "(unknown)") sent.set(cell.ip, (sent.get(cell.ip) ?? 0) + cell.sent);
  }
  return [...sent]
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, 10)
    .map(([ip]) => ip);
}
