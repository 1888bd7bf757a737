import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { valueScanModuleSource } from "../../scripts/build-wasm.ts";
import { mayHoldOtherKinds, type ScanKeys } from "../../src/events/value-scan.ts";
import { scratchDir } from "../../testkit/scratch.ts";

const dir = scratchDir("deliverlens-value-scan-");
const KEYS: ScanKeys = { text: ["email", "reason", "timestamp"], lists: ["destination"] };

/** What both scans (WebAssembly, JavaScript alone) say of `text` written to a file; they must agree. */
function scanned(text: string | Buffer, enveloped = false, keys = KEYS): boolean {
  const file = join(dir, "input.json");
  writeFileSync(file, text);
  const wasm = mayHoldOtherKinds(file, keys, enveloped);
  assert.equal(
    mayHoldOtherKinds(file, keys, enveloped, false),
    wasm,
    `JS and WebAssembly on ${String(text).slice(0, 200)}`,
  );
  return wasm;
}

test("the committed module is the assembly of value-scan.wat", async () => {
  const committed = readFileSync(join(import.meta.dirname, "../../src/events/value-scan-wasm.ts"), "utf8");
  assert.equal(committed, await valueScanModuleSource());
});

test("a boolean, object or list under a watched key is found, whatever whitespace or case or escape spells it", () => {
  const clean =
    '{"email":"a@b.c","reason":"550 the tf: try later","category":["x"],"sg_machine_open":true,"meta":{"a":[1,{"b":false}]},"timestamp":1767225600}';
  assert.equal(scanned(clean), false);
  assert.equal(scanned(`${clean}\n${clean}\n`), false);
  const hostile = [
    '{"email":true}',
    '{"email": false}',
    '{"reason" :\t{"a":1}}',
    '{"reason":\r\n [1]}',
    '{"EMAIL":true}',
    '{"Reason":{"x":"y"}}',
    '{"timestamp":true}',
    '{"em\\u0061il":true}',
    '{"a":{"b":{"email":[]}}}',
    '[{"email":"a@b.c"},{"email":{"address":"q@r.s"}}]',
    '{"destination":["a@b.c",true]}',
    '{"destination":[{"a":1}]}',
    '{"destination": [ [ ] ]}',
    '{"destination":true}',
  ];
  for (const record of hostile) {
    assert.equal(scanned(record), true, record);
    assert.equal(scanned(`${clean}\n${record}\n${clean}`), true, record);
  }
  // Lists of strings, numbers and nulls; values of keys not watched; strings holding `{`, `true`.
  for (const record of [
    '{"destination":["a@b.c", "x\\"y", 12, -1.5e3, null]}',
    '{"destination":[]}',
    '{"other":true,"category":[{"a":1}],"x":{"email":"a"}}',
    '{"reason":"{\\"a\\":1} [true] false"}',
  ])
    assert.equal(scanned(record), false, record);
});

test("inside an SNS envelope's message, escaped quotes, whitespace escapes and \\u00XX escapes are followed", () => {
  const message = (inner: string) => JSON.stringify({ Type: "Notification", Message: inner });
  const clean = JSON.stringify({
    mail: { destination: ["a@b.c"], headersTruncated: false, tags: { c: ["x"] } },
    bounce: { bouncedRecipients: [{ email: "a@b.c" }] },
    reason: "é ü the tf",
  });
  assert.equal(scanned(message(clean), true), false);
  for (const inner of [
    '{"email":true}',
    '{"email":\n\t true}',
    '{"mail":{"destination":["a@b.c",false]}}',
    '{"email":\\u0074rue}',
  ]) {
    const line = message(inner).replace("\\\\u0074", "\\u0074");
    assert.equal(scanned(line, true), true, line);
    assert.equal(scanned(`${message(clean)}\n${line}\n`, true), true, line);
  }
});

