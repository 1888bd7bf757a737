import type { Command } from "commander";
import { registerAudit } from "./audit.ts";
import { registerClassify } from "./classify.ts";
import { registerDemo } from "./demo.ts";
import { registerDiagnose } from "./diagnose.ts";
import { registerDmarc } from "./dmarc.ts";
import { registerFormats } from "./formats.ts";
import { registerHygiene } from "./hygiene.ts";
import { registerIngest } from "./ingest.ts";
import { registerInspect } from "./inspect.ts";
import { registerPlan } from "./plan.ts";
import { registerQuarantine } from "./quarantine.ts";
import { registerSeeds } from "./seeds.ts";
import { registerServe } from "./serve.ts";
import { registerStats } from "./stats.ts";

/**
 * Every command declares its options in its own file and loads its implementation lazily inside its
 * action, so `classify` never pays for DuckDB or mailauth.
 */
export function registerAll(program: Command): void {
  for (const register of [
    registerClassify,
    registerFormats,
    registerIngest,
    registerQuarantine,
    registerStats,
    registerHygiene,
    registerDemo,
    registerInspect,
    registerAudit,
    registerDiagnose,
    registerPlan,
    registerDmarc,
    registerServe,
    registerSeeds,
  ]) {
    register(program);
  }
}
