import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { BounceRecord } from "../../src/bounce/record.ts";
import type { FormatName } from "../../src/events/formats.ts";
import { classifyEvents } from "../../src/pipeline/classify-events.ts";
import { readAll } from "../../testkit/events-read.ts";

/**
 * The Postfix and Exim logs of review's held-out sets (ninth to twelfth) (test/fixtures/mta-made/README.md): the carriers'
 * own log lines for deliveries to providers' real MX host names (ninth) or to 127.0.0.1 (tenth: the provider is known
 * only from the recipient's domain or the reply), each failed recipient's truth written before any reader ran (the
 * reasons its provider documents, the provider that hosts it where the log can show it, whether the address is gone).
 * An entry marked `open` is a known miss (a review finding), not asserted until it is fixed.
 */
const DIR = join(import.meta.dirname, "../fixtures/mta-made/logs");

interface Want {
  reasons: string[];
  provider: string | null;
  /** A provider the recipient's records must not name (a domain behind a shared filter's host: set 12). */
  notProvider?: string;
  suppress: boolean | null;
  why: string;
  open?: string;
}
interface Log {
  format: FormatName;
  recipients: Record<string, Want>;
  unasserted: Record<string, string>;
}
const EXPECTED = JSON.parse(readFileSync(join(DIR, "expected.json"), "utf8")) as Record<string, Log>;

async function recordsOf(file: string, format: FormatName): Promise<Map<string, BounceRecord[]>> {
  const { events } = await readAll(readFileSync(join(DIR, file)), format, { tz: "UTC" });
  const records = new Map<string, BounceRecord[]>();
  async function* items() {
    yield* events;
  }
  for await (const record of classifyEvents(items(), { format })) {
    if (!("recipient" in record)) continue;
    const key = (record.recipient ?? "").toLowerCase();
    records.set(key, [...(records.get(key) ?? []), record]);
  }
  return records;
}

for (const [file, log] of Object.entries(EXPECTED)) {
  test(`${file}: every failed recipient is in the truth, and each has its records`, async () => {
    const records = await recordsOf(file, log.format);
    const listed = new Set([...Object.keys(log.recipients), ...Object.keys(log.unasserted)]);
    assert.deepEqual(
      [...records.keys()].filter((recipient) => !listed.has(recipient)),
      [],
    );
    for (const recipient of Object.keys(log.recipients)) assert.ok(records.has(recipient), recipient);
  });
  test(`${file}: each recipient's reasons, provider and suppression, as its provider documents them`, async () => {
    const records = await recordsOf(file, log.format);
    for (const [recipient, want] of Object.entries(log.recipients)) {
      if (want.open) continue;
      const mine = records.get(recipient) ?? [];
      for (const record of mine) {
        assert.ok(want.reasons.includes(record.reason), `${recipient}: ${record.reason} (${want.why})`);
        if (want.provider !== null) assert.equal(record.provider, want.provider, recipient);
        if (want.notProvider !== undefined) assert.notEqual(record.provider, want.notProvider, recipient);
      }
      const last = mine.at(-1);
      if (want.suppress !== null) assert.equal(last?.suppressRecipient, want.suppress, recipient);
    }
  });
}
