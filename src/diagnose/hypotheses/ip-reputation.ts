import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, groupBy, MEASURE, notApplicable, ratesText } from "../evidence.ts";
import { type SendCell, splitCells } from "../facts.ts";
import { mantelHaenszel, type StratifiedRatio } from "../stats.ts";
import type { Cause, DiagnoseContext, Evidence } from "../types.ts";

const TITLE = "One sending IP or pool worse than the others";
const MIN_IP_SENT = 100;
/** Apple's IP-level codes name the IP ("Your mail from <IP> was deferred/rejected"); source: KumoMTA assets/policy-extras/shaping.toml (https://github.com/KumoCorp/kumomta) and public fixtures. */
const IP_LEVEL_CODES = new Set(["HCM1", "HCM2"]);

interface Ranked {
  name: string;
  ratio: StratifiedRatio;
}

/** Each IP (and each pool, when the source names pools) against the others on the same days and engagement groups. */
export function ipReputation(context: DiagnoseContext): Cause {
  const { facts, totalPolicy } = context;
  const strata = [...groupBy(facts.cells, (c) => `${c.day}|${c.dormant}`).values()];
  const byIp = rank(facts.cells, strata, "ip", "(unknown)");
  const byPool = rank(facts.cells, strata, "pool", "(none)");
  if (byIp.length < 2 && byPool.length < 2) {
    return notApplicable("ip-reputation", TITLE, "Fewer than two sending IPs or pools to compare");
  }
  const usePool = byPool.length >= 2 && (byIp.length < 2 || byPool[0].ratio.low > byIp[0].ratio.low);
  const ranked = usePool ? byPool : byIp;
  const unit = usePool ? "pool" : "IP";
  const worst = ranked[0];
  const confidence = contrastConfidence({ ratio: worst.ratio, excess: excessOf(worst.ratio), totalPolicy });
  const passed = confidence >= PASS_THRESHOLD;
  const evidence: Evidence[] = [
    contrastEvidence(
      usePool ? "policy_bounce_rate_pool" : "policy_bounce_rate_ip",
      `from ${unit} ${worst.name}`,
      `from the other ${ranked.length - 1} ${unit}s`,
      worst.ratio,
      "day and engagement",
      [MEASURE.dormant],
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
  evidence.push({ text: `Per ${unit}: ${ranked.map((r) => `${r.name} ${rateText(r.ratio)}`).join("; ")}` });
  return {
    id: "ip-reputation",
    title: TITLE,
    confidence,
    passed,
    subjects: [worst.name],
    evidence,
    actions: [
      `Move Apple traffic off ${worst.name} (or pause it) and send through the IPs that perform normally`,
      `Check ${worst.name} at https://ipcheck.proofpoint.com/ and with \`deliverlens audit --ip ${worst.name}\` (PTR, blocklists)`,
      `Re-warm ${worst.name} with the warm-up plan, most engaged recipients first, before giving it full volume again`,
    ],
    rulesOut: [],
    against: passed
      ? undefined
      : `No IP stands out (worst ${worst.name}: ${ratesText(worst.ratio)} from the others)`,
  };
}

function rank(
  cells: readonly SendCell[],
  strata: readonly SendCell[][],
  key: "ip" | "pool",
  missing: string,
): Ranked[] {
  const names = [...groupBy(cells, (c) => c[key])]
    .filter(([name, group]) => name !== missing && group.reduce((s, c) => s + c.sent, 0) >= MIN_IP_SENT)
    .map(([name]) => name);
  return names
    .map((name) => ({
      name,
      ratio: mantelHaenszel(strata.map((group) => splitCells(group, (c) => c[key] === name))),
    }))
    .sort((x, y) => y.ratio.low - x.ratio.low || (x.name < y.name ? -1 : 1));
}

function rateText(ratio: StratifiedRatio): string {
  return `${((100 * ratio.crude.a) / Math.max(1, ratio.crude.n1)).toFixed(2)} %`;
}
