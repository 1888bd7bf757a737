import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseContentType } from "../../src/bounce/email/mime.ts";

/** The definition the parameter reader keeps: the expression it replaced, run over the value from its first ";". */
function reference(value: string): Map<string, string> {
  const params = new Map<string, string>();
  const head = value.length > 4096 ? value.slice(0, 4096) : value;
  const semicolon = head.indexOf(";");
  if (semicolon < 0) return params;
  const rest = head.slice(semicolon);
  const PARAM = /;\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;\s]*)/g;
  for (let match = PARAM.exec(rest); match !== null; match = PARAM.exec(rest)) {
    let raw = match[2];
    if (raw.startsWith('"')) raw = raw.slice(1, -1).replace(/\\(.)/g, "$1");
    const name = match[1].toLowerCase();
    if (!params.has(name)) params.set(name, raw);
  }
  return params;
}

const piece = fc.constantFrom(
  ";",
  "=",
  '"',
  "\\",
  " ",
  "\t",
  "\n",
  "\r",
  "\u00a0",
  "\u2028",
  "\u3000",
  "\ufeff",
  "\u0085",
  "a",
  "B",
  "-",
  "/",
  "x\u00e9",
  "\u0130",
  "boundary",
  "charset",
  "utf-8",
  "report-type",
  "multipart/report",
);

test("Content-Type parameters are read exactly as the expression read them", () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
      const value = pieces.join("");
      assert.deepEqual([...parseContentType(value).params], [...reference(value)], JSON.stringify(value));
    }),
    { numRuns: 30_000 },
  );
  for (const value of [
    'multipart/report; report-type=delivery-status;\tBOUNDARY="a b;c"',
    'text/plain; charset="unterminated',
    'text/plain; charset="a\\"b"; charset=second',
    'text/plain; name="a\\\nb"',
    "text/plain;; ;=x; =; a = b ; c=",
    `text/plain; long="${"x".repeat(5000)}"`,
    `text/plain; ${"; ".repeat(3000)}z=1`,
    `text/plain; ${'a="x\\"; '.repeat(400)}`,
    `text/plain; ${'a="x\\\n; '.repeat(400)}b="o k"`,
  ]) {
    assert.deepEqual(
      [...parseContentType(value).params],
      [...reference(value)],
      JSON.stringify(value.slice(0, 40)),
    );
  }
});
