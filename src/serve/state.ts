import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { Alert } from "./alerts.ts";
import type { LiveEpisode, ProviderDiagnosis } from "./monitor.ts";
import { syncDirectory } from "./spool.ts";

/**
 * Detection state that must survive a restart (kill -9 included), so an ongoing episode is not alerted
 * again: the open episodes, the alerts' cooldown clock, open and recent alerts, deliveries not yet made,
 * the blocklist listings already alerted. One small JSON file next to the spool, replaced atomically
 * (written to a temporary file, fsynced, renamed over the old one, the directory fsynced): a crash leaves
 * the old file or the new one, never a torn one.
 */
export interface AlertsSnapshot {
  /** Key → when it was last raised (ms since the epoch): the cooldown. */
  lastRaised: [string, number][];
  open: Alert[];
  recent: Alert[];
  /** Alerts raised but not yet delivered to these sinks (by name): delivered after a restart. */
  undelivered: { alert: Alert; sinks: string[] }[];
}

export interface MonitorSnapshot {
  episodes: LiveEpisode[];
  /** Blocklist keys (`blocklist:TARGET:LIST`) alerted and not yet seen clear. */
  listed: string[];
  diagnoses: ProviderDiagnosis[];
}

export interface ServeState {
  version: 1;
  alerts: AlertsSnapshot;
  monitor: MonitorSnapshot;
}

export class StateFile {
  readonly path: string;
  private last = "";

  constructor(path: string) {
    this.path = path;
  }

  /** The saved state; null when there is none. A file that is not one is reported and ignored. */
  load(log?: (line: string) => void): ServeState | null {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        log?.(`detection state ${this.path} unreadable (${(error as Error).message}); starting afresh`);
      return null;
    }
    try {
      const state = parseState(JSON.parse(text));
      this.last = text;
      return state;
    } catch (error) {
      log?.(`detection state ${this.path} is not valid (${(error as Error).message}); starting afresh`);
      return null;
    }
  }

  /** Replaces the file atomically when the state changed; returns whether it wrote. */
  save(state: ServeState): boolean {
    const text = `${JSON.stringify(state)}\n`;
    if (text === this.last) return false;
    const temporary = `${this.path}.tmp`;
    const fd = openSync(temporary, "w");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
    syncDirectory(dirname(this.path));
    this.last = text;
    return true;
  }
}

function parseState(value: unknown): ServeState {
  const state = value as ServeState;
  if (state?.version !== 1) throw new Error("unknown version");
  const { alerts, monitor } = state;
  const arrays = [
    alerts?.lastRaised,
    alerts?.open,
    alerts?.recent,
    alerts?.undelivered,
    monitor?.episodes,
    monitor?.listed,
    monitor?.diagnoses,
  ];
  if (!arrays.every(Array.isArray)) throw new Error("missing fields");
  const alertShaped = (a: Alert) => typeof a?.key === "string" && typeof a?.id === "string";
  if (!alerts.lastRaised.every(([key, at]) => typeof key === "string" && Number.isFinite(at)))
    throw new Error("bad cooldown entry");
  if (![...alerts.open, ...alerts.recent, ...alerts.undelivered.map((u) => u.alert)].every(alertShaped))
    throw new Error("bad alert");
  if (!monitor.episodes.every((e) => typeof e?.provider === "string" && typeof e?.openedHour === "string"))
    throw new Error("bad episode");
  return state;
}
