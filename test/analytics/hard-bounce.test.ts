import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { hygiene } from "../../src/analytics/hygiene/hygiene.ts";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { classifyReply } from "../../src/bounce/classify.ts";
import { HARD_BOUNCE_SQL } from "../../src/measures/index.ts";
import { Store } from "../../src/store/index.ts";
import { scratchDir } from "../../testkit/scratch.ts";
import { sesBounceLine } from "../../testkit/ses-bounce.ts";

/**
 * Review R24: a temporary reply never says the address does not exist. "421 4.3.2 All server ports are busy"
 * (RFC 3463 X.3.2: the host is not accepting messages now — shutdown, load, maintenance) was Sisimai's
 * `notaccept` with category recipient ("Remove the address"), and an ESP's Transient bounce with it a hard bounce
 * that hygiene suppressed.
 */
test("a 4xx X.3.2 is transient, not a recipient verdict; a 5xx one (null MX, no such address) still is", () => {
  for (const text of ["421 4.3.2 All server ports are busy", "451 4.3.2 Please try again later"]) {
    const verdict = classifyReply({ text, action: "failed" });
    assert.equal(verdict.reason, "notaccept", text);
    assert.equal(verdict.category, "transient", text);
    assert.deepEqual(
      [verdict.permanent, verdict.retryable, verdict.suppressRecipient],
      [false, true, false],
      text,
    );
    assert.doesNotMatch(verdict.action, /Remove the address/, text);
  }
  for (const text of [
    "556 5.1.10 Recipient address has null MX",
    "550 5.1.10 RESOLVER.ADR.RecipientDoesNotExist; Recipient not found by SMTP address lookup",
  ]) {
    const verdict = classifyReply({ text, action: "failed" });
    assert.equal(verdict.category, "recipient", text);
    assert.equal(verdict.suppressRecipient, true, text);
  }
});

test("an SES Transient bounce with a 4xx is no hard bounce: hygiene and the hard-bounce measure need a permanent reply", async () => {
  const dir = scratchDir("deliverlens-hard-bounce-");
  const file = join(dir, "ses.jsonl");
  const bounce = (recipient: string, bounceType: string, status: string, code: string, id: string) =>
    sesBounceLine(recipient, { bounceType, bounceSubType: "General" }, id, {
      action: "failed",
      status,
      diagnosticCode: `smtp; ${code}`,
    });
  writeFileSync(
    file,
    `${bounce("busy@example.org", "Transient", "4.3.2", "421 4.3.2 All server ports are busy", "b1")}\n${bounce("gone@example.org", "Permanent", "5.1.1", "550 5.1.1 User unknown", "b2")}\n`,
  );
  const store = await Store.open(":memory:");
  try {
    await ingestFile(store, file, { format: "ses" });
    const hard = await store.all<{ recipient: string }>(
      `SELECT recipient FROM events WHERE ${HARD_BOUNCE_SQL} ORDER BY recipient`,
    );
    assert.deepEqual(hard, [{ recipient: "gone@example.org" }]);
    const exported = join(dir, "suppress.csv");
    const summary = await hygiene(store, {}, exported);
    assert.equal(summary.byReason["hard-bounce"], 1);
    assert.match(readFileSync(exported, "utf8"), /^gone@example\.org,hard-bounce$/m);
    assert.doesNotMatch(readFileSync(exported, "utf8"), /busy@example\.org/);
  } finally {
    store.close();
  }
});
