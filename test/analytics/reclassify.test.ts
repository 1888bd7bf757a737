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
  const store = await Store.open(join(written.dir, "classes.duckdb"));
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
    const again = await ingestFile(store, file);
    assert.equal(again.stored, 0);
    assert.deepEqual(await classes(store), fresh);
    assert.equal(await version(store), CLASSIFIER_VERSION);
    const shown = await store.one<{ n: number }>("SELECT count(*) AS n FROM events WHERE reason = 'stale'");
    assert.equal(shown?.n, 0);

    // No version recorded (a store from before schema 11): the same.
    await stale(store);
    await store.run("DELETE FROM classifier_state");
    await ingestFile(store, file);
    assert.deepEqual(await classes(store), fresh);
  } finally {
    store.close();
    rmSync(written.dir, { recursive: true, force: true });
  }
});
