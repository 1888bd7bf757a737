/**
 * Bounces the corpus does not have, made from the ones it has: every real mail of the Sisimai corpus rewritten
 * as other senders' bounces would differ, read by deliverlens and by Sisimai's Perl edition (Debian's
 * libsisimai-perl), each reading compared with what the rewrite should give. A reader fitted to the corpus'
 * own addresses, replies or envelopes shows here, without holding any message out.
 * - `recipients`: every reported recipient rewritten everywhere in the mail (any case) to another shape: a
 *   plus tag and sub-domain, an IDN (xn--) domain, upper case, a 60-character local part, digits only. Each
 *   record should keep its reason (the original mail's reading) and report the new address.
 * - `replies`: every lhost/rfc3464 sample that writes a reply with its own reply replaced by common replies
 *   (bench/transplant.ts: the sample's Diagnostic-Code, "<<<" or "said:" reply, never what deliverlens reads,
 *   so a reader change moves no sample in or out), its Status field with it: the first
 *   record should have the reply's Sisimai reason (its recipient is not checked: a rewrite that drops the
 *   recipient's line is an artifact). Misses are mostly rewrite artifacts (a diagnostic the sample wraps or
 *   encodes, a second copy of the old text left): compare with Perl's.
 * - `forwarded`: the mail forwarded by a person as an attachment (message/rfc822): the records of the original.
 *   (Perl Sisimai reads none of these: no Perl column.)
 * Not in `npm test` (Perl): node bench/corpus-variants.ts [--kind recipients|replies|forwarded] [--list]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { recordsFromEmail } from "../src/bounce/email/index.ts";
import { CORPUS_DIR, loadExpected } from "../testkit/bounce-corpus.ts";
import { perlSisimaiRecords } from "./perl-sisimai.ts";
import { inDialect } from "./transplant.ts";

const { values } = parseArgs({
  options: {
    corpus: { type: "string", default: join(CORPUS_DIR, "eml") },
    kind: { type: "string" },
    list: { type: "boolean", default: false },
  },
});
const CORPUS = values.corpus as string;

interface Reading {
  recipient: string | null;
  reason: string;
}

interface Variant {
  name: string;
  text: string;
  /** What each record should read, in order; a null recipient: any. */
  want: Reading[];
  /** Only the first record is checked (a reply rewritten for the first recipient). */
  firstOnly?: boolean;
}

const readingsOf = (text: string, name: string): Reading[] =>
  recordsFromEmail(Buffer.from(text, "latin1"), name).records.map((record) => ({
    recipient: record.recipient,
    reason: record.reason,
  }));

const agrees = (got: Reading[], variant: Variant): boolean => {
  const want = variant.firstOnly ? variant.want.slice(0, 1) : variant.want;
  if (!variant.firstOnly && got.length !== want.length) return false;
  return want.every(
    (w, i) =>
      got[i]?.reason === w.reason &&
      (w.recipient === null || got[i]?.recipient?.toLowerCase() === w.recipient.toLowerCase()),
  );
};

const SHAPES: ((i: number) => string)[] = [
  (i) => `first.last+tag${i}@mail.sub-domain.example.com`,
  (i) => `u${i}_x-y@xn--bcher-kva.example`,
  (i) => `JOHN.SMITH${i}@EXAMPLE.ORG`,
  (i) => `${"verylonglocalpart".repeat(3)}${i}@a.b.c.d.e.example.co.uk`,
  (i) => `9${i}@example.io`,
];
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Common replies with their status and Sisimai's reason for them. */
const REPLIES: readonly [reply: string, status: string, reason: string][] = [
  [
    "550 5.1.1 <RCPT>: Recipient address rejected: User unknown in local recipient table",
    "5.1.1",
    "userunknown",
  ],
  ["552 5.2.2 <RCPT>: Mailbox full, quota exceeded", "5.2.2", "mailboxfull"],
  [
    "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org",
    "5.7.1",
    "blocked",
  ],
  ["550 5.7.1 Message rejected as spam by Content Filtering", "5.7.1", "spamdetected"],
  ["550 5.2.1 The email account that you tried to reach is disabled", "5.2.1", "suspend"],
  ["552 5.3.4 Message size exceeds fixed limit", "5.3.4", "emailtoolarge"],
];

const expected = loadExpected();
const samples = readdirSync(CORPUS)
  .filter((name) => expected.has(name))
  .sort()
  .map((name) => {
    const text = readFileSync(join(CORPUS, name), "latin1");
    return { name, text, readings: readingsOf(text, name) };
  });

