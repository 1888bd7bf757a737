import assert from "node:assert/strict";
import { test } from "node:test";
import { dayStats } from "../../src/analytics/stats/day-stats.ts";
import { findSpikes } from "../../src/analytics/stats/spikes.ts";

const dayOf = (n: number) => new Date(Date.UTC(2026, 5, 1) + n * 86_400_000).toISOString().slice(0, 10);
const day = (n: number, sent: number) =>
  dayStats("apple", dayOf(n), {
    sent,
    delivered: sent,
    bounced: 0,
    policyBounces: 0,
    policyByProviderCode: {},
  });

test("a send twice the usual size is a spike for a program that sends on about half of its days", () => {
  // Monday, Wednesday, Friday plus every other Tuesday (2026-06-01 is a Monday): about 14 sending days in
  // any 28, so the median day falls between the ~20 transactional messages and the ~1,350-message sends
  // and the day-to-day MAD measures the schedule, not the noise. Day 72 (a Wednesday) sends 2,700.
  const sending = (n: number) => [0, 2, 4].includes(n % 7) || n % 14 === 1;
  const series = Array.from({ length: 90 }, (_, n) =>
    day(n, n === 72 ? 2700 : sending(n) ? 1330 + (n % 5) * 10 : 15 + (n % 4)),
  );
  const spikes = findSpikes(series);
  assert.deepEqual(
    spikes.map((s) => s.day),
    [dayOf(72)],
  );
  assert.ok(spikes[0].sendSize > 1300 && spikes[0].sendSize < 1400, JSON.stringify(spikes[0]));
});
