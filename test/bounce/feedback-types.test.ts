import assert from "node:assert/strict";
import { test } from "node:test";
import { recordsFromEmail } from "../../src/bounce/email/index.ts";
import { CATEGORY_ACTION } from "../../src/bounce/rules/categories.ts";
import { FEEDBACK_TYPES, feedbackFact } from "../../src/bounce/rules/feedback-types.ts";
import { arfOfType } from "../../testkit/arf.ts";

test("the feedback-type table: every type of the IANA MARF registry once, each with its source and its words", () => {
  const registry = ["abuse", "fraud", "other", "virus", "not-spam", "auth-failure"];
  const types = FEEDBACK_TYPES.map((fact) => fact.type);
  assert.equal(new Set(types).size, types.length, "one entry per type");
  for (const type of registry) assert.ok(types.includes(type), type);
  for (const fact of FEEDBACK_TYPES) {
    assert.match(fact.source, /https:\/\//, fact.type);
    assert.ok(fact.quote.includes(fact.type), `${fact.type}: the quote names it`);
    // Only a complaint says "reported spam"; the rest say what they are instead.
    assert.equal(fact.action === CATEGORY_ACTION.complaint, fact.event === "complaint", fact.type);
  }
  assert.equal(feedbackFact(" Not-Spam ").type, "not-spam");
  assert.equal(feedbackFact(null).event, "complaint");
  assert.equal(feedbackFact("no-such-type").event, "complaint");
});

test("classify: only a recipient's complaint is 'reported spam'; not-spam, virus, auth-failure and opt-out say what they are", () => {
  const expected: [string | null, string, RegExp][] = [
    ["abuse", "complaint", /reported spam/],
    ["fraud", "complaint", /reported spam/],
    ["other", "complaint", /reported spam/],
    [null, "complaint", /reported spam/],
    ["not-spam", "delivered", /not spam/],
    ["virus", "content", /virus/],
    ["auth-failure", "authentication", /DMARC failure report/],
    ["opt-out", "complaint", /unsubscribed/],
    ["NOT-SPAM", "delivered", /not spam/],
  ];
  for (const [type, category, action] of expected) {
    const { records } = recordsFromEmail(Buffer.from(arfOfType(type)), "arf.eml");
    assert.equal(records.length, 1, String(type));
    const [record] = records;
    assert.equal(record.recipient, "complainer@example.com");
    // The reason stays Sisimai's label.
    assert.equal(record.reason, "feedback", String(type));
    assert.equal(record.category, category, String(type));
    assert.match(record.action, action, String(type));
    if (category !== "complaint") assert.doesNotMatch(record.action, /reported spam/, String(type));
    assert.deepEqual(
      [record.permanent, record.retryable, record.suppressRecipient],
      [false, false, false],
      String(type),
    );
  }
});
