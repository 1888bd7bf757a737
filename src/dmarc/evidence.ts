import type { MeasureId } from "../measures/index.ts";
import type { Store } from "../store/index.ts";
import { dmarcSourceWindow } from "../store/index.ts";

/**
 * DMARC aggregate reports as evidence for diagnose's authentication cause: what receivers' reports say
 * about aligned DKIM (and DMARC) for the IPs that sent to the provider, over the days around an episode.
 * Empty when no report covers them: the reports are evidence, never a requirement.
 */

export interface AuthEvidence {
  text: string;
  metric: string;
  value: number;
  measures: MeasureId[];
}

/** Aligned-DKIM failure share at or above which the reports argue for an authentication problem. */
export const DKIM_FAILING_SHARE = 0.1;

export async function authenticationEvidence(
  store: Store,
  options: { ips: readonly string[]; from: string; to: string; label: string },
): Promise<AuthEvidence[]> {
  if (options.ips.length === 0) return [];
  const totals = await dmarcSourceWindow(store, options.ips, options.from, options.to);
  if (totals.messages === 0) return [];
  const dkimRate = totals.dkim_aligned / totals.messages;
  const failing = totals.messages - totals.dkim_aligned;
  const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
  const verdict =
    1 - dkimRate >= DKIM_FAILING_SHARE
      ? `aligned DKIM failed for ${failing.toLocaleString("en-US")} of them (${pct(1 - dkimRate)}): an authentication problem receivers saw`
      : "aligned DKIM passed: receivers did not see an authentication problem";
  return [
    {
      text: `DMARC aggregate reports (${totals.reporters} reporter(s), ${options.from} → ${options.to}) count ${totals.messages.toLocaleString("en-US")} messages from the IPs sending to ${options.label} (${options.ips.slice(0, 3).join(", ")}${options.ips.length > 3 ? ", …" : ""}); ${verdict}; DMARC pass ${pct(totals.dmarc_pass / totals.messages)}`,
      metric: "dmarc_aligned_dkim_fail_rate",
      value: 1 - dkimRate,
      measures: ["dmarc_aligned_dkim"],
    },
  ];
}
