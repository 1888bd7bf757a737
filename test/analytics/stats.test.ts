import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { hygiene } from "../../src/analytics/hygiene/hygiene.ts";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { dayStats } from "../../src/analytics/stats/day-stats.ts";
import {
  computeStats,
  type DayStats,
  findEpisodes,
  findSpikes,
  loadAppleEgress,
  type OpenRules,
  parseEgressCsv,
} from "../../src/analytics/stats/index.ts";
import { loadTiers } from "../../src/diagnose/load-facts.ts";
import { Store } from "../../src/store/index.ts";
import { dayOf, SMALL, writeSmallProgram } from "../../testkit/analytics-program.ts";

let dir = "";
let store: Store;

before(async () => {
  const written = await writeSmallProgram("by-stream");
  dir = written.dir;
  store = await Store.open(join(dir, "small.duckdb"));
  for (const file of written.files) await ingestFile(store, file);
});
after(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the same store gives the same JSON, apart from meta", async () => {
  const a = await computeStats(store, {});
  const b = await computeStats(store, {});
  assert.deepEqual({ ...a, meta: null }, { ...b, meta: null });
  assert.equal(a.schemaVersion, 1);
  assert.ok(a.daily.length > SMALL.days, "several providers × days");
});

test("the dormant winback, a third of the weekly newsletter's size, is not a volume spike (issue 10)", async () => {
  const report = await computeStats(store, { provider: "apple" });
  const daily = report.daily.filter((d) => d.provider === "apple");
  const winback = daily.find((d) => d.day === dayOf(SMALL.spikeDay))!;
  const newsletter = daily.find((d) => d.day === dayOf(SMALL.spikeDay - 1))!;
  // An off-schedule send well below what the program normally sends in one go…
  assert.ok(winback.sent > 10 * daily[0].sent && winback.sent < newsletter.sent, JSON.stringify(winback));
  // …is no spike, and the weekly newsletter days are the normal rhythm.
  assert.deepEqual(report.spikes, []);
});

test("policy-bounce episodes: the spike day and the content campaign's day, CS01 at Apple", async () => {
  const report = await computeStats(store, {});
  const apple = report.episodes.filter((e) => e.provider === "apple");
  const contentDay = dayOf(SMALL.contentWeek * 7 + 1);
  assert.deepEqual(
    apple.map((e) => e.start),
    [dayOf(SMALL.spikeDay), contentDay].sort(),
  );
  for (const episode of apple) assert.ok((episode.providerCodes.CS01 ?? 0) >= 3, JSON.stringify(episode));
  assert.ok((report.applePolicyShare.share ?? 0) > 0.5);
  const summary = report.episodeSummary.find((s) => s.provider === "apple");
  assert.equal(summary?.episodes, 2);
});

test("units: sent counts recipients once however many attempts; deferrals per attempt and per recipient", async () => {
  const report = await computeStats(store, {});
  for (const t of report.totals) {
    assert.ok(t.sent >= t.delivered - t.deferredRecipients, JSON.stringify(t));
    assert.ok(t.deferredAttempts >= t.deferredRecipients);
  }
  const apple = report.totals.find((t) => t.provider === "apple");
  assert.ok((apple?.machineOpens ?? 0) > (apple?.humanOpens ?? 0), "MPP opens dominate at Apple");
  const google = report.totals.find((t) => t.provider === "google");
  assert.equal(google?.machineOpens, 0);
});

test("engagement tiers are measured as of the latest event or --as-of, never the clock", async () => {
  const latest = await computeStats(store, {});
  const early = await computeStats(store, { asOf: dayOf(20) });
  const sum = (r: typeof latest) => r.engagement.reduce((n, e) => n + e.recipients, 0);
  assert.ok(sum(early) < sum(latest), "fewer recipients known by day 20");
  for (const e of latest.engagement) {
    assert.equal(
      Object.values(e.tiers).reduce((a, b) => a + b, 0),
      e.recipients,
    );
    assert.equal(e.tiers["181-365"] + e.tiers["365+"], 0, "a 63-day program has no older engagement");
  }
  assert.ok(
    latest.query.asOf?.startsWith(dayOf(SMALL.days - 1)) || latest.query.asOf?.startsWith(dayOf(SMALL.days)),
  );
});

const day = (n: number, sent: number, policy = 0): DayStats =>
  dayStats("apple", dayOf(n), {
    sent,
    delivered: sent - policy,
    bounced: policy,
    policyBounces: policy,
    policyByProviderCode: policy ? { CS01: policy } : {},
  });

test("spike and episode rules on a hand-made series with known answers", () => {
  const series = Array.from({ length: 50 }, (_, n) =>
    day(n, n === 40 ? 5000 : 1000 + (n % 3) * 10, [40, 41, 45].includes(n) ? 60 : 1),
  );
  assert.deepEqual(
    findSpikes(series).map((s) => s.day),
    [dayOf(40)],
  );
  const episodes = findEpisodes(series);
  assert.deepEqual(
    episodes.map((e) => [e.start, e.end, e.policyBounces]),
    [
      [dayOf(40), dayOf(41), 120],
      [dayOf(45), dayOf(45), 60],
    ],
  );
});

