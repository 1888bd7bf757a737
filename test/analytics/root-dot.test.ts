import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * Review s41 R110: a recipient domain written with a root dot (`c@gmail.com.`) is the same domain — the classifier
 * reads it so — but the store gives it provider `other` and another recipient_hash (hygiene counts it apart).
 * Todo until the store reads the domain without its root dot (design: notes/ingest.md, session 41).
 */

const dir = scratchDir("root-dot");

test("a root-dot recipient domain is the domain's provider, and one address for the measures", {
  todo: "R110",
}, async () => {
  const path = join(dir, "sg.ndjson");
  const bounce = (email: string, i: number) =>
    JSON.stringify({
      email,
      timestamp: 1772409600 + i,
      event: "bounce",
      sg_event_id: `h${i}`,
      sg_message_id: `m${i}`,
      reason: "550 5.1.1 The email account that you tried to reach does not exist.",
      status: "5.1.1",
      type: "bounce",
    });
  writeFileSync(
    path,
    `${["c@gmail.com", "c@gmail.com.", "C@GMAIL.COM.", "e@icloud.com."].map(bounce).join("\n")}\n`,
  );
  const store = await Store.open(join(dir, "store.duckdb"));
  try {
    await ingestFile(store, path, { format: "sendgrid" });
    const rows = await store.all<{ recipient: string; provider: string; same: boolean }>(
      `SELECT recipient, provider::VARCHAR AS provider,
        recipient_hash = (SELECT recipient_hash FROM events WHERE recipient = 'c@gmail.com') AS same
      FROM events ORDER BY recipient`,
    );
    assert.deepEqual(
      rows.map(({ recipient, provider, same }) => `${recipient} ${provider} ${same}`),
      [
        "c@gmail.com google true",
        "c@gmail.com. google true",
        "c@gmail.com. google true",
        "e@icloud.com. apple false",
      ],
    );
  } finally {
    store.close();
  }
});
