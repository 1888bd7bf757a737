import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { HARD_BOUNCE_SQL } from "../../src/measures/index.ts";
import { Store } from "../../src/store/index.ts";
import { scratchDir } from "../../testkit/scratch.ts";
import { sesBounceLine } from "../../testkit/ses-bounce.ts";

/**
 * The SES event stream reads SES's verdict on a bounce from the same table as the SES email reader
 * (src/bounce/rules/ses-bounce-types.ts): a Permanent/NoEmail bounce with no diagnosticCode is the address that
 * does not exist (a hard bounce), a Transient/MailboxFull one a full mailbox; a subtype that names no cause
 * (Permanent/General) leaves the reason to the reply, and with none it stays undefined (no hard bounce).
 */
test("ses: a bounce subtype that names a cause gives its reason when the reply is missing, in both readers", async () => {
  const dir = scratchDir("deliverlens-ses-subtypes-");
  const file = join(dir, "ses.jsonl");
  const bounce = (
    recipient: string,
    bounceType: string,
    bounceSubType: string,
    id: string,
    diagnostic?: string,
  ) =>
    sesBounceLine(
      recipient,
      { bounceType, bounceSubType },
      id,
      diagnostic ? { action: "failed", status: "5.7.1", diagnosticCode: `smtp; ${diagnostic}` } : {},
    );
  writeFileSync(
    file,
    [
      bounce("noemail@example.org", "Permanent", "NoEmail", "b1"),
      bounce("general@example.org", "Permanent", "General", "b2"),
      bounce("full@example.org", "Transient", "MailboxFull", "b3"),
      // The reply still refines NoEmail's guess: a spam filter's refusal is no unknown address.
      bounce("spam@example.org", "Permanent", "NoEmail", "b4", "550 5.7.1 Message rejected as spam"),
    ].join("\n"),
  );
  for (const fastPath of [true, false]) {
    const store = await Store.open(":memory:");
    try {
      const summary = await ingestFile(store, file, { format: "ses", fastPath });
      assert.equal(summary.reader, fastPath ? "duckdb" : "parsers");
      const rows = await store.all<{ recipient: string; reason: string }>(
        "SELECT recipient, reason FROM events ORDER BY recipient",
      );
      assert.deepEqual(
        rows,
        [
          { recipient: "full@example.org", reason: "mailboxfull" },
          { recipient: "general@example.org", reason: "undefined" },
          { recipient: "noemail@example.org", reason: "userunknown" },
          { recipient: "spam@example.org", reason: "spamdetected" },
        ],
        summary.reader,
      );
      const hard = await store.all<{ recipient: string }>(
        `SELECT recipient FROM events WHERE ${HARD_BOUNCE_SQL} ORDER BY recipient`,
      );
      assert.deepEqual(hard, [{ recipient: "noemail@example.org" }], summary.reader);
    } finally {
      store.close();
    }
  }
});
