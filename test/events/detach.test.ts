import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { detach } from "../../src/events/values.ts";

const VALUES = new URL("../../src/events/values.ts", import.meta.url).href;

/** V8's representation of each string (`SEQ_…`, `SLICED_…`, `CONS_…`), printed by a child with natives syntax. */
function representations(expressions: string[]): string[] {
  const prints = expressions.map((expression) => `%DebugPrint(${expression});`).join("\n");
  const child = spawnSync(
    process.execPath,
    ["--allow-natives-syntax", "--input-type=module", "-e", `import { detach } from "${VALUES}";\n${prints}`],
    { encoding: "utf8" },
  );
  assert.equal(child.status, 0, child.stderr);
  return [...child.stdout.matchAll(/ - type: (\w+)_STRING_TYPE/g)].map((match) => match[1]);
}

test("detach gives an equal string, and a flat copy of a long one (not a slice: comparisons stay fast)", () => {
  const line = `Jan  5 08:00:00 mta1 postfix/smtp[3001]: 410000000zRrf9: to=<user3123723@icloud.com>`;
  assert.equal(detach(line.slice(41, 55)), "410000000zRrf9");
  assert.equal(detach("short"), "short");
  assert.equal(detach(null), null);
  assert.equal(detach("é€ two-byte characters kept"), "é€ two-byte characters kept");
  const line1 = JSON.stringify(line);
  assert.deepEqual(
    representations([
      `detach(${line1}.repeat(2).slice(41, 55))`,
      `detach("user3123723" + "@icloud.com")`,
      `detach(("€" + "two-byte characters").slice(1))`,
    ]),
    ["SEQ_ONE_BYTE", "SEQ_ONE_BYTE", "SEQ_TWO_BYTE"],
  );
});
