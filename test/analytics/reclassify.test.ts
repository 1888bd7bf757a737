import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { reclassifyIfStale } from "../../src/analytics/ingest/finalize.ts";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { CLASSIFIER_VERSION } from "../../src/bounce/classifier-version.ts";
import { maskReplySql } from "../../src/bounce/reply-key.ts";
import { Store } from "../../src/store/index.ts";
import { writeSmallProgram } from "../../testkit/analytics-program.ts";

/** A store's reply classes, as the events view joins them. */
const classes = (store: Store) =>
  store.all(
    "SELECT reply_key, provider, provider_code, reason, category, permanent, rule_id FROM reply_classes ORDER BY reply_key",
  );
const version = async (store: Store) =>
  (await store.one<{ v: number | null }>("SELECT max(classifier_version) AS v FROM classifier_state"))?.v;
const stale = (store: Store) => store.run("UPDATE reply_classes SET reason = 'stale', rule_id = 'stale'");

test("a store classified by another classifier version, or by one it did not record, classifies its replies again at its next ingest; the same version keeps them", async () => {
  const written = await writeSmallProgram("by-stream");
  const file = written.files.find((f) => f.endsWith(".ndjson"));
  assert.ok(file);
  const path = join(written.dir, "classes.duckdb");
  let store = await Store.open(path);
  // Closed and opened again: the classes are then checkpointed to the file, as in a store from a past run.
  const reopen = async () => {
    store.close();
    store = await Store.open(path);
  };
  try {
    await ingestFile(store, file);
    const fresh = await classes(store);
    assert.ok(fresh.length > 0, "the program has bounces and deferrals");
    assert.equal(await version(store), CLASSIFIER_VERSION);

    // The version it recorded: nothing classified again (the ingest costs no pass over the replies).
    await stale(store);
    await ingestFile(store, file);
    assert.ok((await classes(store)).every((row) => row.reason === "stale"));

    // Another version: every stored reply classified again, as a new store classifies it.
    await store.run("UPDATE classifier_state SET classifier_version = classifier_version - 1");
    await reopen();
    const again = await ingestFile(store, file);
    assert.equal(again.stored, 0);
    assert.equal(again.reader, "duckdb", "classified again in DuckDB's path, not after a fallback");
    assert.deepEqual(await classes(store), fresh);
    assert.equal(await version(store), CLASSIFIER_VERSION);
    const shown = await store.one<{ n: number }>("SELECT count(*) AS n FROM events WHERE reason = 'stale'");
    assert.equal(shown?.n, 0);

    // No version recorded (a store from before schema 11): the same.
    await stale(store);
    await store.run("DELETE FROM classifier_state");
    await reopen();
    assert.equal((await ingestFile(store, file)).reader, "duckdb");
    assert.deepEqual(await classes(store), fresh);

    // A class whose rows are gone is dropped (it recorded no recipient or remote host to classify it by);
    // a later row with its key is classified as a new one, in a later transaction than the drop.
    const [gone] = fresh;
    await store.run("DELETE FROM event_rows WHERE reply_key = $key", { key: gone.reply_key as string });
    await stale(store);
    await store.run("UPDATE classifier_state SET classifier_version = classifier_version - 1");
    await reopen();
    const other = written.files.find((f) => f !== file);
    assert.ok(other);
    assert.equal((await ingestFile(store, other)).reader, "duckdb");
    const kept = await classes(store);
    assert.ok(!kept.some((row) => row.reply_key === gone.reply_key));
    assert.ok(kept.every((row) => row.reason !== "stale"));
    await reopen();
    assert.equal((await ingestFile(store, file)).reader, "duckdb");
    assert.ok((await classes(store)).some((row) => row.reply_key === gone.reply_key));
  } finally {
    store.close();
    rmSync(written.dir, { recursive: true, force: true });
  }
});

