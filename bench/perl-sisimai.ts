/**
 * Sisimai's Perl edition (Debian's libsisimai-perl: `perl -MSisimai`) over a directory of bounce emails, in one
 * run: per file name, its records' recipient, reason (renamed to Sisimai 5.6's names), RFC 3464 Action and diagnostic code. For the benches
 * that compare with it; not in `npm test`.
 */
import { execFileSync } from "node:child_process";
import { reasonName } from "./go-facts-source.ts";

export interface PerlRecord {
  recipient: string;
  reason: string;
  /** The report's Action (failed, delayed, delivered…), "" when Sisimai has none. */
  action?: string;
  /** Sisimai's diagnosticcode (its whitespace squeezed), "" when it has none. */
  diagnostic?: string;
}

export function perlSisimaiRecords(dir: string): Map<string, PerlRecord[]> {
  const out = execFileSync(
    "perl",
    [
      "-MSisimai",
      "-e",
      'my $d = Sisimai->make($ARGV[0], delivered => 1) || []; for my $r (@$d) { my $o = $r->origin; $o =~ s{.*/}{}; print join("\\t", $o, $r->recipient->address, $r->reason, $r->action // "", ($r->diagnosticcode // "") =~ s/\\s+/ /gr), "\\n" }',
      dir,
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const records = new Map<string, PerlRecord[]>();
  for (const line of out.split("\n")) {
    const [file, recipient, reason, action = "", diagnostic = ""] = line.split("\t");
    if (!file || reason === undefined) continue;
    records.set(file, [
      ...(records.get(file) ?? []),
      { recipient, reason: reasonName(reason), action, diagnostic },
    ]);
  }
  return records;
}
