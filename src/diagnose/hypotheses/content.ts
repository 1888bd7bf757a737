import {
  contrastConfidence,
  excessOf,
  MAX_P,
  MIN_EVENTS,
  MIN_RATIO_LOW,
  PASS_THRESHOLD,
} from "../confidence.ts";
import { contrastEvidence, fmtP, groupBy, MEASURE, notApplicable, ratesText } from "../evidence.ts";
import { type SendCell, splitCells } from "../facts.ts";
import { dataLimits, NO_ENGAGEMENT } from "../limits.ts";
import { mantelHaenszel, overdispersedGreater, peerSpread, type StratifiedRatio } from "../stats.ts";
import type { Cause, DiagnoseContext, Evidence } from "../types.ts";
import { type CauseWindow, causeWindows } from "../windows.ts";
import { contentActions, messageEvidence } from "./content-messages.ts";

const TITLE = "Content or links of particular campaigns";
/** Campaigns smaller than this are too small to compare. */
const MIN_CAMPAIGN_SENT = 100;
/**
 * A flagged campaign must also be worse than the natural spread between campaigns: its Poisson–log-normal
 * tail p-value (stats.ts overdispersedGreater) must be below MAX_P divided by the number of campaigns
 * compared (Bonferroni), so a program with many campaigns does not flag its unluckiest one.
 */
/**
 * A campaign sent mostly on spike days cannot be told apart from the spike when the spike has its own
 * support (its audience was less engaged than usual, or cannot be judged: the data has no opens or clicks)
 * or the campaign's inspected message shows no feature the clean ones lack (a burst with an ordinary
 * message: the burst explains it at least as well), and the campaign's message shows nothing the clean
 * ones lack — unless spike days are routine for this sender (at least MIN_SPIKE_PEERS other campaigns went
 * out on spike days) and it is worse than those other spike-day campaigns. Content evidence (a shortener
 * only this campaign carries) never vanishes because the day was unusual.
 */
const MAX_SPIKE_SHARE = 0.5;
/** Confidence kept when the flagged campaigns' messages were inspected and show no feature the clean ones lack. */
const NO_DIFFERENCE_WEIGHT = 0.5;
const MIN_SPIKE_PEERS = 3;

interface Candidate {
  campaign: string;
  ratio: StratifiedRatio;
  peerP: number;
}

