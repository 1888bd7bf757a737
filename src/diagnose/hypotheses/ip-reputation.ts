import { contrastConfidence, excessOf, PASS_THRESHOLD } from "../confidence.ts";
import { contrastEvidence, groupBy, MEASURE, notApplicable, ratesText } from "../evidence.ts";
import { type SendCell, splitCells } from "../facts.ts";
import { mantelHaenszel, type StratifiedRatio } from "../stats.ts";
import { textFinding } from "../text-cause.ts";
import type { Cause, CauseId, DiagnoseContext, Evidence } from "../types.ts";

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
  const grouped = usePool ? null : worstGroup(strata, byIp);
  const unit = grouped ? "IPs" : usePool ? "pool" : "IP";
  const worst = grouped ?? ranked[0];
  const worstIps = new Set(
    grouped
      ? grouped.names
      : usePool
        ? facts.cells.filter((c) => c.pool === worst.name).map((c) => c.ip)
        : [worst.name],
  );
  const other = otherCause(context, worstIps);
  const contrast = contrastConfidence({ ratio: worst.ratio, excess: excessOf(worst.ratio), totalPolicy });
  // Bounces that cite authentication or a blocklist are those causes' evidence: an IP worse than the others
  // because its mail fails authentication (or it is listed) keeps only the share of its bounces that do not.
  const confidence = other ? Math.round(contrast * (1 - other.share) * 100) / 100 : contrast;
  const passed = confidence >= PASS_THRESHOLD;
  const evidence: Evidence[] = [
    contrastEvidence(
      usePool ? "policy_bounce_rate_pool" : "policy_bounce_rate_ip",
      `from ${unit} ${worst.name}`,
      `from the other ${others(ranked.length - (grouped?.size ?? 1), usePool ? "pool" : "IP")}`,
      worst.ratio,
      "day and engagement",
      [MEASURE.dormant],
    ),
  ];
  if (other)
    evidence.push({
      text: `${other.count} of the ${other.total} policy bounces from ${unit} ${worst.name} cite ${other.label} (see ${other.cause}): the ${unit === "IP" ? "IP is" : "IPs are"} worse because of that, not for ${unit === "IP" ? "its" : "their"} reputation`,
      metric: "policy_bounces_other_cause",
      value: other.count,
      baseline: other.total,
      measures: [MEASURE.policyBounce],
    });
  const ipCoded = facts.replies.filter((r) => r.providerCode && IP_LEVEL_CODES.has(r.providerCode));
  const codedCount = ipCoded.reduce((s, r) => s + r.count, 0);
  if (codedCount) {
    evidence.push({
      text: `${codedCount} replies carry Apple's IP-level codes (${[...new Set(ipCoded.map((r) => r.providerCode))].join(", ")})`,
      metric: "ip_level_replies",
      value: codedCount,
    });
  }
  evidence.push({
    text: `Per ${usePool ? "pool" : "IP"}: ${ranked.map((r) => `${r.name} ${rateText(r.ratio)}`).join("; ")}`,
  });
  return {
    id: "ip-reputation",
    title: TITLE,
    confidence,
    passed,
    subjects: grouped ? grouped.names : [worst.name],
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

/** Share of an explained IP's policy bounces that must cite another cause for it to count. */
const OTHER_CAUSE_SHARE = 0.5;

/**
 * Whether the IPs' policy bounces mostly cite authentication or a blocklist while that cause's own reply
 * evidence passes its gate (text-cause.ts): then the IPs' excess is that cause's, not their reputation's.
 */
function otherCause(
  context: DiagnoseContext,
  ips: ReadonlySet<string>,
): { cause: CauseId; label: string; count: number; total: number; share: number } | null {
  const rows = (context.facts.policyByIp ?? []).filter((r) => ips.has(r.ip));
  const total = rows.reduce((s, r) => s + r.count, 0);
  if (total === 0) return null;
  for (const cause of ["authentication", "blocklist"] as const) {
    const count = rows.filter((r) => r.category === cause).reduce((s, r) => s + r.count, 0);
    if (count / total < OTHER_CAUSE_SHARE || textFinding(context, cause).confidence === 0) continue;
    const label = cause === "blocklist" ? "a blocklist" : "authentication";
    return { cause, label, count, total, share: count / total };
  }
  return null;
}

/**
 * IPs that behave alike are a pool even when the source names none (SendGrid, SES carry no pool): the
 * IPs ranked worst first, the worst k of them (2 ≤ k < all) against the rest on the same days and
 * engagement groups. Returned when such a group stands out more clearly (higher lower bound of the rate
 * ratio) than the single worst IP — two IPs of a bad shared pool dilute each other when each is
 * compared with the other plus the good ones.
 */
function worstGroup(
  strata: readonly SendCell[][],
  byIp: readonly Ranked[],
): (Ranked & { names: string[]; size: number }) | null {
  if (byIp.length < 3) return null;
  const order = [...byIp].sort((x, y) => rate(y.ratio) - rate(x.ratio) || (x.name < y.name ? -1 : 1));
  let best: (Ranked & { names: string[]; size: number }) | null = null;
  for (let k = 2; k < order.length; k++) {
    const names = order.slice(0, k).map((r) => r.name);
    const group = new Set(names);
    const ratio = mantelHaenszel(strata.map((cellsOfDay) => splitCells(cellsOfDay, (c) => group.has(c.ip))));
    if (!best || ratio.low > best.ratio.low) best = { name: names.join(", "), names, size: k, ratio };
  }
  return best && best.ratio.low > byIp[0].ratio.low ? best : null;
}

const others = (n: number, unit: string): string => (n === 1 ? unit : `${n} ${unit}s`);

const rate = (ratio: StratifiedRatio): number => ratio.crude.a / Math.max(1, ratio.crude.n1);

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
