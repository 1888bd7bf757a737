/**
 * A second oracle, independent of the corpus' labels: what Sisimai's Go edition states (bench/go-facts-source.ts)
 * placed in bounce emails, read by Sisimai's Perl edition (Debian's libsisimai-perl: `perl -MSisimai`) and by
 * deliverlens, and every disagreement listed (reason, recipient found).
 * - Every reason/rhost/lhost message in a plain RFC 3464 report (no MTA's marks: Sisimai's RFC3464 reader).
 * - Every reason/rhost reply in the bounce of each common MTA or provider (bench/oracle-carriers.ts: Postfix,
 *   Sendmail, Exim, qmail, Courier, Exchange, Office 365, OpenSMTPD, Gmail, Domino, GMX, Yahoo, Mail.ru,
 *   Outlook.com, AOL), so every dialect's reader is checked, not only the reply tables.
 * - Every lhost/via-*.go message in its own MTA's dialect: a sample of that MTA from the Sisimai corpus with
 *   its diagnostic replaced by the message (the corpus gives the envelope only, never a label).
 * The Go file's own label is the third vote: where Perl (an older Sisimai) lacks the file's reason, or the Go
 * file says what we say, the class is listed apart.
 * Not in `npm test` (it needs go-sisimai and Perl): node bench/sisimai-oracle.ts --sisimai <go-sisimai dir>
 *   [--corpus <sisimai corpus eml dir>] [--list] [--kind <kind>] (only the cases of that kind: rfc3464, dialect,
 *   in-postfix, … — a quicker run while working on one class) [--perl-cache <file>] (Perl's records of the
 *   cases by the md5 of each mail, read and extended by every run: an A/B of two trees runs Perl once, and
 *   again only on the mails the other tree writes differently)
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { recordsFromEmail } from "../src/bounce/email/index.ts";
import { type Fact, lhostFacts, reasonFacts, reasonName, rhostFacts } from "./go-facts-source.ts";
import { CARRIERS, DELAY_CARRIERS, reportParts } from "./oracle-carriers.ts";
import { type PerlRecord, perlSisimaiRecords } from "./perl-sisimai.ts";
import { inDialect } from "./transplant.ts";

const { values } = parseArgs({
  options: {
    sisimai: { type: "string" },
    corpus: { type: "string", default: "/work/shared/corpus/sisimai/eml" },
    list: { type: "boolean", default: false },
    kind: { type: "string" },
    "perl-cache": { type: "string" },
  },
});
if (!values.sisimai) {
  console.error(
    "usage: node bench/sisimai-oracle.ts --sisimai <go-sisimai checkout> [--corpus <eml dir>] [--list] [--kind <kind>] [--perl-cache <file>]",
  );
  process.exit(2);
}
const ROOT = values.sisimai;
const CORPUS = values.corpus as string;

/** Reasons Sisimai 4.25 (Debian's Perl edition) does not have: a Perl verdict cannot be one of them. */
const PERL_REASONS = new Set(
  readdirSync(
    execFileSync("perl", ["-MSisimai", "-e", "print $INC{'Sisimai.pm'} =~ s/\\.pm$/\\/Reason/r"], {
      encoding: "utf8",
    }),
  )
    .filter((name) => name.endsWith(".pm"))
    .map((name) => reasonName(name.slice(0, -3))),
);

interface Case {
  id: string;
  /** rfc3464, dialect (an lhost message in its MTA's sample), or `in-<family>` (a reply in that MTA's sample). */
  kind: string;
  /** A dialect case's corpus sample (its file name): compared only where Perl reads the sample itself. */
  sample?: string;
  fact: Fact;
  email: string;
}

/**
 * A phrase that begins or ends with a space (Go's "Delivery failed ", "Sorry, I couldn't find any host ") says
 * a word stands there: written between words, so trimming it does not make another phrase.
 */
const inWords = (fact: Fact): string =>
  fact.text.trim() === fact.text ? fact.text : `kijitora ${fact.text.trim()} kijitora`;

