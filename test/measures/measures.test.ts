import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { dailyStats, loadAppleEgress, resolveQuery } from "../../src/analytics/stats/index.ts";
import { diagnoseStore } from "../../src/diagnose/diagnose-store.ts";
import { dayTotals, type Facts } from "../../src/diagnose/facts.ts";
import { loadFacts } from "../../src/diagnose/load-facts.ts";
import { MEASURES } from "../../src/measures/index.ts";
import { Store } from "../../src/store/index.ts";
import { InputError } from "../../src/util/errors.ts";
import type { ScenarioEvent } from "../../testkit/scenarios.ts";
import { storeScenario } from "../../testkit/scenarios-store.ts";

const dir = mkdtempSync(join(tmpdir(), "deliverlens-measures-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.parse("2026-01-01T10:00:00Z");

function event(
  type: ScenarioEvent["type"],
  day: number,
  recipient: string,
  messageId: string,
): ScenarioEvent {
  return {
    type,
    time: T0 + day * DAY,
    recipient,
    provider: "apple",
    campaign: `c-${messageId}`,
    ip: "192.0.2.1",
    messageId,
    reply: type === "deferred" ? "421 4.7.0 try again later" : null,
    replyCode: type === "deferred" ? 421 : null,
    status: null,
    providerCode: null,
    category: null,
    machineOpen: type === "open" ? false : null,
  };
}

test("every measure id is documented in docs/MEASURES.md", () => {
  const doc = readFileSync(join(import.meta.dirname, "../../docs/MEASURES.md"), "utf8");
  for (const id of Object.keys(MEASURES)) assert.match(doc, new RegExp(`\`${id}\``), id);
});

test("sent: a message retried over two days counts once, on its first attempt's day, in stats and diagnose", async () => {
  const store = await storeScenario([
    event("deferred", 0, "a@icloud.com", "m1"),
    event("delivered", 1, "a@icloud.com", "m1"),
    event("delivered", 1, "b@icloud.com", "m2"),
  ]);
  try {
    await loadAppleEgress(store, null);
    const stats = await dailyStats(store, await resolveQuery(store, { provider: "apple" }));
    assert.deepEqual(
      stats.map((d) => [d.day, d.sent]),
      [
        ["2026-01-01", 1],
        ["2026-01-02", 1],
      ],
    );
    const facts = await loadFacts(store, "apple");
    assert.deepEqual(
      dayTotals(facts.cells, facts.policyByDay).map((d) => [d.day, d.sent]),
      stats.map((d) => [d.day, d.sent]),
    );
  } finally {
    store.close();
  }
});

test("a message's sending IP is its last attempt's, the one whose result ended it (not an arbitrary row's)", async () => {
  const on = (e: ScenarioEvent, ip: string): ScenarioEvent => ({ ...e, ip });
  const rejection = {
    reply: "550 5.7.1 [CS01] Message rejected due to local policy",
    replyCode: 550,
    category: "reputation",
  };
  const store = await storeScenario([
    // m1: deferred on .2, then delivered on .1; m2: deferred on .1, then rejected on .2.
    on(event("deferred", 0, "a@icloud.com", "m1"), "192.0.2.2"),
    on(event("delivered", 0.5, "a@icloud.com", "m1"), "192.0.2.1"),
    on(event("deferred", 0, "b@icloud.com", "m2"), "192.0.2.1"),
    { ...on(event("bounced", 0.5, "b@icloud.com", "m2"), "192.0.2.2"), ...rejection },
  ]);
  try {
    const facts = await loadFacts(store, "apple");
    const byIp = (ip: string) =>
      facts.cells
        .filter((c) => c.ip === ip)
        .map((c) => [c.campaign, c.sent, c.policy])
        .sort();
    assert.deepEqual(byIp("192.0.2.1"), [["c-m1", 1, 0]]);
    assert.deepEqual(byIp("192.0.2.2"), [["c-m2", 1, 1]]);
  } finally {
    store.close();
  }
});

/** The recipient state of a one-message campaign's send (measures engaged, dormant, unknown_history). */
function stateAtSend(facts: Facts, campaign: string): string {
  const cell = facts.cells.find((c) => c.campaign === campaign);
  if (!cell) return "missing";
  return !cell.dormant ? "engaged" : cell.known ? "dormant" : "unknown";
}

test("dormant only once known for the whole window; before that, unknown history", async () => {
  const store = await storeScenario([
    event("delivered", 0, "new@icloud.com", "m0"),
    event("delivered", 30, "new@icloud.com", "m30"),
    event("delivered", 100, "new@icloud.com", "m100"),
    event("delivered", 0, "fan@icloud.com", "f0"),
    event("click", 1, "fan@icloud.com", "f0"),
    event("delivered", 60, "fan@icloud.com", "f60"),
  ]);
  try {
    const facts = await loadFacts(store, "apple");
    const state = (campaign: string) => stateAtSend(facts, campaign);
    assert.equal(state("c-m0"), "unknown", "first send: nothing known yet");
    assert.equal(state("c-m30"), "unknown", "known 30 days: too new to call dormant");
    assert.equal(state("c-m100"), "dormant", "known 100 days, never engaged");
    assert.equal(state("c-f60"), "engaged", "clicked 59 days before");
    const days = dayTotals(facts.cells);
    assert.equal(days.find((d) => d.day === "2026-01-31")?.unknown, 1);
    assert.equal(days.find((d) => d.day === "2026-04-11")?.unknown, 0);
    assert.equal(days.find((d) => d.day === "2026-04-11")?.dormant, 1);
  } finally {
    store.close();
  }
});

test("without any click or human open (no ASOF join), the states are the same: dormant once known", async () => {
  const store = await storeScenario([
    event("delivered", 0, "new@icloud.com", "m0"),
    event("delivered", 100, "new@icloud.com", "m100"),
  ]);
  try {
    const facts = await loadFacts(store, "apple");
    assert.equal(stateAtSend(facts, "c-m0"), "unknown");
    assert.equal(stateAtSend(facts, "c-m100"), "dormant");
  } finally {
    store.close();
  }
});

test("a window counts its own sends; history before it still decides the state at a send", async () => {
  // [type, day, recipient's local part at icloud.com, message id]
  const rows: [ScenarioEvent["type"], number, string, string][] = [
    ["delivered", 0, "new", "m0"],
    ["delivered", 100, "new", "m100"],
    ["delivered", 0, "fan", "f0"],
    ["click", 95, "fan", "f0"],
    ["delivered", 100, "fan", "f100"],
    ["delivered", 100, "late", "l100"],
    ["delivered", 120, "new", "m120"],
  ];
  const store = await storeScenario(
    rows.map(([type, day, who, id]) => event(type, day, `${who}@icloud.com`, id)),
  );
  try {
    // 2026-04-11 is day 100; the window ends before day 120.
    const facts = await loadFacts(store, "apple", undefined, { from: "2026-04-11", to: "2026-04-20" });
    assert.deepEqual(
      facts.cells.map((c) => c.campaign),
      ["c-f100", "c-l100", "c-m100"],
      "only the window's messages",
    );
    const state = (campaign: string) => stateAtSend(facts, campaign);
    assert.equal(state("c-m100"), "dormant", "first mailed 100 days before, before the window");
    assert.equal(state("c-f100"), "engaged", "clicked 5 days before the window");
    assert.equal(state("c-l100"), "unknown", "first seen in the window");
    assert.deepEqual(facts.window, { from: "2026-04-11", to: "2026-04-11" });
    assert.deepEqual(
      facts.cohorts?.map((c) => [c.cohort, c.recipients, c.delivered]),
      [
        ["2026-01", 2, 2],
        ["2026-04", 1, 1],
      ],
      "cohorts by first event in the store, deliveries in the window",
    );
  } finally {
    store.close();
  }
});

test("diagnoseStore refuses a window that is not one (the library's InputError, before opening the store)", async () => {
  for (const window of [{ from: "2026-02-30" }, { to: "26-01-01" }, { from: "2026-03-01", to: "2026-02-01" }])
    await assert.rejects(
      diagnoseStore({ db: join(dir, "none.duckdb"), provider: "apple", offline: true, ...window }),
      (error: Error) => error instanceof InputError && /--from|--to/.test(error.message),
    );
});

test("machine opens at every provider (Apple Mail reads Gmail too); SES tags give the sending IP and pool", async () => {
  const mail = (to: string) => ({
    timestamp: "2026-01-01T00:00:00Z",
    source: "news@send.example.com",
    messageId: `m-${to}`,
    destination: [to],
    tags: { "ses:outgoing-ip": ["54.240.8.1"], "ses:configuration-set": ["marketing"] },
  });
  const records = ["mpp@gmail.com", "reader@gmail.com"].flatMap((to, i) => [
    { eventType: "Send", mail: mail(to) },
    {
      eventType: "Delivery",
      mail: mail(to),
      delivery: { timestamp: "2026-01-01T00:00:01Z", recipients: [to] },
    },
    {
      eventType: "Open",
      mail: mail(to),
      open: { timestamp: "2026-01-01T00:00:05Z", ipAddress: i === 0 ? "17.58.1.2" : "203.0.113.9" },
    },
  ]);
  const file = join(dir, "ses.ndjson");
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n"));
  const store = await Store.open(join(dir, "ses.duckdb"));
  try {
    await ingestFile(store, file);
    await loadAppleEgress(store, null);
    const [google] = await dailyStats(store, await resolveQuery(store, { provider: "google" }));
    assert.equal(google.sent, 2);
    assert.equal(google.machineOpens, 1, "the open from Apple's 17.0.0.0/8 is a machine open at Gmail too");
    assert.equal(google.humanOpens, 1);
    const ips = await store.all<{ ip: string; pool: string }>(
      "SELECT DISTINCT sending_ip AS ip, pool FROM events WHERE type = 'delivered'",
    );
    assert.deepEqual(ips, [{ ip: "54.240.8.1", pool: "marketing" }]);
  } finally {
    store.close();
  }
});
