import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { Store } from "../../src/store/index.ts";
import { MEMO_BOUNDS } from "../../src/util/limits.ts";
import { scratchDir } from "../../testkit/scratch.ts";
import { storeDigest } from "../../testkit/store-digest.ts";

/**
 * `ingest` classifies a file's new distinct replies a page at a time (finalize.ts recordNewReplies, review
 * R50): whatever the page size, the store holds the same rows — every reply classified once, none lost.
 */

const dir = scratchDir("deliverlens-new-replies-pages-");
const PAGE = MEMO_BOUNDS.newRepliesPage.env;

/** A word no other reply of the log has (letters only: nothing the reply key masks). */
function word(n: number): string {
  let out = "";
  for (let x = n + 26; x > 0; x = Math.floor(x / 26)) out += "abcdefghijklmnopqrstuvwxyz"[x % 26];
  return out;
}

/** Postfix lines bouncing with replies `from` … `to - 1` (each another), deferrals and deliveries between. */
function log(from: number, to: number): string {
  const lines: string[] = [];
  for (let n = from; n < to; n++) {
    const id = `${(0x1000 + n).toString(16).toUpperCase()}A1`;
    const second = String(n % 60).padStart(2, "0");
    const head = `Jan  5 08:${String(Math.floor(n / 60) % 60).padStart(2, "0")}:${second} mx postfix/smtp[7]: ${id}: to=<u${n}@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0/0/0/1`;
    lines.push(
      `${head}, dsn=5.7.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.7.1 rejected by policy ${word(n)} (in reply to end of DATA command))`,
      `${head}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ${id})`,
    );
    if (n % 3 === 0)
      lines.push(
        `${head}, dsn=4.7.0, status=deferred (host mx.example.org[192.0.2.1] said: 421 4.7.0 try later ${word(n)} (in reply to RCPT TO command))`,
      );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A folder of small logs (stored as one batch, settleBatch) and a log alone (settleFile), whose replies
 * partly repeat those stored before it: new replies are counted once, in the file that brought them.
 */
function inputs(): { batch: string[]; alone: string } {
  const folder = join(dir, "logs");
  mkdirSync(folder, { recursive: true });
  const batch = [
    [0, 11],
    [6, 20],
    [20, 23],
  ].map(([from, to], at) => {
    const path = join(folder, `0${at}-maillog`);
    writeFileSync(path, log(from, to));
    return path;
  });
  const alone = join(dir, "maillog-alone");
  writeFileSync(alone, log(15, 40));
  return { batch, alone };
}

/**
 * `body` run on a fresh store with replies paged by `page` (unset: the default): its result, the store's digest
 * (every table and view), and per debug line `<what>: N classified in P page(s)` of that `what`, [N, P].
 */
async function paged<T>(page: string | undefined, what: string, body: (store: Store) => Promise<T>) {
  const saved = { page: process.env[PAGE], debug: process.env.DELIVERLENS_DEBUG };
  const debug: string[] = [];
  const write = process.stderr.write;
  if (page === undefined) delete process.env[PAGE];
  else process.env[PAGE] = page;
  process.env.DELIVERLENS_DEBUG = "1";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    debug.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  const store = await Store.open(join(dir, `${what.replace(" ", "-")}-${page ?? "default"}.duckdb`));
  try {
    const result = await body(store);
    const pages = debug
      .join("")
      .split("\n")
      .flatMap((line) => {
        const match = new RegExp(`^  ${what}: (\\d+) classified in (\\d+) page`).exec(line);
        return match ? [[Number(match[1]), Number(match[2])]] : [];
      });
    return { result, digest: await storeDigest(store), pages };
  } finally {
    store.close();
    process.stderr.write = write;
    for (const [name, value] of [
      [PAGE, saved.page],
      ["DELIVERLENS_DEBUG", saved.debug],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The files ingested (a folder's logs in one call, then `alone`): their summaries. */
async function ingestAll(store: Store, { batch, alone }: ReturnType<typeof inputs>) {
  const files = [];
  for (const paths of [batch, [alone]]) {
    const result = await ingestInputs(store, paths, { format: "postfix", describeFailure: String });
    assert.deepEqual(result.failures, []);
    files.push(...result.files);
  }
  return files;
}

test("new replies classified 4 at a time store the same rows as all at once: every page recorded, none twice", async () => {
  const files = inputs();
  const whole = await paged(undefined, "new replies", (store) => ingestAll(store, files));
  const byFour = await paged("4", "new replies", (store) => ingestAll(store, files));
  assert.deepEqual(byFour.digest, whole.digest);
  // One settle for the batch, one for the file alone: [replies, pages] each.
  // Batch: bounces 0-22 and deferrals 0, 3, … 21 (8): 31 replies; alone: bounces 23-39 and deferrals 24 … 39 (6).
  assert.deepEqual(whole.pages, [
    [31, 1],
    [23, 1],
  ]);
  assert.deepEqual(byFour.pages, [
    [31, 8],
    [23, 6],
  ]);
  const newReplies = [11 + 4, 9 + 3, 3 + 1, 17 + 6];
  assert.deepEqual(
    whole.result.map((file) => file.newReplies),
    newReplies,
  );
  assert.deepEqual(
    byFour.result.map((file) => file.newReplies),
    newReplies,
  );
});

test("a store classified by another classifier version classifies its stored replies again 4 at a time as all at once", async () => {
  const files = inputs();
  const again = (store: Store) =>
    ingestAll(store, { ...files, alone: files.batch[0] }).then(async () => {
      await store.run("UPDATE reply_classes SET reason = 'stale', rule_id = 'stale'");
      await store.run("UPDATE classifier_state SET classifier_version = classifier_version - 1");
      const [summary] = (
        await ingestInputs(store, [files.alone], { format: "postfix", describeFailure: String })
      ).files;
      const stale = await store.one<{ n: number }>(
        "SELECT count(*)::INTEGER AS n FROM reply_classes WHERE reason = 'stale'",
      );
      return { newReplies: summary.newReplies, stale: stale?.n };
    });
  const whole = await paged(undefined, "stored replies", again);
  const byFour = await paged("4", "stored replies", again);
  assert.deepEqual(byFour.digest, whole.digest);
  // The file's rows are stored before the replies are classified again: its replies are among them.
  assert.deepEqual(whole.result, { newReplies: 0, stale: 0 });
  assert.deepEqual(byFour.result, whole.result);
  assert.deepEqual(whole.pages, [[54, 1]]);
  assert.deepEqual(byFour.pages, [[54, 14]]);
});