/**
 * A bare phrase inside a reply: words around the spaces it begins or ends with, a reply code, and the status
 * the go file gives it written as the servers write it (Google's "451 4.3.0 Temporary System Problem"), since
 * a report without a Status field (Exim's) has only the reply.
 */
function replyOf(fact: Fact): string {
  const text = inWords(fact);
  if (/^[245]\d\d[ -]/.test(text)) return text;
  const code = fact.replyCode ?? (fact.status?.startsWith("4") ? 450 : 550);
  return fact.status ? `${code} ${fact.status} ${text}` : `${code} ${text}`;
}

function statusOf(fact: Fact, reply: string): string {
  return fact.status ?? /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1] ?? `${reply[0]}.0.0`;
}

/** An RFC 3464 report with no MTA's marks (From, Subject, human text of no known MTA). */
function rfc3464(fact: Fact): string {
  const reply = replyOf(fact).replace(/\s+/g, " ");
  const status = statusOf(fact, reply);
  return [
    "From: Mail Delivery Subsystem <postmaster@relay.example.net>",
    "To: sender@example.net",
    "Subject: Delivery report",
    "Date: Thu, 3 Dec 2026 08:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    "",
    "--B",
    "Content-Type: text/plain",
    "",
    "Your message could not be delivered to one or more recipients.",
    "",
    ...reportParts("B", fact, reply, status, { perMessage: ["Reporting-MTA: dns; relay.example.net"] }),
  ].join("\n");
}

/** The corpus' samples of an MTA family (lhost-<family>-NN.eml), by number. */
function samplesOf(family: string): { name: string; text: string }[] {
  return readdirSync(CORPUS)
    .filter((name) => name.startsWith(`lhost-${family}-`))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(CORPUS, name), "latin1") }));
}

const cases: Case[] = [];
const samplesUsed = new Map<string, string>();
const replyFacts = [...reasonFacts(ROOT), ...rhostFacts(ROOT)];
const families = lhostFacts(ROOT);
/**
 * A message several why-*.go files list, or one file under several keys (Go's map order then decides), has
 * each of those labels (as in bench/go-facts.ts).
 */
const labelKey = (fact: Fact) =>
  `${fact.file.startsWith("reason/") ? "reason" : fact.file}\t${fact.text.trim()}`;
const labelsOf = new Map<string, Set<string>>();
for (const fact of [...replyFacts, ...families])
  labelsOf.set(labelKey(fact), (labelsOf.get(labelKey(fact)) ?? new Set<string>()).add(fact.label));
for (const fact of [...replyFacts, ...families]) {
  cases.push({ id: `c${cases.length}`, kind: "rfc3464", fact, email: rfc3464(fact) });
}
/**
 * Every reply also in each common MTA's own bounce, refused at RCPT TO, and after DATA where the dialect
 * shows the command (kind in-<mta>-data: there Sisimai's verdict follows the phase, not the go file's label).
 */
for (const [mta, write] of Object.entries(CARRIERS)) {
  for (const phase of ["RCPT", "DATA"] as const) {
    for (const fact of replyFacts) {
      const reply = replyOf(fact).replace(/\s+/g, " ");
      const email = write(fact, reply, statusOf(fact, reply), phase);
      if (email === null) break;
      cases.push({
        id: `c${cases.length}`,
        kind: phase === "DATA" ? `in-${mta}-data` : `in-${mta}`,
        fact,
        email,
      });
    }
  }
}
/** Every temporary (4xx) reply also in the delay warnings of the MTAs that send one (kind delay-<mta>). */
for (const [mta, write] of Object.entries(DELAY_CARRIERS)) {
  for (const fact of replyFacts) {
    const reply = replyOf(fact).replace(/\s+/g, " ");
    const status = statusOf(fact, reply);
    if (!reply.startsWith("4") || !status.startsWith("4")) continue;
    cases.push({ id: `c${cases.length}`, kind: `delay-${mta}`, fact, email: write(fact, reply, status) });
  }
}
const noSample = new Set<string>();
/** What Sisimai Perl reads as each corpus sample's diagnostic (where a sample writes no reply of its own). */
const sisimaiReads = perlSisimaiRecords(CORPUS);
for (const fact of families) {
  let found: { email: string; sample: string } | null = null;
  for (const sample of samplesOf(fact.family)) {
    const diagnostic = sisimaiReads.get(sample.name)?.[0]?.diagnostic;
    const email = inDialect(sample.text, inWords(fact), statusOf(fact, replyOf(fact)), diagnostic);
    if (email) {
      found = { email, sample: sample.name };
      samplesUsed.set(sample.name, sample.text);
      break;
    }
  }
  if (found) cases.push({ id: `c${cases.length}`, kind: "dialect", fact, ...found });
  else noSample.add(fact.family);
}

