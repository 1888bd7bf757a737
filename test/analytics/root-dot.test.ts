import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { hygiene } from "../../src/analytics/hygiene/hygiene.ts";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { Store } from "../../src/store/index.ts";
import { writeOldStore } from "../../testkit/old-store.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * Review s41 R110: a recipient domain written with a root dot (`c@gmail.com.`) is the same domain — the classifier
 * reads it so —, so the store gives it its domain's provider and its address the plain form's recipient_hash and
 * message_key (hygiene and the measures count one address); the stored recipient keeps its text.
 */

const dir = scratchDir("root-dot");

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

async function ingestBounces(store: Store, name: string, emails: string[]): Promise<void> {
  const path = join(dir, name);
  writeFileSync(path, `${emails.map(bounce).join("\n")}\n`);
  await ingestFile(store, path, { format: "sendgrid" });
}

const rowsOf = (store: Store) =>
  store.all<{ row: string }>(
    `SELECT concat_ws(' ', recipient, provider::VARCHAR,
      recipient_hash = (SELECT recipient_hash FROM events WHERE recipient = 'c@gmail.com')) AS row
    FROM events ORDER BY row`,
  );

test("a root-dot recipient domain is the domain's provider", async () => {
  const store = await Store.open(join(dir, "store.duckdb"));
  try {
    await ingestBounces(store, "sg.ndjson", ["c@gmail.com", "c@gmail.com.", "C@GMAIL.COM.", "e@icloud.com."]);
    assert.deepEqual(
      (await rowsOf(store)).map(({ row }) => row.replace(/ (true|false)$/, "")),
      ["c@gmail.com google", "c@gmail.com. google", "c@gmail.com. google", "e@icloud.com. apple"],
    );
  } finally {
    store.close();
  }
});

test("a root-dot address is one address with its plain form for the measures (recipient_hash, message_key)", async () => {
  const store = await Store.open(join(dir, "hash.duckdb"));
  try {
    await ingestBounces(store, "sg-hash.ndjson", [
      "c@gmail.com",
      "c@gmail.com.",
      "C@GMAIL.COM.",
      "d@gmail.com..",
    ]);
    assert.deepEqual(
      (await rowsOf(store)).map(({ row }) => row),
      [
        "c@gmail.com google true",
        "c@gmail.com. google true",
        "c@gmail.com. google true",
        "d@gmail.com.. other false",
      ],
    );
    // A message to a root-dot address is keyed as the message to its plain form (docs/MEASURES.md `sent`).
    assert.deepEqual(
      await store.all(`SELECT recipient, message_key = hash('c@gmail.com', message_id) AS plain FROM event_rows
        WHERE recipient LIKE 'c@%' ORDER BY line`),
      [
        { recipient: "c@gmail.com", plain: true },
        { recipient: "c@gmail.com.", plain: true },
        { recipient: "c@gmail.com.", plain: true },
      ],
    );
    const summary = await hygiene(store);
    assert.equal(summary.recipients, 2);
    assert.equal(summary.byReason["hard-bounce"], 2);
    const exported = join(dir, "suppress.csv");
    await hygiene(store, {}, exported);
    assert.equal(
      readFileSync(exported, "utf8"),
      "address,reason\nc@gmail.com,hard-bounce\nd@gmail.com.,hard-bounce\n",
    );
  } finally {
    store.close();
  }
});

test("a schema 19 store's root-dot rows take their domain's provider and their plain address's keys", async () => {
  const path = join(dir, "v19.duckdb");
  // Keys as schema 19 made them (the address as stored); z's are not its definition's, to show they are left alone.
  await writeOldStore(path, 19, [
    `INSERT INTO files VALUES (1, 'old.ndjson', 'sendgrid', 1, NULL, TIMESTAMP '2026-01-05 10:00:00', 3, 3, 0, 0, 0.1, NULL)`,
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, remote_mta, message_id, file_id, recipient_hash,
        message_key)
      VALUES (1, 'bounced', TIMESTAMP '2026-01-05 08:00:00', 'x@gmail.com.', 'other', NULL, 'm1', 1,
          hash('x@gmail.com.'), hash('x@gmail.com.', 'm1')),
        (2, 'delivered', TIMESTAMP '2026-01-05 08:00:01', 'y@custom.example.', 'other', 'mx01.mail.icloud.com', 'm2', 1,
          hash('y@custom.example.'), hash('y@custom.example.', 'm2')),
        (3, 'delivered', TIMESTAMP '2026-01-05 08:00:02', 'z@gmail.com', 'google', NULL, 'm3', 1, 7, 8)`,
  ]);
  const store = await Store.open(path);
  try {
    assert.equal((await store.one<{ c: boolean }>("SELECT complete AS c FROM hosting_state"))?.c, false);
    assert.equal((await store.one<{ n: number }>("SELECT count(*) AS n FROM summary_state"))?.n, 0);
    assert.deepEqual(
      await store.all(`SELECT recipient, recipient_hash = hash(rtrim(recipient, '.')) AS r,
        message_key = hash(rtrim(recipient, '.'), message_id) AS m FROM event_rows ORDER BY recipient`),
      [
        { recipient: "x@gmail.com.", r: true, m: true },
        { recipient: "y@custom.example.", r: true, m: true },
        { recipient: "z@gmail.com", r: false, m: false },
      ],
    );
    await ingestBounces(store, "sg-v19.ndjson", ["c@gmail.com"]);
    assert.deepEqual(
      await store.all("SELECT recipient, provider::VARCHAR AS provider FROM event_rows ORDER BY recipient"),
      [
        { recipient: "c@gmail.com", provider: "google" },
        { recipient: "x@gmail.com.", provider: "google" },
        { recipient: "y@custom.example.", provider: "apple" },
        { recipient: "z@gmail.com", provider: "google" },
      ],
    );
  } finally {
    store.close();
  }
});

test("a schema 19 store of an ESP's events (no receiving host named) gives its root-dot rows their provider too", async () => {
  const path = join(dir, "v19-esp.duckdb");
  await writeOldStore(path, 19, [
    `INSERT INTO files VALUES (1, 'old.ndjson', 'sendgrid', 1, NULL, TIMESTAMP '2026-01-05 10:00:00', 2, 2, 0, 0, 0.1, NULL)`,
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, file_id)
      VALUES (1, 'bounced', TIMESTAMP '2026-01-05 08:00:00', 'x@gmail.com.', 'other', 1),
        (2, 'bounced', TIMESTAMP '2026-01-05 08:00:01', 'e@icloud.com.', 'other', 1)`,
  ]);
  const store = await Store.open(path);
  try {
    await ingestBounces(store, "sg-v19-esp.ndjson", ["c@gmail.com"]);
    assert.deepEqual(
      await store.all("SELECT recipient, provider::VARCHAR AS provider FROM event_rows ORDER BY recipient"),
      [
        { recipient: "c@gmail.com", provider: "google" },
        { recipient: "e@icloud.com.", provider: "apple" },
        { recipient: "x@gmail.com.", provider: "google" },
      ],
    );
    assert.equal((await store.one<{ c: boolean }>("SELECT complete AS c FROM hosting_state"))?.c, true);
  } finally {
    store.close();
  }
});
