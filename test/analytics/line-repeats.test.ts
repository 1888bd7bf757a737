import assert from "node:assert/strict";
import { test } from "node:test";
import { LineRepeats } from "../../src/analytics/ingest/js-path.ts";
import { EMPTY_ROW, type StagingRow } from "../../src/analytics/ingest/staging.ts";

/**
 * The parsers leave out a record repeating the event of an earlier record of its line (LineRepeats): the
 * settle keeps an event's row of the least line, where the records of one line tie (review s24 R19).
 */

const row = (line: number | null, fields: Partial<StagingRow>): StagingRow => ({
  ...EMPTY_ROW,
  type: "bounced",
  time: 1_772_532_000_000,
  recipient: "a@example.org",
  line,
  ...fields,
});

function kept(rows: StagingRow[]): { kept: StagingRow[]; repeats: number } {
  const out: StagingRow[] = [];
  const sink = new LineRepeats({ add: (r) => out.push(r), full: false, drain: async () => {} });
  for (const r of rows) sink.add(r);
  return { kept: out, repeats: sink.repeats };
}

test("of one line's records of one event, the first is kept; other lines' are left to the settle", () => {
  const first = row(3, {
    identity: "email:r\u001fa@example.org\u001fbounced",
    reply: "550 5.1.1 user unknown",
  });
  const again = row(3, { identity: first.identity, reply: "552 5.2.2 mailbox full" });
  const other = row(3, { identity: "email:r\u001fb@example.org\u001fbounced", recipient: "b@example.org" });
  const later = row(4, { identity: first.identity, reply: "554 5.7.1 rejected" });
  assert.deepEqual(kept([first, other, again, later]), { kept: [first, other, later], repeats: 1 });
});

test("without a source id, the identity is the store's (eventIdentity): the same fields repeat the event", () => {
  const first = row(7, { reply: "550 5.1.1 user unknown", remote_mta: "mx1.example.org" });
  const sameEvent = row(7, { reply: "550 5.1.1 user unknown", remote_mta: "mx2.example.org" });
  const otherReply = row(7, { reply: "552 5.2.2 mailbox full" });
  assert.deepEqual(kept([first, sameEvent, otherReply]), { kept: [first, otherReply], repeats: 1 });
});

test("bad and skipped records are never left out, nor counted", () => {
  const event = row(1, { identity: "x:1" });
  const problem = { ...EMPTY_ROW, line: 1, problem: "invalid JSON record" };
  const skipped = { ...EMPTY_ROW, line: 1 };
  assert.deepEqual(kept([event, problem, problem, skipped, skipped, event]), {
    kept: [event, problem, problem, skipped, skipped],
    repeats: 1,
  });
});
