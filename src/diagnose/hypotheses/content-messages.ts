import type { CampaignMessage, DiagnoseContext, Evidence } from "../types.ts";

/**
 * Explain flagged campaigns by their inspected messages (--messages): link domains, shorteners and
 * listed domains that the flagged campaigns carry and the unflagged ones do not.
 */
export function messageEvidence(
  context: DiagnoseContext,
  flagged: readonly string[],
): { evidence: Evidence[]; explains: boolean; inspected: boolean; difference: boolean; fixes: string[] } {
  const messages = context.messages;
  if (!messages || messages.size === 0) {
    return {
      evidence: [
        { text: "No campaign messages given (--messages DIR): the links and content were not inspected" },
      ],
      explains: false,
      inspected: false,
      difference: false,
      fixes: [],
    };
  }
  const bad = flagged.map((name) => messages.get(name)).filter((m): m is CampaignMessage => Boolean(m));
  const good = [...messages.values()].filter((m) => !flagged.includes(m.campaign));
  if (bad.length === 0) {
    return {
      evidence: [{ text: `No message file matches the flagged campaigns (${flagged.join(", ")})` }],
      explains: false,
      inspected: false,
      difference: false,
      fixes: [],
    };
  }
  const inGood = (pick: (m: CampaignMessage) => string[]) => new Set(good.flatMap(pick));
  const onlyBad = (pick: (m: CampaignMessage) => string[]) => {
    const seen = inGood(pick);
    return [...new Set(bad.flatMap(pick))].filter((value) => !seen.has(value)).sort();
  };
  const listed = [...new Set(bad.flatMap((m) => m.listedDomains))].sort();
  const shorteners = onlyBad((m) => m.shorteners);
  const domains = onlyBad((m) => m.linkDomains).filter((d) => !shorteners.includes(d) && !listed.includes(d));
  const evidence: Evidence[] = [];
  const fixes: string[] = [];
  if (listed.length) {
    evidence.push({
      text: `Link domains listed on a domain blocklist: ${listed.join(", ")}`,
      metric: "listed_link_domains",
      value: listed.length,
    });
    fixes.push(
      `Remove every link to ${listed.join(", ")} (listed domains are blocked with all their subdomains)`,
    );
  }
  if (shorteners.length) {
    evidence.push({
      text: `URL shorteners only in the flagged campaigns: ${shorteners.join(", ")}`,
      metric: "shortener_domains",
      value: shorteners.length,
    });
    fixes.push(`Replace the ${shorteners.join(", ")} short links with direct links on your own domain`);
  }
  if (domains.length) {
    evidence.push({
      text: `Link domains only in the flagged campaigns (${good.length} clean campaign messages compared): ${domains.slice(0, 10).join(", ")}`,
      metric: "unique_link_domains",
      value: domains.length,
    });
    fixes.push(
      `Check or remove the links to ${domains.slice(0, 10).join(", ")}, which none of your clean campaigns use`,
    );
  }
  for (const message of bad) {
    for (const finding of message.findings.filter(
      (f) => f.severity === "critical" || f.severity === "high",
    )) {
      evidence.push({ text: `${message.campaign}: ${finding.title} (${finding.id})` });
    }
  }
  const difference = evidence.length > 0;
  if (!difference) {
    evidence.push({
      text: "The flagged campaigns' messages show no link or content feature the clean ones lack: weak evidence for content",
    });
  }
  return { evidence, explains: fixes.length > 0, inspected: good.length > 0, difference, fixes };
}

export function contentActions(
  context: DiagnoseContext,
  flagged: readonly string[],
  fixes: string[],
): string[] {
  const actions = [...fixes];
  if (!context.messages) {
    actions.push(
      `Inspect the messages of ${flagged.join(", ")} (\`deliverlens diagnose --messages DIR\` or \`deliverlens inspect FILE.eml\`) for shorteners, listed or unrelated link domains`,
    );
  }
  actions.push(
    "Send the fixed content to a small engaged segment first and compare its policy-bounce rate before the full send",
  );
  return actions;
}
