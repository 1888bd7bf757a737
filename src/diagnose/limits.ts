import type { CauseId, DiagnoseContext } from "./types.ts";

/**
 * What the data cannot show (issue 10: "say what it cannot judge rather than guess"). MTA logs (PowerMTA
 * accounting, Postfix) carry no opens or clicks, Postfix no campaigns, some exports no sending IP: the
 * causes that need those fields are reported as not judged, with the reason, instead of scored on a
 * comparison that has nothing to compare.
 */
export interface Unjudged {
  /** The causes that cannot be assessed. */
  causes: CauseId[];
  /** What the data lacks and why it matters, for the reader. */
  reason: string;
}

export const NO_ENGAGEMENT =
  "The data carries no opens or clicks (MTA logs such as PowerMTA accounting or Postfix have none): recipients' engagement cannot be judged, so neither low engagement nor a spike's audience is assessed";
export const NO_CAMPAIGNS =
  "The data names no campaigns (no campaign, tag or X-Campaign-ID field): the content of particular campaigns cannot be compared";
export const NO_IPS =
  "The data names no sending IP or pool: one IP or pool cannot be compared with the others";

export function dataLimits(context: DiagnoseContext): Unjudged[] {
  const { cells, weeks } = context.facts;
  if (cells.length === 0) return [];
  const out: Unjudged[] = [];
  // Engagement is known when some message went to a recipient engaged in the window before it, or (when
  // the weekly series was loaded) when any human open or click was recorded at all.
  const engagement = cells.some((c) => !c.dormant && c.sent > 0) || (weeks ?? []).some((w) => w.engaged > 0);
  if (!engagement) out.push({ causes: ["low-engagement", "volume-spike"], reason: NO_ENGAGEMENT });
  if (cells.every((c) => c.campaign === "(none)")) out.push({ causes: ["content"], reason: NO_CAMPAIGNS });
  if (cells.every((c) => c.ip === "(unknown)" && c.pool === "(none)"))
    out.push({ causes: ["ip-reputation"], reason: NO_IPS });
  return out;
}
