/**
 * Generalization on bounces that owe nothing to the Sisimai corpus, read by deliverlens and by Sisimai's Perl
 * edition (Debian's libsisimai-perl), each scored against a truth neither reader wrote:
 * - test/fixtures/independent-bounces/: each a reply a provider documents (Gmail, Exchange Online, Outlook.com,
 *   Yahoo, Mimecast) or an MTA's own text, carried in one MTA's documented bounce layout (Postfix, Exim,
 *   Sendmail, qmail, OpenSMTPD, Exchange Online, Gmail, Mimecast, a Sieve reject). Both sources are cited in the
 *   fixture's X-Fixture-* fields; expected.json holds the failed recipient and the reason the documentation gives
 *   (null where it names none). Written by the review lane without reading src/.
 * - test/fixtures/baunsu/: the 15 real emails of baunsu's tests (2012; MIT), 13 bounces and two mails that are
 *   none, with the recipient each report names and the reason its reply's words or provider give (review lane).
 * - test/fixtures/mta-made/: 1,834 bounces Debian's Postfix 3.7.11, Exim 4.96, OpenSMTPD 6.8.0p2, Sendmail 8.17.1.9, Courier 1.0.16, dma 0.13
 *   and nullmailer 2.2 wrote on loopback for failures set up
 *   on purpose (sessions 35-42, review lane), the failure as the truth; a success report and delay warnings are no failure.
 * - `--flufl [dir]`: the real bounces Mailman's developers collected (flufl.bounce's tests/data, 2000–2020, LGPL-3;
 *   Debian's python3-flufl.bounce installs them, read in place) and their curated failed addresses (testing/
 *   helpers.py DATA): recipients are scored against that list; reasons only against Perl's (flufl labels none).
 *   The list is Mailman's: the address the list holds (Original-Recipient where a DSN gives one), and none for a
 *   spam rejection, an auto-reply or a file it cannot read — those files (and the ones DATA omits) are counted
 *   apart, never as misses.
 * - `--bounceparser dir`: the real bounces of Perl's Mail::DeliveryStatus::BounceParser (t/corpus, 2003–2011;
 *   Perl's license), read in place from its source (`apt-get source libmail-deliverystatus-bounceparser-perl`),
 *   scored against what BounceParser's own tests expect (test/fixtures/bounceparser/expected.json): whether the
 *   file is a failure report (a record that is no auto-reply), the failed addresses where a test lists them, and
 *   its coarse reason class (user_unknown, over_quota, domain_error, spam) as the deliverlens reasons it covers.
 * A recipient is right when a file's failed records (a delayed one is none) name exactly the expected addresses (any case). Not in `npm test`
 * (Perl, and flufl's or BounceParser's data when asked):
 *   node bench/independent-bounces.ts [--flufl [dir]] [--bounceparser dir] [--list]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readEmail } from "../src/bounce/email/index.ts";
import { perlSisimaiRecords } from "./perl-sisimai.ts";

const FIXTURES = new URL("../test/fixtures/", import.meta.url).pathname;
const FLUFL = "/usr/lib/python3/dist-packages/flufl/bounce";

const { values } = parseArgs({
  options: {
    flufl: { type: "string" },
    bounceparser: { type: "string" },
    list: { type: "boolean", default: false },
  },
  allowPositionals: true,
  strict: false,
});

interface Case {
  name: string;
  raw: Buffer;
  /** null: no truth to score (flufl lists none, or omits the file). */
  recipients: string[] | null;
  /** The reasons that are right (the documented one, or those a truth's coarse class covers); null: none named. */
  reasons: string[] | null;
  /** Whether the file is a failure report: a record that is no auto-reply's (undefined: not scored). */
  bounce?: boolean;
}

interface Reading {
  recipient: string | null;
  reason: string;
  /** The report's RFC 3464 Action for this recipient (failed, delayed, delivered…), null when it gives none. */
  action?: string | null;
}

function fixtureCases(folder: string): Case[] {
  const dir = join(FIXTURES, folder);
  const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<
    string,
    { recipients: string[] | null; reason?: string | null; reasons?: string[] | null; bounce?: boolean }
  >;
  return Object.entries(expected).map(([name, want]) => ({
    name,
    raw: readFileSync(join(dir, name)),
    recipients: want.recipients,
    reasons: want.reasons ?? (want.reason ? [want.reason] : null),
    bounce: want.bounce,
  }));
}

