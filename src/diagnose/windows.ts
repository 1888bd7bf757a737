import { DAY_MS } from "../util/dates.ts";
import { unengagedWindow } from "./hypotheses/low-engagement.ts";
import { rateLimitWindow } from "./hypotheses/rate-limit.ts";
import { textFinding } from "./text-cause.ts";
import type { CauseId, DiagnoseContext } from "./types.ts";

/**
 * The periods other causes claim, so a campaign sent inside one is not taken for a content problem:
 * rate-limit pressure (days whose rate-limited share of messages stands out, and the days after), sends to
 * an unusually unengaged audience (and the days after), and the
 * span of bounces that cite a blocklist or an authentication failure (when that count passes its own gate).
 */
export interface CauseWindow {
  cause: CauseId;
  days: Set<string>;
  /** The days of the cause's own signal (rate-limit: the heavy days without the days after). */
  core: Set<string>;
  /** How the window was found, for the evidence text. */
  label: string;
}

function span(first: string, last: string): Set<string> {
  const days = new Set<string>();
  const end = Date.parse(`${last.slice(0, 10)}T00:00:00Z`);
  for (let t = Date.parse(`${first.slice(0, 10)}T00:00:00Z`); t <= end; t += DAY_MS) {
    days.add(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

export function causeWindows(context: DiagnoseContext): CauseWindow[] {
  const windows: CauseWindow[] = [];
  const rate = rateLimitWindow(context);
  if (rate) {
    windows.push({
      cause: "rate-limit",
      days: rate.affected,
      core: new Set(rate.heavy),
      label: `rate-limit deferrals (${rate.heavy.length} heavy days and the days after)`,
    });
  }
  const unengaged = unengagedWindow(context);
  if (unengaged) {
    windows.push({
      cause: "low-engagement",
      days: unengaged.affected,
      core: new Set(unengaged.days.map((d) => d.day)),
      label: `sends to an unusually unengaged audience (${unengaged.days
        .map((d) => d.day)
        .slice(0, 3)
        .join(", ")})`,
    });
  }
  for (const signal of ["blocklist", "authentication"] as const) {
    const found = textFinding(context, signal);
    if (found.confidence > 0 && found.firstSeen && found.lastSeen) {
      const days = span(found.firstSeen, found.lastSeen);
      windows.push({
        cause: signal,
        days,
        core: days,
        label: `bounces citing ${signal === "blocklist" ? "a blocklist" : "authentication"} (${found.firstSeen.slice(0, 10)}…${found.lastSeen.slice(0, 10)})`,
      });
    }
  }
  return windows;
}