/** Policy bounces concentrated in particular campaigns, compared within engagement groups. */
export function content(context: DiagnoseContext): Cause {
  const { facts, totalPolicy } = context;
  // The spikes that can confound a campaign are those to a worse audience (volume-spike's own claim).
  const spikeDays = context.spikeAudience.supported ? context.spikeAudience.supportedDays : context.spikeDays;
  const campaigns = [...groupBy(facts.cells, (c) => c.campaign)].filter(
    ([name, cells]) => name !== "(none)" && sum(cells, "sent") >= MIN_CAMPAIGN_SENT,
  );
  if (campaigns.length < 2) {
    return notApplicable("content", TITLE, "Fewer than two campaigns with enough sends to compare");
  }
  const peers = campaigns.map(([, cells]) => ({ events: sum(cells, "policy"), trials: sum(cells, "sent") }));
  const { rate: overall, sigma } = peerSpread(peers);
  const confounded: string[] = [];
  const explainedBy: string[] = [];
  const windows = causeWindows(context);
  const flagged: Candidate[] = [];
  // Without opens or clicks a spike's audience cannot be judged, so it cannot be ruled out either.
  const audienceUnknown = dataLimits(context).some((limit) => limit.reason === NO_ENGAGEMENT);
  // A campaign that stands out is kept unless a spike or another cause's window explains it as well.
  const screen = (campaign: string, cells: readonly SendCell[], ratio: StratifiedRatio, peerP: number) => {
    const onSpike = cells.filter((c) => spikeDays.has(c.day)).reduce((s, c) => s + c.sent, 0);
    const message = messageEvidence(context, [campaign]);
    if (
      onSpike / sum(cells, "sent") >= MAX_SPIKE_SHARE &&
      (context.spikeAudience.supported || audienceUnknown || (message.inspected && !message.difference)) &&
      !message.explains &&
      !worseThanSpikePeers(facts.cells, campaign, spikeDays)
    )
      confounded.push(campaign);
    else {
      const window = explainingWindow(context, windows, campaign, cells);
      if (window) explainedBy.push(`${campaign} (${window})`);
      else flagged.push({ campaign, ratio, peerP });
    }
  };
  const peerPOf = (cells: readonly SendCell[]) =>
    overdispersedGreater(sum(cells, "policy"), sum(cells, "sent") * overall, sigma);
  for (const [campaign, cells] of campaigns) {
    const ratio = byEngagement(facts.cells, (c) => c.campaign === campaign);
    if (!gated(ratio)) continue;
    const peerP = peerPOf(cells);
    if (peerP > MAX_P / campaigns.length) continue;
    screen(campaign, cells, ratio, peerP);
  }
  // No single campaign beyond the spread: the campaigns whose messages share a risky feature, together.
  const feature =
    flagged.length + confounded.length + explainedBy.length === 0 ? featureGroup(context, campaigns) : null;
  if (feature)
    for (const [campaign, cells] of campaigns.filter(([name]) => feature.campaigns.has(name)))
      screen(
        campaign,
        cells,
        byEngagement(facts.cells, (c) => c.campaign === campaign),
        peerPOf(cells),
      );
  flagged.sort((x, y) => y.ratio.low - x.ratio.low || (x.campaign < y.campaign ? -1 : 1));
  if (flagged.length === 0) {
    const worst = campaigns
      .map(([campaign]) => ({ campaign, ratio: byEngagement(facts.cells, (c) => c.campaign === campaign) }))
      .sort((x, y) => y.ratio.low - x.ratio.low)[0];
    const reason = explainedBy.length
      ? `Campaigns ${explainedBy.join(", ")} bounce more, but no more than the other mail sent in that window`
      : confounded.length
        ? `Campaigns ${confounded.join(", ")} bounce more but were sent on spike days ${audienceUnknown ? "(whose audience the data cannot judge)" : context.spikeAudience.supported ? "to a worse audience than usual (see volume-spike)" : "(a burst of mail)"}, with no content evidence that sets them apart`
        : `No campaign stands out: worst ${worst.campaign} ${ratesText(worst.ratio)} elsewhere`;
    return { ...notApplicable("content", TITLE, reason), evidence: [{ text: reason }] };
  }
  const names = new Set(flagged.map((f) => f.campaign));
  const union = byEngagement(facts.cells, (c) => names.has(c.campaign));
  const evidence: Evidence[] = flagged
    .slice(0, 5)
    .map((f) =>
      contrastEvidence(
        "policy_bounce_rate_campaign",
        `in campaign ${f.campaign}`,
        "in the other campaigns",
        f.ratio,
        "engagement (dormant/engaged) and sending IP",
        [MEASURE.dormant],
      ),
    );
  if (feature)
    evidence.push(
      contrastEvidence(
        "policy_bounce_rate_feature",
        `in the ${feature.campaigns.size} campaigns whose message carries ${feature.label}`,
        "in the other campaigns",
        feature.ratio,
        "engagement (dormant/engaged) and sending IP",
        [MEASURE.dormant],
      ),
    );
  else
    evidence.push({
      text: `Beyond the natural spread between campaigns (σ = ${sigma.toFixed(2)} on the log scale): ${flagged
        .slice(0, 5)
        .map((f) => `${f.campaign} ${fmtP(f.peerP)}`)
        .join(", ")} (Poisson–log-normal tail, Bonferroni over ${campaigns.length} campaigns)`,
      metric: "campaign_peer_p",
      measures: [MEASURE.sent, MEASURE.policyBouncedMessage],
      test: "Poisson–log-normal tail against the between-campaign spread",
      p: flagged[0].peerP,
    });
  evidence.push({
    text: `The flagged campaigns hold ${union.crude.a} of ${totalPolicy} policy bounces with ${Math.round((100 * union.crude.n1) / Math.max(1, context.totalSent))} % of the sends`,
    metric: "policy_bounce_share_flagged_campaigns",
    measures: [MEASURE.sent, MEASURE.policyBouncedMessage],
    value: round4(union.crude.a / Math.max(1, totalPolicy)),
    baseline: round4(union.crude.n1 / Math.max(1, context.totalSent)),
  });
  const explained = messageEvidence(context, [...names]);
  evidence.push(...explained.evidence);
  const base = contrastConfidence({ ratio: union, excess: excessOf(union), totalPolicy });
  // The messages were inspected and show nothing the clean campaigns lack: weak evidence for content.
  const noDifference = explained.inspected && !explained.difference;
  const confidence = Math.min(
    1,
    Math.round((noDifference ? base * NO_DIFFERENCE_WEIGHT : base + (explained.explains ? 0.1 : 0)) * 100) /
      100,
  );
  if (explainedBy.length) {
    evidence.push({
      text: `Not counted: ${explainedBy.join(", ")} — no worse than the other mail sent in that window`,
    });
  }
  return {
    id: "content",
    title: TITLE,
    confidence,
    passed: confidence >= PASS_THRESHOLD,
    subjects: [...names],
    evidence,
    actions: contentActions(context, [...names], explained.fixes),
    rulesOut: [],
    against: confidence >= PASS_THRESHOLD ? undefined : "Campaign differences are within normal variation",
  };
}

/** The campaign against the others, within engagement group × sending IP (a bad IP is not a bad campaign). */
function byEngagement(cells: readonly SendCell[], inSegment: (cell: SendCell) => boolean): StratifiedRatio {
  return mantelHaenszel(
    [...groupBy(cells, (c) => `${c.dormant}|${c.ip}`).values()].map((group) => splitCells(group, inSegment)),
  );
}

