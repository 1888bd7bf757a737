import {
  EXPORT_HEADER,
  HYGIENE_DEFAULTS,
  HYGIENE_REASONS,
  type HygieneReason,
  hygiene,
} from "../../analytics/hygiene/hygiene.ts";
import { loadAppleEgress } from "../../analytics/stats/opens.ts";
import { PROVIDERS } from "../../bounce/vocabulary.ts";
import { ENGAGEMENT_WINDOW_DAYS } from "../../measures/index.ts";
import { escapeLine, paint } from "../../report/terminal.ts";
import { isCalendarDay } from "../../util/dates.ts";
import { checkOutput, SIGNATURES } from "../../util/output.ts";
import { EXIT, UsageError } from "../exit.ts";
import { openExisting } from "./stats.ts";

/**
 * The version of `hygiene --json`'s shape. It was the store's schema version up to store version 5 and is
 * frozen there: a store migration (seed tests, DMARC reports…) does not change this output (an interface).
 */
const HYGIENE_JSON_SCHEMA_VERSION = 5;

export interface HygieneCliOptions {
  db: string;
  export?: string;
  json?: boolean;
  dormantDays?: string;
  softBounceDays?: string;
  asOf?: string;
  force?: boolean;
  provider?: string;
  appleEgress?: string;
}

export async function runHygiene(options: HygieneCliOptions): Promise<number> {
  const dormantDays = wholeNumber("--dormant-days", options.dormantDays, HYGIENE_DEFAULTS.dormantDays);
  const softBounceDays = wholeNumber(
    "--soft-bounce-days",
    options.softBounceDays,
    HYGIENE_DEFAULTS.softBounceDays,
  );
  if (options.asOf && !isCalendarDay(options.asOf))
    throw new UsageError(`--as-of must be a date (YYYY-MM-DD): ${options.asOf}`);
  if (options.provider !== undefined && !(PROVIDERS as readonly string[]).includes(options.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(", ")}`);
  if (options.export) checkOutput(options.export, exportTarget(options.db, options.force));
  const store = await openExisting(options.db);
  try {
    const opens = await loadAppleEgress(store, options.appleEgress ?? null);
    const summary = await hygiene(
      store,
      { dormantDays, softBounceDays, asOf: options.asOf, provider: options.provider ?? null, opens },
      options.export ?? null,
      options.force ?? false,
    );
    if (options.json) {
      const out = {
        schemaVersion: HYGIENE_JSON_SCHEMA_VERSION,
        meta: { generatedAt: new Date().toISOString(), store: options.db },
        thresholds: { dormantDays, softBounceDays },
        exported: options.export ?? null,
        ...summary,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return EXIT.ok;
    }
    const n = (v: number) => v.toLocaleString("en-US");
    const lines = [
      `${paint("deliverlens hygiene", "bold")} as of ${summary.asOf ?? "—"}: ${n(summary.suppress)} of ${n(summary.recipients)} ${summary.provider ? `${escapeLine(summary.provider)} ` : ""}addresses to suppress or sunset (measure suppress${summary.provider ? "; = diagnose's suppression segment" : "; every provider — diagnose counts only its provider's, as --provider does"})`,
    ];
    for (const reason of Object.keys(HYGIENE_REASONS) as HygieneReason[]) {
      lines.push(
        `  ${reason.padEnd(22)} ${n(summary.byReason[reason]).padStart(10)}  (${n(summary.allReasons[reason])} with this reason)  ${paint(HYGIENE_REASONS[reason], "gray")}`,
      );
    }
    lines.push(
      `  ${n(summary.reengage)} more to re-engage first (last click or human open ${ENGAGEMENT_WINDOW_DAYS + 1}–${dormantDays} days ago; measure reengage)`,
    );
    if (options.export) lines.push(`suppression list (address,reason): ${escapeLine(options.export)}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    store.close();
  }
  return EXIT.ok;
}

function wholeNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number ≥ 1: ${value}`);
  return n;
}

function exportTarget(db: string, force = false) {
  return { option: "--export", protect: [db], signature: SIGNATURES.csv(EXPORT_HEADER), force };
}
