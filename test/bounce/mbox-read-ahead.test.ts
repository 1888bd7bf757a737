import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { splitMbox } from "../../src/bounce/email/mbox.ts";
import { CHUNK_BYTES } from "../../src/events/input.ts";
import { MboxReader, segmentsReadAhead } from "../../src/pipeline/mbox-read-ahead.ts";
import { AHEAD } from "../../src/pipeline/mbox-read-ahead-layout.ts";
import { MboxSegmenter, type Segment } from "../../src/pipeline/mbox-segmenter.ts";

const email = readFileSync(
  fileURLToPath(new URL("../fixtures/sisimai/eml/rhost-apple-02.eml", import.meta.url)),
  "latin1",
)
  .replace(/^From [^\n]*\n/, "")
  .replace(/^(>*From )/gm, ">$1");
const dir = mkdtempSync(join(tmpdir(), "deliverlens-mbox-read-ahead-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The segments MboxSegmenter cuts from the file read here, chunk by chunk (as one thread does). */
function segmentsHere(path: string): Segment[] {
  const bytes = readFileSync(path);
  const segmenter = new MboxSegmenter(path);
  const out: Segment[] = [];
  for (let at = 0; at < bytes.length && !segmenter.done; at += CHUNK_BYTES)
    out.push(...segmenter.push(bytes.subarray(at, at + CHUNK_BYTES)));
  out.push(...segmenter.finish());
  return out.map(({ offset: _, ...segment }) => segment);
}

/** `run` with the bytes-per-message limit set (the reader thread reads it from the environment as it starts). */
async function withMessageLimit(bytes: number, run: () => Promise<void>): Promise<void> {
  const limit = process.env.DELIVERLENS_MAX_MESSAGE_BYTES;
  process.env.DELIVERLENS_MAX_MESSAGE_BYTES = String(bytes);
  try {
    await run();
  } finally {
    if (limit === undefined) delete process.env.DELIVERLENS_MAX_MESSAGE_BYTES;
    else process.env.DELIVERLENS_MAX_MESSAGE_BYTES = limit;
  }
}

/** The segments cut on the reader thread; their messages (cut there too) as splitMbox cuts them here. */
async function segmentsThere(path: string): Promise<Segment[]> {
  const out: Segment[] = [];
  for await (const { messages, ...segment } of segmentsReadAhead(path)) {
    assert.deepEqual(messages, segment.raw.length > 0 ? splitMbox(segment.raw) : []);
    out.push(segment);
  }
  return out;
}

test("an mbox read and cut on the reader thread: the same segments, bytes, lines and problems as here", async () => {
  const message = (body: string) => `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${body}\n\n`;
  let mbox = "";
  for (let n = 0; mbox.length < 14 * 1024 * 1024; n++) {
    mbox += message(email);
    // Now and then a message over the bytes-per-message limit (set below): a problem, no bytes.
    if (n % 900 === 899) mbox += message(`Subject: big\n\n${"x".repeat(300 * 1024)}`);
  }
  const path = join(dir, "many.mbox");
  writeFileSync(path, mbox, "latin1");
  await withMessageLimit(200 * 1024, async () => {
    const here = segmentsHere(path);
    // More segments than the reader may send ahead: it waited for this thread to take them.
    assert.ok(here.length > 4, `segments: ${here.length}`);
    assert.ok(
      here.some((segment) => segment.problem !== undefined),
      "a message was skipped for its size",
    );
    assert.deepEqual(await segmentsThere(path), here);
  });
});

test("a single big message (not an mbox): the same as here, within the size limit and over it", async () => {
  const path = join(dir, "one.eml");
  writeFileSync(path, `Subject: big\n\n${"From here\n".repeat(700_000)}`);
  assert.deepEqual(await segmentsThere(path), segmentsHere(path));
  await withMessageLimit(1024 * 1024, async () => {
    const here = segmentsHere(path);
    assert.match(here[0]?.problem?.message ?? "", /the rest of the input is not read/);
    assert.deepEqual(await segmentsThere(path), here);
  });
});

test("a file the reader cannot read: the error it would have met here (code and message)", async () => {
  const folder = join(dir, "a-folder");
  mkdirSync(folder);
  for (const path of [join(dir, "no-such.mbox"), folder]) {
    let here: NodeJS.ErrnoException | null = null;
    try {
      segmentsHere(path);
    } catch (error) {
      here = error as NodeJS.ErrnoException;
    }
    assert.ok(here !== null);
    await assert.rejects(segmentsThere(path), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, here.code);
      assert.equal(error.message, here.message);
      return true;
    });
  }
});

test("segments no longer wanted: the reader stops where it is", async () => {
  const path = join(dir, "stop.mbox");
  writeFileSync(path, `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${email}\n\n`.repeat(4000), "latin1");
  let taken = 0;
  for await (const segment of segmentsReadAhead(path)) {
    assert.ok(segment.raw.length > 0);
    if (++taken === 2) break;
  }
  assert.equal(taken, 2);
});

test("segments cut here while the reader starts, then the reader's: the same segments, none twice", async () => {
  const path = join(dir, "mixed.mbox");
  writeFileSync(path, `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${email}\n\n`.repeat(12_000), "latin1");
  const here = segmentsHere(path);
  assert.ok(here.length > 4, `segments: ${here.length}`);
  const mixed: Segment[] = [];
  let cutHere = 0;
  for await (const { messages, ...segment } of segmentsReadAhead(
    path,
    segmentsHere(path)[Symbol.iterator](),
  )) {
    if (messages === undefined) cutHere++;
    else assert.deepEqual(messages, splitMbox(segment.raw));
    mixed.push(segment);
  }
  // The first at least: the reader has not started when it is wanted.
  assert.ok(cutHere > 0, "none cut here");
  assert.deepEqual(mixed, here);
});

test("the reader sends at most AHEAD segments not yet taken, and one more for each taken", async () => {
  const path = join(dir, "ahead.mbox");
  writeFileSync(path, `From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n${email}\n\n`.repeat(12_000), "latin1");
  assert.ok(segmentsHere(path).length > AHEAD + 2);
  const reader = new MboxReader(path);
  const settle = async (count: number) => {
    for (let waited = 0; reader.waiting < count; waited += 10) {
      assert.ok(waited < 60_000, "the reader sent nothing");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Time to send more, were it not held back (on a slow machine this can only pass, never fail).
    await new Promise((resolve) => setTimeout(resolve, 300));
  };
  try {
    await settle(AHEAD);
    assert.equal(reader.waiting, AHEAD);
    await reader.next(0);
    await settle(AHEAD);
    assert.equal(reader.waiting, AHEAD, "one more sent for the one taken");
  } finally {
    reader.stop();
  }
});
