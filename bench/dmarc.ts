/**
 * `npm run bench:dmarc [-- --reports N] [--rows log|uniform] [--keep DIR] [--seed N]`: issue 18's numbers.
 *
 * 1. N generated DMARC aggregate reports (default 10,000), mixed `.xml`, `.xml.gz` and `.zip`, 1–500 records
 *    each — by default log-uniformly (most reports are small, a few large, as receivers send them: the
 *    mean is about 80 records); `--rows uniform` draws 1–500 uniformly (mean 250) — ingested by
 *    `deliverlens ingest DIR` as one whole process. Target: ≥ 2,000 reports/s, peak RSS < 1 GB.
 * 2. Bombs, each its own `deliverlens ingest` process, compared with a small report's process: a zip whose
 *    entry really inflates to 1 GiB, a lying zip (its headers claim 1,000 bytes for the same entry), a gzip
 *    bomb (1 GiB of XML elements as 1,024 gzip members). Target: each refused, < 1 s more wall time and
 *    < 100 MB more peak RSS than the small report, and nothing written outside the store.
 * Prints the numbers (wall and CPU, with the machine's load) and PASS/FAIL.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { crc32, createDeflateRaw, gzipSync } from "node:zlib";
import { aggregateXml, type GeneratedRow, random, zip } from "../testkit/dmarc-reports.ts";

const { values } = parseArgs({
  options: {
    reports: { type: "string", default: "10000" },
    rows: { type: "string", default: "log" },
    keep: { type: "string" },
    seed: { type: "string", default: "18" },
  },
});
const count = Number(values.reports);
const uniform = values.rows === "uniform";
const root = values.keep ?? mkdtempSync(join(tmpdir(), "deliverlens-bench-dmarc-"));
const inputs = join(root, "reports");
const CLI = new URL("../bin/deliverlens.js", import.meta.url).pathname;
const PEAK = new URL("./peak-rss.ts", import.meta.url).pathname;
const MiB = 1024 * 1024;

interface Run {
  status: number | null;
  seconds: number;
  cpuSeconds: number;
  peakMiB: number;
  stdout: string;
  stderr: string;
}

function ingest(paths: string[], db: string): Run {
  const started = performance.now();
  const run = spawnSync(process.execPath, ["--import", PEAK, CLI, "ingest", ...paths, "--db", db, "--json"], {
    encoding: "utf8",
    maxBuffer: 512 * MiB,
    env: { ...process.env, NO_COLOR: "1" },
  });
  const seconds = (performance.now() - started) / 1000;
  const peak = Number(/DELIVERLENS_PEAK_RSS_KB=(\d+)/.exec(run.stderr)?.[1] ?? 0) / 1024;
  const cpu = Number(/DELIVERLENS_CPU_US=(\d+)/.exec(run.stderr)?.[1] ?? 0) / 1e6;
  return {
    status: run.status,
    seconds,
    cpuSeconds: cpu,
    peakMiB: peak,
    stdout: run.stdout,
    stderr: run.stderr,
  };
}

function generate(): { records: number; messages: number; bytes: number } {
  rmSync(inputs, { recursive: true, force: true });
  mkdirSync(inputs, { recursive: true });
  const rand = random(Number(values.seed));
  let records = 0;
  let messages = 0;
  let bytes = 0;
  const day = 86_400;
  const start = Date.UTC(2026, 0, 1) / 1000;
  for (let i = 0; i < count; i++) {
    const n = uniform
      ? 1 + Math.floor(rand() * 500)
      : Math.min(500, Math.floor(Math.exp(rand() * Math.log(501))));
    const rows: GeneratedRow[] = [];
    for (let r = 0; r < n; r++) {
      const ours = rand() < 0.85;
      const c = 1 + Math.floor(rand() * 40);
      rows.push({
        ip: ours ? `192.0.2.${1 + (r % 200)}` : `203.0.${113 + (r % 3)}.${Math.floor(rand() * 250)}`,
        count: c,
        dkim: ours ? "pass" : "fail",
        spf: ours && rand() < 0.8 ? "pass" : "fail",
        disposition: ours ? "none" : "quarantine",
      });
      records++;
      messages += c;
    }
    const reporter = ["google.com", "Yahoo", "Outlook.com", "Mail.Ru", "comcast.net"][i % 5];
    const begin = start + (i % 90) * day;
    const xml = aggregateXml({ reporter, reportId: `bench-${i}`, begin, end: begin + day - 1, rows });
    const name = `${reporter}!example.com!${begin}!${begin + day - 1}!${i}`;
    let data: Buffer;
    let file: string;
    if (i % 3 === 0) {
      data = Buffer.from(xml);
      file = `${name}.xml`;
    } else if (i % 3 === 1) {
      data = gzipSync(xml);
      file = `${name}.xml.gz`;
    } else {
      data = zip([{ name: `${name}.xml`, data: Buffer.from(xml) }]);
      file = `${name}.zip`;
    }
    writeFileSync(join(inputs, file), data);
    bytes += xml.length;
  }
  return { records, messages, bytes };
}

/** A deflate stream of `total` bytes of `fill` (never held whole in memory), with its CRC-32. */
async function deflated(total: number, fill: Buffer): Promise<{ body: Buffer; crc: number }> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => deflate.on("end", resolve));
  let crc = 0;
  for (let written = 0; written < total; written += fill.length) {
    crc = crc32(fill, crc);
    if (!deflate.write(fill)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await done;
  return { body: Buffer.concat(out), crc };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
let ok = true;
const verdict = (pass: boolean) => {
  ok &&= pass;
  return pass ? "PASS" : "FAIL";
};

console.log(
  `bench:dmarc — ${count.toLocaleString("en-US")} reports, rows ${uniform ? "uniform" : "log-uniform"} 1–500, in ${root}`,
);
const t0 = performance.now();
const generated = generate();
console.log(
  `generated ${count.toLocaleString("en-US")} reports (${generated.records.toLocaleString("en-US")} records, ${(generated.bytes / MiB).toFixed(0)} MiB of XML) in ${((performance.now() - t0) / 1000).toFixed(1)} s; load ${load()}`,
);
const db = join(root, "bench.duckdb");
rmSync(db, { force: true });
const run = ingest([inputs], db);
let stored = 0;
let records = 0;
try {
  const out = JSON.parse(run.stdout);
  stored = out.reports.reduce((sum: number, r: { stored: number }) => sum + r.stored, 0);
  records = out.reports.reduce((sum: number, r: { records: number }) => sum + r.records, 0);
} catch {
  console.log(run.stderr.slice(0, 2000));
}
const rate = count / run.seconds;
console.log(
  `ingest: exit ${run.status}, stored ${stored.toLocaleString("en-US")} reports / ${records.toLocaleString("en-US")} records in ${run.seconds.toFixed(1)} s wall (${rate.toFixed(0)} reports/s), ${run.cpuSeconds.toFixed(1)} s CPU (${(count / run.cpuSeconds).toFixed(0)} reports/CPU-s), peak RSS ${run.peakMiB.toFixed(0)} MiB; load ${load()}`,
);
console.log(
  `  every report stored once: ${verdict(stored === count && records === generated.records && run.status === 0)}`,
);
console.log(`  ≥ 2,000 reports/s: ${verdict(rate >= 2000)}`);
console.log(`  peak RSS < 1 GB: ${verdict(run.peakMiB < 1000)}`);

const bombs = join(root, "bombs");
rmSync(bombs, { recursive: true, force: true });
mkdirSync(bombs);
const small = join(bombs, "small.xml");
writeFileSync(
  small,
  aggregateXml({
    reportId: "small",
    begin: 1_700_000_000,
    end: 1_700_086_399,
    rows: [{ ip: "192.0.2.1", count: 1 }],
  }),
);
const filler = Buffer.from("<x/>".repeat(MiB / 4));
const body = await deflated(1024 * MiB, filler);
const entry = { name: "r.xml", data: Buffer.alloc(0), deflated: body };
writeFileSync(join(bombs, "honest-1GiB.zip"), zip([{ ...entry, declaredSize: 1024 * MiB - 1 }]));
writeFileSync(join(bombs, "lying.zip"), zip([{ ...entry, declaredSize: 1000 }]));
const member = gzipSync(filler);
writeFileSync(
  join(bombs, "bomb.xml.gz"),
  Buffer.concat([gzipSync('<?xml version="1.0"?><feedback>'), ...Array.from({ length: 1024 }, () => member)]),
);
const baseline = ingest([small], join(bombs, "small.duckdb"));
console.log(
  `small report: ${baseline.seconds.toFixed(2)} s wall, ${baseline.cpuSeconds.toFixed(2)} s CPU, peak RSS ${baseline.peakMiB.toFixed(0)} MiB`,
);
for (const name of ["honest-1GiB.zip", "lying.zip", "bomb.xml.gz"]) {
  const before = readdirSync(bombs).sort().join(",");
  const r = ingest([join(bombs, name)], join(bombs, `${name}.duckdb`));
  const problem = /could not ingest[^\n]*/.exec(r.stderr)?.[0] ?? "(no problem reported)";
  const extra = r.seconds - baseline.seconds;
  const rss = r.peakMiB - baseline.peakMiB;
  const after = readdirSync(bombs)
    .filter((f) => !f.includes(".duckdb"))
    .sort()
    .join(",");
  const clean =
    after ===
    before
      .split(",")
      .filter((f) => !f.includes(".duckdb"))
      .join(",");
  console.log(
    `${name} (${(statSync(join(bombs, name)).size / 1024).toFixed(0)} KiB): exit ${r.status}, +${extra.toFixed(2)} s wall (+${(r.cpuSeconds - baseline.cpuSeconds).toFixed(2)} s CPU), +${rss.toFixed(0)} MiB peak RSS — ${problem}`,
  );
  console.log(
    `  refused, < 1 s and < 100 MB more, nothing extracted: ${verdict(r.status === 1 && extra < 1 && rss < 100 && clean)}`,
  );
}
if (!values.keep) rmSync(root, { recursive: true, force: true });
console.log(ok ? "bench:dmarc PASS" : "bench:dmarc FAIL");
process.exitCode = ok ? 0 : 1;
