import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Store } from "../../src/store/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { sendgridEvents, sendgridSigner, spawnServe } from "../../testkit/serve.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-serve-crash-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const signer = sendgridSigner();
const env = { DELIVERLENS_SENDGRID_VERIFICATION_KEY: signer.publicKey };
const db = join(dir, "live.duckdb");
const BATCH = 20;
const events = sendgridEvents(60 * BATCH, "crash");
const batches = Array.from({ length: 60 }, (_, i) => events.slice(i * BATCH, (i + 1) * BATCH));

async function send(url: string, batch: object[]): Promise<number> {
  const body = JSON.stringify(batch);
  try {
    const response = await fetch(`${url}/webhooks/sendgrid`, {
      method: "POST",
      body,
      headers: signer.headers(body),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function storedRecipients(): Promise<Set<string>> {
  const store = await Store.open(db, { readOnly: true });
  try {
    const rows = await store.all<{ r: string }>("SELECT recipient AS r FROM events");
    return new Set(rows.map((row) => row.r));
  } finally {
    store.close();
  }
}

const withoutMeta = (text: string) => ({ ...JSON.parse(text), meta: null });

test("kill -9 during a load run loses no acknowledged event; retries make the store equal a clean ingest", {
  timeout: 180_000,
}, async () => {
  // 1. Load with 4 concurrent senders; kill -9 once a third of the batches are acknowledged.
  const first = await spawnServe(["--db", db, "--drain-interval", "50"], env);
  const acked = new Set<number>();
  let next = 0;
  let killed = false;
  const sender = async () => {
    while (next < batches.length) {
      const index = next++;
      const status = await send(first.url, batches[index]);
      if (status === 200) acked.add(index);
      if (acked.size >= 20 && !killed) {
        killed = true;
        first.child.kill("SIGKILL");
      }
    }
  };
  try {
    await Promise.all([sender(), sender(), sender(), sender()]);
    assert.equal(await first.exited, "SIGKILL");
  } finally {
    await first.stop();
  }
  assert.ok(acked.size >= 20, `acknowledged before the kill: ${acked.size}`);

  // 2. Restart: webhooks are accepted at once (healthz), the spool left by the crash drains; SIGTERM exits 0.
  const second = await spawnServe(["--db", db], env);
  try {
    assert.equal((await fetch(`${second.url}/healthz`)).status, 200);
    const held = await spawnCli(["stats", "--db", db, "--json"]);
    assert.equal(held.status, 1);
    assert.match(held.stderr, /held by deliverlens serve .*\/api\/stats/);
    second.child.kill("SIGTERM");
    assert.equal(await second.exited, 0, second.stderr());
  } finally {
    await second.stop();
  }
  const present = await storedRecipients();
  const lost = [...acked]
    .flatMap((i) => batches[i])
    .filter((e) => !present.has((e as { email: string }).email));
  assert.deepEqual(lost, [], "every acknowledged event is in the store");

  // 3. The ESP retries what was not acknowledged (and one batch twice): the store equals a clean ingest.
  const third = await spawnServe(["--db", db], env);
  try {
    for (const [index, batch] of batches.entries()) {
      if (!acked.has(index) || index === [...acked][0]) assert.equal(await send(third.url, batch), 200);
    }
    third.child.kill("SIGTERM");
    assert.equal(await third.exited, 0, third.stderr());
  } finally {
    await third.stop();
  }

  const file = join(dir, "all.ndjson");
  writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  const cleanDb = join(dir, "clean.duckdb");
  assert.equal((await spawnCli(["ingest", file, "--db", cleanDb])).status, 0);
  const live = await spawnCli(["stats", "--db", db, "--json"]);
  const clean = await spawnCli(["stats", "--db", cleanDb, "--json"]);
  assert.equal(live.status, 0, live.stderr);
  assert.deepEqual(withoutMeta(live.stdout), withoutMeta(clean.stdout));
  assert.equal((await storedRecipients()).size, events.length);
});
