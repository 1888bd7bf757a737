import assert from "node:assert/strict";
import { test } from "node:test";
import { buildContext } from "../../src/diagnose/context.ts";
import { diagnoseContext } from "../../src/diagnose/engine.ts";
import type { Facts, SendCell } from "../../src/diagnose/facts.ts";
import { NO_CAMPAIGNS, NO_ENGAGEMENT } from "../../src/diagnose/limits.ts";
import { appleFacts, sendCell } from "../../testkit/diagnose-facts.ts";

/**
 * Issue 10: PowerMTA accounting and Postfix logs carry no opens or clicks (Postfix no campaigns either):
 * the diagnosis says what it cannot judge rather than guess. A 60-day program, 2,000 messages a day,
 * one day at 3× the volume bouncing 10× as often — with an MTA log's view: every recipient "dormant"
 * (no engagement recorded), no campaign names.
 */
const day = (d: number) => new Date(Date.UTC(2026, 2, 2) + d * 86_400_000).toISOString().slice(0, 10);

function cells(engaged: boolean, campaigns: boolean): SendCell[] {
  const out: SendCell[] = [];
  for (let d = 0; d < 60; d++) {
    const sent = d === 40 ? 6000 : 2000;
    const policy = d === 40 ? 60 : 2;
    const parts = engaged ? [true, false] : [true];
    for (const dormant of parts)
      out.push(
        sendCell({
          day: day(d),
          campaign: campaigns ? `c-${d}` : "(none)",
          dormant,
          sent: sent / parts.length,
          policy: policy / parts.length,
        }),
      );
  }
  return out;
}

const facts = (engaged: boolean, campaigns: boolean): Facts =>
  appleFacts(cells(engaged, campaigns), {
    weeks: [{ week: day(0), delivered: 100_000, engaged: engaged ? 9000 : 0 }],
  });

test("without opens or clicks, low-engagement and volume-spike are reported as not judged, with the reason", () => {
  const diagnosis = diagnoseContext(buildContext(facts(false, false)));
  for (const id of ["low-engagement", "volume-spike", "content"] as const) {
    const cause = diagnosis.causes.find((c) => c.id === id)!;
    assert.equal(cause.confidence, 0, id);
    assert.equal(cause.passed, false, id);
    assert.match(cause.evidence[0].text, /^Not judged: /, id);
  }
  assert.deepEqual(
    diagnosis.unjudged.map((u) => u.reason),
    [NO_ENGAGEMENT, NO_CAMPAIGNS],
  );
  assert.match(
    diagnosis.summary,
    /Not judged: low-engagement, volume-spike \(the data carries no opens or clicks \(MTA logs such as PowerMTA/,
  );
  assert.match(diagnosis.summary, /content \(the data names no campaigns/);
});

test("with opens and campaigns, nothing is reported as not judged", () => {
  const diagnosis = diagnoseContext(buildContext(facts(true, true)));
  assert.deepEqual(diagnosis.unjudged, []);
  assert.doesNotMatch(diagnosis.summary, /Not judged/);
});

test("without opens, a spike whose burst also drew volume deferrals is not guessed as rate-limit", () => {
  // Day 40 (the 3× day): 6 % of its messages are deferred for excessive volume, and 15 % of its rejected
  // messages were among them — deferrals as a side effect of the burst, not rejections escalating out of
  // ignored deferrals (which would put most rejections after a deferral of the same message).
  const spikeCells = cells(false, false).map((cell) =>
    cell.day === day(40)
      ? { ...cell, deferred: 360, rateDeferred: 360, policyDeferred: 9, policyRateDeferred: 9 }
      : cell,
  );
  const diagnosis = diagnoseContext(buildContext(appleFacts(spikeCells)));
  const rate = diagnosis.causes.find((c) => c.id === "rate-limit")!;
  assert.equal(diagnosis.causes[0].id, "insufficient-evidence", JSON.stringify(rate));
  assert.equal(rate.passed, false);
  assert.ok(rate.evidence.some((e) => /did not escalate into the rejections/.test(e.text)));
  // The same day with every rejection deferred first is rate-limit's own evidence.
  const escalated = cells(false, false).map((cell) =>
    cell.day === day(40)
      ? { ...cell, deferred: 360, rateDeferred: 360, policyDeferred: 60, policyRateDeferred: 60 }
      : cell,
  );
  assert.equal(diagnoseContext(buildContext(appleFacts(escalated))).causes[0].id, "rate-limit");
});

test("without opens, the campaign that is the spike is not guessed as content unless its message sets it apart", () => {
  // Day 40's campaign is the 3× day and bounces 10×: the spike (whose audience cannot be judged) or the
  // campaign's content? Only content evidence in the message can say it is the campaign.
  const withCampaigns = appleFacts(cells(false, true));
  const plain = diagnoseContext(buildContext(withCampaigns));
  assert.equal(plain.causes[0].id, "insufficient-evidence");
  assert.match(plain.causes.find((c) => c.id === "content")!.evidence[0].text, /c-40 .*cannot judge/);
  const message = (campaign: string, shortener: boolean) => ({
    campaign,
    file: `${campaign}.eml`,
    linkDomains: shortener ? ["bit.ly"] : ["shop.example"],
    shorteners: shortener ? ["bit.ly"] : [],
    listedDomains: [],
    findings: [],
  });
  const messages = new Map(["c-10", "c-20", "c-40"].map((c) => [c, message(c, c === "c-40")]));
  const shortened = diagnoseContext(buildContext(withCampaigns, messages));
  assert.equal(shortened.causes[0].id, "content");
});
