import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { reportKey } from "../../src/dmarc/prepare.ts";
import { aggregateRowsCsv } from "../../src/dmarc/rows-csv.ts";
import { daysOf, spreadCount } from "../../src/dmarc/spread.ts";
import type { AggregateReport, AggregateRow } from "../../src/dmarc/types.ts";
import { parsedReport } from "../../testkit/dmarc-reports.ts";

/**
 * The CSV lines written byte by byte into a reused buffer (src/dmarc/rows-csv.ts) are the lines the row
 * objects and one string per line made before (the reference below, as it was in src/store/report-rows.ts
 * and src/dmarc/prepare.ts): the same bytes for any text — quotes, line breaks, non-ASCII, empty — and any
 * range of days.
 */

function referenceText(value: string | null): string {
  if (value === null) return "";
  return `"${value.includes('"') ? value.replaceAll('"', '""') : value}"`;
}

let referenceLines = 0;

function reference(key: string, report: AggregateReport): string {
  referenceLines = 0;
  const shares = daysOf(report.begin, report.end);
  let out = "";
  for (const [index, row] of report.rows.entries()) {
    const counts = spreadCount(row.count, shares);
    for (const [d, share] of shares.entries()) {
      if (counts[d] === 0 && shares.length > 1) continue;
      const aligned = row.dkimAuth.find(
        (s) =>
          s.result === "pass" &&
          s.domain !== null &&
          (s.domain === row.headerFrom ||
            row.headerFrom.endsWith(`.${s.domain}`) ||
            s.domain.endsWith(`.${row.headerFrom}`)),
      );
      const dkim = aligned ?? row.dkimAuth[0];
      const spf = row.spfAuth.find((s) => s.scope === null || s.scope === "mfrom") ?? row.spfAuth[0];
      const dkimResults =
        row.dkimAuth.length > 1
          ? row.dkimAuth
              .map((s) => `${s.domain ?? ""}${s.selector ? `/${s.selector}` : ""}=${s.result}`)
              .join(" ")
          : null;
      const t = referenceText;
      referenceLines++;
      out += `${t(key)},${index + 1},${share.day},${t(row.sourceIp)},${counts[d]},${t(row.disposition)},${t(row.dkim)},${t(row.spf)},${t(row.reasons.length > 0 ? row.reasons.join(",") : null)},${t(row.reasonComment)},${t(row.headerFrom)},${t(row.envelopeFrom)},${t(row.envelopeTo)},${t(dkim?.domain ?? null)},${t(dkim?.selector ?? null)},${t(dkim?.result ?? null)},${t(dkimResults)},${t(spf?.domain ?? null)},${t(spf?.scope ?? null)},${t(spf?.result ?? null)}\n`;
    }
  }
  return out;
}

const text = fc.oneof(
  fc.constantFrom("example.com", "mail.example.com", "", 'a"b', '""', "é.example", "x\ny", "🙂"),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
);
const maybe = fc.option(text, { nil: null });
const auth = fc.record({ domain: maybe, selector: maybe, result: fc.constantFrom("pass", "fail", "none") });
const spfAuth = fc.record({
  domain: maybe,
  scope: fc.constantFrom(null, "mfrom", "helo"),
  result: fc.constantFrom("pass", "fail"),
});
const row: fc.Arbitrary<AggregateRow> = fc.record({
  sourceIp: fc.constantFrom("192.0.2.1", "2001:db8::1"),
  count: fc.oneof(fc.nat(20), fc.nat(), fc.constant(999_999_999_999_999)),
  disposition: fc.constantFrom("none", "quarantine", "reject", "pass"),
  dkim: fc.constantFrom("pass", "fail"),
  spf: fc.constantFrom("pass", "fail"),
  reasons: fc.array(fc.constantFrom("forwarded", "local_policy", "other"), { maxLength: 3 }),
  reasonComment: maybe,
  headerFrom: text,
  envelopeFrom: maybe,
  envelopeTo: maybe,
  dkimAuth: fc.array(auth, { maxLength: 3 }),
  spfAuth: fc.array(spfAuth, { maxLength: 2 }),
});

/** The columns a record's line repeats (all but source and count). */
const COLUMNS = [
  "disposition",
  "dkim",
  "spf",
  "reasons",
  "reasonComment",
  "headerFrom",
  "envelopeFrom",
  "envelopeTo",
  "dkimAuth",
  "spfAuth",
] as const;