/** BounceParser's corpus files that its tests judge (the Debian source drops two: those are skipped). */
function bounceParserCases(corpus: string): Case[] {
  const expected = JSON.parse(
    readFileSync(join(FIXTURES, "bounceparser", "expected.json"), "utf8"),
  ) as Record<string, { bounce: boolean | null; recipients: string[] | null; reasons: string[] | null }>;
  return Object.entries(expected)
    .filter(([name]) => existsSync(join(corpus, name)))
    .map(([name, want]) => ({
      name,
      raw: readFileSync(join(corpus, name)),
      recipients: want.recipients,
      reasons: want.reasons,
      bounce: want.bounce ?? undefined,
    }));
}

/** flufl's DATA rows: ('detector', 'file.txt', [b'addr', …]) with an optional 4th field (a warning). */
function fluflCases(root: string): Case[] {
  const helpers = readFileSync(join(root, "testing", "helpers.py"), "utf8");
  const data = helpers.slice(helpers.indexOf("DATA = ("));
  const truth = new Map<string, Set<string>>();
  for (const row of data.matchAll(/\(\s*'\w+',\s*'([\w.]+)',\s*\[([^\]]*)\]/g)) {
    const addresses = [...row[2].matchAll(/b'([^']+)'/g)].map((match) => match[1].toLowerCase());
    // A file listed by two detectors (groupwise_02: none for one, one address for the other): the union.
    truth.set(row[1], new Set([...(truth.get(row[1]) ?? []), ...addresses]));
  }
  const dir = join(root, "tests", "data");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".txt"))
    .sort()
    .map((file) => {
      const addresses = [...(truth.get(file) ?? [])];
      return {
        name: file,
        raw: readFileSync(join(dir, file)),
        recipients: addresses.length > 0 ? addresses : null,
        reasons: null,
      };
    });
}

const readingsOf = (raw: Buffer, name: string): Reading[] => {
  const reading = readEmail(raw, name);
  return reading.records.map((record, index) => ({
    recipient: record.recipient,
    reason: record.reason,
    action: reading.actions[index] ?? null,
  }));
};

/**
 * A report's failed recipients as ours says them: its records but a delay warning's (RFC 3464 Action delayed: still
 * being retried). Sisimai's records are scored whole, as before: its Action is the report's word, which it passes on
 * unread (OpenSMTPD's "Envelope expired" under `delayed`), and its users read every record as a bounce.
 */
const failed = (readings: Reading[]): Reading[] => readings.filter((reading) => reading.action !== "delayed");

const sameRecipients = (readings: Reading[], want: string[]): boolean => {
  const got = new Set(readings.map((reading) => (reading.recipient ?? "").toLowerCase()));
  return got.size === want.length && want.every((address) => got.has(address.toLowerCase()));
};

const reasonOf = (readings: Reading[]): string =>
  [...new Set(readings.map((reading) => reading.reason))].join("+") || "-";

