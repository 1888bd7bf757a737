import net from "node:net";
import type { ParseProblem } from "../../events/event.ts";
import { notAnEmail } from "../../forensics/email-shape.ts";
import { INSPECT_SCHEMA_VERSION, type InspectReport, inspectMessage } from "../../forensics/inspect.ts";
import { inspectDns } from "../../forensics/inspect-dns.ts";
import { renderReport } from "../../report/inspect-terminal.ts";
import { createProgress } from "../../report/progress.ts";
import { escapeLine } from "../../report/terminal.ts";
import { readBounded } from "../../util/read-bounded.ts";
import { describeError } from "../../util/walk.ts";
import { EXIT, UsageError } from "../exit.ts";

export interface InspectCliOptions {
  json?: boolean;
  resolver?: string;
  ip?: string;
  mailFrom?: string;
  helo?: string;
  offline?: boolean;
}

/** `deliverlens inspect`: every readable file gets a report; unreadable ones become problems on stderr. */
export async function runInspect(files: string[], options: InspectCliOptions): Promise<number> {
  if (options.ip && net.isIP(options.ip) === 0)
    throw new UsageError(`--ip: "${options.ip}" is not an IP address`);
  const dns = options.offline ? null : await inspectDns(options.resolver ?? "system");
  const reports: { file: string; report: InspectReport }[] = [];
  const problems: ParseProblem[] = [];
  const progress = files.length > 1 ? createProgress("inspect", files.length, "messages") : null;
  for (const [index, file] of files.entries()) {
    try {
      const raw = await readBounded(file, "inspectBytes");
      const notEmail = notAnEmail(raw);
      if (notEmail) throw new Error(notEmail);
      const report = await inspectMessage(raw, {
        dns,
        ip: options.ip,
        mailFrom: options.mailFrom,
        helo: options.helo,
      });
      reports.push({ file, report });
    } catch (error) {
      problems.push({
        source: { file, line: null },
        message: describeError(error),
        failed: true,
      });
    }
    progress?.tick(index + 1);
  }
  progress?.finish();
  for (const problem of problems) {
    process.stderr.write(
      `deliverlens inspect: ${escapeLine(problem.source.file)}: ${escapeLine(problem.message)}\n`,
    );
  }
  if (options.json) {
    const body =
      reports.length === 1 && files.length === 1
        ? { file: reports[0].file, ...reports[0].report }
        : {
            schemaVersion: INSPECT_SCHEMA_VERSION,
            reports: reports.map(({ file, report }) => ({ file, ...report })),
            problems,
          };
    process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  } else {
    for (const { file, report } of reports) process.stdout.write(`${renderReport(file, report)}\n`);
  }
  // Any input not read (missing, over the size limit) makes the run exit 1, after the others are reported.
  return problems.length > 0 ? EXIT.failed : EXIT.ok;
}
