import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { readReportFile } from "../../src/dmarc/read.ts";

/**
 * Every vendored parsedmarc sample (test/fixtures/dmarc/parsedmarc, Apache-2.0) is either read with the
 * record count and message total its XML (or JSON) holds, or refused with a specific reason, or (a failure
 * report) skipped with a note. The table says which; the counts of plain and gzipped XML are also taken
 * from the bytes with a regular expression, independently of the parser.
 */

const ROOT = fileURLToPath(new URL("../fixtures/dmarc/parsedmarc/", import.meta.url));

type Expected =
  | {
      reports: Array<
        | { kind: "dmarc-aggregate"; records: number; messages: number }
        | { kind: "tls-report"; policies: number; failed: number }
      >;
    }
  | { refused: string }
  | { note: RegExp };

const agg = (records: number, messages: number) => ({ kind: "dmarc-aggregate" as const, records, messages });
const tls = (policies: number, failed: number) => ({ kind: "tls-report" as const, policies, failed });

const EXPECTED: Record<string, Expected> = {
  "aggregate/!example.com!1538204542!1538463818.xml": { reports: [agg(1, 1)] },
  "aggregate/!large-example.com!1711897200!1711983600.xml": { reports: [agg(2286, 2286)] },
  "aggregate/Report domain- borschow.com Submitter- google.com Report-ID- 949348866075514174.eml": {
    reports: [agg(1, 1)],
  },
  "aggregate/addisonfoods.com!example.com!1536105600!1536191999.xml": { reports: [agg(1, 1)] },
  "aggregate/empty_reason.xml": { reports: [agg(1, 2)] },
  "aggregate/estadocuenta1.infonacot.gob.mx!example.com!1536853302!1536939702!2940.xml.zip": {
    reports: [agg(1, 1)],
  },
  "aggregate/example.net!example.com!1529366400!1529452799.xml": { reports: [agg(1, 1)] },
  "aggregate/fastmail.com!example.com!1516060800!1516147199!102675056.xml.gz": { reports: [agg(1, 1)] },
  // A stray <xs:schema> opened around <feedback> and never closed: read as a wrapper.
  "aggregate/ikea.com!example.de!1538690400!1538776800.xml": { reports: [agg(1, 1)] },
  "aggregate/invalid_utf_8.xml": { refused: "invalid-utf8" },
  "aggregate/invalid_xml.xml": { refused: "invalid-xml" },
  // A gzip member followed by CRLF.
  "aggregate/mimecast-weird-gzip.eml": { reports: [agg(1, 1)] },
  "aggregate/old_draft_from_wiki.xml": { reports: [agg(1, 2)] },
  "aggregate/protection.outlook.com!example.com!1711756800!1711843200.xml": { reports: [agg(1, 1)] },
  "aggregate/rfc9990-example.net!example.com!1700000000!1700086399.xml": { reports: [agg(2, 7)] },
  "aggregate/rfc9990-sample.xml": { reports: [agg(1, 123)] },
  "aggregate/twilight.eml": { reports: [agg(1, 1)] },
  "aggregate/usssa.com!example.com!1538784000!1538870399.xml": { reports: [agg(2, 2)] },
  "aggregate/veeam.com!example.com!1530133200!1530219600.xml": { reports: [agg(1, 1)] },
  // Upper-cased enumerations ("Pass", "None") read case-insensitively.
  "aggregate_invalid/report_with_upper_cased_pass.xml": { reports: [agg(1, 1)] },
  "empty.xml": { refused: "empty" },
  "extract_report/changed-input.xml": { reports: [agg(20, 3047)] },
  "extract_report/nice-input.xml": { reports: [agg(20, 3047)] },
  "extract_report/nice-input.xml.gz": { reports: [agg(20, 3047)] },
  "extract_report/nice-input.xml.zip": { reports: [agg(20, 3047)] },
  "failure/DMARC Failure Report for domain.de (mail-from=sharepoint@domain.de, ip=10.10.10.10).eml": {
    note: /DMARC failure report/,
  },
  "failure/[Netease DMARC Failure Report] Rent Reminder.eml": { note: /DMARC failure report/ },
  "failure/dmarc_ruf_report_linkedin.crlf.eml": { note: /DMARC failure report/ },
  "failure/dmarc_ruf_report_linkedin.eml": { note: /DMARC failure report/ },
  "failure/exim_plain_text_only_no_arf_part.eml": { note: /DMARC failure report/ },
  "smtp_tls/google.com_smtp_tls_report.eml": { reports: [tls(1, 0)] },
  "smtp_tls/mail.ru.json": { reports: [tls(1, 1)] },
  "smtp_tls/rfc8460.json": { reports: [tls(1, 303)] },
  "smtp_tls/smtp_tls.json": { reports: [tls(1, 3)] },
};

function samples(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? samples(path) : [path];
    })
    .filter((path) => !path.endsWith("LICENSE"));
}

/** Records and the sum of their counts, read from the XML text with regular expressions. */
function countsInXml(xml: string): { records: number; messages: number } {
  const records = xml.match(/<record>/g)?.length ?? 0;
  const messages = [...xml.matchAll(/<count>\s*(\d+)\s*<\/count>/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  return { records, messages };
}

test("every vendored parsedmarc sample is in the table (none unaccounted for)", () => {
  const found = samples(ROOT)
    .map((path) => relative(ROOT, path))
    .sort();
  assert.deepEqual(found, Object.keys(EXPECTED).sort());
});

for (const [name, expected] of Object.entries(EXPECTED)) {
  test(`parsedmarc sample ${name}`, async () => {
    const path = join(ROOT, name);
    const reading = await readReportFile(path);
    if ("refused" in expected) {
      assert.equal(reading.reports.length, 0);
      assert.equal(reading.problems.length, 1, JSON.stringify(reading.problems));
      assert.equal(reading.problems[0].reason, expected.refused, reading.problems[0].message);
      assert.ok(reading.problems[0].message.length > 10);
      return;
    }
    if ("note" in expected) {
      assert.equal(reading.reports.length, 0);
      assert.equal(reading.problems.length, 0, JSON.stringify(reading.problems));
      assert.match(reading.notes.join("\n"), expected.note);
      return;
    }
    assert.deepEqual(reading.problems, []);
    const got = reading.reports.map((report) =>
      report.kind === "dmarc-aggregate"
        ? agg(
            report.rows.length,
            report.rows.reduce((sum, row) => sum + row.count, 0),
          )
        : tls(
            report.policies.length,
            report.policies.reduce((sum, p) => sum + p.failed, 0),
          ),
    );
    assert.deepEqual(got, expected.reports);
    if (/\.xml(\.gz)?$/.test(name)) {
      const raw = readFileSync(path);
      const xml = (name.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
      const first = expected.reports[0];
      assert.ok(first.kind === "dmarc-aggregate");
      assert.deepEqual(countsInXml(xml), { records: first.records, messages: first.messages });
    }
  });
}
