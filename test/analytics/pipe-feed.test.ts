import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { CsvStaging } from "../../src/analytics/ingest/csv-staging.ts";
import {
  BIG,
  type ChunkMessage,
  ChunkSender,
  SLOT_BYTES,
  SLOTS,
} from "../../src/analytics/ingest/pipe-feed.ts";

/**
 * A parsing thread hands its CSV chunks to the pipe's writing thread through shared slots
 * (src/analytics/ingest/pipe-feed.ts), waiting while they are all unread.
 */

test("a thread waiting for a free slot stays alive until one is freed, then hands its chunk over", async () => {
  const { port1, port2 } = new MessageChannel();
  const states = new Int32Array(new SharedArrayBuffer(4 * 64));
  states.fill(1);
  const feed = { port: port2, slots: new SharedArrayBuffer(1024), states: states.buffer };
  const url = new URL("../../src/analytics/ingest/pipe-feed.ts", import.meta.url).href;
  // Nothing else keeps the waiting thread's event loop alive (a parsing thread's slots all unread).
  const worker = new Worker(
    `(async () => {
      const { workerData, parentPort } = await import("node:worker_threads");
      const { ChunkSender } = await import(${JSON.stringify(url)});
      await new ChunkSender(workerData.feed).send(new Uint8Array([65, 66, 10]), () => null);
      parentPort.postMessage("sent");
    })();`,
    { eval: true, workerData: { feed }, transferList: [port2] },
  );
  const events: string[] = [];
  // Or the thread's end without one (it failed): no wait on a port nothing will write to.
  const chunk = new Promise<ChunkMessage>((resolve, reject) => {
    port1.once("message", resolve);
    worker.once("exit", () => {
      // Its message may still wait in the port's queue: exit and message are told on two channels.
      const queued = receiveMessageOnPort(port1);
      if (queued) resolve(queued.message);
      else reject(new Error(`the thread ended without a chunk: ${events.join(", ")}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    worker.on("message", (message) => events.push(String(message)));
    worker.on("error", (error) => events.push(`error: ${error.message}`));
    worker.on("exit", () => {
      events.push("exit");
      resolve();
    });
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(events, [], "still waiting");
    Atomics.store(states, 0, 0);
    Atomics.notify(states, 0);
    assert.deepEqual(await chunk, { slot: 0, length: 3 });
    await exited;
    assert.deepEqual(events, ["sent", "exit"]);
    assert.equal(Buffer.from(feed.slots, 0, 3).toString(), "AB\n");
  } finally {
    port1.close();
    await worker.terminate();
  }
});

test("a chunk larger than a slot waits until the thread's last one is written: rows of hostile size never pile up", async () => {
  const { port1, port2 } = new MessageChannel();
  const states = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + 1)));
  states[BIG] = 1;
  const sender = new ChunkSender({ port: port2, slots: new SharedArrayBuffer(16), states: states.buffer });
  const big = new Uint8Array(SLOT_BYTES + 1).fill(65);
  let sent = false;
  const sending = sender
    .send(big, () => null)
    .then(() => {
      sent = true;
    });
  const chunk = new Promise<ChunkMessage>((resolve) => port1.once("message", resolve));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(sent, false, "waits while the last big chunk is unwritten");
  Atomics.store(states, BIG, 0);
  Atomics.notify(states, BIG);
  await sending;
  const message = await chunk;
  assert.ok("bytes" in message && message.bytes.byteLength === SLOT_BYTES + 1);
  assert.equal(states[BIG], 1, "handed over: the next big chunk waits");
  port1.close();
  port2.close();
});

test("a pipe one thread writes has no feeding thread; one two threads write has a way in for the second", () => {
  const one = new CsvStaging(true, 1);
  const two = new CsvStaging(true, 2);
  try {
    if (!one.pipe) return; // no named pipes here: files, one per thread
    assert.throws(() => one.feedPort(1), /one parser/);
    assert.ok(two.feedPort(1).port);
  } finally {
    one.close();
    two.close();
  }
});
