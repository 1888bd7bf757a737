import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { sendgridEvents } from "../../testkit/serve.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-drain-dedupe-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("serve's drain dedupe (key and time): a retried segment adds nothing, whichever reader takes it", async () => {
  const store = await Store.open(join(dir, "d.duckdb"), { threads: 1 });
  try {
    const file = (name: string, events: object[]) => {
      const path = join(dir, name);
      writeFileSync(path, `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
      return path;
    };
    const events = sendgridEvents(50, "d");
    const first = file("a.ndjson", events);
    for (const fastPath of [true, false]) {
      const options = { format: "sendgrid" as const, dedupeWithTime: true, fastPath };
      const once = await ingestFile(store, first, options);
      assert.equal(once.stored, fastPath ? 50 : 0);
      const again = await ingestFile(store, file("b.ndjson", [...events].reverse()), options);
      assert.deepEqual([again.stored, again.duplicates], [0, 50], `fastPath ${fastPath}`);
    }
    // The same id at another time is another record for the drain (ingest's key-only dedupe drops it).
    const moved = file("c.ndjson", [{ ...(events[0] as object), timestamp: 1_790_000_000 }]);
    assert.equal((await ingestFile(store, moved, { format: "sendgrid", dedupeWithTime: true })).stored, 1);
    assert.equal((await ingestFile(store, moved, { format: "sendgrid" })).stored, 0);
    const keyOnly = file("e.ndjson", [{ ...(events[1] as object), timestamp: 1_790_000_001 }]);
    assert.equal((await ingestFile(store, keyOnly, { format: "sendgrid" })).stored, 0);
  } finally {
    store.close();
  }
});
