import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { htmlFirstLine, withoutTags } from "../../src/bounce/email/scan.ts";
import { cpuMs } from "../../testkit/cpu-time.ts";

/**
 * The definition withoutTags keeps: every tag of at most 2,000 characters inside its brackets, as a line break
 * where the tag breaks the line (br, p, div, tr, li… opening or closing), else as a space.
 */
const reference = (html: string): string =>
  html.replace(/<[^>]{0,2000}>/g, (tag) =>
    /^<\/?(?:br|p|div|tr|li|ul|ol|table|hr|h[1-6]|pre|blockquote)(?![a-z0-9])/i.test(tag) ? "\n" : " ",
  );

test("tags are replaced by a line break or a space exactly as the regexp finds them, 2,000-character bound included", () => {
  const piece = fc.oneof(
    fc.constantFrom("<", ">", "a", " ", "\n", "<b>", "</p>", "<>", "<BR/>", "<param>", "<td>", "<h7>"),
    fc.integer({ min: 1990, max: 2010 }).map((n) => "x".repeat(n)),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
      const html = pieces.join("");
      assert.equal(withoutTags(html), reference(html));
    }),
    { numRuns: 3000 },
  );
  for (const html of [
    "",
    "no tags",
    "<",
    ">",
    "<<>",
    `<${"y".repeat(2000)}>`,
    `<${"y".repeat(2001)}>`,
    `a<${"y".repeat(2001)}<b>c`,
  ]) {
    assert.equal(withoutTags(html), reference(html), JSON.stringify(html.slice(0, 20)));
  }
});

test("many '<' far from any '>' take linear time", () => {
  const html = `${"<".repeat(200_000)}${"z".repeat(3000)}>`;
  let out = "";
  const elapsed = cpuMs(() => {
    out = withoutTags(html);
  });
  // Every "<" is more than 2,000 characters from the ">": no tag, the text comes back as it was.
  assert.equal(out, html);
  assert.ok(elapsed < 2000, `${elapsed.toFixed(0)} ms of CPU`);
});

test("an HTML report's first line read from its bytes is withoutTags' first line, or none when the bytes cannot tell", () => {
  // The text's first line from its first non-blank character (what reportMayOpenWith tests), of withoutTags alone:
  // where htmlFirstLine answers, no "&" is in that line or before it, so decodeEntities changes neither.
  const firstLine = (html: string): string => {
    const text = withoutTags(html);
    const start = text.search(/\S/);
    if (start < 0) return "";
    const end = text.indexOf("\n", start);
    return text.slice(start, end < 0 ? text.length : end);
  };
  const piece = fc.oneof(
    fc.constantFrom(
      "<",
      ">",
      " ",
      "\t",
      "\n",
      "\r\n",
      "\f",
      "<b>",
      "</p>",
      "<br/>",
      "<BR>",
      "<div class=x>",
      "<>",
    ),
    fc.constantFrom(
      "procmail: ",
      "a",
      "x:",
      "&nbsp;",
      "&#10;",
      "&amp;",
      "\u00a0",
      "\u00e9",
      "\u3000",
      "\u0001",
    ),
    fc.integer({ min: 1995, max: 2005 }).map((n) => `<${"y".repeat(n)}>`),
  );
  let answered = 0;
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 14 }), (pieces) => {
      const html = pieces.join("");
      const line = htmlFirstLine(html);
      if (line === null) return;
      answered++;
      assert.equal(line, firstLine(html));
    }),
    { numRuns: 4000 },
  );
  assert.ok(answered > 1000, `only ${answered} answered`);
  assert.equal(htmlFirstLine("<p>&nbsp;</p>\nprocmail: x"), null);
  assert.equal(htmlFirstLine("\u3000\nprocmail: x"), null);
  assert.equal(htmlFirstLine("<style>p {}</style><p>maildrop: maildir over quota.</p>"), "p {} ");
  assert.equal(htmlFirstLine("<html>\n <body>\n<p>maildrop: full<b>!</b></p>"), "maildrop: full ! ");
});
