import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, groupBy, notApplicable, ratesText } from "../evidence.ts";
import { splitCells } from "../facts.ts";
import { mantelHaenszel, type StratifiedRatio } from "../stats.ts";
import type { Cause, DiagnoseContext, Evidence } from "../types.ts";

const TITLE = "One sending IP or pool worse than the others";
const MIN_IP_SENT = 100;
/** Apple's IP-level codes name the IP ("Your mail from <IP> was deferred/rejected"); source: providers-and-codes.md §1.2 (KumoMTA community shaping.toml; public fixtures). */
const IP_LEVEL_CODES = new Set(["HCM1", "HCM2"]);

/** Each IP against the other IPs on the same days and engagement groups (Mantel-Haenszel). */
export function ipReputation(context: DiagnoseContext): Cause {
  const { facts, totalPolicy } = context;
  const ips = [...groupBy(facts.cells, (c) => c.ip)]
    .filter(([ip, cells]) => ip !== "(unknown)" && cells.reduce((s, c) => s + c.sent, 0) >= MIN_IP_SENT)
    .map(([ip]) => ip);
  if (ips.length < 2) return notApplicable("ip-reputation", TITLE, "Fewer than two sending IPs to compare");
  const strata = [...groupBy(facts.cells, (c) => `${c.day}|${c.dormant}`).values()];
  const ranked = ips
    .map((ip) => ({
      ip,
      ratio: mantelHaenszel(strata.map((cells) => splitCells(cells, (c) => c.ip === ip))),
    }))
    .sort((x, y) => y.ratio.low - x.ratio.low || (x.ip < y.ip ? -1 : 1));
  const worst = ranked[0];
  const confidence = contrastConfidence({ ratio: worst.ratio, excess: excessOf(worst.ratio), totalPolicy });
  const passed = confidence >= PASS_THRESHOLD;
  const evidence: Evidence[] = [
    contrastEvidence(
      "policy_bounce_rate_ip",
      `from ${worst.ip}`,
      `from the other ${ips.length - 1} IPs`,
      worst.ratio,
      "day and engagement",
    ),
  ];
  const ipCoded = facts.replies.filter((r) => r.providerCode && IP_LEVEL_CODES.has(r.providerCode));
  const codedCount = ipCoded.reduce((s, r) => s + r.count, 0);
  if (codedCount) {
    evidence.push({
      text: `${codedCount} replies carry Apple's IP-level codes (${[...new Set(ipCoded.map((r) => r.providerCode))].join(", ")})`,
      metric: "ip_level_replies",
      value: codedCount,
    });
  }
  evidence.push({ text: `Per IP: ${ranked.map((r) => `${r.ip} ${rateText(r.ratio)}`).join("; ")}` });
  return {
    id: "ip-reputation",
    title: TITLE,
    confidence,
    passed,
    subjects: [worst.ip],
    evidence,
    actions: [
      `Move Apple traffic off ${worst.ip} (or pause it) and send through the IPs that perform normally`,
      `Check ${worst.ip} at https://ipcheck.proofpoint.com/ and with \`deliverlens audit --ip ${worst.ip}\` (PTR, blocklists)`,
      `Re-warm ${worst.ip} with the warm-up plan, most engaged recipients first, before giving it full volume again`,
    ],
    rulesOut: [],
    against: passed
      ? undefined
      : `No IP stands out (worst ${worst.ip}: ${ratesText(worst.ratio)} from the others)`,
  };
}

function rateText(ratio: StratifiedRatio): string {
  return `${((100 * ratio.crude.a) / Math.max(1, ratio.crude.n1)).toFixed(2)} %`;
}
