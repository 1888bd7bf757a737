import { loadAppleEgress } from "../../analytics/stats/opens.ts";
import { PROVIDERS } from "../../bounce/vocabulary.ts";
import { latestEvent, loadTiers } from "../../diagnose/load-facts.ts";
import { PLAN_HEADER, planCsv, warmupPlan } from "../../diagnose/warmup.ts";
import { Store } from "../../store/index.ts";
import { DAY_MS, isCalendarDay } from "../../util/dates.ts";
import { checkOutput, type OutputOptions, SIGNATURES, writeOutput } from "../../util/output.ts";
import { EXIT, UsageError } from "../exit.ts";

export interface PlanOptions {
  db: string;
  provider: string;
  target: string;
  out?: string;
  start?: string;
  appleEgress?: string;
  force?: boolean;
}

/** `deliverlens plan`: the warm-up CSV to stdout or --out, a one-line summary on stderr. */
export async function runPlan(options: PlanOptions): Promise<number> {
  const target = Number(options.target);
  if (!Number.isInteger(target) || target <= 0)
    throw new UsageError("--target must be a positive whole number of messages per day");
  if (!(PROVIDERS as readonly string[]).includes(options.provider)) {
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(", ")}`);
  }
  if (options.start && !isCalendarDay(options.start))
    throw new UsageError(`--start must be a date (YYYY-MM-DD): ${options.start}`);
  const output: OutputOptions = {
    option: "--out",
    protect: [options.db, ...(options.appleEgress ? [options.appleEgress] : [])],
    signature: SIGNATURES.csv(PLAN_HEADER),
    force: options.force,
  };
  if (options.out) checkOutput(options.out, output);
  const store = await Store.open(options.db, { readOnly: true });
  try {
    const opens = await loadAppleEgress(store, options.appleEgress ?? null);
    const tiers = await loadTiers(store, options.provider, opens);
    const start = options.start ?? nextDay(await latestEvent(store));
    const plan = warmupPlan(options.provider, target, tiers, start);
    const csv = planCsv(plan);
    if (options.out) await writeOutput(options.out, csv, output);
    else process.stdout.write(csv);
    const capped =
      plan.eligible < target
        ? `; capped at the ${plan.eligible} recipients engaged in the last 180 days`
        : "";
    process.stderr.write(
      `Warm-up for ${options.provider}: ${plan.days} days from ${start} to ${Math.min(target, plan.eligible)}/day, ×${plan.growth}/day (${plan.source})${capped}${options.out ? `; written to ${options.out}` : ""}\n`,
    );
    return EXIT.ok;
  } finally {
    store.close();
  }
}

function nextDay(iso: string | null): string {
  return new Date((iso ? Date.parse(iso) : Date.now()) + DAY_MS).toISOString().slice(0, 10);
}