/** What one Perl run reads from a mail depends on its bytes alone: the cache's key (with Perl's version). */
const md5 = (email: string): string => createHash("md5").update(email, "latin1").digest("hex");

/**
 * Perl's records of each mail (by name; a mail it reads no record from has none), in one Perl run over `dir`
 * for the mails the cache does not hold. The cache (--perl-cache: read when present, written with what this
 * run added) keys each mail's records by the md5 of its bytes, so an A/B of two deliverlens trees runs Perl
 * once even where their benches write other mails (another --kind, --corpus or --sisimai, a changed writer):
 * only the changed mails are read again. A cache of another Perl Sisimai version is not used.
 */
function perlRecordsOf(
  mails: readonly { name: string; email: string }[],
  dir: string,
  cache: string | undefined,
): Map<string, PerlRecord[]> {
  const version = execFileSync("perl", ["-MSisimai", "-e", "print $Sisimai::VERSION"], { encoding: "utf8" });
  const known = new Map<string, PerlRecord[]>();
  if (cache && existsSync(cache)) {
    const saved = JSON.parse(readFileSync(cache, "utf8")) as {
      perl?: string;
      byMd5?: [string, PerlRecord[]][];
    };
    if (saved.perl === version && saved.byMd5)
      for (const [key, records] of saved.byMd5) known.set(key, records);
    else console.error(`${cache}: not Perl Sisimai ${version}'s records by md5: Perl reads every case again`);
  }
  const keyOf = new Map(mails.map((mail) => [mail.name, md5(mail.email)]));
  const missing = mails.filter((mail) => !known.has(keyOf.get(mail.name) as string));
  if (missing.length > 0) {
    for (const mail of missing) writeFileSync(join(dir, `${mail.name}.eml`), mail.email, "latin1");
    const read = perlSisimaiRecords(dir);
    for (const mail of missing) known.set(keyOf.get(mail.name) as string, read.get(`${mail.name}.eml`) ?? []);
    if (cache) writeFileSync(cache, JSON.stringify({ perl: version, byMd5: [...known] }));
  }
  const perlOf = new Map<string, PerlRecord[]>();
  for (const mail of mails) {
    const records = known.get(keyOf.get(mail.name) as string) ?? [];
    if (records.length > 0) perlOf.set(mail.name, records);
  }
  return perlOf;
}

