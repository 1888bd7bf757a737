import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { csvField, csvQuote } from "../../src/util/csv.ts";
import { DAY_MS, isTimeZone } from "../../src/util/dates.ts";
import { escapeRegExp } from "../../src/util/regexp.ts";
import { sqlIdent, sqlList, sqlString } from "../../src/util/sql.ts";
import { VERSION } from "../../src/util/version.ts";

test("csvField quotes per RFC 4180, defuses every spreadsheet formula start (=, +, -, @, tab, CR) and escapes control characters", () => {
  assert.equal(csvField("a@example.com"), "a@example.com");
  assert.equal(csvField('say "hi", then go'), '"say ""hi"", then go"');
  for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
    const field = csvField(`${start}HYPERLINK("http://evil.example")`);
    assert.match(field, /^"?(?:'|\\u000[9d])/, `${JSON.stringify(start)} defused: ${field}`);
  }
  assert.equal(csvField("\rcmd"), "\\u000dcmd", "a leading CR is escaped: no formula, no line break");
  // R152: no control character reaches the file raw (a NUL, an ESC sequence, DEL, C1's CSI); other text stays.
  assert.equal(
    csvField("a\u0000b\u001b[31m\u007f\u009b\u00e9@x.example"),
    "a\\u0000b\\u001b[31m\\u007f\\u009bé@x.example",
  );
  assert.equal(csvField("=a\nb"), "'=a\\u000ab");
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

test("escapeRegExp: a pattern made of any text matches that text literally, and only it", () => {
  for (const text of ["a.b", "(x)|[y]*", "^$\\{2}+?", "=_NextPart_000.0001", "plain"]) {
    const pattern = new RegExp(`^${escapeRegExp(text)}$`);
    assert.ok(pattern.test(text), text);
    assert.equal(pattern.test(`${text}x`), false, text);
  }
  assert.equal(new RegExp(escapeRegExp("a.b")).test("axb"), false);
});