const KINDS: Record<string, () => Variant[]> = {
  recipients: () =>
    SHAPES.flatMap((shape, s) =>
      samples.map(({ name, text, readings }) => {
        let rewritten = text;
        const renamed = new Map<string, string>();
        readings.forEach((reading, i) => {
          const address = reading.recipient;
          if (!address || address.startsWith('"') || renamed.has(address.toLowerCase())) return;
          renamed.set(address.toLowerCase(), shape(i));
          rewritten = rewritten.replace(new RegExp(escaped(address), "gi"), shape(i));
        });
        const want = readings.map((reading) => ({
          recipient: reading.recipient ? (renamed.get(reading.recipient.toLowerCase()) ?? null) : null,
          reason: reading.reason,
        }));
        return { name: `s${s}-${name}`, text: rewritten, want };
      }),
    ),
  replies: () => {
    // Where a sample writes no reply (a dialect's own wording: KDDI, Notes…), the reply goes where Sisimai Perl
    // reads the first record's diagnostic, as the oracle's dialect cases do.
    const sisimaiReads = perlSisimaiRecords(CORPUS);
    return samples
      .filter(({ name, readings }) => /^(?:lhost|rfc3464)-/.test(name) && readings[0]?.recipient)
      .flatMap(({ name, text, readings }) =>
        REPLIES.flatMap(([reply, status, reason], r) => {
          const recipient = readings[0].recipient as string;
          const diagnostic = sisimaiReads.get(name)?.[0]?.diagnostic;
          const email = inDialect(text, reply.replace("RCPT", recipient), status, diagnostic);
          return email === null
            ? []
            : [{ name: `r${r}-${name}`, text: email, want: [{ recipient: null, reason }], firstOnly: true }];
        }),
      );
  },
  forwarded: () =>
    samples.map(({ name, text, readings }) => ({
      name,
      text: [
        "From: Alice Admin <alice@corp.example>",
        "To: helpdesk@corp.example",
        "Subject: Fwd: bounce",
        "Date: Thu, 3 Dec 2026 10:00:00 +0000",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="fwd-boundary"',
        "",
        "--fwd-boundary",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "See the attached bounce.",
        "",
        "--fwd-boundary",
        "Content-Type: message/rfc822",
        "Content-Disposition: attachment",
        "",
        text.replace(/^From [^\n]*\n/, "").trimEnd(),
        "--fwd-boundary--",
        "",
      ].join("\n"),
      want: readings,
    })),
};

const percent = (part: number, whole: number) =>
  `${part}/${whole} = ${((100 * part) / Math.max(1, whole)).toFixed(1)} %`;
const shown = (readings: readonly Reading[]) =>
  readings.map((reading) => `${reading.recipient ?? "-"}:${reading.reason}`).join(" ") || "(none)";

for (const kind of values.kind ? [values.kind] : Object.keys(KINDS)) {
  const make = KINDS[kind];
  if (!make) {
    console.error(`unknown --kind ${kind}: ${Object.keys(KINDS).join(", ")}`);
    process.exit(2);
  }
  const variants = make();
  const dir = mkdtempSync(join(tmpdir(), "corpus-variants-"));
  let perl: Map<string, Reading[]>;
  try {
    for (const variant of variants) writeFileSync(join(dir, variant.name), variant.text, "latin1");
    perl = new Map(
      [...perlSisimaiRecords(dir)].map(([file, records]) => [
        file,
        records.map((record) => ({ recipient: record.recipient, reason: record.reason })),
      ]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let ours = 0;
  let perls = 0;
  const perlOnly: string[] = [];
  const missed: string[] = [];
  for (const variant of variants) {
    const got = readingsOf(variant.text, variant.name);
    const theirs = perl.get(variant.name) ?? [];
    const ok = agrees(got, variant);
    const perlOk = agrees(theirs, variant);
    if (ok) ours++;
    if (perlOk) perls++;
    if (ok) continue;
    const line = `  ${variant.name}: want ${shown(variant.want)} | ours ${shown(got)} | Perl ${shown(theirs)}`;
    (perlOk ? perlOnly : missed).push(line);
  }
  console.log(
    `${kind}: ${variants.length} variants; ours as wanted ${percent(ours, variants.length)}; Perl ${percent(perls, variants.length)}; Perl right where we are not: ${perlOnly.length}`,
  );
  for (const line of perlOnly) console.log(line);
  if (values.list) for (const line of missed) console.log(line);
}
