import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { CLASSIFIER_VERSION } from "../../src/bounce/classifier-version.ts";
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

    // A class whose rows are gone is classified again from what it recorded (no row to read it from).
    const [gone] = fresh;
    await store.run("DELETE FROM event_rows WHERE reply_key = $key", { key: gone.reply_key as string });
    await stale(store);
    await store.run("UPDATE classifier_state SET classifier_version = classifier_version - 1");
    await reopen();
    const other = written.files.find((f) => f !== file);
    assert.ok(other);
    await ingestFile(store, other);
    const kept = await classes(store);
    assert.ok(kept.some((row) => row.reply_key === gone.reply_key));
    assert.ok(kept.every((row) => row.reason !== "stale"));
  } finally {
    store.close();
    rmSync(written.dir, { recursive: true, force: true });
  }
});
