import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { dailyStats, loadAppleEgress, resolveQuery } from "../../src/analytics/stats/index.ts";
import { Store } from "../../src/store/index.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/events");

test("sent: distinct (message, recipient) pairs for a source without sent events, beside one with them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-sent-unit-"));
  const store = await Store.open(join(dir, "s.duckdb"));
  try {
    await ingestFile(store, join(FIXTURES, "postfix-01.log"), { year: 2026 });
    await ingestFile(store, join(FIXTURES, "kumomta-01.jsonl"));
    // SendGrid logs its own per-recipient sent event (`processed`); its delivery is not counted again.
    const at = Date.parse("2026-02-02T10:00:00Z") / 1000;
    const sendgrid = join(dir, "sendgrid.ndjson");
    writeFileSync(
      sendgrid,
      ["processed", "delivered"]
        .map((event, i) =>
          JSON.stringify({
            email: "a@icloud.com",
            timestamp: at + i,
            event,
            sg_event_id: `e${i}`,
            sg_message_id: "m",
          }),
        )
        .join("\n"),
    );
    await ingestFile(store, sendgrid);
    await loadAppleEgress(store, null);
    const days = await dailyStats(store, await resolveQuery(store, {}));
    const expected = await store.all<{ provider: string; day: string; sent: number }>(
      `SELECT provider, strftime(time::DATE, '%Y-%m-%d') AS day,
        count(DISTINCT (coalesce(message_id, campaign, ''), recipient)) FILTER (WHERE format <> 'sendgrid'
          AND type IN ('delivered', 'deferred', 'bounced')) + count(*) FILTER (WHERE type = 'sent') AS sent
       FROM events GROUP BY ALL ORDER BY ALL`,
    );
    const postfix = await store.one<{ n: number }>(
      "SELECT count(*) AS n FROM events WHERE format = 'postfix'",
    );
    assert.ok((postfix?.n ?? 0) > 0, "the postfix fixture stored events");
    assert.deepEqual(
      days.map(({ provider, day, sent }) => ({ provider, day, sent })),
      expected,
    );
    const apple = days.find((d) => d.provider === "apple" && d.day === "2026-02-02");
    assert.equal(apple?.sent, 2, "the postfix CS01 recipient plus the SendGrid processed one");
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
