/**
 * `ingest` of a folder of many small inputs into a fresh store, as a first user runs it on a mailbox folder:
 *   node bin/deliverlens.js ingest --db FRESH.duckdb --json DIR
 * as whole processes, printing files/s, CPU milliseconds per file (user + system, from /usr/bin/time: the
 * number that holds whatever the machine's load) and peak RSS, with the load it ran under.
 *
 *   node bench/ingest-folder.ts [--files N] [--runs N] [--dir DIR]
 * --files N (default 1,000): the bounce emails of the corpus (test/fixtures/sisimai/eml) in order, repeated
 *   until N files, one message per file; and the same messages in mbox files of MBOX_MESSAGES each (a folder
 *   of mailboxes), ingested alternately (--runs times each). PASS when the folder of files takes at most
 *   TARGET times the CPU of the same messages in mboxes: a file's own store work must not dwarf its messages.
 * --dir DIR: a folder made elsewhere, ingested as it is, no verdict (the 14,000-file tree that
 *   `bench/classify-email.ts --keep` leaves, a folder of SendGrid or CSV exports).
 * Each run ingests into a store of its own, removed after.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    files: { type: "string", default: "1000" },
    runs: { type: "string", default: "1" },
    dir: { type: "string" },
  },
});
/** Messages per mbox file. */
const MBOX_MESSAGES = 20;
/** Files per folder of the trees written (a mail client's folders hold a few hundred to thousands). */
const FOLDER_FILES = 500;
/** CPU of the folder of files over that of the same messages in mboxes, at most. */
const TARGET = 2;

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "deliverlens-bench-ingest-folder-"));
try {
  const folders = values.dir
    ? [values.dir]
    : [false, true].map((mbox) =>
        writeFolder(join(scratch, mbox ? "mboxes" : "emails"), Number(values.files), mbox),
      );
  console.log(`load: ${uptime()}`);
  const best = folders.map(() => Number.POSITIVE_INFINITY);
  for (let run = 1; run <= Number(values.runs); run++) {
    folders.forEach((folder, at) => {
      best[at] = Math.min(best[at], ingestOnce(folder, join(scratch, `run-${run}-${at}.duckdb`)));
    });
  }
  console.log(`load after: ${uptime()}`);
  if (!values.dir) {
    const ratio = best[0] / best[1];
    const pass = ratio <= TARGET;
    console.log(
      `${pass ? "PASS" : "FAIL"}: a folder of ${Number(values.files).toLocaleString("en-US")} bounce emails took ${ratio.toFixed(1)}× the CPU of the same messages in mboxes (target <= ${TARGET}×)`,
    );
    process.exitCode = pass ? 0 : 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** One `ingest --json` of `folder` into a fresh store `store` (removed after): prints it, returns its CPU-s. */
function ingestOnce(folder: string, store: string): number {
  const inputs = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) =>
    entry.isFile(),
  ).length;
  const timing = `${store}.time`;
  const ingest = spawnSync(
    "/usr/bin/time",
    ["-o", timing, "-f", "%e %U %S %M", process.execPath, join(root, "bin/deliverlens.js"), "ingest"].concat([
      "--db",
      store,
      "--json",
      folder,
    ]),
    { encoding: "utf8", maxBuffer: 1 << 30 },
  );
  const [wall, user, system, peakKb] = readFileSync(timing, "utf8").trim().split(/\s+/).map(Number);
  const totals = ingest.stdout ? JSON.parse(ingest.stdout).totals : null;
  const cpu = user + system;
  console.log(
    `${folder}: ${inputs.toLocaleString("en-US")} files, exit ${ingest.status}, ${wall.toFixed(1)} s wall, ` +
      `${cpu.toFixed(1)} CPU-s (${((1000 * cpu) / inputs).toFixed(1)} CPU-ms and ${((1000 * wall) / inputs).toFixed(1)} ms a file, ` +
      `${(inputs / wall).toFixed(1)} files/s), peak RSS ${Math.round(peakKb / 1024)} MB; ` +
      (totals
        ? `read ${totals.read} = stored ${totals.stored} + duplicates ${totals.duplicates} + quarantined ${totals.quarantined}`
        : `no --json output: ${ingest.stderr.trim().split("\n").slice(-3).join(" | ")}`),
  );
  for (const path of [store, `${store}.wal`, timing]) rmSync(path, { force: true });
  return cpu;
}

/** `count` corpus messages written under `to` (in folders of FOLDER_FILES files), one a file or as mboxes. */
function writeFolder(to: string, count: number, mbox: boolean): string {
  const corpus = join(root, "test/fixtures/sisimai/eml");
  const bodies = readdirSync(corpus)
    .sort()
    .map((name) => readFileSync(join(corpus, name), "latin1"));
  const perFile = mbox ? MBOX_MESSAGES : 1;
  for (let file = 0; file * perFile < count; file++) {
    const sub = join(to, String(Math.floor(file / FOLDER_FILES)).padStart(3, "0"));
    if (file % FOLDER_FILES === 0) mkdirSync(sub, { recursive: true });
    const messages: string[] = [];
    for (let at = file * perFile; at < Math.min(count, (file + 1) * perFile); at++) {
      messages.push(bodies[at % bodies.length]);
    }
    const text = mbox ? messages.map(asMboxMessage).join("") : messages[0];
    writeFileSync(join(sub, `${String(file).padStart(6, "0")}.${mbox ? "mbox" : "eml"}`), text, "latin1");
  }
  return to;
}

/** A message as one mboxrd entry: its own leading From line (if any) replaced, body "From " lines quoted. */
function asMboxMessage(body: string): string {
  const text = body.replace(/^From [^\n]*\n/, "").replace(/^(>*From )/gm, ">$1");
  return `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${text}${text.endsWith("\n") ? "" : "\n"}\n`;
}

function uptime(): string {
  return spawnSync("uptime", { encoding: "utf8" }).stdout?.trim() ?? "?";
}