const dir = mkdtempSync(join(tmpdir(), "sisimai-oracle-"));
try {
  if (values.kind) cases.splice(0, cases.length, ...cases.filter((c) => c.kind === values.kind));
  const perlOf = perlRecordsOf(
    [
      ...cases.map((c) => ({ name: c.id, email: c.email })),
      ...[...samplesUsed].map(([name, email]) => ({ name: `sample-${name.replace(/\.eml$/, "")}`, email })),
    ],
    dir,
    values["perl-cache"],
  );

  /** Samples Perl reads no recipient from (its older readers): their rewritten cases are not compared. */
  const unread = [...samplesUsed.keys()].filter(
    (name) => !perlOf.has(`sample-${name.replace(/\.eml$/, "")}`),
  );
  /** Per kind: Perl agrees; ours = Perl's or the go file's label (with the same recipients); all. */
  const tally = new Map<string, { agree: number; backed: number; all: number }>();
  const classes = new Map<string, string[]>();
  for (const c of cases) {
    if (c.sample && unread.includes(c.sample)) continue;
    const ours = recordsFromEmail(Buffer.from(c.email, "latin1"), `${c.id}.eml`).records;
    const theirs = perlOf.get(c.id) ?? [];
    // Perl reads the sample but not its rewrite (its older reader needs the lines the rewrite replaced): the
    // case says nothing about Perl, so ours is checked against the label, the recipients against the sample's.
    const rewriteUnread = c.sample !== undefined && theirs.length === 0;
    const expectedRecipients = rewriteUnread
      ? (perlOf.get(`sample-${(c.sample ?? "").replace(/\.eml$/, "")}`) ?? [])
      : theirs;
    const source = c.fact.file.split("/")[0];
    const key = `${c.kind} ${source}`;
    const t = tally.get(key) ?? { agree: 0, backed: 0, all: 0 };
    t.all++;
    const ourReason = ours[0]?.reason ?? "(none)";
    const perlReason = theirs[0]?.reason ?? "(none)";
    const sameRecipients =
      ours.map((r) => r.recipient?.toLowerCase()).join(",") ===
      expectedRecipients.map((r) => r.recipient.toLowerCase()).join(",");
    const same =
      sameRecipients && (ourReason === perlReason || (perlReason === "onhold" && ourReason === "undefined"));
    const label = c.fact.label;
    const labels = labelsOf.get(labelKey(c.fact)) ?? new Set([label]);
    if (same) t.agree++;
    if (same || (sameRecipients && labels.has(ourReason))) t.backed++;
    tally.set(key, t);
    if (same) continue;
    const why = rewriteUnread
      ? `Perl reads no record from the rewritten sample; ${sameRecipients ? "" : "recipients differ from the sample's; "}${sameRecipients && labels.has(ourReason) ? "ours = the Go file's label" : "ours is not the Go file's label"}`
      : !sameRecipients
        ? `recipients: ours ${ours.map((r) => r.recipient).join(",") || "-"} / Perl ${theirs.map((r) => r.recipient).join(",") || "-"}`
        : labels.has(ourReason)
          ? PERL_REASONS.has(ourReason)
            ? "ours = the Go file's label"
            : "ours = the Go file's label (Perl 4.25 has no such reason)"
          : labels.has(perlReason)
            ? "Perl = the Go file's label"
            : "neither is the Go file's label";
    const className = `${c.kind}\t${why}\tPerl ${perlReason} → ours ${ourReason}`;
    classes.set(className, [
      ...(classes.get(className) ?? []),
      `${c.fact.file}\t${label}\t${JSON.stringify(c.fact.text)}${c.fact.remoteMta ? ` from ${c.fact.remoteMta}` : ""}`,
    ]);
  }
  let agree = 0;
  let all = 0;
  for (const [key, t] of [...tally].sort()) {
    console.log(`${key}: ${t.agree}/${t.all} agree, ours = Perl's or the label ${t.backed}/${t.all}`);
    agree += t.agree;
    all += t.all;
  }
  console.log(
    `Sisimai (Perl ${execFileSync("perl", ["-MSisimai", "-e", "print $Sisimai::VERSION"], { encoding: "utf8" })}) vs deliverlens: ${agree}/${all} = ${((100 * agree) / all).toFixed(2)} % agree`,
  );
  const withLabel = [...classes].filter(([name]) => name.includes("ours = the Go file's label"));
  const backed = agree + withLabel.reduce((sum, [, members]) => sum + members.length, 0);
  console.log(
    `ours = Perl's or the go file's label: ${backed}/${all} = ${((100 * backed) / all).toFixed(2)} % (the others: the classes below but "ours = …")`,
  );
  if (unread.length > 0)
    console.log(`samples Perl reads no recipient from (their cases not compared): ${unread.join(", ")}`);
  if (noSample.size > 0) console.log(`no dialect sample rewritten for: ${[...noSample].sort().join(", ")}`);
  const sorted = [...classes].sort((a, b) => b[1].length - a[1].length);
  for (const [className, members] of sorted) {
    console.log(`${members.length}\t${className}`);
    if (values.list) for (const member of members) console.log(`\t\t${member}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
