import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CHUNK_BYTES } from "../../src/events/input.ts";
import { classifySegmentOf } from "../../src/pipeline/classify-email.ts";
import { AHEAD_HERE, GIVEN, type JobsLayout, noCounts } from "../../src/pipeline/job-sharing.ts";
import { classifyMboxInJobs } from "../../src/pipeline/mbox-in-jobs.ts";
import { MboxSegmenter, segmentsOf } from "../../src/pipeline/mbox-segmenter.ts";

const fixtures = fileURLToPath(new URL("../fixtures/sisimai/eml/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deliverlens-mbox-in-jobs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An mbox of ~`megabytes` MB: bounce emails of the corpus in turn, and now and then one over `limit` bytes. */
function mbox(megabytes: number, limit: number | null = null): string {
  const bodies = [
    "rhost-apple-02.eml",
    "lhost-dragonfly-15.eml",
    "lhost-messagingserver-09.eml",
    "lhost-sendmail-60.eml",
  ].map((name) =>
    readFileSync(join(fixtures, name), "latin1")
      .replace(/^From [^\n]*\n/, "")
      .replace(/^(>*From )/gm, ">$1"),
  );
  const path = join(dir, `${megabytes}.mbox`);
  const parts: string[] = [];
  let bytes = 0;
  for (let n = 0; bytes < megabytes * 1024 * 1024; n++) {
    const body =
      limit !== null && n % 97 === 50
        ? `Subject: big\n\n${"x".repeat(limit + 10)}`
        : bodies[n % bodies.length];
    const message = `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${body}\n\n`;
    parts.push(message);
    bytes += message.length;
  }
  writeFileSync(path, parts.join(""), "latin1");
  return path;
}

/** `run` with the bytes-per-message limit set (the second process reads it from the environment as it starts). */
async function withMessageLimit<T>(bytes: number, run: () => Promise<T>): Promise<T> {
  const limit = process.env.DELIVERLENS_MAX_MESSAGE_BYTES;
  process.env.DELIVERLENS_MAX_MESSAGE_BYTES = String(bytes);
  try {
    return await run();
  } finally {
    if (limit === undefined) delete process.env.DELIVERLENS_MAX_MESSAGE_BYTES;
    else process.env.DELIVERLENS_MAX_MESSAGE_BYTES = limit;
  }
}

/** Waits for `ready`, failing with `why` if it has not come after a minute. */
async function until(ready: () => boolean, why: string): Promise<void> {
  for (let waited = 0; !ready(); waited += 10) {
    assert.ok(waited < 60_000, why);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const chunksOf = (path: string) => () => {
  const bytes = readFileSync(path);
  return Array.from({ length: Math.ceil(bytes.length / CHUNK_BYTES) }, (_, at) =>
    bytes.subarray(at * CHUNK_BYTES, (at + 1) * CHUNK_BYTES),
  );
};

/** Every item of the mbox, one process, the default segments. */
function itemsHere(path: string, json: boolean): unknown[] {
  const segments = segmentsOf(chunksOf(path)(), new MboxSegmenter(path));
  return [...segments].flatMap((segment) => classifySegmentOf(segment, path, json));
}

/** Every item of the mbox classified by two processes; `between` runs after each batch taken (a slow output). */
async function itemsInJobs(
  path: string,
  json: boolean,
  layout: JobsLayout,
  between: (taken: number) => Promise<void> = async () => {},
): Promise<unknown[]> {
  const items: unknown[] = [];
  let taken = 0;
  const classify = (segment: Parameters<typeof classifySegmentOf>[0]) =>
    classifySegmentOf(segment, path, json);
  for await (const batch of classifyMboxInJobs(chunksOf(path), path, json, classify, layout)) {
    items.push(...batch);
    await between(++taken);
  }
  return items;
}

const counted = noCounts;

test("an mbox classified by two processes: the same records (JSON and objects) and problems, in order, as by one", async () => {
  await withMessageLimit(64 * 1024, async () => {
    const path = mbox(5, 64 * 1024);
    for (const json of [true, false]) {
      const counts = counted();
      const items = await itemsInJobs(path, json, { counts }, async (taken) => {
        if (taken === 1) await until(() => counts.posted() > 0, "the second process returned no batch");
      });
      const here = itemsHere(path, json);
      assert.ok(here.some((item) => typeof item === "object" && item !== null && "message" in item));
      assert.deepEqual(items, here);
      assert.ok(counts.there > 0 && counts.here > 0, `segments here ${counts.here}, there ${counts.there}`);
    }
  });
});

test("a second process that cannot start, or dies part-way: what it held is done here", async () => {
  const path = mbox(3);
  const here = itemsHere(path, true);
  for (const worker of ["no-such-worker", "../../testkit/jobs-process-dies"]) {
    const counts = counted();
    const items = await itemsInJobs(path, true, { worker, counts }, async (taken) => {
      if (taken === 1 && !worker.startsWith("no-such"))
        await until(() => counts.posted() > 0, "the second process returned no batch");
    });
    assert.deepEqual(items, here, worker);
    assert.equal(
      counts.here + counts.there,
      [...segmentsOf(chunksOf(path)(), new MboxSegmenter(path))].length,
    );
    assert.equal(counts.there, worker.startsWith("no-such") ? 0 : 1, worker);
  }
});

test("segments past the output stay under AHEAD_HERE while the second process holds one; it holds at most GIVEN", async () => {
  const path = mbox(AHEAD_HERE + 12);
  const counts = counted();
  let taken = 0;
  let mostHeld = 0;
  const items = await itemsInJobs(
    path,
    true,
    { worker: "../../testkit/jobs-process-slow", counts },
    async () => {
      taken++;
      mostHeld = Math.max(mostHeld, counts.held());
      const ahead = counts.here + counts.posted() + counts.held() - taken;
      assert.ok(ahead <= AHEAD_HERE, `ahead of the output: ${ahead}`);
    },
  );
  assert.deepEqual(items, itemsHere(path, true));
  assert.ok(mostHeld > 0 && mostHeld <= GIVEN, `held at most ${mostHeld}`);
  assert.ok(counts.there > 0);
});

test("a read error part-way: every segment before it comes out, as by one process, then the error", async () => {
  const path = mbox(6);
  const failing = () => {
    const all = chunksOf(path)();
    return (function* () {
      yield* all.slice(0, 3);
      throw Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
    })();
  };
  const here: unknown[] = [];
  assert.throws(() => {
    for (const segment of segmentsOf(failing(), new MboxSegmenter(path)))
      here.push(...classifySegmentOf(segment, path, true));
  }, /EIO/);
  assert.ok(here.length > 0);
  const counts = counted();
  const items: unknown[] = [];
  const classify = (segment: Parameters<typeof classifySegmentOf>[0]) =>
    classifySegmentOf(segment, path, true);
  await assert.rejects(async () => {
    for await (const batch of classifyMboxInJobs(failing, path, true, classify, { counts })) {
      // After the first batch, the second process has its segments (given as they are cut).
      if (items.length === 0) await until(() => counts.posted() > 0, "the second process returned no batch");
      items.push(...batch);
    }
  }, /EIO/);
  assert.deepEqual(items, here);
  assert.ok(counts.there > 0, `segments there ${counts.there}`);
});

test("the second process reads its segments from the file: ones the file no longer holds are done here", async () => {
  const path = mbox(3);
  const text = readFileSync(path, "latin1");
  const segments = [...segmentsOf(chunksOf(path)(), new MboxSegmenter(path))];
  // The same length, other bytes: at the start of every message (every segment's first bytes), or only in
  // the middle of each segment (a mail store rewriting a header in place).
  const middles = new Set(
    segments.map((segment) => (segment.offset ?? 0) + Math.floor(segment.raw.length / 2)),
  );
  const rewrites = [
    text.replace(/MAILER-DAEMON/g, "MAILER-DAEMOX"),
    [...text].map((char, at) => (middles.has(at) ? (char === "x" ? "y" : "x") : char)).join(""),
  ];
  for (const [n, rewritten] of rewrites.entries()) {
    const changed = join(dir, `changed-${n}.mbox`);
    writeFileSync(changed, rewritten, "latin1");
    const counts = counted();
    const items: unknown[] = [];
    const classify = (segment: Parameters<typeof classifySegmentOf>[0]) =>
      classifySegmentOf(segment, path, true);
    for await (const batch of classifyMboxInJobs(chunksOf(path), changed, true, classify, { counts }))
      items.push(...batch);
    assert.deepEqual(items, itemsHere(path, true));
    assert.equal(counts.there, 0, `rewrite ${n}`);
    assert.equal(counts.here, segments.length);
  }
});
