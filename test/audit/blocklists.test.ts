import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadBlocklists, withDqsKey } from "../../src/audit/blocklist-data.ts";
import {
  type BlocklistReport,
  checkBlocklists,
  decodeAnswers,
  type ListResult,
} from "../../src/audit/blocklists.ts";
import { createResolver } from "../../src/dns/index.ts";
import { startDnsServer, type TestDnsServer } from "../../testkit/dns-server.ts";
import { dnsblZones } from "../../testkit/dns-zones-blocklists.ts";

const LISTED_IP = "192.0.2.66";
const CLEAN_IP = "192.0.2.10";
const DQS_KEY = "abcdefghijklmnopqrstuvwxyz";

const data = await loadBlocklists();
let server: TestDnsServer;
let report: BlocklistReport;

const find = (list: string, target: string): ListResult => {
  const result = report.results.find((r) => r.list === list && r.target === target);
  assert.ok(result, `no result for ${list} ${target}`);
  return result;
};

before(async () => {
  server = await startDnsServer(
    dnsblZones(data, {
      listings: [
        {
          list: "spamhaus-zen",
          target: LISTED_IP,
          answer: "127.0.0.3",
          text: "https://check.spamhaus.org/\u001b[31m",
        },
        { list: "mailspike", target: LISTED_IP, answer: "127.0.0.11" },
        { list: "mailspike", target: CLEAN_IP, answer: "127.0.0.18" },
        { list: "spamhaus-dbl", target: "spammy.test", answer: "127.0.1.2" },
        { list: "uribl", target: "spammy.test", answer: "127.0.0.10" },
        { list: "barracuda", target: CLEAN_IP, answer: "198.51.100.9" },
      ],
      refusing: [{ list: "surbl", answer: "127.0.0.1", targets: ["spammy.test", "clean.test"] }],
      faulty: [{ list: "psbl", fault: "servfail", targets: [LISTED_IP, CLEAN_IP] }],
      deadProbe: ["spamcop"],
    }),
  );
  const resolver = createResolver(
    { mode: "udp", host: server.host, port: server.port },
    { timeoutMs: 10_000, retries: 0 },
  );
  report = await checkBlocklists(
    resolver,
    { ips: [LISTED_IP, CLEAN_IP], domains: ["spammy.test", "clean.test"] },
    data,
  );
});
after(() => server.close());

describe("checkBlocklists against the loopback server", () => {
  it("decodes a listing to its meaning and keeps the list's TXT text", () => {
    const verdict = find("spamhaus-zen", LISTED_IP).verdict;
    assert.equal(verdict.status, "listed");
    assert.match(verdict.status === "listed" ? verdict.meanings[0].meaning : "", /^CSS/);
    assert.equal(
      verdict.status === "listed" && verdict.text?.startsWith("https://check.spamhaus.org/"),
      true,
    );
  });

  it("reports clear for unlisted targets", () => {
    assert.deepEqual(find("spamhaus-zen", CLEAN_IP).verdict, { status: "clear" });
    assert.deepEqual(find("spamhaus-dbl", "clean.test").verdict, { status: "clear" });
  });

  it("reports Mailspike as a reputation scale: bad is listed, good is reputation", () => {
    const bad = find("mailspike", LISTED_IP).verdict;
    assert.equal(bad.status, "listed");
    const good = find("mailspike", CLEAN_IP).verdict;
    assert.equal(good.status, "reputation");
    assert.match(good.status === "reputation" ? good.meanings[0].meaning : "", /good/);
  });

  it("decodes bitmask lists (URIBL 127.0.0.10 = black + red)", () => {
    const verdict = find("uribl", "spammy.test").verdict;
    assert.equal(verdict.status, "listed");
    const meanings = verdict.status === "listed" ? verdict.meanings.map((m) => m.meaning) : [];
    assert.equal(meanings.length, 2);
  });

  it("marks a list whose test point is refused (SURBL bit 1) as unavailable, never listed", () => {
    const probe = report.probes.find((p) => p.list === "surbl")!;
    assert.equal(probe.ok, false);
    assert.match(probe.detail, /blocked/);
    assert.equal(find("surbl", "spammy.test").verdict.status, "unavailable");
  });

  it("marks a list whose test point is missing or SERVFAILs as unavailable", () => {
    assert.equal(report.probes.find((p) => p.list === "spamcop")!.ok, false);
    assert.equal(find("spamcop", LISTED_IP).verdict.status, "unavailable");
    assert.match(report.probes.find((p) => p.list === "psbl")!.detail, /servfail/);
    assert.equal(find("psbl", CLEAN_IP).verdict.status, "unavailable");
  });

  it("treats an answer outside 127/8 (NXDOMAIN rewriting) as unknown", () => {
    const verdict = find("barracuda", CLEAN_IP).verdict;
    assert.equal(verdict.status, "unknown");
  });

  it("reports probes apart from the audited targets", () => {
    assert.equal(report.probes.length, data.lists.length);
    assert.ok(report.results.every((r) => r.target !== "127.0.0.2"));
    assert.ok(report.probes.find((p) => p.list === "spamhaus-zen")!.ok);
  });
});

