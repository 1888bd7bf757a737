import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import {
  hostOfRemoteMtaSql,
  PROVIDER_DOMAINS,
  providerOfHostSql,
} from "../../src/analytics/provider-domains.ts";
import { hostName, providerFromHost } from "../../src/bounce/provider.ts";
import { plainRemoteMta } from "../../src/bounce/rules/host-key.ts";
import { openInput } from "../../src/events/index.ts";
import { daySummaryBehind } from "../../src/measures/index.ts";
import { classifyEventStream } from "../../src/pipeline/index.ts";
import { Store } from "../../src/store/index.ts";
import { sqlString } from "../../src/util/sql.ts";
import { writeOldStore } from "../../testkit/old-store.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * Review s39 R96: an unlisted recipient domain's provider is the one hosting it, learned from the receiving hosts
 * its events name (src/analytics/ingest/hosting.ts), so an iCloud+ custom domain's CS01 bounces count under apple.
 */

const dir = scratchDir("hosted-domains");
let files = 0;

const CS01 =
  "554 5.7.1 [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137";

/** A Postfix log line of `status` to `to` through `relay` (second `s` of 08:00). */
function line(s: number, to: string, relay: string, status: "sent" | "bounced" | "deferred"): string {
  const said =
    status === "bounced"
      ? `host ${relay} said: ${CS01} (in reply to end of DATA command)`
      : status === "deferred"
        ? `host ${relay} said: 421 4.7.0 try again later (in reply to end of DATA command)`
        : "250 2.0.0 Ok: queued as ABC";
  const dsn = status === "bounced" ? "5.7.1" : status === "deferred" ? "4.7.0" : "2.0.0";
  const qid = `4A${String(files).padStart(3, "0")}${String(s).padStart(6, "0")}`;
  return `Jan  5 08:00:${String(s).padStart(2, "0")} mta1 postfix/smtp[3001]: ${qid}: to=<${to}>, relay=${relay}[192.0.2.1]:25, delay=1, delays=0/0/0.5/0.5, dsn=${dsn}, status=${status} (${said})`;
}

