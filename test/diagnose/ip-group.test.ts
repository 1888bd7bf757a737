import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext } from "../../src/diagnose/context.ts";
import { diagnoseContext } from "../../src/diagnose/engine.ts";
import type { SendCell } from "../../src/diagnose/facts.ts";
import { appleFacts, sendCell } from "../../testkit/diagnose-facts.ts";

/**
 * Two IPs of a poor shared pool beside one good dedicated IP, from a source that names no pools
 * (SendGrid, SES): each bad IP compared with "the others" has the other bad IP among them, so neither
 * stands out; together against the good IP they do. 60 days, 1,000 messages a day per IP.
 */
const day = (d: number) => new Date(Date.UTC(2026, 3, 6) + d * 86_400_000).toISOString().slice(0, 10);
const PER_MILLE: Record<string, number> = { "192.0.2.140": 3, "192.0.2.141": 2, "192.0.2.21": 0.2 };

function cells(): SendCell[] {
  const out: SendCell[] = [];
  for (let d = 0; d < 60; d++)
    for (const [ip, perMille] of Object.entries(PER_MILLE))
      for (const dormant of [false, true])
        out.push(
          sendCell({
            day: day(d),
            ip,
            dormant,
            sent: 500,
            // Bounces spread over days: a whole number per day, with the remainder on every k-th day.
            policy: Math.floor(((d + 1) * perMille) / 2) - Math.floor((d * perMille) / 2),
          }),
        );
  return out;
}

test("IPs that behave alike are compared as one group: a bad shared pool without a pool field", () => {
  const diagnosis = diagnoseContext(buildContext(appleFacts(cells())));
  const ip = diagnosis.causes.find((c) => c.id === "ip-reputation")!;
  assert.equal(
    diagnosis.causes[0].id,
    "ip-reputation",
    JSON.stringify(diagnosis.causes.map((c) => [c.id, c.confidence])),
  );
  assert.deepEqual(ip.subjects, ["192.0.2.140", "192.0.2.141"]);
  assert.match(ip.evidence[0].text, /from IPs 192\.0\.2\.140, 192\.0\.2\.141 vs .* from the other IP /);
  // The summary names the cause by its title inside the sentence, acronyms kept ("sending IP", not "ip").
  assert.match(diagnosis.summary, /Most likely cause: one sending IP or pool worse than the others /);
});

test("an IP worse than the others because its mail fails authentication is authentication, not ip-reputation", () => {
  // A new IP (from day 30) that is not in SPF and does not sign: its Apple bounces cite HME1.
  const base = cells().filter((c) => c.ip !== "192.0.2.141");
  const fresh: SendCell[] = base
    .filter((c) => c.ip === "192.0.2.21" && c.day >= day(30))
    .map((c) => ({ ...c, ip: "192.0.2.150", policy: 12 }));
  const good = base.map((c) => (c.ip === "192.0.2.140" ? { ...c, policy: c.policy > 0 ? 1 : 0 } : c));
  const hme1 = 12 * fresh.length;
  const facts = appleFacts([...good, ...fresh], {
    replies: [
      {
        type: "bounced",
        category: "authentication",
        providerCode: "HME1",
        status: "5.7.1",
        replyCode: 554,
        reply:
          "554 5.7.1 [HME1] This message was blocked for failing both SPF and DKIM authentication checks",
        count: hme1,
        firstSeen: `${day(30)}T10:00:00Z`,
        lastSeen: `${day(59)}T10:00:00Z`,
        ips: ["192.0.2.150"],
      },
    ],
    policyByIp: [
      { ip: "192.0.2.150", category: "authentication", count: hme1 },
      { ip: "192.0.2.140", category: "reputation", count: 40 },
    ],
  });
  const diagnosis = diagnoseContext(buildContext(facts));
  const ip = diagnosis.causes.find((c) => c.id === "ip-reputation")!;
  assert.equal(
    diagnosis.causes[0].id,
    "authentication",
    JSON.stringify(diagnosis.causes.map((c) => [c.id, c.confidence])),
  );
  assert.equal(ip.passed, false);
  assert.ok(ip.evidence.some((e) => /cite authentication \(see authentication\)/.test(e.text)));
});