const gated = (ratio: StratifiedRatio): boolean =>
  ratio.crude.a >= MIN_EVENTS && ratio.p <= MAX_P && ratio.low >= MIN_RATIO_LOW;

/**
 * Another cause's window that explains a campaign's excess, or null. (1) Without the policy bounces that
 * followed a rate-limit deferral of the same message, the campaign no longer stands out; (2) the campaign
 * was sent mostly inside another cause's window (rate-limit pressure, blocklist or authentication bounces)
 * and is no worse than the other mail sent on those days.
 */
function explainingWindow(
  context: DiagnoseContext,
  windows: readonly CauseWindow[],
  campaign: string,
  cells: readonly SendCell[],
): string | null {
  const all = context.facts.cells;
  if (all.some((c) => c.policyRateDeferred > 0)) {
    const unlinked = all.map((c) => ({ ...c, policy: c.policy - c.policyRateDeferred }));
    if (!gated(byEngagement(unlinked, (c) => c.campaign === campaign))) {
      return "its extra bounces followed rate-limit deferrals";
    }
  }
  const sent = sum(cells, "sent");
  const share = (days: ReadonlySet<string>) =>
    cells.filter((c) => days.has(c.day)).reduce((s, c) => s + c.sent, 0) / Math.max(1, sent);
  for (const window of windows) {
    // Compared with the mail of the window's core days (the days of the other cause's own signal) when the
    // campaign went out on them, else with the mail of the whole window.
    const days = share(window.core) >= MAX_SPIKE_SHARE ? window.core : window.days;
    if (share(days) < MAX_SPIKE_SHARE) continue;
    const there = all.filter((c) => days.has(c.day));
    if (!gated(byEngagement(there, (c) => c.campaign === campaign))) return `inside ${window.label}`;
  }
  return null;
}

/**
 * The campaigns whose inspected messages (--messages) carry a feature known to draw filtering — a URL
 * shortener, a link domain on a blocklist, a critical or high finding of the forensics engine — when
 * those campaigns together bounce more than the campaigns without it (within engagement group × IP, the
 * usual gate at MAX_P over the number of features tested). Grouping by what the messages carry is a
 * hypothesis fixed before looking at the bounces, so it is not penalised by the number of campaigns the
 * way the search for one stand-out campaign is: two campaigns with bit.ly links, each too small to clear
 * the per-campaign Bonferroni bar, clear it together. Null when no group passes (the strongest otherwise).
 */
interface FeatureGroup {
  label: string;
  campaigns: Set<string>;
  ratio: StratifiedRatio;
}

function featureGroup(
  context: DiagnoseContext,
  campaigns: readonly (readonly [string, SendCell[]])[],
): FeatureGroup | null {
  const messages = context.messages;
  if (!messages) return null;
  const inspected = campaigns.map(([name]) => messages.get(name)).filter((m) => m !== undefined);
  const groups = new Map<string, Set<string>>();
  const add = (label: string, campaign: string) => {
    const group = groups.get(label) ?? new Set<string>();
    group.add(campaign);
    groups.set(label, group);
  };
  for (const m of inspected) {
    for (const d of m.shorteners) add(`the shortener ${d}`, m.campaign);
    for (const d of m.listedDomains) add(`the listed domain ${d}`, m.campaign);
    for (const f of m.findings)
      if (f.severity === "critical" || f.severity === "high") add(`"${f.title}" (${f.id})`, m.campaign);
  }
  const candidates = [...groups].filter(([, group]) => group.size < inspected.length);
  const tested = candidates
    .map(([label, group]) => ({
      label,
      campaigns: group,
      ratio: byEngagement(context.facts.cells, (c) => group.has(c.campaign)),
    }))
    .filter(
      (g) =>
        g.ratio.crude.a >= MIN_EVENTS &&
        g.ratio.p <= MAX_P / candidates.length &&
        g.ratio.low >= MIN_RATIO_LOW,
    )
    .sort((x, y) => x.ratio.p - y.ratio.p || (x.label < y.label ? -1 : 1));
  return tested[0] ?? null;
}

const sum = (cells: readonly SendCell[], key: "sent" | "policy"): number =>
  cells.reduce((total, cell) => total + cell[key], 0);

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

function worseThanSpikePeers(cells: readonly SendCell[], campaign: string, spikeDays: Set<string>): boolean {
  const peers = new Set(
    cells.filter((c) => spikeDays.has(c.day) && c.campaign !== campaign).map((c) => c.campaign),
  );
  peers.delete("(none)");
  if (peers.size < MIN_SPIKE_PEERS) return false;
  const ratio = byEngagement(
    cells.filter((c) => spikeDays.has(c.day)),
    (c) => c.campaign === campaign,
  );
  return ratio.crude.a >= MIN_EVENTS && ratio.p <= MAX_P && ratio.low >= MIN_RATIO_LOW;
}
