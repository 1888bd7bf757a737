import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { withoutTags } from "../../src/bounce/email/scan.ts";
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