describe("error answers are never listings", () => {
  const zen = data.lists.find((l) => l.id === "spamhaus-zen")!;
  const dbl = data.lists.find((l) => l.id === "spamhaus-dbl")!;
  const uribl = data.lists.find((l) => l.id === "uribl")!;
  for (const [list, answer] of [
    [zen, "127.255.255.252"],
    [zen, "127.255.255.254"],
    [zen, "127.255.255.255"],
    [dbl, "127.0.1.255"],
    [uribl, "127.0.0.1"],
  ] as const) {
    it(`${list.id} ${answer} → unknown with the fix`, () => {
      const verdict = decodeAnswers(list, [answer]);
      assert.equal(verdict.status, "unknown");
      assert.equal(verdict.status === "unknown" && verdict.fix, list.refusedFix);
    });
  }
  it("a Spamhaus list answering 127.255.255.254 to everything is unavailable, with the DQS fix", async () => {
    const zones = dnsblZones(data, {
      refusing: [{ list: "spamhaus-zen", answer: "127.255.255.254", targets: [CLEAN_IP] }],
    });
    const resolver = createResolver({ mode: "zones", zones });
    const result = await checkBlocklists(resolver, { ips: [CLEAN_IP] }, data);
    const verdict = result.results.find((r) => r.list === "spamhaus-zen")!.verdict;
    assert.equal(verdict.status, "unavailable");
    assert.match(verdict.status === "unavailable" ? verdict.fix : "", /dqs-key/);
  });
  it("a timeout is unknown, not clear", async () => {
    const zones = dnsblZones(data, {
      faulty: [{ list: "spamhaus-dbl", fault: "timeout", targets: ["x.test"] }],
    });
    const withProbeOk = { ...zones, "dbltest.com.dbl.spamhaus.org": { A: ["127.0.1.2"] } };
    const resolver = createResolver({ mode: "zones", zones: withProbeOk });
    const result = await checkBlocklists(resolver, { domains: ["x.test"] }, data);
    const verdict = result.results.find((r) => r.list === "spamhaus-dbl")!.verdict;
    assert.equal(verdict.status, "unknown");
    assert.match(verdict.status === "unknown" ? verdict.why : "", /timeout/);
  });
});

describe("data file", () => {
  it("switches Spamhaus to DQS zones with --dqs-key, leaving other lists", () => {
    const dqs = withDqsKey(data, DQS_KEY);
    assert.equal(dqs.lists.find((l) => l.id === "spamhaus-zen")!.zone, `${DQS_KEY}.zen.dq.spamhaus.net`);
    assert.equal(dqs.lists.find((l) => l.id === "spamhaus-dbl")!.zone, `${DQS_KEY}.dbl.dq.spamhaus.net`);
    assert.equal(dqs.lists.find((l) => l.id === "barracuda")!.zone, "b.barracudacentral.org");
  });

  it("queries the DQS zone with --dqs-key and decodes its answers like the public zone", async () => {
    const dqs = withDqsKey(data, DQS_KEY);
    const zones = dnsblZones(dqs, {
      listings: [{ list: "spamhaus-zen", target: LISTED_IP, answer: "127.0.0.4" }],
    });
    const resolver = createResolver({ mode: "zones", zones });
    const result = await checkBlocklists(resolver, { ips: [LISTED_IP] }, dqs);
    const zen = result.results.find((r) => r.list === "spamhaus-zen")!;
    assert.equal(zen.zone, `${DQS_KEY}.zen.dq.spamhaus.net`);
    assert.equal(zen.verdict.status, "listed");
    assert.ok(resolver.log.some((q) => q.name === `66.2.0.192.${DQS_KEY}.zen.dq.spamhaus.net`));
  });

  it("refuses retired lists (SORBS) with the explanation, without querying them", async () => {
    const sorbs = { ...data.lists[0], id: "sorbs", name: "SORBS", zone: "dnsbl.sorbs.net" };
    const withSorbs = { ...data, lists: [sorbs] };
    const resolver = createResolver({ mode: "zones", zones: {} });
    const result = await checkBlocklists(resolver, { ips: [CLEAN_IP] }, withSorbs);
    const verdict = result.results[0].verdict;
    assert.equal(verdict.status, "retired");
    assert.match(verdict.status === "retired" ? verdict.why : "", /2024-06-05/);
    assert.equal(resolver.log.length, 0);
  });

  it("every list has a source, a test point and documented codes", () => {
    for (const list of data.lists) {
      assert.match(list.source, /^https:\/\//, list.id);
      assert.ok(list.codes.length > 0, list.id);
      assert.ok(list.testPoint.listed, list.id);
    }
    assert.deepEqual(
      data.retired.map((r) => r.name),
      ["SORBS", "NiX Spam (manitu)", "WPBL"],
    );
  });
});
