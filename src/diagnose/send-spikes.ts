import { SPIKE_DEFAULTS } from "../analytics/stats/spikes.ts";
import { DAY_MS } from "../util/dates.ts";
import type { SendCell } from "./facts.ts";

/**
 * Send spikes (measure `send_spike`): ONE send — a campaign's messages on one day — far above the largest
 * send the program regularly makes. A day is the wrong unit for a program that sends several campaigns a
 * day (the engaged segment in the morning, the whole list in the afternoon): a reactivation campaign twice
 * the usual send can replace a day's usual sends without lifting the day above 1.5× a usual day, yet the
 * provider sees a burst twice anything it has seen from the sender in one go. So each send is judged
 * against the program's usual largest send: the second-largest send of the trailing `windowDays` (its
 * biggest regular send — the whole list, however many smaller segment sends surround it — while one earlier
 * spike in the window does not raise the reference), exceeded by the factor `minRatio`, with at least
 * `minVolume` messages and `minHistoryDays` of history: the thresholds (and sources) of the daily spike
 * (src/analytics/stats/spikes.ts). Mail without a campaign name is not a send that can be judged this way
 * (its day is, by measure `spike`).
 */
export interface SendSpike {
  campaign: string;
  day: string;
  sent: number;
  /** The usual largest send it was judged against (second-largest send of the trailing window). */
  usual: number;
}

interface Send {
  campaign: string;
  day: string;
  n: number;
  sent: number;
}

const dayNumber = (day: string): number => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** The sends (campaign × day) of the cells, in day order; messages without a campaign left out. */
function sendsOf(cells: readonly SendCell[]): Send[] {
  const sends = new Map<string, Send>();
  for (const cell of cells) {
    if (cell.campaign === "(none)" || cell.sent === 0) continue;
    const key = `${cell.day}\u0000${cell.campaign}`;
    const send = sends.get(key);
    if (send) send.sent += cell.sent;
    else sends.set(key, { campaign: cell.campaign, day: cell.day, n: dayNumber(cell.day), sent: cell.sent });
  }
  return [...sends.values()].sort((x, y) => x.n - y.n || (x.campaign < y.campaign ? -1 : 1));
}

export function findSendSpikes(cells: readonly SendCell[], options = SPIKE_DEFAULTS): SendSpike[] {
  const sends = sendsOf(cells);
  if (sends.length === 0) return [];
  const first = Math.min(...cells.map((c) => dayNumber(c.day)));
  const spikes: SendSpike[] = [];
  for (const send of sends) {
    if (send.n - first < options.minHistoryDays || send.sent < options.minVolume) continue;
    const sizes = sends
      .filter((s) => s.n < send.n && s.n >= send.n - options.windowDays)
      .map((s) => s.sent)
      .sort((x, y) => y - x);
    if (sizes.length < 2) continue;
    const usual = sizes[1];
    if (send.sent >= options.minRatio * usual)
      spikes.push({ campaign: send.campaign, day: send.day, sent: send.sent, usual });
  }
  return spikes;
}