/** The reply key ingest wrote before f620bce: the recipient domain kept for a listed provider's only. */
const OLD_KEY = `concat(CASE WHEN contains(reply_key, ':') THEN split_part(reply_key, ':', 1) END || ':',
  md5(concat_ws(chr(31), type, provider,
    CASE WHEN provider <> 'other' THEN coalesce(split_part(recipient, '@', -1), '') ELSE '' END,
    coalesce(lower(remote_mta), ''), coalesce(reply_code::VARCHAR, ''), coalesce(status, ''),
    ${maskReplySql("coalesce(reply, '')")})))`;

const unknownUser = (recipient: string, second: number) => ({
  ndjson: JSON.stringify({
    time: `2026-05-01T10:00:0${second}Z`,
    recipient,
    type: "bounced",
    reply: "550 Unknown user",
    status: "5.2.0",
    remote_mta: "mx.example.net",
  }),
  // At RCPT TO: after DATA the words of an unknown user are a filter's for any domain (smtp-phase.ts).
  log: `Feb  2 12:01:0${second} mail postfix/smtp[123]: Q000${second}: to=<${recipient}>, relay=mx.example.net[192.0.2.1]:25, delay=1.3, delays=0/0/0.4/0.9, dsn=5.2.0, status=bounced (host mx.example.net[192.0.2.1] said: 550 Unknown user (in reply to RCPT TO command))`,
});

const shown = (store: Store) =>
  store.all("SELECT recipient, reason, category FROM events ORDER BY recipient");

