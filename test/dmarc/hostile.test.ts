import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { deflateRawSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { readReportFile } from "../../src/dmarc/read.ts";
import { daysOf, spreadCount } from "../../src/dmarc/spread.ts";
import { withCpuMs } from "../../testkit/cpu-time.ts";
import { aggregateXml, zip } from "../../testkit/dmarc-reports.ts";

/**
 * Hostile and broken report files: each is one problem naming what is wrong, costs little time and memory,
 * and writes nothing outside the store (nothing is extracted). CPU time, not wall time, is bounded, with a
 * wide margin (a small report takes a few milliseconds).
 */

const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-hostile-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;
const small = aggregateXml({
  reportId: "s",
  begin: 1_700_000_000,
  end: 1_700_086_399,
  rows: [{ ip: "192.0.2.1", count: 3 }],
});

function write(name: string, data: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

/** Peak RSS growth (MiB) and CPU ms of reading one file. */
async function measure(path: string) {
  const before = process.resourceUsage().maxRSS / 1024;
  const { value, ms } = await withCpuMs(() => readReportFile(path));
  const grown = process.resourceUsage().maxRSS / 1024 - before;
  return { reading: value, ms, grownMiB: grown };
}

/** `<x/>` repeated: valid XML the reader skips, so only the decompression limits can stop it. */
const FILLER = Buffer.from("<x/>".repeat(MiB / 4));

test("a gzip bomb (1 GiB of elements as 1,024 gzip members) stops at the expansion limit, cheaply", async () => {
  const member = gzipSync(FILLER);
  const bomb = Buffer.concat([
    gzipSync('<?xml version="1.0"?><feedback>'),
    ...Array.from({ length: 1024 }, () => member),
  ]);
  const path = write("bomb.xml.gz", bomb);
  const { reading, ms, grownMiB } = await measure(path);
  assert.equal(reading.reports.length, 0);
  assert.equal(reading.problems[0].reason, "limit");
  assert.match(reading.problems[0].message, /expands beyond .*DELIVERLENS_MAX_REPORT_RATIO/);
  assert.ok(ms < 3000, `${ms} ms CPU`);
  assert.ok(grownMiB < 100, `${grownMiB} MiB more peak RSS`);
});

test("a gzip of zeros is refused at its first bytes: not a report", async () => {
  const path = write("zeros.xml.gz", gzipSync(Buffer.alloc(16 * MiB)));
  const { reading, ms } = await measure(path);
  assert.equal(reading.problems[0].reason, "not-a-report");
  assert.ok(ms < 2000, `${ms} ms CPU`);
});

test("a zip entry declaring 1 GiB is refused before it is inflated", async () => {
  const path = write("big.zip", zip([{ name: "r.xml", data: Buffer.from(small), declaredSize: 1024 * MiB }]));
  const { reading, ms } = await measure(path);
  assert.equal(reading.problems[0].reason, "limit");
  assert.match(
    reading.problems[0].message,
    /entry r\.xml is larger than the limit of 256 MiB per DMARC\/TLS report/,
  );
  assert.ok(ms < 500, `${ms} ms CPU`);
});

test("a lying zip (headers claim 200 bytes, the entry inflates to 8 MiB) is stopped at the declared size", async () => {
  const data = Buffer.concat([
    Buffer.from('<?xml version="1.0"?><feedback>'),
    ...Array.from({ length: 8 }, () => FILLER),
  ]);
  const path = write("lying.zip", zip([{ name: "r.xml", data, declaredSize: 200 }]));
  const { reading, ms, grownMiB } = await measure(path);
  assert.equal(reading.reports.length, 0);
  assert.equal(reading.problems[0].reason, "bad-zip");
  assert.match(reading.problems[0].message, /inflates to more than the size its zip header declares/);
  assert.ok(ms < 1000, `${ms} ms CPU`);
  assert.ok(grownMiB < 100, `${grownMiB} MiB`);
});

test("a zip entry named ../../x.xml is read as a label, never extracted", async () => {
  const sub = join(dir, "a", "b");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(sub, { recursive: true });
  const path = join(sub, "traversal.zip");
  writeFileSync(path, zip([{ name: "../../x.xml", data: Buffer.from(small) }]));
  const before = readdirSync(dir).sort();
  const reading = await readReportFile(path);
  assert.equal(reading.reports.length, 1);
  assert.equal(reading.reports[0].part, "../../x.xml");
  assert.deepEqual(readdirSync(dir).sort(), before);
  assert.equal(existsSync(join(dirname(dir), "x.xml")), false);
});

test("broken reports are refused with their reason; one bad report in a zip leaves the good one", async () => {
  const cases: Array<[string, string, string]> = [
    [
      "doctype.xml",
      small.replace("<feedback>", '<!DOCTYPE feedback [<!ENTITY a "aaaa">]><feedback>'),
      "invalid-report",
    ],
    ["no-id.xml", small.replace(/<report_id>.*<\/report_id>/, ""), "invalid-report"],
    ["bad-ip.xml", small.replace("192.0.2.1", "999.1.1.1"), "invalid-report"],
    ["bad-count.xml", small.replace("<count>3</count>", "<count>-3</count>"), "invalid-report"],
    ["bad-result.xml", small.replace("<dkim>pass</dkim>", "<dkim>maybe</dkim>"), "invalid-report"],
    ["truncated.xml", small.slice(0, small.length / 2), "invalid-xml"],
    ["html.xml", "<html><body>not a report</body></html>", "not-a-report"],
    ["text.xml", "unused", "not-a-report"],
    [
      "backwards.xml",
      small.replace("<begin>1700000000</begin>", "<begin>1800000000</begin>"),
      "invalid-report",
    ],
  ];
  for (const [name, content, reason] of cases) {
    const reading = await readReportFile(write(name, content));
    assert.equal(reading.reports.length, 0, name);
    assert.equal(reading.problems[0]?.reason, reason, `${name}: ${JSON.stringify(reading.problems)}`);
  }
  const mixed = await readReportFile(
    write(
      "mixed.zip",
      zip([
        { name: "good.xml", data: Buffer.from(small) },
        { name: "bad.xml", data: Buffer.from(small.replace("</feedback>", "")) },
      ]),
    ),
  );
  assert.equal(mixed.reports.length, 1);
  assert.equal(mixed.problems.length, 1);
  assert.equal(mixed.problems[0].part, "bad.xml");
  // Yahoo/AOL once sent gzip files holding the word "unused" (parsedmarc issue 409).
  const unused = await readReportFile(write("unused.xml.gz", gzipSync("unused")));
  assert.equal(unused.problems[0].reason, "not-a-report");
  const damaged = await readReportFile(write("damaged.xml.gz", gzipSync(small).subarray(0, 40)));
  assert.equal(damaged.problems[0].reason, "bad-compression");
  const stored = zip([{ name: "r.xml", data: Buffer.from(small), stored: true }]);
  assert.equal((await readReportFile(write("stored.zip", stored))).reports.length, 1);
  assert.ok(deflateRawSync);
});

test("a report of 100,000 records is streamed and read whole", async () => {
  const rows = Array.from({ length: 100_000 }, (_, i) => ({
    ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    count: 1 + (i % 3),
  }));
  const path = write(
    "big.xml.gz",
    gzipSync(aggregateXml({ reportId: "big", begin: 1_700_000_000, end: 1_700_086_399, rows })),
  );
  const { reading, grownMiB } = await measure(path);
  assert.deepEqual(reading.problems, []);
  const report = reading.reports[0];
  assert.ok(report.kind === "dmarc-aggregate");
  assert.equal(report.rows.length, 100_000);
  assert.equal(
    report.rows.reduce((sum, row) => sum + row.count, 0),
    199_999,
  );
  assert.ok(grownMiB < 400, `${grownMiB} MiB`);
});

test("thousands of distinct unknown elements (past the reader's name and path tables) change nothing that is read", async () => {
  const rows = [
    { ip: "192.0.2.1", count: 3 },
    { ip: "192.0.2.2", count: 5, dkim: "fail" as const, reasons: ["forwarded"], comment: "c" },
  ];
  const plain = aggregateXml({ reportId: "flood", begin: 1_700_000_000, end: 1_700_086_399, rows });
  // 1,500 names of one length and 1,500 more of others, each with a child: more names and paths than the
  // tables hold, under <feedback> and inside a record's <row>; then records whose names carry a prefix.
  const flood = Array.from({ length: 1500 }, (_, i) => {
    const name = `ext${String(i).padStart(5, "0")}`;
    return `<${name}><in${i}>v</in${i}></${name}>`;
  }).join("");
  const hostile = plain
    .replace("<feedback>", `<feedback>${flood}`)
    .replace("<row>", `<row>${flood}`)
    .replaceAll("<record>", '<d:record xmlns:d="urn:example">')
    .replaceAll("</record>", "</d:record>");
  const read = async (name: string, xml: string) => {
    const reading = await readReportFile(write(name, xml));
    return { ...reading, path: "" };
  };
  const expected = await read("plain.xml", plain);
  assert.equal(expected.reports.length, 1);
  assert.deepEqual(await read("flood.xml", hostile), expected);
  // And a report read after the tables are full.
  assert.deepEqual(await read("plain-again.xml", plain), expected);
});

test("spreading counts over days: whole numbers that add up to the original", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2_000_000_000 }),
      fc.integer({ min: 0, max: 40 * 86_400 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      (begin, length, count) => {
        const shares = daysOf(begin, begin + length);
        const parts = spreadCount(count, shares);
        assert.equal(
          parts.reduce((a, b) => a + b, 0),
          count,
        );
        assert.ok(parts.every((p) => Number.isInteger(p) && p >= 0));
        if (length <= 86_400) assert.equal(shares.length, 1);
      },
    ),
  );
});
