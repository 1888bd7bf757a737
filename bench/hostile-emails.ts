/**
 * Hostile bounce emails for output-identity checks of the email readers' speed work (issue 12): every MTA-made
 * bounce (test/fixtures/mta-made/, real reports) written again as it is and in 15 damaged or unusual forms — CRLF, CR-only and
 * mixed line ends, NUL and 8-bit bytes, cut at a seeded point (inside headers, MIME or the DSN), a 100 KB header line,
 * a boundary of regexp-special characters, no closing boundary, folded and oddly spaced DSN fields, the recipient block
 * repeated 60 times, the delivery-status part in base64 or quoted-printable, ISO-2022-JP escapes in the notice, and
 * five reports joined as an mbox (with `>From ` quoting). Deterministic (a seeded generator, no clock), so two trees
 * can be compared: the command prints the md5 of `deliverlens classify . --ndjson` run in the output folder with this
 * tree's CLI (so the md5 does not depend on where the folder is), its exit code, record and stderr-line counts, and the
 * slowest file read in process (a hang or a blow-up shows there). Give both trees the same `--from` (default: this
 * tree's test/fixtures/mta-made), as the set grows.
 * Not in `npm test`: node bench/hostile-emails.ts [--from DIR] [--out DIR] [--keep]
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readEmail } from "../src/bounce/email/index.ts";
import { seededRandom } from "../testkit/events-postfix-log.ts";

const { values } = parseArgs({
  options: {
    from: { type: "string", default: new URL("../test/fixtures/mta-made/", import.meta.url).pathname },
    out: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const MTA_MADE = join(values.from as string, "/");
const CLI = new URL("../src/cli/main.ts", import.meta.url).pathname;

const latin1 = (text: string) => Buffer.from(text, "latin1");
const boundaryOf = (text: string) => /boundary="?([^";\r\n]+)"?/i.exec(text)?.[1] ?? null;

/** The delivery-status part: its header block and its body up to the next boundary line. */
function dsnPart(text: string): { headEnd: number; end: number } | null {
  const head = /content-type:\s*message\/delivery-status[^\n]*\n(?:[^\n]+\n)*?\n/i.exec(text);
  if (!head) return null;
  const headEnd = head.index + head[0].length;
  const end = text.indexOf("\n--", headEnd);
  return end < 0 ? null : { headEnd, end };
}

type Mutation = (text: string, random: () => number) => string | null;

