import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { BounceRecord } from "../../src/bounce/record.ts";
import { JsonBytes, jsonRecord } from "../../src/bounce/render-output.ts";

const rule = { id: "recipient-unknown", source: "RFC 3463 — X.1.1" };

function record(overrides: Partial<BounceRecord> = {}): BounceRecord {
  return {
    recipient: "user@example.com",
    source: { file: "maillog", line: 3 },
    format: "postfix",
    time: "2026-02-02T12:34:56.000Z",
    provider: "other",
    remoteMta: "mx.example.com",
    replyCode: 550,
    status: "5.1.1",
    providerCode: null,
    reason: "userunknown",
    category: "recipient",
    permanent: true,
    retryable: false,
    suppressRecipient: true,
    action: "Remove the address.",
    diagnostic: '550 5.1.1 "unknown" user\u0007 \ud800',
    rule,
    feedbackType: undefined,
    ...overrides,
  };
}

function plain(value: BounceRecord): string {
  return `{"schemaVersion":1,${JSON.stringify(value).slice(1)}`;
}

test("jsonRecord equals JSON.stringify with schemaVersion first, cached parts or not", () => {
  const cases: BounceRecord[] = [
    record(),
    record(), // the cached verdict and rule
    record({ status: "5.1.2", recipient: 'a"b\\c@example.com' }),
    record({ feedbackType: "abuse" }),
    record({ feedbackType: null }),
    record({ remoteMta: undefined as unknown as null }),
    record({ recipient: undefined as unknown as null }),
    record({ time: undefined as unknown as null }),
    record({ provider: undefined as unknown as BounceRecord["provider"] }),
    record({ recipient: '"x":undefined@example.com' }),
    record({ diagnostic: undefined as unknown as string }),
    record({ replyCode: Number.NaN }),
    record({ rule: { id: "x", source: "y", extra: [1] } as unknown as BounceRecord["rule"] }),
  ];
  const { feedbackType: _omitted, ...withoutFeedback } = record();
  cases.push(withoutFeedback as BounceRecord);
  const { recipient, ...rest } = record();
  cases.push({ ...rest, recipient } as BounceRecord); // other key order: the plain path
  for (const value of cases) assert.equal(jsonRecord(value), plain(value));
});

test("JsonBytes writes JSON.stringify's text of ASCII bytes (property)", () => {
  const unit = fc.oneof(
    fc.constantFrom('"', "\\", "\n", "\t", "\u0000", "\u001f", "\u007f", "\u2028", "\ud800", "é", "中"),
    fc.string({ maxLength: 3 }),
  );
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 20 }), (parts) => {
      const text = parts.join("");
      const ascii = Buffer.from(text.replace(/[^\u0000-\u007f]/g, "?"), "latin1");
      const bytes = new JsonBytes(1);
      bytes.quoted(ascii, 0, ascii.length);
      assert.equal(bytes.buffer.toString("utf8", 0, bytes.length), JSON.stringify(ascii.toString("latin1")));
    }),
  );
});
