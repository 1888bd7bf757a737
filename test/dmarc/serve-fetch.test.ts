import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { FetchOptions, FetchResult } from "../../src/dmarc/fetch.ts";
import { StoreLock } from "../../src/serve/intake.ts";
import { ReportFetcher } from "../../src/serve/report-fetch.ts";
import { Store } from "../../src/store/index.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { type DovecotStack, dovecotSkip, startDovecot } from "../../testkit/dovecot.ts";
import { sendgridEvents, sendgridSigner, spawnServe } from "../../testkit/serve.ts";

/**
 * `serve --dmarc-imap …` runs `dmarc fetch` on a schedule (issue 18: "the live service can run it on a
 * schedule"): against a real Dovecot on loopback, reports delivered while serve runs are stored, webhooks
 * are acknowledged meanwhile, and the IMAP part of a run never holds the store lock.
 */

const SAMPLES = fileURLToPath(new URL("../fixtures/dmarc/parsedmarc/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "deliverlens-dmarc-serve-"));
const PASSWORD = "rua-serve-pw-5";
after(() => rmSync(dir, { recursive: true, force: true }));

test("a run's mailbox part never holds the store lock: a drain waiting on the lock goes through", async () => {
  const lock = new StoreLock();
  let release: () => void = () => {};
  const downloading = new Promise<void>((resolve) => {
    release = resolve;
  });
  let storedInside = false;
  const fakeFetch = async (_store: Store, options: FetchOptions): Promise<FetchResult> => {
    await downloading; // the IMAP session: slow
    await (options.withStore ?? ((work) => work()))(async () => {
      storedInside = true;
    });
    return {
      mailbox: "h:993/u/DMARC",
      uidValidity: "1",
      fetched: 1,
      skipped: 0,
      lastUid: 1,
      remaining: 0,
      restarted: false,
      reports: [],
    };
  };
  const lines: string[] = [];
  const fetcher = new ReportFetcher({
    store: {} as Store,
    lock,
    watch: { fetch: {} as FetchOptions, intervalMs: 3_600_000 },
    log: (line) => lines.push(line),
    fetch: fakeFetch,
  });
  const run = fetcher.runNow();
  assert.equal(fetcher.runNow(), run, "a second request joins the run in progress");
  const drained = await Promise.race([
    lock.run(async () => "drained"),
    new Promise((resolve) => setTimeout(() => resolve("blocked"), 5_000)),
  ]);
  assert.equal(drained, "drained");
  assert.equal(storedInside, false);
  release();
  await run;
  assert.equal(storedInside, true);
  assert.equal(fetcher.state.runs, 1);
  assert.deepEqual(fetcher.state.last, { fetched: 1, stored: 0, duplicates: 0, problems: 0 });
  assert.match(lines[0], /dmarc fetch h:993\/u\/DMARC: 1 new message/);
  await fetcher.stop();
});

test("serve refuses a bad --dmarc-every and --dmarc-imap without --dmarc-user (usage, exit 2)", async () => {
  const db = join(dir, "usage.duckdb");
  const every = await spawnCli([
    "serve",
    "--db",
    db,
    "--dmarc-imap",
    "imaps://h",
    "--dmarc-user",
    "u",
    "--dmarc-every",
    "0",
  ]);
  assert.equal(every.status, 2, every.stderr);
  assert.match(every.stderr, /--dmarc-every/);
  const user = await spawnCli(["serve", "--db", db, "--dmarc-imap", "imaps://h"]);
  assert.equal(user.status, 2, user.stderr);
  assert.match(user.stderr, /--dmarc-user/);
});

const skip = dovecotSkip();
if (skip) process.stdout.write(`# ${skip}\n`);

describe("serve --dmarc-imap against a real IMAP mailbox", { skip, timeout: 120_000 }, () => {
  let stack: DovecotStack;
  before(async () => {
    stack = await startDovecot([{ name: "dmarc", password: PASSWORD }]);
    await stack.deliver(readFileSync(join(SAMPLES, "aggregate/twilight.eml")), ["dmarc@reports.test"]);
  });
  after(async () => {
    await stack?.stop();
  });

  test("reads the mailbox on start and on schedule while webhooks are acknowledged", async () => {
    const db = join(dir, "live.duckdb");
    const signer = sendgridSigner();
    const serve = await spawnServe(
      [
        "--db",
        db,
        "--drain-interval",
        "50",
        "--dmarc-imap",
        stack.imapUrl,
        "--dmarc-user",
        "dmarc",
        "--dmarc-password-env",
        "RUA_SERVE_PW",
        "--dmarc-every",
        "0.02",
      ],
      { RUA_SERVE_PW: PASSWORD, DELIVERLENS_SENDGRID_VERIFICATION_KEY: signer.publicKey },
    );
    const logged = async (pattern: RegExp) => {
      for (let i = 0; i < 600 && !pattern.test(serve.stderr()); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.match(serve.stderr(), pattern);
    };
    try {
      await logged(/dmarc fetch \S+INBOX: 1 new message\(s\), 1 report\(s\) stored/);
      await stack.deliver(readFileSync(join(SAMPLES, "aggregate/mimecast-weird-gzip.eml")), [
        "dmarc@reports.test",
      ]);
      const body = JSON.stringify(sendgridEvents(20, "dmarc-serve"));
      const response = await fetch(`${serve.url}/webhooks/sendgrid`, {
        method: "POST",
        body,
        headers: signer.headers(body),
      });
      assert.equal(response.status, 200);
      await logged(/dmarc fetch[^\n]*1 report\(s\) stored[\s\S]*dmarc fetch[^\n]*1 report\(s\) stored/);
    } finally {
      serve.child.kill("SIGTERM");
    }
    assert.equal(await serve.exited, 0, serve.stderr());
    const store = await Store.open(db, { readOnly: true });
    try {
      const [reports] = await store.all<{ n: number }>("SELECT count(*)::INTEGER AS n FROM dmarc_reports");
      assert.equal(reports.n, 2);
      const [events] = await store.all<{ n: number }>("SELECT count(*)::INTEGER AS n FROM events");
      assert.equal(events.n, 20);
    } finally {
      store.close();
    }
  });
});
