/**
 * What the human-readable text of a bounce carries on its own: every corpus mail with a message/delivery-status
 * part is read again with that part's fields removed (as an MTA that writes no DSN fields, or a forwarder that
 * drops the part, would send it), and its records compared with the full mail's and with the corpus label.
 * This measures the plain-text readers (recipient lines, "said:" transcripts, family wording) on real notices
 * without holding any message out: a reader fitted to the DSN fields shows here.
 * With --vs-perl, Sisimai's Perl edition (Debian's libsisimai-perl) reads the same variants: the mails where it
 * keeps the label and we do not are gaps of ours in reading text; the reverse are its gaps.
 * With --mta-made, the same for the real MTAs' bounces of test/fixtures/mta-made (review's held-out sets, written by
 * Postfix, Exim, OpenSMTPD, Sendmail, Courier, nullmailer): each recipient's reason without the fields against its
 * reason with them, and against the set's truth (expected.json).
 * Not in `npm test` (--vs-perl needs Perl): node bench/stripped-reports.ts [--corpus <eml dir>] [--vs-perl] [--list]
 * [--mta-made]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { recordsFromEmail } from "../src/bounce/email/index.ts";
import { CORPUS_DIR, loadExpected } from "../testkit/bounce-corpus.ts";
import { perlSisimaiRecords } from "./perl-sisimai.ts";

const { values } = parseArgs({
  options: {
    corpus: { type: "string", default: join(CORPUS_DIR, "eml") },
    "vs-perl": { type: "boolean", default: false },
    list: { type: "boolean", default: false },
    "mta-made": { type: "boolean", default: false },
  },
});
const CORPUS = values.corpus as string;

/** The delivery-status part's own header block; its body runs to the next boundary line. */
const DSN_PART =
  /content-type:\s*message\/(?:global-)?delivery-status[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*(?:[A-Za-z-]+:[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*)*\r?\n/i;

/** The mail with its delivery-status fields removed, or null when it has no such part. */
function withoutDsnFields(text: string): string | null {
  const part = DSN_PART.exec(text);
  if (!part) return null;
  const start = part.index + part[0].length;
  const end = text.indexOf("\n--", start);
  if (end < 0) return null;
  return `${text.slice(0, start)}\n${text.slice(end)}`;
}

interface Reading {
  recipients: string;
  reason: string;
}

const readingOf = (records: { recipient: string | null; reason: string }[]): Reading => ({
  recipients: records.map((record) => String(record.recipient).toLowerCase()).join(","),
  reason: records[0]?.reason ?? "(none)",
});

const expected = loadExpected();
const variants: { name: string; text: string; full: Reading; stripped: Reading; label: string | null }[] = [];
for (const name of readdirSync(CORPUS).sort()) {
  const text = readFileSync(join(CORPUS, name), "latin1");
  const stripped = withoutDsnFields(text);
  if (stripped === null) continue;
  const label = expected.get(name)?.[0]?.reason ?? null;
  variants.push({
    name,
    text: stripped,
    full: readingOf(recordsFromEmail(Buffer.from(text, "latin1"), name).records),
    stripped: readingOf(recordsFromEmail(Buffer.from(stripped, "latin1"), name).records),
    label: label === "onhold" || label === "undefined" ? null : label,
  });
}

const labelled = variants.filter((v) => v.label !== null);
const count = (predicate: (v: (typeof variants)[number]) => boolean, among = variants) =>
  among.filter(predicate).length;
const percent = (part: number, whole: number) =>
  `${part}/${whole} = ${((100 * part) / Math.max(1, whole)).toFixed(1)} %`;

console.log(`mails with a delivery-status part: ${variants.length} (of ${readdirSync(CORPUS).length})`);
console.log(`  no record without the fields: ${count((v) => v.stripped.recipients === "")}`);
console.log(
  `  recipients as the full mail's: ${percent(
    count((v) => v.stripped.recipients === v.full.recipients),
    variants.length,
  )}`,
);
console.log(
  `  first reason = label (labels not onhold/undefined): ${percent(
    count((v) => v.stripped.reason === v.label, labelled),
    labelled.length,
  )}` + ` (full mails: ${count((v) => v.full.reason === v.label, labelled)})`,
);

let perlOf: Map<string, Reading> | null = null;
if (values["vs-perl"]) {
  const dir = mkdtempSync(join(tmpdir(), "stripped-reports-"));
  try {
    for (const v of variants) writeFileSync(join(dir, v.name), v.text, "latin1");
    const rows = perlSisimaiRecords(dir);
    perlOf = new Map([...rows].map(([file, records]) => [file, readingOf(records)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const perl = (v: (typeof variants)[number]) => perlOf?.get(v.name) ?? { recipients: "", reason: "(none)" };
  console.log("Sisimai (Perl), the same variants:");
  console.log(`  no record: ${count((v) => perl(v).recipients === "")}`);
  console.log(
    `  first reason = label: ${percent(
      count((v) => perl(v).reason === v.label, labelled),
      labelled.length,
    )}`,
  );
  const ours = labelled.filter((v) => perl(v).reason === v.label && v.stripped.reason !== v.label);
  const theirs = labelled.filter((v) => v.stripped.reason === v.label && perl(v).reason !== v.label);
  console.log(
    `  Perl keeps the label, we do not: ${ours.length}; we keep it, Perl does not: ${theirs.length}`,
  );
  for (const v of ours)
    console.log(
      `    ours ${v.name}: label ${v.label}, ours ${v.stripped.reason} [${v.stripped.recipients || "-"}]`,
    );
}

if (values.list) {
  console.log("variants whose reading differs from the full mail's:");
  for (const v of variants) {
    if (v.stripped.recipients === v.full.recipients && v.stripped.reason === v.full.reason) continue;
    const perl = perlOf?.get(v.name);
    console.log(
      `  ${v.name}: full ${v.full.reason} [${v.full.recipients}] -> ${v.stripped.reason} [${v.stripped.recipients || "-"}]` +
        (perl ? `; Perl ${perl.reason} [${perl.recipients || "-"}]` : ""),
    );
  }
}

if (values["mta-made"]) {
  // Per recipient: "recipient=reason", sorted, for the mail read whole and read without its fields.
  const perRecipient = (records: { recipient: string | null; reason: string }[]) =>
    records.map((record) => `${String(record.recipient).toLowerCase()}=${record.reason}`).sort();
  const root = join(import.meta.dirname, "../test/fixtures/mta-made");
  let mails = 0;
  let sameRecipients = 0;
  let sameReasons = 0;
  let recipients = 0;
  let inTruth = 0;
  const differing: string[] = [];
  for (const carrier of readdirSync(root).sort()) {
    let truth: Record<
      string,
      { bounce?: boolean; reasonsOf?: Record<string, string[]>; reasons?: string[] | null }
    >;
    try {
      truth = JSON.parse(readFileSync(join(root, carrier, "expected.json"), "utf8"));
    } catch {
      continue;
    }
    for (const name of Object.keys(truth).sort()) {
      const entry = truth[name];
      if (!entry.bounce || !name.endsWith(".eml")) continue;
      const text = readFileSync(join(root, carrier, name), "latin1");
      const stripped = withoutDsnFields(text);
      if (stripped === null) continue;
      mails++;
      const full = perRecipient(recordsFromEmail(Buffer.from(text, "latin1"), name).records);
      const bare = perRecipient(recordsFromEmail(Buffer.from(stripped, "latin1"), name).records);
      const names = (list: string[]) => list.map((item) => item.slice(0, item.lastIndexOf("="))).join(",");
      if (names(full) === names(bare)) sameRecipients++;
      if (full.join(",") === bare.join(",")) sameReasons++;
      else differing.push(`  ${carrier}/${name}: full ${full.join(",")} -> ${bare.join(",")}`);
      for (const item of bare) {
        const at = item.lastIndexOf("=");
        const wanted = entry.reasonsOf?.[item.slice(0, at)] ?? entry.reasons ?? [];
        recipients++;
        if (wanted.includes(item.slice(at + 1))) inTruth++;
      }
    }
  }
  console.log(`mta-made bounces with a delivery-status part: ${mails}`);
  console.log(`  recipients as the full mail's: ${percent(sameRecipients, mails)}`);
  console.log(`  every recipient's reason as the full mail's: ${percent(sameReasons, mails)}`);
  console.log(
    `  recipients read without the fields whose reason the truth lists: ${percent(inTruth, recipients)}`,
  );
  if (values.list) for (const line of differing) console.log(line);
}