test("values near the edges of the bytes read a step (2 MiB) are judged with their keys and lists whole", () => {
  const step = 2 * 1024 * 1024;
  const filler = `{"reason":"${"x".repeat(200)}","category":["y"]}\n`;
  for (const [record, expected] of [
    ['{"destination":["a@b.c","d@e.f","g@h.i"],"email":"a@b.c"}', false],
    ['{"destination":["a@b.c","d@e.f",true],"email":"a@b.c"}', true],
    ['{"email":"a@b.c","reason":{"a":1}}', true],
  ] as const) {
    for (const shift of [-60, -45, -30, -20, -17, -16, -10, -3, 0, 5, 16384 - 30, 16384 + 10]) {
      const before = filler.repeat(Math.floor((step + shift) / filler.length));
      const pad = " ".repeat(Math.max(0, step + shift - before.length));
      const text = `${before}${pad}${record}\n${filler.repeat(50)}`;
      assert.equal(scanned(text), expected, `${record} at ${shift}`);
    }
  }
  // A list longer than a step is left to the parsers; a key longer than the context kept too.
  assert.equal(scanned(`{"destination":[${'"a@b.c",'.repeat(300_000)}"x"]}\n`), true);
  const head = filler.repeat(Math.floor((step - 19_900) / filler.length));
  const long = `${head}${" ".repeat(step - 19_900 - head.length)}{"${"k".repeat(20_000)}":true}\n`;
  assert.equal(scanned(long), true);
  assert.equal(scanned(long.replace(":true", ':"x"')), false);
});

/** A JSON value of any kind, up to `depth` levels deep, with keys that are watched or not. */
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.constantFrom("a@b.c", "true", "{", "[", ": t", "\\", '"', "é"),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("email", "Reason", "destination", "other", "category", "x"), tie("value"), {
      maxKeys: 4,
    }),
  ),
})).value;

/** Whether `record` holds a value of another kind under a watched key (JSON.parse's reading: the truth). */
function holds(record: unknown, keys: ScanKeys): boolean {
  if (Array.isArray(record)) return record.some((item) => holds(item, keys));
  if (record === null || typeof record !== "object") return false;
  for (const [key, item] of Object.entries(record)) {
    const name = key.toLowerCase();
    const kind = item === null ? "null" : Array.isArray(item) ? "list" : typeof item;
    if (keys.text.includes(name) && (kind === "list" || kind === "object" || kind === "boolean")) return true;
    if (keys.lists.includes(name)) {
      if (kind === "object" || kind === "boolean") return true;
      if (
        Array.isArray(item) &&
        item.some((x) => x !== null && typeof x !== "string" && typeof x !== "number")
      )
        return true;
    }
    if (holds(item, keys)) return true;
  }
  return false;
}

/** JSON text of `record` with random whitespace (the four JSON allows) between its tokens. */
function spaced(record: unknown, spaces: string[]): string {
  let i = 0;
  const ws = () => spaces[i++ % spaces.length];
  const write = (v: unknown): string => {
    if (Array.isArray(v)) return `[${ws()}${v.map(write).join(`${ws()},${ws()}`)}${ws()}]`;
    if (v !== null && typeof v === "object")
      return `{${ws()}${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}${ws()}:${ws()}${write(x)}`)
        .join(`${ws()},${ws()}`)}${ws()}}`;
    return JSON.stringify(v);
  };
  return write(record);
}

test("never misses a value of another kind (fuzz: records of any shape, any JSON whitespace, bare or enveloped)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.dictionary(fc.constantFrom("email", "destination", "other", "x"), value, { maxKeys: 4 }), {
        minLength: 1,
        maxLength: 4,
      }),
      fc.array(fc.constantFrom("", " ", "\t", "\n", "\r\n", "  "), { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      (records, spaces, enveloped) => {
        const truth = records.some((record) => holds(record, KEYS));
        const lines = records.map((record) => {
          const text = spaced(record, spaces);
          return enveloped
            ? JSON.stringify({ Type: "Notification", Message: text })
            : text.replaceAll(/[\r\n]/g, " ");
        });
        const found = scanned(`${lines.join("\n")}\n`, enveloped);
        if (truth) assert.equal(found, true, lines.join("\n"));
      },
    ),
    { numRuns: 400 },
  );
});
