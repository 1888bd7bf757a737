/**
 * `npm start`: the whole story on a fresh machine after `npm ci` — generate the demo sending program
 * (src/demo/), ingest it into ./deliverlens.duckdb, diagnose Apple's policy bounces offline with the
 * campaign messages, write ./deliverlens-report.html and print the summary. Re-running is safe: ingest
 * adds nothing for events already stored.
 */

import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ingestFile } from "../src/analytics/ingest/ingest.ts";
import { writeCampaignMessages, writeProgramFiles } from "../src/demo/files.ts";
import { programOptions } from "../src/demo/options.ts";
import { planProgram } from "../src/demo/program.ts";
import { diagnoseStore } from "../src/diagnose/diagnose-store.ts";
import { renderTerminal } from "../src/report/diagnose-terminal.ts";
import { renderHtml } from "../src/report/html.ts";
import { createProgress } from "../src/report/progress.ts";
import { Store } from "../src/store/index.ts";

const DB = "deliverlens.duckdb";
const OUT = "deliverlens-demo";
const REPORT = "deliverlens-report.html";
/** Sized to finish in well under a minute on two cores while keeping Apple's episodes clear. */
const DEMO = { days: 120, recipients: 20_000, seed: 1 };

const log = (line: string) => process.stderr.write(`${line}\n`);
const started = performance.now();

const program = planProgram(programOptions(DEMO));
log(
  `1/4 generating a ${DEMO.days}-day program for ${DEMO.recipients.toLocaleString("en-US")} recipients in ${OUT}/`,
);
const written = await writeProgramFiles(program, OUT, "by-stream");
const messages = join(OUT, "messages");
await writeCampaignMessages(program.campaigns, messages, program.options.start);

log(`2/4 ingesting ${written.records.toLocaleString("en-US")} events into ${DB}`);
const store = await Store.open(DB);
try {
  const progress = createProgress("ingest", written.records, "records");
  let done = 0;
  for (const file of written.files) {
    const summary = await ingestFile(store, file, { onProgress: (n) => progress.tick(done + n) });
    done += summary.read;
  }
  progress.finish();
} finally {
  store.close();
}

log("3/4 diagnosing Apple's policy bounces (offline, with the campaign messages)");
const report = await diagnoseStore({ db: DB, provider: "apple", offline: true, messages, redact: true });
await writeFile(REPORT, renderHtml(report));

log(`4/4 report written: ${resolve(REPORT)}\n`);
process.stdout.write(renderTerminal(report, { html: REPORT }));
log(
  `\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s. Open ${REPORT} in a browser (it works offline).`,
);