function perlReadings(cases: Case[]): Map<string, Reading[]> | null {
  const dir = mkdtempSync(join(tmpdir(), "independent-bounces-"));
  try {
    for (const one of cases) writeFileSync(join(dir, one.name), one.raw);
    return perlSisimaiRecords(dir);
  } catch {
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const percent = (part: number, whole: number) =>
  `${part}/${whole} = ${((100 * part) / Math.max(1, whole)).toFixed(1)} %`;

function report(title: string, cases: Case[]): void {
  const perl = perlReadings(cases);
  let recipientsOurs = 0;
  let recipientsPerl = 0;
  let reasonsOurs = 0;
  let reasonsPerl = 0;
  let withReason = 0;
  const bounces = { files: 0, ours: 0, perl: 0 };
  let bothFound = 0;
  let sameAsPerl = 0;
  const untruthed = { files: 0, ours: 0, perl: 0 };
  const lines: string[] = [];
  const shown = (readings: Reading[]) =>
    readings.map((reading) => `${reading.recipient ?? "-"}:${reading.reason}`).join(" ") || "(none)";
  for (const one of cases) {
    const ours = readingsOf(one.raw, one.name);
    const theirs = perl?.get(one.name) ?? [];
    if (ours.length > 0 && theirs.length > 0) {
      bothFound++;
      if (reasonOf(ours) === reasonOf(theirs)) sameAsPerl++;
    }
    // A failure report: a record that is no auto-reply, no delivery report and no delay warning (RFC 3464
    // Action delayed: the message is still being retried).
    const isFailure = (readings: Reading[]) =>
      readings.some(
        (reading) =>
          reading.reason !== "vacation" && reading.reason !== "delivered" && reading.action !== "delayed",
      );
    let bounceRight = true;
    if (one.bounce !== undefined) {
      bounces.files++;
      bounceRight = isFailure(ours) === one.bounce;
      if (bounceRight) bounces.ours++;
      if (isFailure(theirs) === one.bounce) bounces.perl++;
    }
    const { reasons } = one;
    const reasonIn = (readings: Reading[]) =>
      readings.length > 0 && readings.every((reading) => reasons?.includes(reading.reason));
    let reasonRight = true;
    if (reasons !== null) {
      withReason++;
      reasonRight = reasonIn(failed(ours));
      if (reasonRight) reasonsOurs++;
      if (reasonIn(theirs)) reasonsPerl++;
    }
    const want = `${one.bounce === false ? "(no failure record)" : one.recipients?.join(",") || (one.recipients ? "(no record)" : "?")}${reasons ? `:${reasons.join("|")}` : ""}`;
    const line = (right: boolean) =>
      `  ${right ? "ok  " : "MISS"} ${one.name}: want ${want} | ours ${shown(ours)} | Perl ${perl ? shown(theirs) : "n/a"}`;
    if (one.recipients === null) {
      untruthed.files++;
      if (ours.length > 0) untruthed.ours++;
      if (theirs.length > 0) untruthed.perl++;
      if (values.list || !bounceRight || !reasonRight) lines.push(line(bounceRight && reasonRight));
      continue;
    }
    const oursRight = sameRecipients(failed(ours), one.recipients);
    const perlRight = sameRecipients(theirs, one.recipients);
    if (oursRight) recipientsOurs++;
    if (perlRight) recipientsPerl++;
    const right = oursRight && reasonRight && bounceRight;
    if (!right || values.list) lines.push(line(right));
  }
  const scored = cases.length - untruthed.files;
  console.log(`${title}: ${cases.length} files`);
  console.log(
    `  recipients exactly right: ours ${percent(recipientsOurs, scored)}; Perl ${perl ? percent(recipientsPerl, scored) : "n/a (perl -MSisimai failed)"}`,
  );
  if (untruthed.files > 0)
    console.log(
      `  files with no address to score (not counted above): ${untruthed.files}; with records: ours ${untruthed.ours}, Perl ${perl ? untruthed.perl : "n/a"} (--list shows them)`,
    );
  if (bounces.files > 0)
    console.log(
      `  failure report or not, as the truth says: ours ${percent(bounces.ours, bounces.files)}; Perl ${perl ? percent(bounces.perl, bounces.files) : "n/a"}`,
    );
  if (withReason > 0)
    console.log(
      `  documented reason: ours ${percent(reasonsOurs, withReason)}; Perl ${perl ? percent(reasonsPerl, withReason) : "n/a"}`,
    );
  if (perl) console.log(`  same reason as Perl where both read the file: ${percent(sameAsPerl, bothFound)}`);
  for (const line of lines) console.log(line);
}

report("documented replies in documented layouts", fixtureCases("independent-bounces"));
report("baunsu's real emails", fixtureCases("baunsu"));
report("bounces real MTAs made (Postfix 3.7.11)", fixtureCases("mta-made/postfix"));
report("bounces real MTAs made (Exim 4.96)", fixtureCases("mta-made/exim"));
report("bounces real MTAs made (OpenSMTPD 6.8.0p2)", fixtureCases("mta-made/opensmtpd"));
report("bounces real MTAs made (Sendmail 8.17.1.9)", fixtureCases("mta-made/sendmail"));
report("bounces real MTAs made (Courier 1.0.16)", fixtureCases("mta-made/courier"));
report("bounces real MTAs made (dma 0.13)", fixtureCases("mta-made/dma"));
report("bounces real MTAs made (nullmailer 2.2)", fixtureCases("mta-made/nullmailer"));
report("bounces real MTAs made (Dovecot 2.3.19 LDA)", fixtureCases("mta-made/dovecot"));
if (values.flufl !== undefined) {
  const root = typeof values.flufl === "string" && values.flufl !== "" ? values.flufl : FLUFL;
  if (!existsSync(join(root, "testing", "helpers.py"))) {
    console.error(
      `--flufl: no ${join(root, "testing", "helpers.py")} (apt-get install python3-flufl.bounce)`,
    );
    process.exit(2);
  }
  report("flufl.bounce's real bounces (Mailman)", fluflCases(root));
}
if (values.bounceparser !== undefined) {
  const corpus = typeof values.bounceparser === "string" ? join(values.bounceparser, "t", "corpus") : "";
  if (!existsSync(corpus)) {
    console.error(
      "--bounceparser DIR: DIR is the unpacked source of Mail::DeliveryStatus::BounceParser (its t/corpus is read)",
    );
    process.exit(2);
  }
  report("Mail::DeliveryStatus::BounceParser's real bounces", bounceParserCases(corpus));
}
