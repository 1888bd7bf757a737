import { HYGIENE_DEFAULTS, hygiene } from "../analytics/hygiene/hygiene.ts";
import {
  ENGAGEMENT_WINDOW_DAYS,
  type OpenRules,
  SOURCE_AND_HEURISTIC,
  SUNSET_DAYS,
} from "../measures/index.ts";
import type { Store } from "../store/index.ts";
import type { OutputOptions } from "../util/output.ts";

/**
 * The suppression/sunset segment for one provider (docs/DIAGNOSE.md "Prescriptions"): measures `suppress`
 * and `reengage`, computed by `deliverlens hygiene` limited to the provider — so the diagnosis prescribes
 * exactly `deliverlens hygiene --provider P` (hygiene without --provider counts every provider's
 * addresses, hence a larger number). Reasons, strongest first: hard bounce, complaint, unsubscribe,
 * repeated soft bounces, typo or disposable domain, role account, dormant (known and without a click or
 * human open for SUNSET_DAYS).
 */
export { SUNSET_DAYS };
/** The re-engagement tier starts after the engagement window: last human engagement 91–180 days ago. */
export const REENGAGE_FROM_DAYS = ENGAGEMENT_WINDOW_DAYS;

export interface Segments {
  suppress: { reason: string; recipients: number }[];
  suppressTotal: number;
  reengage: number;
  /** The command that lists the same addresses (and, without --provider, every provider's). */
  command?: string;
}

/** The provider's segment counts; with `exportPath`, the CSV `address,reason` of the suppressed addresses. */
export async function segmentCounts(
  store: Store,
  provider: string,
  opens: OpenRules = SOURCE_AND_HEURISTIC,
  exportPath: string | null = null,
  output: OutputOptions | boolean = false,
  appleEgress: string | null = null,
  asOf: string | null = null,
): Promise<Segments> {
  const summary = await hygiene(store, { ...HYGIENE_DEFAULTS, provider, opens, asOf }, exportPath, output);
  const suppress = Object.entries(summary.byReason)
    .filter(([, n]) => n > 0)
    .map(([reason, recipients]) => ({ reason, recipients }));
  return {
    suppress,
    suppressTotal: summary.suppress,
    reengage: summary.reengage,
    command: `deliverlens hygiene --db ${store.path} --provider ${provider}${asOf ? ` --as-of ${asOf}` : ""}${appleEgress ? ` --apple-egress ${appleEgress}` : ""}`,
  };
}