async function ingestLines(store: Store, lines: string[]): Promise<void> {
  const path = join(dir, `log-${files++}.log`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  await ingestFile(store, path, { year: 2026 });
}

async function ingestNdjson(store: Store, records: object[]): Promise<void> {
  const path = join(dir, `events-${files++}.ndjson`);
  writeFileSync(path, `${records.map((record) => JSON.stringify(record)).join("\n")}\n`);
  await ingestFile(store, path, { format: "ndjson" });
}

/** provider of each stored row by recipient domain (one provider per domain, or the test fails). */
async function providers(store: Store): Promise<Record<string, string>> {
  const rows = await store.all<{ domain: string; providers: string[] }>(
    `SELECT recipient_domain AS domain, list_sort(list_distinct(list(provider::VARCHAR))) AS providers
    FROM events GROUP BY ALL ORDER BY domain`,
  );
  return Object.fromEntries(
    rows.map(({ domain, providers }) => {
      assert.equal(providers.length, 1, `${domain}: ${providers}`);
      return [domain, providers[0]];
    }),
  );
}

/** The day summary is current and counts as the rows do, per provider and type. */
async function assertSummaryAgrees(store: Store): Promise<void> {
  assert.equal(await daySummaryBehind(store), false, "the summary describes the rows");
  const rows = await store.all(
    `SELECT provider::VARCHAR AS p, type::VARCHAR AS t, count(*)::INTEGER AS n FROM event_rows GROUP BY ALL ORDER BY ALL`,
  );
  const summary = await store.all(
    `SELECT provider::VARCHAR AS p, type::VARCHAR AS t, sum(n)::INTEGER AS n FROM day_counts GROUP BY ALL ORDER BY ALL`,
  );
  assert.deepEqual(summary, rows);
}

test("hostOfRemoteMtaSql and providerOfHostSql read a remote MTA as hostName and providerFromHost do", async () => {
  const mtas = [
    "mx01.mail.icloud.com[17.57.155.25]:25",
    "dns; mx02.mail.icloud.com",
    "DNS;ASPMX.L.GOOGLE.COM.",
    "alt1.aspmx.l.google.com",
    "contoso-com.mail.protection.outlook.com[192.0.2.1]",
    "mx-biz.mail.am0.yahoodns.net",
    "mx.cloud.com",
    "icloud.com",
    "mx.example.org[192.0.2.1]:25",
    "relay.example.net.",
    "[192.0.2.1]:25",
    "192.0.2.1",
    "localhost",
    "mx..icloud.com",
    "mx.icloud.com,x",
    "ＭＸ.icloud.com",
    " mx.icloud.com",
    "dns \u00a0;mx.gmail.com",
    "",
  ];
  const store = await Store.open(":memory:");
  try {
    const values = mtas.map((mta, i) => `(${i}, ${sqlString(mta)})`).join(", ");
    const rows = await store.all<{ host: string | null; provider: string | null }>(
      `SELECT host, ${providerOfHostSql("host")}::VARCHAR AS provider FROM (
        SELECT i, ${hostOfRemoteMtaSql("m")} AS host FROM (VALUES ${values}) v(i, m)) ORDER BY i`,
    );
    const expected = mtas.map((mta) => {
      const host = plainRemoteMta(mta) ? hostName(mta) : null;
      return { host, provider: host === null ? null : providerFromHost(host) };
    });
    assert.deepEqual(rows, expected);
    assert.equal(rows[0].provider, "apple");
    assert.equal(rows[4].provider, "microsoft");
  } finally {
    store.close();
  }
});

test("an iCloud+ custom domain's CS01 bounces, deliveries and opens count under apple; listed and unhosted domains keep theirs", async () => {
  const store = await Store.open(join(dir, "custom.duckdb"));
  try {
    await ingestLines(store, [
      line(1, "third@custom-domain.example", "mx01.mail.icloud.com", "bounced"),
      line(2, "fourth@custom-domain.example", "mx02.mail.icloud.com", "sent"),
      line(3, "a@gmail.com", "gmail-smtp-in.l.google.com", "sent"),
      line(4, "b@corp.example", "mx.corp.example", "sent"),
      line(5, "c@workspace.example", "aspmx.l.google.com", "sent"),
    ]);
    // Opens carry no host: the domain's provider comes from the log's evidence.
    await ingestNdjson(store, [
      { time: "2026-01-05T09:00:00Z", recipient: "fourth@custom-domain.example", type: "open" },
      { time: "2026-01-05T09:00:01Z", recipient: "b@corp.example", type: "open" },
    ]);
    assert.deepEqual(await providers(store), {
      "corp.example": "other",
      "custom-domain.example": "apple",
      "gmail.com": "google",
      "workspace.example": "google",
    });
    const apple = await store.all(
      `SELECT type::VARCHAR AS type, provider_code, category FROM events WHERE provider = 'apple' ORDER BY type`,
    );
    assert.deepEqual(apple, [
      { type: "bounced", provider_code: "CS01", category: "reputation" },
      { type: "delivered", provider_code: null, category: null },
      { type: "open", provider_code: null, category: null },
    ]);
    await assertSummaryAgrees(store);
  } finally {
    store.close();
  }
});

/** Stored rows per recipient domain, type and provider: `domain type provider count`, sorted. */
async function rowsByProvider(store: Store): Promise<string[]> {
  const rows = await store.all<{ row: string }>(
    `SELECT concat_ws(' ', recipient_domain, type::VARCHAR, provider::VARCHAR, count(*)) AS row
    FROM events GROUP BY recipient_domain, type, provider ORDER BY row`,
  );
  return rows.map(({ row }) => row);
}

const open = (s: number, to: string) => ({
  time: `2026-01-05T09:00:${String(s).padStart(2, "0")}Z`,
  recipient: to,
  type: "open",
});

test("review s40 R105: a split domain's events stay with the host that received them; events naming none take the vote, in any file order", async () => {
  const google = (s: number) => line(s, `u${s}@split.example`, "aspmx.l.google.com", "sent");
  const apple = (s: number) => line(s, `u${s}@split.example`, "mx01.mail.icloud.com", "bounced");
  const orders = [
    [[apple(1)], [google(2), google(3)]],
    [[google(2), google(3)], [apple(1)]],
  ];
  for (const [at, order] of orders.entries()) {
    const store = await Store.open(join(dir, `split-${at}.duckdb`));
    try {
      await ingestNdjson(store, [open(1, "u1@split.example")]);
      await ingestLines(store, order[0]);
      await ingestLines(store, order[1]);
      assert.deepEqual(
        await rowsByProvider(store),
        ["split.example bounced apple 1", "split.example delivered google 2", "split.example open google 1"],
        `order ${at}`,
      );
      assert.equal(
        (await store.one<{ p: string }>("SELECT provider::VARCHAR AS p FROM hosted_domains"))?.p,
        "google",
      );
      await assertSummaryAgrees(store);
    } finally {
      store.close();
    }
  }
});

test("review s40 R105: a domain that moves keeps its history; a later vote moves only the events naming no provider host", async () => {
  const store = await Store.open(join(dir, "moved.duckdb"));
  try {
    const google = (s: number) => line(s, `u${s}@moved.example`, "aspmx.l.google.com", "sent");
    const microsoft = (s: number) =>
      line(s, `u${s}@moved.example`, "moved-example.mail.protection.outlook.com", "bounced");
    await ingestLines(store, [google(1), google(2)]);
    await ingestNdjson(store, [open(1, "u1@moved.example")]);
    await ingestLines(store, [microsoft(3), microsoft(4)]);
    // 2 to 2: google sorts first; then Microsoft's third event tips the vote.
    assert.deepEqual(await rowsByProvider(store), [
      "moved.example bounced microsoft 2",
      "moved.example delivered google 2",
      "moved.example open google 1",
    ]);
    await ingestLines(store, [microsoft(5)]);
    assert.deepEqual(await rowsByProvider(store), [
      "moved.example bounced microsoft 3",
      "moved.example delivered google 2",
      "moved.example open microsoft 1",
    ]);
    await assertSummaryAgrees(store);
  } finally {
    store.close();
  }
});

test("review R148: an event through a host of no provider keeps `other` though its domain's vote is another's, as `classify` reads the line", async () => {
  const lines = [
    line(1, "u1@mixed.example", "aspmx.l.google.com", "sent"),
    line(2, "u2@mixed.example", "aspmx.l.google.com", "sent"),
    line(3, "v@mixed.example", "mx.other.example", "deferred"),
  ];
  const store = await Store.open(join(dir, "mixed.duckdb"));
  try {
    await ingestLines(store, lines);
    await ingestNdjson(store, [open(4, "w@mixed.example")]);
    assert.deepEqual(await rowsByProvider(store), [
      "mixed.example deferred other 1",
      "mixed.example delivered google 2",
      "mixed.example open google 1",
    ]);
    const path = join(dir, `log-${files++}.log`);
    writeFileSync(path, `${lines[2]}\n`);
    const read: string[] = [];
    for await (const batch of classifyEventStream(openInput(path), "postfix", path, { year: 2026 }))
      for (const item of batch) if ("provider" in item) read.push(`${item.recipient} ${item.provider}`);
    assert.deepEqual(read, ["v@mixed.example other"]);
    await assertSummaryAgrees(store);
  } finally {
    store.close();
  }
});

test("a host that later receives a listed domain of another provider becomes a relay: its rows stored before take the domain's vote", async () => {
  const store = await Store.open(join(dir, "late-relay.duckdb"));
  try {
    const gateway = "gateway-example.mail.protection.outlook.com";
    await ingestLines(store, [
      line(1, "a@custom.example", gateway, "sent"),
      line(2, "b@custom.example", "aspmx.l.google.com", "sent"),
      line(3, "c@custom.example", "aspmx.l.google.com", "sent"),
      line(4, "d@tenant.example", gateway, "sent"),
    ]);
    assert.deepEqual(await rowsByProvider(store), [
      "custom.example delivered google 2",
      "custom.example delivered microsoft 1",
      "tenant.example delivered microsoft 1",
    ]);
    await ingestLines(store, [line(5, "e@gmail.com", gateway, "sent")]);
    assert.deepEqual(await rowsByProvider(store), [
      "custom.example delivered google 3",
      "gmail.com delivered google 1",
      "tenant.example delivered other 1",
    ]);
    await assertSummaryAgrees(store);
  } finally {
    store.close();
  }
});

test("a host that receives a listed domain of another provider is a relay, not an MX: no evidence", async () => {
  const store = await Store.open(join(dir, "relay.duckdb"));
  try {
    const relay = "contoso-com.mail.protection.outlook.com";
    await ingestLines(store, [
      line(1, "a@gmail.com", relay, "sent"),
      line(2, "b@custom.example", relay, "sent"),
      line(3, "c@hotmail.com", relay, "sent"),
    ]);
    assert.deepEqual(await providers(store), {
      "custom.example": "other",
      "gmail.com": "google",
      "hotmail.com": "microsoft",
    });
    await assertSummaryAgrees(store);
  } finally {
    store.close();
  }
});

test("a store from before schema 18 gets its hosted domains at its next ingest, its summary rebuilt", async () => {
  const path = join(dir, "v17.duckdb");
  await writeOldStore(path, 17, [
    `INSERT INTO files VALUES (1, 'old.log', 'postfix', 1, NULL, TIMESTAMP '2026-01-05 10:00:00', 2, 2, 0, 0, 0.1, NULL)`,
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, remote_mta, file_id)
      VALUES (1, 'delivered', TIMESTAMP '2026-01-05 08:00:00', 'x@custom-domain.example', 'other',
        'mx01.mail.icloud.com[17.57.155.25]:25', 1),
      (2, 'delivered', TIMESTAMP '2026-01-05 08:00:01', 'y@gmail.com', 'google', 'gmail-smtp-in.l.google.com', 1)`,
  ]);
  const store = await Store.open(path);
  try {
    assert.equal((await store.one<{ c: boolean }>("SELECT complete AS c FROM hosting_state"))?.c, false);
    await ingestLines(store, [line(1, "z@other.example", "mx.other.example", "sent")]);
    assert.deepEqual(await providers(store), {
      "custom-domain.example": "apple",
      "gmail.com": "google",
      "other.example": "other",
    });
    assert.equal((await store.one<{ c: boolean }>("SELECT complete AS c FROM hosting_state"))?.c, true);
    await assertSummaryAgrees(store);
  } finally {
    store.close();
  }
});

/**
 * A store of schema `version` whose rows of `domain` were all given its vote, google: two through Google's MX and
 * one `third` through another host. Opened (migrated: its hosts to be counted again), then one file ingested.
 */
async function migratedVoteStore(
  version: number,
  domain: string,
  third: { type: "bounced" | "deferred"; host: string },
): Promise<Store> {
  const path = join(dir, `v${version}.duckdb`);
  const row = (key: number, type: string, local: string, host: string) =>
    `(${key}, '${type}', TIMESTAMP '2026-01-05 08:00:0${key}', '${local}@${domain}', 'google', '${host}', 1)`;
  await writeOldStore(path, version, [
    `INSERT INTO files VALUES (1, 'old.log', 'postfix', 1, NULL, TIMESTAMP '2026-01-05 10:00:00', 3, 3, 0, 0, 0.1, NULL)`,
    `INSERT INTO event_rows (event_key, type, time, recipient, provider, remote_mta, file_id) VALUES
      ${row(1, "delivered", "x", "aspmx.l.google.com")}, ${row(2, "delivered", "y", "aspmx.l.google.com")},
      ${row(3, third.type, "z", third.host)}`,
    `INSERT INTO recipient_hosts VALUES ('${domain}', 'aspmx.l.google.com', 2), ('${domain}', '${third.host}', 1)`,
    `INSERT INTO hosted_domains VALUES ('${domain}', 'google')`,
    `UPDATE hosting_state SET complete = true`,
  ]);
  const store = await Store.open(path);
  assert.equal((await store.one<{ c: boolean }>("SELECT complete AS c FROM hosting_state"))?.c, false);
  await ingestLines(store, [line(1, "w@other.example", "mx.other.example", "sent")]);
  return store;
}

test("a schema 18 store (one provider per domain) gets each row's own host's provider at its next ingest, its hosts counted once", async () => {
  const store = await migratedVoteStore(18, "split.example", {
    type: "bounced",
    host: "mx01.mail.icloud.com",
  });
  try {
    assert.deepEqual(await rowsByProvider(store), [
      "other.example delivered other 1",
      "split.example bounced apple 1",
      "split.example delivered google 2",
    ]);
    assert.deepEqual(
      await store.all(
        "SELECT domain, host, events::INTEGER AS events FROM recipient_hosts WHERE domain = 'split.example' ORDER BY host",
      ),
      [
        { domain: "split.example", host: "aspmx.l.google.com", events: 2 },
        { domain: "split.example", host: "mx01.mail.icloud.com", events: 1 },
      ],
    );
    await assertSummaryAgrees(store);
  } finally {
    store.close();
  }
});

test("a schema 22 store (a host of no provider took the domain's vote) gives such rows `other` at its next ingest (review R148)", async () => {
  const store = await migratedVoteStore(22, "mixed.example", { type: "deferred", host: "mx.other.example" });
  try {
    assert.deepEqual(await rowsByProvider(store), [
      "mixed.example deferred other 1",
      "mixed.example delivered google 2",
      "other.example delivered other 1",
    ]);
    assert.deepEqual(
      await store.all("SELECT domain, provider::VARCHAR AS provider FROM hosted_domains ORDER BY domain"),
      [{ domain: "mixed.example", provider: "google" }],
    );
    await assertSummaryAgrees(store);
  } finally {
    store.close();
  }
});

test("property: each row's provider is its own non-relay host's (`other` for a host of no provider), else its domain's vote, whatever the files and their order", async () => {
  const hosts = [
    "aspmx.l.google.com",
    "gmail-smtp-in.l.google.com",
    "mx01.mail.icloud.com",
    "a-example.mail.protection.outlook.com",
    "mx.self.example",
    "smarthost.example.net",
  ];
  const listed = new Map(PROVIDER_DOMAINS.map(({ domain, provider }) => [domain, provider]));
  // Custom domains through any host or none; listed ones mostly through their own provider's MX, sometimes
  // through any host (which makes it a relay).
  const event = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        domain: fc.constantFrom("a.example", "b.example", "c.example"),
        host: fc.constantFrom(...hosts, null),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        { domain: "gmail.com", host: "gmail-smtp-in.l.google.com" },
        { domain: "icloud.com", host: "mx01.mail.icloud.com" },
      ),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        domain: fc.constantFrom("gmail.com", "icloud.com", "hotmail.com"),
        host: fc.constantFrom(...hosts, null),
      }),
    },
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(event, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
      async (files) => {
        const store = await Store.open(":memory:");
        try {
          let s = 0;
          for (const events of files) {
            const lines = events.flatMap(({ domain, host }) =>
              host ? [line(s++, `u${s}@${domain}`, host, "sent")] : [],
            );
            const opens = events.flatMap(({ domain, host }) =>
              host ? [] : [open(s++ % 60, `u${s}@${domain}`)],
            );
            if (lines.length) await ingestLines(store, lines);
            if (opens.length) await ingestNdjson(store, opens);
          }
          // The model: relays, votes (most events, a tie to the first name), then each row's provider.
          const all = files.flat();
          const hostProvider = (host: string) => providerFromHost(host) ?? null;
          const relay = (host: string) =>
            all.some(({ domain, host: h }) => {
              const provider = listed.get(domain);
              return h === host && provider !== undefined && provider !== (hostProvider(host) ?? "other");
            });
          const vote = (domain: string) => {
            const votes = new Map<string, number>();
            for (const { domain: d, host } of all)
              if (d === domain && host && !relay(host)) {
                const provider = hostProvider(host) ?? "other";
                votes.set(provider, (votes.get(provider) ?? 0) + 1);
              }
            const ranked = [...votes].sort(([p, n], [q, m]) => m - n || (p < q ? -1 : p > q ? 1 : 0));
            return ranked[0]?.[0] ?? "other";
          };
          const expected = all
            .map(({ domain, host }) => {
              // A host of no provider is the row's own evidence too: `other` (review R148).
              const own = host && !relay(host) ? (hostProvider(host) ?? "other") : null;
              return `${domain} ${listed.get(domain) ?? own ?? vote(domain)}`;
            })
            .sort();
          const stored = await store.all<{ row: string }>(
            "SELECT concat_ws(' ', recipient_domain, provider::VARCHAR) AS row FROM events ORDER BY row",
          );
          assert.deepEqual(
            stored.map(({ row }) => row),
            expected,
          );
        } finally {
          store.close();
        }
      },
    ),
    { numRuns: 10 },
  );
});
