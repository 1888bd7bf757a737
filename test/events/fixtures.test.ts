import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { detectFormat } from "../../src/events/detect.ts";
import { EVENT_SOURCES } from "../../src/events/registry.ts";
import { readAll } from "../../testkit/events-read.ts";

const DIR = new URL("../fixtures/events/", import.meta.url);

/** The contract every event source keeps, checked on its fixture. */
test("every event source has a fixture that is detected as its format and yields well-formed events", async () => {
  const files = readdirSync(DIR).filter((name) => name !== "README.md");
  for (const source of EVENT_SOURCES) {
    const file = files.find((name) => name.startsWith(`${source.id}-`));
    assert.ok(file, `fixture for ${source.id}`);
    const text = readFileSync(new URL(file, DIR), "utf8");
    assert.equal(detectFormat(text, file), source.id, `${file} detected`);
    const { events, problems } = await readAll(text, source.id, { year: 2026 });
    assert.deepEqual(problems, [], file);
    assert.ok(events.length > 0, `${file} yields events`);
    for (const event of events) {
      assert.equal(event.source.file, "test");
      assert.equal(typeof event.source.line, "number");
      assert.ok(
        event.time === null || /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(event.time),
        event.time ?? "",
      );
      assert.ok(event.recipient === null || event.recipient.includes("@"), `${file}: ${event.recipient}`);
    }
  }
});
