import { existsSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { ingestFile } from "../../analytics/ingest/ingest.ts";
import { computeStats } from "../../analytics/stats/report.ts";
import { writeCampaignMessages, writeProgramFiles } from "../../demo/files.ts";
import { programOptions } from "../../demo/options.ts";
import { planProgram } from "../../demo/program.ts";
import { createProgress } from "../../report/progress.ts";
import { renderStats } from "../../report/stats-terminal.ts";
import { escapeTerminal } from "../../report/terminal.ts";
import { Store } from "../../store/index.ts";
import { EXIT, UsageError } from "../exit.ts";

export interface DemoCliOptions {
  db: string;
  out: string;
  days: string;
  recipients: string;
  seed: string;
  replace?: boolean;
  json?: boolean;
}

/** `deliverlens demo`: generate a program in real formats, ingest it, print its stats. */
export async function runDemo(options: DemoCliOptions): Promise<number> {
  const days = whole("--days", options.days, 28, 3650);
  const recipients = whole("--recipients", options.recipients, 100, 10_000_000);
  const seed = whole("--seed", options.seed, 0, 2 ** 32 - 1);
  if (existsSync(options.db)) {
    if (!options.replace)
      throw new UsageError(`${options.db} already exists; pass --replace or another --db`);
    await rm(options.db, { force: true });
    await rm(`${options.db}.wal`, { force: true });
  }
  const program = planProgram(programOptions({ days, recipients, seed }));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `generating ${days} days for ${recipients.toLocaleString("en-US")} recipients (seed ${seed}) in ${escapeTerminal(options.out)}`,
  );
  const written = await writeProgramFiles(program, options.out, "by-stream");
  const messages = await writeCampaignMessages(
    program.campaigns,
    join(options.out, "messages"),
    program.options.start,
  );
  log(`wrote ${written.records.toLocaleString("en-US")} events and ${messages.length} campaign messages`);
  const store = await Store.open(options.db);
  try {
    const sizes = written.files.map((file) => statSync(file).size);
    const progress = createProgress("ingest", Math.round(sizes.reduce((a, b) => a + b, 0) / 1024), "KB");
    for (const [index, file] of written.files.entries()) {
      const before = sizes.slice(0, index).reduce((a, b) => a + b, 0);
      await ingestFile(store, file, {
        onProgress: (bytes) => progress.tick(Math.round((before + bytes) / 1024)),
        // The program's days are made up (from 2026-03-02, up to ten years): it is ingested as of its end.
        now: () => written.latest,
      });
    }
    progress.finish();
    const report = await computeStats(store, {});
    process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderStats(report));
  } finally {
    store.close();
  }
  log(
    `store: ${escapeTerminal(options.db)}; messages for \`diagnose --messages\`: ${escapeTerminal(join(options.out, "messages"))}`,
  );
  return EXIT.ok;
}

function whole(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number in ${min}..${max}: ${value}`);
  return n;
}
