/**
 * Issue 11, dialects: is each MTA family read by its layout, or only by the one wording the corpus holds?
 * Sisimai's Go edition lists, per family (lhost/via-*.go), every Subject (`emailtitle`), opening line
 * (`startingof` "message") and original-message boundary (`boundaries`) the family's versions and clones write
 * — qmail's "Hi. This is the qmail-send program" beside Yahoo's and Mail.ru's openings, Exim's "Mail delivery
 * failed" beside "Mail failure", Postfix's boundary beside its older ones. Each corpus message of the family
 * (test/fixtures/sisimai) and each dialect fixture (test/fixtures/bounce-email/dialects) is read again with the
 * marker it holds replaced by each other one the family lists; a marker counts where it starts a line (or is the
 * Subject), so a variant is a report that family could have written, not a sentence cut in two.
 * Scored against Sisimai's label of the corpus message (expected.jsonl, by record order) and, for the
 * fixtures, against our own reading of the unchanged fixture; recipients must stay the same too.
 * Known residue: Verizon's two layouts have one boundary each ("Message details:" before vtext.com's "  RCPT TO:"
 * lines, "Original Message:" before vzwpix.com's copy of the message), so a vtext.com report under the other
 * boundary names its recipient in neither layout (Sisimai's reader finds none there either).
 * Not in `npm test` (it reads a checkout of go-sisimai): node bench/lhost-layouts.ts --sisimai <dir> [--list]
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { recordsFromEmail } from "../src/bounce/email/index.ts";
import { CORPUS_DIR, loadExpected } from "../testkit/bounce-corpus.ts";
import { braceBlock, literals, withoutComments } from "./go-facts-source.ts";

const { values } = parseArgs({
  options: { sisimai: { type: "string" }, list: { type: "boolean", default: false } },
});
if (!values.sisimai) {
  console.error("usage: node bench/lhost-layouts.ts --sisimai <go-sisimai checkout> [--list]");
  process.exit(2);
}
const LHOST = join(values.sisimai, "lhost");
const DIALECTS = new URL("../test/fixtures/bounce-email/dialects/", import.meta.url).pathname;

interface Axis {
  name: string;
  markers: string[];
}

/** The family's alternative markers: each list of two or more a Go file declares. */
function axesOf(source: string): Axis[] {
  const axes: Axis[] = [];
  for (const name of ["emailtitle", "boundaries"]) {
    const at = source.search(new RegExp(`\\b${name}\\s*:=\\s*\\[\\]string\\{`));
    if (at >= 0) axes.push({ name, markers: literals(withoutComments(braceBlock(source, at))) });
  }
  const at = source.search(/\bstartingof\s*:=\s*map\[string\]\[\]string\{/);
  if (at >= 0) {
    const block = withoutComments(braceBlock(source, at));
    const message = /"message":\s*(?:\[\]string)?\{([^}]*)\}/.exec(block);
    if (message) axes.push({ name: "startingof", markers: literals(message[1]) });
  }
  return axes.filter((axis) => axis.markers.length > 1);
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Where the marker stands as a family writes it: the Subject's value, or the start of a line. */
function placeOf(axis: Axis, marker: string): RegExp {
  if (axis.name === "emailtitle") return new RegExp(`^(Subject:[ \\t]*)${escaped(marker)}`, "im");
  return new RegExp(`^([ \\t]*)${escaped(marker)}`, "gm");
}

interface Reading {
  recipients: string[];
  reasons: string[];
}
function read(raw: string, file: string): Reading {
  const { records } = recordsFromEmail(Buffer.from(raw, "latin1"), file);
  return {
    recipients: records.map((record) => String(record.recipient).toLowerCase()),
    reasons: records.map((record) => record.reason),
  };
}

const expected = loadExpected();
let variants = 0;
let sameRecipients = 0;
let reasonsCounted = 0;
let reasonsAgreed = 0;
let unchangedMisses = 0;
const byAxis = new Map<string, [number, number]>();
const misses: string[] = [];

for (const goFile of readdirSync(LHOST).filter((file) => file.startsWith("via-"))) {
  const family = goFile.slice(4, -3);
  const axes = axesOf(readFileSync(join(LHOST, goFile), "utf8"));
  const samples = [
    ...readdirSync(join(CORPUS_DIR, "eml"))
      .filter((file) => file.startsWith(`lhost-${family}-`))
      .map((file) => ({ path: join(CORPUS_DIR, "eml", file), rows: expected.get(file) ?? [] })),
    ...readdirSync(DIALECTS)
      .filter((file) => file === `${family}.eml` || file.startsWith(`${family}-`))
      .map((file) => ({ path: join(DIALECTS, file), rows: null })),
  ];
  for (const sample of samples) {
    const name = sample.path.slice(sample.path.lastIndexOf("/") + 1);
    const raw = readFileSync(sample.path, "latin1");
    const original = read(raw, name);
    if (original.recipients.length === 0) continue;
    // Sisimai's label where the corpus has one and the unchanged message is read so (undecided rows, and the
    // corpus bench's own disagreements, left out), else our reading of the unchanged fixture.
    const truth = sample.rows
      ? sample.rows.map((row, index) => {
          if (row.reason === "onhold" || row.reason === "undefined") return null;
          if (original.reasons[index] === row.reason) return row.reason;
          unchangedMisses++;
          return null;
        })
      : original.reasons;
    for (const axis of axes) {
      const held = axis.markers
        .filter((marker) => marker.trim().length >= 4 && placeOf(axis, marker).test(raw))
        .sort((a, b) => b.length - a.length)[0];
      if (held === undefined) continue;
      for (const marker of axis.markers) {
        if (marker.trim().length < 4 || marker.includes(held) || held.includes(marker)) continue;
        // A marker with a space at an end is a piece of a sentence (" has been frozen", "The user(s) "): the
        // rest of the line belongs to it, so swapping it writes a sentence no family writes.
        if (/^\s|\s$/.test(marker) || /^\s|\s$/.test(held)) continue;
        const variant = raw.replace(placeOf(axis, held), (_, lead: string) => lead + marker);
        const got = read(variant, name);
        variants++;
        const recipientsKept = got.recipients.join(" ") === original.recipients.join(" ");
        if (recipientsKept) sameRecipients++;
        let counted = 0;
        let agreed = 0;
        truth.forEach((reason, index) => {
          if (reason === null) return;
          counted++;
          if (got.reasons[index] === reason) agreed++;
        });
        reasonsCounted += counted;
        reasonsAgreed += agreed;
        const tally = byAxis.get(axis.name) ?? [0, 0];
        tally[0] += counted;
        tally[1] += agreed;
        byAxis.set(axis.name, tally);
        if (!recipientsKept || agreed < counted)
          misses.push(
            `${name}\t${axis.name}\t${JSON.stringify(held)} → ${JSON.stringify(marker)}\n` +
              `\t\texpected ${truth.join(" ")} (${original.recipients.join(" ")})\n` +
              `\t\tgot      ${got.reasons.join(" ")} (${got.recipients.join(" ")})`,
          );
      }
    }
  }
}

const percent = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(2)} %`;
console.log(`layout variants: ${variants} (corpus messages and dialect fixtures, one marker swapped each)`);
console.log(
  `recipients as in the original: ${sameRecipients}/${variants} = ${percent(sameRecipients, variants)}`,
);
console.log(
  `reasons as labelled: ${reasonsAgreed}/${reasonsCounted} = ${percent(reasonsAgreed, reasonsCounted)}`,
);
console.log(
  `  (left out: ${unchangedMisses} corpus labels the unchanged message is not read as: bench/corpus-accuracy.ts lists them)`,
);
for (const [name, [counted, agreed]] of byAxis) console.log(`  ${name}: ${agreed}/${counted}`);
if (values.list) for (const miss of misses) console.log(miss);