test("a store whose rows carry keys of an older recipe is keyed again before it is classified again: a docomo.ne.jp and an example.org recipient no longer share a class (review s14 R2)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-rekey-"));
  try {
    for (const format of ["ndjson", "log"] as const) {
      const first = join(dir, `first.${format}`);
      const second = join(dir, `second.${format}`);
      const line = (recipient: string, at: number) => unknownUser(recipient, at)[format];
      writeFileSync(first, `${line("u1@docomo.ne.jp", 1)}\n${line("u2@example.org", 2)}\n`);
      writeFileSync(second, `${line("u3@example.net", 3)}\n`);
      const reader = format === "ndjson" ? "duckdb" : "parsers";

      const fresh = await Store.open(join(dir, `fresh-${format}.duckdb`));
      await ingestFile(fresh, first);
      await ingestFile(fresh, second);
      const expected = await shown(fresh);
      fresh.close();
      assert.deepEqual(
        expected.map((row) => row.reason),
        ["filtered", "userunknown", "userunknown"],
        "docomo.ne.jp's 5.2.0 is its filter, elsewhere the words say the user is unknown",
      );

      // A store as an ingest before f620bce left it: both recipients under one domain-less key, classified
      // (as the settle did) from the first recipient, u1@docomo.ne.jp; then re-classified by a classifier
      // that recorded its version but no key recipe (ea12a1f), which kept the keys.
      const path = join(dir, `old-${format}.duckdb`);
      let store = await Store.open(path);
      await ingestFile(store, first);
      await store.run(`CREATE TEMP TABLE docomo AS SELECT * FROM reply_classes WHERE reply_key =
        (SELECT reply_key FROM event_rows WHERE recipient = 'u1@docomo.ne.jp')`);
      await store.run(`UPDATE event_rows SET reply_key = ${OLD_KEY} WHERE reply_key IS NOT NULL`);
      await store.run("DELETE FROM reply_classes");
      await store.run(`INSERT INTO reply_classes SELECT * REPLACE ((SELECT DISTINCT reply_key FROM event_rows) AS reply_key)
        FROM temp.docomo`);
      await store.run("UPDATE classifier_state SET reply_key_recipe = NULL");
      store.close();
      store = await Store.open(path);
      try {
        const leaked = await shown(store);
        assert.deepEqual(
          leaked.map((row) => row.reason),
          ["filtered", "filtered"],
          "the old store shows docomo's class for example.org",
        );
        const upgraded = await ingestFile(store, second);
        assert.equal(upgraded.reader, reader);
        assert.deepEqual(await shown(store), expected);
        const keys = await store.one<{ n: number }>("SELECT count(DISTINCT reply_key) AS n FROM event_rows");
        const classes = await store.one<{ n: number }>("SELECT count(*) AS n FROM reply_classes");
        assert.equal(classes?.n, keys?.n, "one class per key the rows carry, none left over");
      } finally {
        store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a re-key writes only the rows whose key changes (an updated row is held in memory until the commit)", async () => {
  const written = await writeSmallProgram("by-stream");
  const file = written.files.find((f) => f.endsWith(".ndjson"));
  assert.ok(file);
  const store = await Store.open(join(written.dir, "rekey.duckdb"));
  try {
    await ingestFile(store, file);
    const fresh = await classes(store);
    const keyed = await store.one<{ n: number }>(
      "SELECT count(*) AS n FROM event_rows WHERE reply_key IS NOT NULL",
    );
    assert.ok((keyed?.n ?? 0) > 1, "the program has keyed rows");

    // The recipe unrecorded, the keys today's: nothing to write.
    await store.run("UPDATE classifier_state SET reply_key_recipe = NULL");
    assert.deepEqual(await reclassifyIfStale(store), { rekeyed: 0, classified: fresh.length });

    // One row under a key today's recipe does not give: that row alone is written, back to its key.
    const row =
      "(SELECT min(rowid) FROM event_rows WHERE reply_key IS NOT NULL AND NOT contains(reply_key, ':'))";
    const original = await store.one<{ key: string }>(
      `SELECT reply_key AS key FROM event_rows WHERE rowid = ${row}`,
    );
    await store.run(`UPDATE event_rows SET reply_key = md5(reply_key) WHERE rowid = ${row}`);
    await store.run("UPDATE classifier_state SET reply_key_recipe = NULL");
    assert.equal((await reclassifyIfStale(store)).rekeyed, 1);
    const back = await store.one<{ key: string }>(
      `SELECT reply_key AS key FROM event_rows WHERE rowid = ${row}`,
    );
    assert.equal(back?.key, original?.key);
    assert.deepEqual(await classes(store), fresh);
  } finally {
    store.close();
    rmSync(written.dir, { recursive: true, force: true });
  }
});

test("a log stored before the SMTP phase was read (phase-less keys) takes the phase when ingested again: its rows get a fresh store's classes, none added or lost (review s15 R3)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-phase-adopt-"));
  // The same reply after DATA (a filter's: the address is kept) and after RCPT TO (the user is unknown).
  const line = (recipient: string, second: string, phase: string) =>
    `Feb  2 12:00:${second} mail postfix/smtp[123]: 4F1AB2C3D${second}: to=<${recipient}>, relay=mx.example.org[192.0.2.4]:25, delay=1.3, delays=0/0/0.4/0.9, dsn=5.0.0, status=bounced (host mx.example.org[192.0.2.4] said: 550 Unknown user${phase})`;
  const log = (phases: [string, string]) =>
    `${line("u1@example.org", "01", phases[0])}\n${line("u2@example.org", "02", phases[1])}\n`;
  // Readers before classifier version 6 kept no "(in reply to … command)": a line without it stores what they did.
  const before = join(dir, "before.log");
  const today = join(dir, "today.log");
  writeFileSync(before, log(["", ""]));
  writeFileSync(today, log([" (in reply to end of DATA command)", " (in reply to RCPT TO command)"]));
  const view = (store: Store) =>
    store.all("SELECT line, recipient, reason, category FROM events ORDER BY line");
  try {
    for (const fastPath of [true, false]) {
      const fresh = await Store.open(":memory:");
      const old = await Store.open(":memory:");
      try {
        await ingestFile(fresh, today, { format: "postfix", year: 2026, fastPath });
        const expected = await view(fresh);
        assert.deepEqual(
          expected.map((row) => row.reason),
          ["filtered", "userunknown"],
        );
        await ingestFile(old, before, { format: "postfix", year: 2026, fastPath });
        // Written by another key recipe (a store of an older release): the next ingest re-keys first.
        await old.run("UPDATE classifier_state SET reply_key_recipe = NULL");
        assert.deepEqual(
          (await view(old)).map((row) => row.reason),
          ["userunknown", "userunknown"],
          "the old way: phase-less",
        );
        const again = await ingestFile(old, today, { format: "postfix", year: 2026, fastPath });
        assert.equal(again.stored, 0, "every line is a duplicate");
        assert.deepEqual(await view(old), expected, `fast path ${fastPath}`);
        assert.deepEqual(
          await classes(old),
          await classes(fresh),
          "one class per carried key, the phase-less one dropped",
        );
      } finally {
        fresh.close();
        old.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a stored bounce-email row keeps its own reply's key and class when a later report with its identity carries another reply (review s24 R16)", async () => {
  // Sisimai's lhost-exim-35 and lhost-exim-44: one Message-ID, Date and recipient (the email event's identity),
  // two different replies; 44's is read with a hint. A duplicate's key is adopted only for the same reply.
  const fixtures = fileURLToPath(new URL("../fixtures/sisimai/eml/", import.meta.url));
  const [a, b] = ["lhost-exim-35.eml", "lhost-exim-44.eml"].map((name) => join(fixtures, name));
  const row = (store: Store) =>
    store.all(
      "SELECT e.recipient, e.reply, e.reply_key, rc.reason, rc.rule_id FROM event_rows e LEFT JOIN reply_classes rc USING (reply_key) WHERE e.file_id = 1",
    );
  for (const [first, second] of [
    [a, b],
    [b, a],
  ]) {
    const alone = await Store.open(":memory:");
    const both = await Store.open(":memory:");
    const batched = await Store.open(":memory:");
    try {
      await ingestFile(alone, first, { format: "email" });
      await ingestFile(both, first, { format: "email" });
      const again = await ingestFile(both, second, { format: "email" });
      assert.equal(again.stored, 0, "the second report repeats the first's event");
      assert.deepEqual(await row(both), await row(alone), first);
      // The two as one run's small files (stored in one batch when nothing needs them apart).
      const run = await ingestInputs(batched, [first, second], { describeFailure: String });
      assert.deepEqual(
        run.files.map((file) => file.stored),
        [1, 0],
      );
      assert.deepEqual(await row(batched), await row(alone), `${first} in a batch`);
    } finally {
      alone.close();
      both.close();
      batched.close();
    }
  }
});

test("a reply class's sample reply is the least of its rows' replies, whatever their order (review s25 R22)", async () => {
  // Two bounces whose replies differ only in the address the reply key masks: one class, one sample.
  const dir = mkdtempSync(join(tmpdir(), "deliverlens-sample-reply-"));
  const line = (recipient: string, second: number) =>
    JSON.stringify({
      time: `2026-05-01T10:00:0${second}Z`,
      recipient,
      type: "bounced",
      reply: `550 5.1.1 <${recipient}>: Recipient address rejected: User unknown in virtual mailbox table`,
    });
  const samples: unknown[] = [];
  try {
    for (const order of [
      ["zed@example.com", "amy@example.com"],
      ["amy@example.com", "zed@example.com"],
    ]) {
      const file = join(dir, `${order[0]}.ndjson`);
      writeFileSync(file, `${order.map((recipient, i) => line(recipient, i)).join("\n")}\n`);
      const store = await Store.open(":memory:");
      try {
        await ingestFile(store, file, { format: "ndjson" });
        samples.push(await store.all("SELECT reply FROM reply_classes"));
      } finally {
        store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const least = [
    {
      reply: `550 5.1.1 <amy@example.com>: Recipient address rejected: User unknown in virtual mailbox table`,
    },
  ];
  assert.deepEqual(samples, [least, least]);
});
