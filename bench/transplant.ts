/**
 * Rewriting a real bounce from the Sisimai corpus so it reports another reply: for the benches that read the
 * same MTA sample with many replies (bench/sisimai-oracle.ts, bench/corpus-variants.ts). Not in `npm test`.
 */
import { recordsFromEmail } from "../src/bounce/email/index.ts";

/**
 * A sample of the MTA with its first recipient's diagnostic replaced by `message`: the lines of the sample
 * whose text (after a `Diagnostic-Code: x;` field name) is part of the diagnostic deliverlens read from it.
 * The first such line of each run gets the message, the others of the run are dropped. Null when the sample's
 * diagnostic is not found on its lines (a transcript we cannot rewrite this simply).
 */
export function inDialect(sample: string, message: string, status: string): string | null {
  // A local program's report (X-Unix) says another thing than an SMTP reply whatever its text.
  if (/^Diagnostic-Code:\s*x-unix/im.test(sample)) return null;
  const diagnostic = recordsFromEmail(Buffer.from(sample, "latin1"), "sample.eml").records[0]?.diagnostic;
  if (!diagnostic || diagnostic.length < 8) return null;
  const squeezed = diagnostic.replace(/\s+/g, " ");
  const lines = sample.split("\n");
  const out: string[] = [];
  let replaced = 0;
  let inRun = false;
  for (const line of lines) {
    // The report's status goes with its message (a sample's 5.1.1 would say more than the message does).
    // (Its comment too: Sun Messaging Server's "Status: 5.2.2 (Remote SMTP server has rejected address)".)
    if (/^Status:\s*[245]\.\d{1,3}\.\d{1,3}\b[^\n]*$/i.test(line)) {
      out.push(`Status: ${status}`);
      inRun = false;
      continue;
    }
    const field = /^(Diagnostic-Code:\s*[^;]*;\s*)(.*?)\r?$/i.exec(line);
    const [head, body] = field ? [field[1], field[2]] : [/^\s*/.exec(line)?.[0] ?? "", line.trim()];
    const part = body.replace(/\s+/g, " ").trim();
    // A multi-line reply's continuation ("550-5.1.1 …", Postfix's wrapped "5.7.1 …") is read without its code
    // and status.
    const text = part.replace(/^(?:[245]\d\d[- ])?(?:[245]\.\d{1,3}\.\d{1,3}\s)?/, "");
    if ((part.length >= 8 && squeezed.includes(part)) || (text.length >= 8 && squeezed.includes(text))) {
      if (!inRun) out.push(`${head}${message}`);
      inRun = true;
      replaced++;
      continue;
    }
    inRun = false;
    out.push(line);
  }
  return replaced > 0 ? out.join("\n") : null;
}
