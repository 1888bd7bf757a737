import type { Store } from "../store/index.ts";
import { reportCounts } from "../store/index.ts";
import { addDays } from "../util/dates.ts";
import { type AuthEvidence, authenticationEvidence } from "./evidence.ts";
import { type DmarcSummary, summarizeReports } from "./summary.ts";

/**
 * What the stored DMARC aggregate and TLS reports add to a diagnosis: the reading over its window (for
 * the HTML report's section and `diagnose --json`'s `dmarc`) and the authentication evidence for the
 * provider's sending IPs over the episodes (± 1 day), or the whole window without episodes. Null when
 * no report is stored: the diagnosis is then unchanged.
 */
export async function reportsForDiagnosis(
  store: Store,
  options: {
    window: { from: string | null; to: string | null };
    episodes: readonly { start: string; end: string }[];
    ips: readonly string[];
    label: string;
  },
): Promise<{ summary: DmarcSummary; evidence: AuthEvidence[] } | null> {
  const stored = await reportCounts(store, {});
  if (stored.aggregate === 0 && stored.tls === 0) return null;
  const window = { from: options.window.from ?? undefined, to: options.window.to ?? undefined };
  const summary = await summarizeReports(store, window);
  const starts = options.episodes.map((e) => e.start).sort();
  const ends = options.episodes.map((e) => e.end).sort();
  const from = starts.length > 0 ? addDays(starts[0], -1) : options.window.from;
  const to = ends.length > 0 ? addDays(ends[ends.length - 1], 1) : options.window.to;
  const evidence =
    from && to
      ? await authenticationEvidence(store, { ips: options.ips, from, to, label: options.label })
      : [];
  return { summary, evidence };
}
