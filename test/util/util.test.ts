import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { csvField, csvQuote } from "../../src/util/csv.ts";
import { DAY_MS, isTimeZone } from "../../src/util/dates.ts";
import { sqlIdent, sqlList, sqlString } from "../../src/util/sql.ts";
import { VERSION } from "../../src/util/version.ts";

test("csvField quotes per RFC 4180 and defuses every spreadsheet formula start (=, +, -, @, tab, CR)", () => {
  assert.equal(csvField("a@example.com"), "a@example.com");
  assert.equal(csvField('say "hi", then go'), '"say ""hi"", then go"');
  for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
    const field = csvField(`${start}HYPERLINK("http://evil.example")`);
    assert.ok(field.startsWith("'") || field.startsWith(`"'`), `${JSON.stringify(start)} defused: ${field}`);
  }
  assert.equal(csvField("\rcmd"), `"'\rcmd"`, "a leading CR is defused and quoted");
  assert.equal(csvQuote("=1+1"), "=1+1", "csvQuote alone is for values we generate, not defused");
  assert.equal(csvQuote("a\nb"), '"a\nb"');
});

test("SQL literals and identifiers double their quotes; lists are literal lists", () => {
  assert.equal(sqlString("it's"), "'it''s'");
  assert.equal(sqlIdent('a"b'), '"a""b"');
  assert.equal(sqlList(["a", "b'c"]), "('a', 'b''c')");
});

test("one day, time zones, and the version from package.json", () => {
  assert.equal(DAY_MS, 24 * 60 * 60 * 1000);
  assert.ok(isTimeZone("Europe/Paris"));
  assert.ok(isTimeZone("UTC"));
  assert.ok(!isTimeZone("Mars/Olympus_Mons"));
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  assert.equal(VERSION, manifest.version);
});