test("an off-schedule campaign to the usual audience is not a spike; a send well above the usual size is", () => {
  // A weekly sender (day n % 7 === 0) with a small daily stream; day 40 is a Saturday-like off-schedule
  // campaign of the usual size (its same-weekday baseline is the small stream), day 47 a send 2.5× as big.
  const sizes = (n: number) =>
    n === 47 ? 2500 : n % 7 === 0 || n === 40 ? 1000 + (n % 3) * 20 : 50 + (n % 4);
  const series = Array.from({ length: 56 }, (_, n) => day(n, sizes(n)));
  const spikes = findSpikes(series);
  assert.deepEqual(
    spikes.map((s) => s.day),
    [dayOf(47)],
  );
  assert.ok(spikes[0].sendSize >= 1000 && spikes[0].sendSize < 1100, JSON.stringify(spikes[0]));
});

test("Apple egress CSV: IPv4 prefixes become ranges, other lines are skipped", () => {
  const ranges = parseEgressCsv(
    "17.58.0.0/16,US,US-CA,Cupertino,\n2a02:26f7::/48,DE,,,\nnot a line\n172.224.226.0/27,GB,GB-EN,London,\n",
  );
  assert.deepEqual(ranges, [
    { lo: 17 * 2 ** 24 + 58 * 2 ** 16, hi: 17 * 2 ** 24 + 58 * 2 ** 16 + 65535 },
    { lo: 172 * 2 ** 24 + 224 * 2 ** 16 + 226 * 256, hi: 172 * 2 ** 24 + 224 * 2 ** 16 + 226 * 256 + 31 },
  ]);
});

test("hygiene: hard bounces, complaints, unsubscribes, typo/role/disposable addresses; sorted CSV export", async () => {
  const path = join(dir, "suppress.csv");
  const summary = await hygiene(store, {}, path);
  for (const reason of [
    "hard-bounce",
    "complaint",
    "unsubscribe",
    "typo-domain",
    "role-account",
    "disposable",
  ] as const) {
    assert.ok(summary.allReasons[reason] > 0, `no ${reason}`);
  }
  const lines = readFileSync(path, "utf8").trim().split("\n");
  assert.equal(lines[0], "address,reason");
  assert.equal(lines.length - 1, summary.suppress);
  const addresses = lines.slice(1).map((l) => l.split(",")[0]);
  assert.deepEqual(addresses, [...addresses].sort());
  assert.ok(lines.some((line) => /@gmial\.com,/.test(line)));
  const dormant = await hygiene(store, { dormantDays: 30 });
  assert.ok(
    dormant.allReasons.dormant > summary.allReasons.dormant,
    "a shorter threshold finds more dormant",
  );
});

test("Apple egress CSV through computeStats: a proxy open is a machine open on both connections", async () => {
  const csvDir = join(dir, "egress");
  mkdirSync(csvDir, { recursive: true });
  const events = join(csvDir, "opens.ndjson");
  // Two Apple recipients sent to and opened once each, without a machine flag: one from an address in
  // the egress ranges (a proxy), one from a reader address outside them (a human).
  writeFileSync(
    events,
    [
      { time: "2026-03-02T10:00:00Z", recipient: "proxy@icloud.com", type: "sent", event_id: "s1" },
      { time: "2026-03-02T10:00:00Z", recipient: "human@icloud.com", type: "sent", event_id: "s2" },
      {
        time: "2026-03-02T11:00:00Z",
        recipient: "proxy@icloud.com",
        type: "open",
        event_id: "o1",
        reader_ip: "172.224.226.9",
      },
      {
        time: "2026-03-02T11:00:00Z",
        recipient: "human@icloud.com",
        type: "open",
        event_id: "o2",
        reader_ip: "198.51.100.7",
      },
    ]
      .map((e) => JSON.stringify(e))
      .join("\n"),
  );
  const egress = join(csvDir, "egress.csv");
  writeFileSync(egress, "172.224.226.0/27,GB,GB-EN,London,\n");
  const own = await Store.open(join(csvDir, "egress.duckdb"));
  await ingestFile(own, events);
  const tiersOf = (report: Awaited<ReturnType<typeof computeStats>>) =>
    report.engagement.find((e) => e.provider === "apple")?.tiers;
  const opensOf = (report: Awaited<ReturnType<typeof computeStats>>) => {
    const apple = report.totals.find((t) => t.provider === "apple");
    return [apple?.humanOpens, apple?.machineOpens];
  };
  const without = await computeStats(own, {});
  const withCsv = await computeStats(own, {}, { appleEgressCsv: egress });
  // The diagnosis reads tiers with the rules loadAppleEgress returns for its connection.
  const tierCounts = async (rules?: OpenRules) =>
    Object.fromEntries((await loadTiers(own, "apple", rules)).map((t) => [t.tier, t.recipients]));
  assert.deepEqual([(await tierCounts())["0-30"], (await tierCounts()).never], [2, 0]);
  const rules = await loadAppleEgress(own, egress);
  assert.equal(rules.proxyIps, 1);
  assert.deepEqual([(await tierCounts(rules))["0-30"], (await tierCounts(rules)).never], [1, 1]);
  own.close();
  assert.deepEqual(opensOf(without), [2, 0]);
  assert.deepEqual(opensOf(withCsv), [1, 1]);
  // Engagement runs on the second connection: it must see the egress IPs too.
  assert.equal(tiersOf(without)?.["0-30"], 2);
  assert.deepEqual([tiersOf(withCsv)?.["0-30"], tiersOf(withCsv)?.never], [1, 1]);
});
