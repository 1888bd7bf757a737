import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { createSink, type OutputMode } from "../../src/report/record-output.ts";

/** What a sink writes for these calls, as text. */
async function written(mode: OutputMode, fill: (sink: ReturnType<typeof createSink>) => void) {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  const sink = createSink(mode, stream as unknown as NodeJS.WriteStream);
  fill(sink);
  await sink.end();
  return Buffer.concat(chunks).toString("utf8");
}

test("records given as JSON lines are written as the same records given one by one", async () => {
  const records = ['{"a":1}', '{"b":"é ✓"}', '{"c":[]}'];
  const lines = Buffer.from(records.map((json) => `${json}\n`).join(""));
  let oneByOneJson = "";
  for (const mode of ["json", "ndjson"] as const) {
    const oneByOne = await written(mode, (sink) => {
      for (const json of records) sink.addJson(json);
    });
    // Mixed with single records before and after, and an empty block (a file without records).
    const asLines = await written(mode, (sink) => {
      sink.addJson(records[0]);
      sink.addJsonLines(Buffer.alloc(0));
      sink.addJsonLines(lines.subarray(records[0].length + 1));
    });
    assert.equal(asLines, oneByOne, mode);
    if (mode === "json") oneByOneJson = oneByOne;
    assert.equal(await written(mode, (sink) => sink.addJsonLines(lines)), oneByOne, mode);
  }
  assert.equal(await written("json", (sink) => sink.addJsonLines(Buffer.alloc(0))), "[]\n");
  // A block whose last record lacks its newline: that record still comes out, once (json mode splits).
  const unterminated = lines.subarray(0, lines.length - 1);
  assert.equal(await written("json", (sink) => sink.addJsonLines(unterminated)), oneByOneJson);
  assert.throws(() => createSink("text").addJsonLines(lines), /json or ndjson/);
});
