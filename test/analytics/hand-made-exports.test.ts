import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { firstValueLayout, ingestFile } from "../../src/analytics/ingest/ingest.ts";
import type { FormatName } from "../../src/events/formats.ts";
import { Store } from "../../src/store/index.ts";

/**
 * Exports in the shapes users get them, written by an independent generator (test/fixtures/hand-made/README.md)
 * with the truth of every event beside each file: what `ingest` stores must be that truth, whichever reader
 * reads the file.
 */
const HAND_MADE = new URL("../fixtures/hand-made/", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "deliverlens-hand-made-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The truth of `name`: one "type recipient epoch-ms" line per event, times cut to the file's precision. */
function truth(name: string): string[] {
  return readFileSync(join(HAND_MADE, `${name}.truth`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split("\t").slice(0, 3).join(" "))
    .sort();
}

/**
 * Ingests `path` into a fresh store (its format forced, else detected: null); returns the file's summary and
 * its events as truth lines.
 */
async function stored(path: string, format: FormatName | null, name: string, fastPath = true) {
  const store = await Store.open(":memory:");
  try {
    const summary = await ingestFile(store, path, { format: format ?? undefined, fastPath });
    const rows = await store.all<{ line: string }>(
      "SELECT concat_ws(' ', type, recipient, epoch_ms(time)) AS line FROM events",
    );
    const precision = Number(
      readFileSync(join(HAND_MADE, `${name}.truth`), "utf8")
        .split("\n")[0]
        .split("\t")[4],
    );
    const lines = rows
      .map(({ line }) => {
        const [type, recipient, ms] = line.split(" ");
        return `${type} ${recipient} ${Number(ms) - (Number(ms) % precision)}`;
      })
      .sort();
    return { summary, lines };
  } finally {
    store.close();
  }
}

/** Each file is read by DuckDB, with nothing quarantined, into its truth's events, and the parsers read the same. */
async function readByDuckDbAsByParsers(files: readonly (readonly [string, FormatName])[]): Promise<void> {
  for (const [name, format] of files) {
    const path = join(HAND_MADE, name);
    const fast = await stored(path, format, name);
    const parsers = await stored(path, format, name, false);
    assert.equal(fast.summary.reader, "duckdb", name);
    assert.equal(fast.summary.quarantined, 0, name);
    assert.deepEqual(fast.lines, truth(name), name);
    assert.deepEqual(parsers.lines, fast.lines, name);
  }
}

test("webhook POST bodies logged one JSON array per line (SendGrid, SparkPost): DuckDB's reader stores every event, as the parsers do", async () => {
  await readByDuckDbAsByParsers([
    ["sendgrid-batches.json", "sendgrid"],
    ["sparkpost-batches.json", "sparkpost"],
  ]);
});

test("a UTF-8 byte order mark before the first record (Excel, Windows tools): every JSON format stores every event", async () => {
  for (const [name, format] of [
    ["sendgrid-bom-crlf.ndjson", "sendgrid"],
    ["mailgun-webhooks.ndjson", "mailgun"],
    ["postmark-webhooks.ndjson", "postmark"],
    ["ses-sns.ndjson", "ses"],
    ["generic.ndjson", "ndjson"],
  ] as const) {
    const text = readFileSync(join(HAND_MADE, name), "utf8");
    const marked = join(dir, `marked-${name}`);
    writeFileSync(marked, text.startsWith("\uFEFF") ? text : `\uFEFF${text}`);
    for (const fastPath of [true, false]) {
      const { summary, lines } = await stored(marked, format, name, fastPath);
      assert.equal(summary.quarantined, 0, `${name} fastPath ${fastPath}`);
      assert.deepEqual(lines, truth(name), `${name} fastPath ${fastPath}`);
    }
  }
});

test("pretty-printed and concatenated JSON (a saved API response, a request logger's bodies, Kinesis Firehose's objects without separators): DuckDB's reader stores every event, as the parsers do", async () => {
  await readByDuckDbAsByParsers([
    ["sendgrid-pretty.json.gz", "sendgrid"],
    ["postmark-pretty.json", "postmark"],
    ["ses-firehose.gz", "ses"],
  ]);
});

test("API pages saved as they come (SparkPost Events API `results`, Postmark Bounces API `Bounces`, no webhook wrapper): detected and every event stored by either reader, DuckDB's reading the pages", async () => {
  for (const name of ["sparkpost-events-api.json", "postmark-bounces-api.json"]) {
    for (const fastPath of [true, false]) {
      const { summary, lines } = await stored(join(HAND_MADE, name), null, name, fastPath);
      assert.equal(summary.format, name.split("-")[0], name);
      assert.equal(summary.reader, fastPath ? "duckdb" : "parsers", name);
      assert.equal(summary.quarantined, 0, `${name} fastPath ${fastPath}`);
      assert.deepEqual(lines, truth(name), `${name} fastPath ${fastPath}`);
    }
  }
});

test("firstValueLayout: a value on a line of its own, over several lines, followed on its line, or not known", () => {
  const cases: [string, ReturnType<typeof firstValueLayout>][] = [
    ['{"a":1}\n{"a":2}\n', "line"],
    ['[{"a":1},{"a":2}]\r\n[{"a":3}]\r\n', "line"],
    ['{"a":"}\\"{["}  \n', "line"],
    ['{"a":1}', "line"],
    ['[\n  {"a": 1}\n]\n', "documents"],
    ['{\r\n  "a": 1\r\n}\r\n', "documents"],
    ['{"a":1}{"a":2}{"a":3}', "documents"],
    ['{"a":1} {"a":2}\n', "documents"],
    ['{"a":"x\\ny"}\n', "line"],
    ['{"a":1', "unknown"],
    ["Feb  2 12:34:56 mail postfix/smtp[1]: x\n", "unknown"],
    ["", "unknown"],
  ];
  for (const [text, layout] of cases) assert.equal(firstValueLayout(text), layout, JSON.stringify(text));
});
