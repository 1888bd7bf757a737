import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type IngestInputsResult, ingestInputs } from "../../src/analytics/ingest/inputs.ts";
import { Store } from "../../src/store/index.ts";
import { scratchDir } from "../../testkit/scratch.ts";
import { storeDigest } from "../../testkit/store-digest.ts";

/**
 * Small files of one run are stored in batches (src/analytics/ingest/batch.ts): the store, the files'
 * summaries and the failures are those of storing each file on its own (`batches: false`), in far fewer
 * transactions.
 */

const dir = scratchDir("deliverlens-ingest-batches-");
const corpus = "test/fixtures/sisimai/eml";
const events = "test/fixtures/events";

/**
 * Corpus mails: bounces of many MTAs, three quarantined (no usable time), and Exim reports of one event
 * read with and without a hint (a later file's duplicate gives the stored row its hint: the batch splits).
 */
const MAILS = [
  "arf-11.eml",
  "arf-12.eml",
  "lhost-courier-01.eml",
  "lhost-courier-03.eml",
  "lhost-exim-01.eml",
  "lhost-exim-04.eml",
  "lhost-exim-35.eml",
  "lhost-exim-39.eml",
  "lhost-exim-42.eml",
  "lhost-exim-43.eml",
  "lhost-exim-53.eml",
  "lhost-exim-44.eml",
  "lhost-postfix-01.eml",
  "lhost-postfix-02.eml",
  "lhost-gmail-04.eml",
  "lhost-gmail-01.eml",
  "lhost-einsundeins-03.eml",
  "rfc3464-01.eml",
];

/** A folder: mails, the same mail twice, logs between them, a report, a SendGrid export, a file of no format. */
function mixedFolder(): string {
  const folder = join(dir, "mixed");
  mkdirSync(folder, { recursive: true });
  const files: [string, string][] = MAILS.map((name, at) => [
    join(corpus, name),
    `${String(at).padStart(2, "0")}-${name}`,
  ]);
  files.push(
    [join(corpus, MAILS[4]), "20-again.eml"],
    [join(events, "postfix-01.log"), "21-maillog"],
    [join(corpus, MAILS[11]), "22-after-log.eml"],
    [join(events, "exim-01.log"), "23-exim_mainlog"],
    [join(events, "postfix-01.log"), "24-maillog-again"],
    [join(events, "sendgrid-01.json"), "25-sendgrid.json"],
    ["test/fixtures/bounce-email/dmarc-aggregate.eml", "26-dmarc.eml"],
    [join(corpus, MAILS[12]), "28-last.eml"],
  );
  for (const [from, name] of files) copyFileSync(from, join(folder, name));
  writeFileSync(join(folder, "27-noise.bin"), Buffer.from([0, 1, 2, 255, 254, 0, 7, 9]));
  return folder;
}

const folder = mixedFolder();
const paths = readdirSync(folder)
  .sort()
  .map((name) => join(folder, name));

interface Run {
  result: IngestInputsResult;
  digest: Record<string, string>;
  transactions: number;
}

/** One ingest of `paths` into a fresh store; `failFirst`: the run's first transaction fails. */
async function ingest(name: string, batches: boolean, failFirst = false): Promise<Run> {
  const store = await Store.open(join(dir, `${name}.duckdb`));
  let transactions = 0;
  const transaction = store.transaction.bind(store);
  store.transaction = async (work) => {
    transactions++;
    if (failFirst && transactions === 1)
      return transaction(async () => {
        await work();
        throw new Error("the disk is full");
      });
    return transaction(work);
  };
  try {
    const result = await ingestInputs(store, paths, {
      batches,
      describeFailure: (error) => String(error),
    });
    return { result, digest: await storeDigest(store), transactions };
  } finally {
    store.close();
  }
}

/** The files' summaries but their timing. */
const untimed = (run: Run) => run.result.files.map((file) => ({ ...file, seconds: 0 }));

const alone = await ingest("alone", false);

test("a folder stored in batches is the store, summaries and failures of its files stored one by one", async () => {
  const batched = await ingest("batched", true);
  assert.deepEqual(batched.digest, alone.digest);
  assert.deepEqual(untimed(batched), untimed(alone));
  assert.deepEqual(batched.result.failures, alone.result.failures);
  assert.deepEqual(batched.result.reports, alone.result.reports);
  // What the comparison covers: quarantined rows, a repeated mail, a file of no format, a report.
  const file = (name: string) => alone.result.files.find((f) => f.path.endsWith(name));
  assert.ok(alone.result.files.reduce((sum, f) => sum + f.quarantined, 0) >= 3);
  assert.deepEqual(
    [file("20-again.eml")?.stored, file("20-again.eml")?.duplicates],
    [0, file("04-lhost-exim-01.eml")?.stored],
  );
  assert.deepEqual(
    alone.result.failures.map((f) => f.path),
    [join(folder, "27-noise.bin")],
  );
  assert.equal(alone.result.reports.length, 1);
  // One by one, a transaction a file (and the reports'); in batches, far fewer.
  assert.equal(alone.transactions, alone.result.files.length + 1);
  assert.ok(
    batched.transactions <= alone.transactions / 2,
    `${batched.transactions} transactions for ${alone.result.files.length} files`,
  );
});

test("a batch that fails to store is stored again file by file: no file is lost", async () => {
  const failed = await ingest("failed", true, true);
  assert.deepEqual(failed.digest, alone.digest);
  assert.deepEqual(untimed(failed), untimed(alone));
  assert.deepEqual(failed.result.failures, alone.result.failures);
});