function report(rows: AggregateRow[], begin: number, seconds: number): AggregateReport {
  return parsedReport(rows, begin, begin + seconds);
}

test("the CSV bytes are the reference lines, UTF-8 encoded, for any record text and any range of days", () => {
  fc.assert(
    fc.property(
      fc.array(row, { maxLength: 6 }),
      fc.nat(2_000_000_000),
      fc.oneof(fc.nat(86_400), fc.nat(10 * 86_400)),
      fc.array(fc.option(fc.tuple(row, fc.subarray([...COLUMNS]), fc.nat(2))), { maxLength: 6 }),
      (distinct, begin, seconds, repeats) => {
        // Records that repeat the one before but for the source and count (copies of equal, not the same,
        // lists), or but for a few of its columns, or one DKIM/SPF part of one signature.
        const rows = distinct.flatMap((x, i) => {
          const repeat = repeats[i];
          if (!repeat) return [x];
          const [other, columns, part] = repeat;
          const copy: AggregateRow = {
            ...x,
            sourceIp: "192.0.2.99",
            count: x.count + 1,
            reasons: [...x.reasons],
            dkimAuth: x.dkimAuth.map((d) => ({ ...d })),
            spfAuth: x.spfAuth.map((p) => ({ ...p })),
          };
          for (const column of columns) Object.assign(copy, { [column]: other[column] });
          if (columns.length === 0 && copy.dkimAuth.length > 0) {
            const d = copy.dkimAuth[0];
            if (part === 0) d.domain = `${d.domain}x`;
            else if (part === 1) d.selector = `${d.selector}x`;
            else d.result = d.result === "pass" ? "fail" : "pass";
          }
          if (columns.length === 0 && copy.spfAuth.length > 0) {
            const p = copy.spfAuth[0];
            if (part === 0) p.domain = `${p.domain}x`;
            else if (part === 1) p.scope = p.scope === "mfrom" ? "helo" : "mfrom";
            else p.result = p.result === "pass" ? "fail" : "pass";
          }
          return [x, copy];
        });
        const r = report(rows, begin, seconds);
        const key = "0123456789abcdef0123456789abcdef01234567";
        const csv = aggregateRowsCsv(key, r, daysOf(r.begin, r.end));
        const expected = reference(key, r);
        assert.equal(Buffer.from(csv.bytes).toString("utf8"), expected);
        assert.deepEqual(Buffer.from(csv.bytes), Buffer.from(expected, "utf8"));
        assert.equal(csv.lines, referenceLines);
        assert.equal(
          csv.messages,
          rows.reduce((sum, x) => sum + x.count, 0),
        );
      },
    ),
    { numRuns: 3000 },
  );
});

test("a report larger than the reused buffer is written whole, and the next one is not mixed with it", () => {
  const long = "x".repeat(300_000);
  const big = report(
    Array.from({ length: 8 }, () => ({
      sourceIp: "192.0.2.1",
      count: 1,
      disposition: "none" as const,
      dkim: "pass" as const,
      spf: "pass" as const,
      reasons: [],
      reasonComment: long,
      headerFrom: "example.com",
      envelopeFrom: null,
      envelopeTo: null,
      dkimAuth: [],
      spfAuth: [],
    })),
    1_700_000_000,
    3 * 86_400,
  );
  const first = aggregateRowsCsv("k", big, daysOf(big.begin, big.end));
  assert.equal(Buffer.from(first.bytes).toString("utf8"), reference("k", big));
  const small = report(
    big.rows.slice(0, 1).map((x) => ({ ...x, reasonComment: null })),
    0,
    10,
  );
  const second = aggregateRowsCsv("k", small, daysOf(small.begin, small.end));
  assert.equal(Buffer.from(second.bytes).toString("utf8"), reference("k", small));
  // The first report's bytes are its own (not a view of the reused buffer).
  assert.equal(Buffer.from(first.bytes).toString("utf8"), reference("k", big));
  assert.equal(first.bytes.byteLength, first.bytes.buffer.byteLength);
});

test("a report's key is the SHA-1 of kind, lower-cased reporter, id and range: what stores written before hold", () => {
  const report = { ...parsedReport([], 1_767_484_800, 1_767_571_199, "id-é 1"), reporter: " Mail.Ru " };
  assert.equal(
    reportKey(report),
    createHash("sha1")
      .update("dmarc-aggregate\u001fmail.ru\u001fid-é 1\u001f1767484800\u001f1767571199")
      .digest("hex"),
  );
});
