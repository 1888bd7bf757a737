import assert from "node:assert/strict";
import { test } from "node:test";
import { replyRecord } from "../../src/bounce/classify-replies.ts";
import { renderRecord } from "../../src/report/record-terminal.ts";
import { escapeLine } from "../../src/report/terminal.ts";
import { explainStoreError } from "../../src/store/index.ts";

/** Mail-borne text shown in the terminal cannot forge lines or send escape sequences. */

test("a recipient, remote MTA and file name with newlines and ESC stay on their line in classify's text", () => {
  const record = replyRecord(
    "550 5.7.1 [CS01] Message rejected\ndue to local policy",
    "bounces\n  rule      FORGED",
    3,
    {
      recipient: "a@icloud.com\n  provider  FORGED\u001b[2J",
      remoteMta: "mx.icloud.com\r\n  action    FORGED",
    },
  );
  const shown = renderRecord(record, { isTTY: false } as NodeJS.WriteStream);
  const lines = shown.trimEnd().split("\n");
  assert.equal(lines.filter((line) => line.includes("FORGED")).length, 2, shown);
  for (const line of lines) assert.doesNotMatch(line, /^\s+(provider|action|rule)\s+FORGED/);
  assert.doesNotMatch(shown, /[\u001b\r]/);
});

test("escapeLine escapes newlines, CR, ESC and bidi controls; tabs stay", () => {
  assert.equal(escapeLine("a\nb\rc\u001bd\u202ee\tf"), "a\\u000ab\\u000dc\\u001bd\\u202ee\tf");
});

test("a full disk is said as such, not as DuckDB's words", () => {
  const io = new Error('IO Error: Could not write file "/x/s.duckdb": No space left on device');
  assert.match(explainStoreError(io, "/x/s.duckdb"), /^disk full: /);
  // Plenty of space where the store is: an Out of Memory Error stays what it is.
  const oom = new Error("Out of Memory Error: could not allocate block of size 256.0 KiB");
  assert.equal(explainStoreError(oom, `${process.cwd()}/s.duckdb`), oom.message);
});