const MUTATIONS: Record<string, Mutation> = {
  asIs: (text) => text,
  crlf: (text) => text.replace(/\r?\n/g, "\r\n"),
  cr: (text) => text.replace(/\r?\n/g, "\r"),
  mixed: (text, random) => text.replace(/\r?\n/g, () => (random() < 0.5 ? "\r\n" : "\n")),
  nul: (text, random) => {
    const at = Math.floor(random() * text.length);
    return `${text.slice(0, at)}\0${text.slice(at)}`;
  },
  high: (text) => text.replace(/^(Subject:|Diagnostic-Code:)(.*)$/gim, "$1$2 \xe9\xff\x80\xc3"),
  cut: (text, random) => text.slice(0, Math.floor(text.length * (0.2 + 0.75 * random()))),
  longHeader: (text) => `X-Junk: ${"a".repeat(100_000)}\n${text}`,
  specialBoundary: (text) => {
    const boundary = boundaryOf(text);
    return boundary === null ? null : text.split(boundary).join("(.*+?)[x]{2}|$^");
  },
  noClosingBoundary: (text) => {
    const boundary = boundaryOf(text);
    return boundary === null ? null : text.split(`--${boundary}--`).join("");
  },
  oddFields: (text) =>
    text
      .replace(/^Final-Recipient:\s*/gim, "final-recipient :\t")
      .replace(/^Status:\s*(\S+)/gim, "STATUS:   $1   ")
      .replace(/^Diagnostic-Code:\s*([^;\n]*);\s*/gim, "Diagnostic-Code: $1;\n\t "),
  manyRecipients: (text) => {
    const part = dsnPart(text);
    if (!part) return null;
    const block = /\n\n((?:Final|Original)-Recipient:[\s\S]*?)(?=\n\n|$)/i.exec(
      text.slice(part.headEnd - 1, part.end),
    );
    if (!block) return null;
    const repeated = Array.from({ length: 60 }, (_, i) =>
      block[1].replace(/(rfc822;\s*)([^@\s]+)@/gi, `$1$2+r${i}@`),
    ).join("\n\n");
    return `${text.slice(0, part.end)}\n${repeated}\n${text.slice(part.end)}`;
  },
  base64Dsn: (text) => {
    const part = dsnPart(text);
    if (!part) return null;
    const body = Buffer.from(text.slice(part.headEnd, part.end), "latin1").toString("base64");
    const lines = body.match(/.{1,76}/g)?.join("\n") ?? "";
    return `${text.slice(0, part.headEnd - 1)}Content-Transfer-Encoding: base64\n\n${lines}${text.slice(part.end)}`;
  },
  qpDsn: (text) => {
    const part = dsnPart(text);
    if (!part) return null;
    const body = text
      .slice(part.headEnd, part.end)
      .replace(/=/g, "=3D")
      .replace(/([^\n]{40})/g, "$1=\n");
    return `${text.slice(0, part.headEnd - 1)}Content-Transfer-Encoding: quoted-printable\n\n${body}${text.slice(part.end)}`;
  },
  iso2022jp: (text) => {
    const blank = text.indexOf("\n\n");
    if (blank < 0) return null;
    return `${text.slice(0, blank + 2)}\x1b$B$3$s$K$A$O\x1b(B \x1b$B%(%i!<\x1b(B\n${text.slice(blank + 2)}`;
  },
  foldedHeaders: (text) => {
    const blank = text.indexOf("\n\n");
    if (blank < 0) return null;
    return text.slice(0, blank).replace(/: /g, ":\n\t ") + text.slice(blank);
  },
};

const files = readdirSync(MTA_MADE, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    readdirSync(join(MTA_MADE, dir.name))
      .filter((file) => file.endsWith(".eml"))
      .sort()
      .map((file) => join(MTA_MADE, dir.name, file)),
  );

const out = values.out ?? mkdtempSync(join(tmpdir(), "hostile-emails-"));
mkdirSync(out, { recursive: true });
let written = 0;
let slowest = { file: "", ms: 0 };
const random = seededRandom(39);
for (const [index, path] of files.entries()) {
  const text = readFileSync(path).toString("latin1");
  const name = path
    .slice(MTA_MADE.length)
    .replace("/", "-")
    .replace(/\.eml$/, "");
  for (const [mutation, mutate] of Object.entries(MUTATIONS)) {
    const variant = mutate(text, random);
    if (variant === null) continue;
    const file = `${name}.${mutation}.eml`;
    const bytes = latin1(variant);
    writeFileSync(join(out, file), bytes);
    written++;
    const started = performance.now();
    readEmail(bytes, file);
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { file, ms };
  }
  if (index % 5 === 4) {
    const mbox = files
      .slice(index - 4, index + 1)
      .map(
        (one) =>
          `From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n${readFileSync(one)
            .toString("latin1")
            .replace(/^From /gm, ">From ")}\n`,
      )
      .join("");
    writeFileSync(join(out, `${name}.mbox-of-5.mbox`), latin1(mbox));
    written++;
  }
}

const run = spawnSync(process.execPath, [CLI, "classify", ".", "--ndjson"], {
  cwd: out,
  maxBuffer: 1 << 30,
  encoding: "buffer",
});
const records = run.stdout.toString("utf8").split("\n").filter(Boolean).length;
const stderrLines = run.stderr.toString("utf8").split("\n").filter(Boolean).length;
console.log(
  `hostile emails: ${written} files from ${files.length} MTA-made bounces, ${Object.keys(MUTATIONS).length} forms + mboxes (${out})`,
);
console.log(
  `classify --ndjson: exit ${run.status}, ${records} records, ${stderrLines} stderr lines, md5 ${createHash("md5").update(run.stdout).digest("hex")}`,
);
console.log(`slowest file read in process: ${slowest.file} ${slowest.ms.toFixed(1)} ms`);
if (!values.keep && values.out === undefined) rmSync(out, { recursive: true, force: true });
