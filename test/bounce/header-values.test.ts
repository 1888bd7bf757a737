import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { loadHeaderBytes, unloadHeaderBytes } from "../../src/bounce/email/header-bytes.ts";
import {
  type HeaderBlock,
  headerValue,
  parseHeaderBlock,
  parseHeaderText,
} from "../../src/bounce/email/headers.ts";

/** A field's value as written after its colon (folds included), unfolded and trimmed: what `value` must give. */
function expectedValue(raw: string): string {
  return (raw.includes("\n") ? raw.replace(/\r?\n[ \t]*/g, " ") : raw).trim();
}

/** Characters of a value's line: blanks, trim()'s other whitespace of latin1, printable ASCII and beyond. */
const VALUE_CHAR = fc.constantFrom(
  " ",
  " ",
  "\t",
  "a",
  "Z",
  "<",
  "@",
  ";",
  ":",
  "=",
  "~",
  "\u00a0",
  "\u00e9",
  "\v",
  "\f",
  "\r",
);
const LINE = fc.array(VALUE_CHAR, { maxLength: 8 }).map((chars) => chars.join(""));
/** Names whose lengths and first letters collide (to/cc, date/from, action/status…), in any case. */
const NAMES = [
  "to",
  "cc",
  "from",
  "date",
  "action",
  "status",
  "subject",
  "final-recipient",
  "diagnostic-code",
];
const NAME = fc
  .tuple(fc.constantFrom(...NAMES), fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }))
  .map(([name, upper]) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""));
/** A field: its name, its first line, its folded lines (after a blank), and whether its lines end in CRLF. */
const FIELD = fc.tuple(
  NAME,
  LINE,
  fc.array(fc.tuple(fc.constantFrom(" ", "\t"), LINE), { maxLength: 2 }),
  fc.boolean(),
);

/** The block's text and, per field, its written name and the raw text of its value (as the readers cut it). */
function written(specs: ReadonlyArray<[string, string, Array<[string, string]>, boolean]>): {
  text: string;
  fields: Array<[string, string]>;
} {
  let text = "";
  const fields: Array<[string, string]> = [];
  for (const [name, first, folds, crlf] of specs) {
    const eol = crlf ? "\r\n" : "\n";
    text += `${name}:`;
    const start = text.length;
    text += first;
    for (const [blank, line] of folds) text += `${eol}${blank}${line}`;
    // The last line's end, a CR before its LF excluded (RFC 5322 §2.2.3 CRLF).
    const end = text.endsWith("\r") && !crlf ? text.length - 1 : text.length;
    fields.push([name, text.slice(start, end)]);
    text += eol;
  }
  return { text: `${text}\nbody\n`, fields };
}

test("a field's value is its text after the colon, unfolded and trimmed; a look-up finds the first field of its name in any case", () => {
  fc.assert(
    fc.property(fc.array(FIELD, { minLength: 1, maxLength: 6 }), (specs) => {
      const { text, fields } = written(specs);
      loadHeaderBytes(text, Buffer.from(text, "latin1"));
      const inBytes = parseHeaderBlock(text, 0, text.length);
      unloadHeaderBytes();
      const blocks: HeaderBlock[] = [parseHeaderText(text, 0, text.length), inBytes];
      for (const block of blocks) {
        assert.equal(block.fields.length, fields.length, JSON.stringify(text));
        for (let i = 0; i < fields.length; i++)
          assert.equal(block.fields[i].value, expectedValue(fields[i][1]), JSON.stringify(text));
        for (const name of [...NAMES, "x"]) {
          const first = fields.findIndex(([spelled]) => spelled.toLowerCase() === name);
          const expected = first < 0 ? null : expectedValue(fields[first][1]);
          assert.equal(headerValue(block, name), expected, JSON.stringify({ text, name }));
        }
      }
    }),
    { numRuns: 3000 },
  );
});
