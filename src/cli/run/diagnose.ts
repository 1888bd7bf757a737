import { type DiagnoseOptions, diagnoseStore, outputFor } from "../../diagnose/diagnose-store.ts";
import { renderTerminal } from "../../report/diagnose-terminal.ts";
import { renderHtml } from "../../report/html.ts";
import { renderMarkdown } from "../../report/markdown.ts";
import { createProgress } from "../../report/progress.ts";
import { escapeLine } from "../../report/terminal.ts";
import { writeOutput } from "../../util/output.ts";
import { EXIT } from "../exit.ts";

/** `deliverlens diagnose`: diagnose, write the requested reports, print JSON or the terminal summary. */
export async function runDiagnose(options: DiagnoseOptions): Promise<number> {
  const progress = createProgress("diagnose", 4, "steps");
  const report = await diagnoseStore({ ...options, onStep: (done) => progress.tick(done) });
  progress.finish();
  for (const problem of report.problems) {
    process.stderr.write(
      `deliverlens diagnose: ${escapeLine(problem.source.file)}: ${escapeLine(problem.message)}\n`,
    );
  }
  if (options.md) await writeOutput(options.md, renderMarkdown(report), outputFor(options, "--md"));
  if (options.html) await writeOutput(options.html, renderHtml(report), outputFor(options, "--html"));
  process.stdout.write(
    options.json ? `${JSON.stringify(report, null, 2)}\n` : renderTerminal(report, options),
  );
  return EXIT.ok;
}
