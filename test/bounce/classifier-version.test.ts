import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { CLASSIFIER_VERSION } from "../../src/bounce/classifier-version.ts";
import { classifyEvent } from "../../src/bounce/classify-event.ts";
import { EVENT_ACTIONS } from "../../src/bounce/event-actions.ts";
import {
  BAD_ADDRESS_REASONS,
  CATEGORY_ACTION,
  NOT_FAILURES,
  REASON_ACTION,
  REASON_CATEGORY,
  RETRYABLE_5XX,
  SUPPRESS_REASONS,
} from "../../src/bounce/rules/categories.ts";
import { FEEDBACK_TYPES } from "../../src/bounce/rules/feedback-types.ts";
import { PHRASE_TABLES } from "../../src/bounce/rules/knowledge.ts";
import { testedText } from "../../src/bounce/rules/phrase-rule.ts";
import { PROVIDER_CODE_PATTERNS } from "../../src/bounce/rules/provider-codes.ts";
import { PROVIDER_RULES } from "../../src/bounce/rules/provider-rules.ts";
import { SENDER_REFUSALS } from "../../src/bounce/rules/sender-refusals.ts";
import { SES_BOUNCE_SUBTYPES } from "../../src/bounce/rules/ses-bounce-types.ts";
import { REPLY_CODE_RULES, SISIMAI_STATUS_RULES, STATUS_RULES } from "../../src/bounce/rules/status-codes.ts";
import { SMTP_COMMANDS, type SmtpCommand } from "../../src/bounce/smtp-command.ts";

/**
 * The classifier's behaviour at this version. When this test fails, the classifier answers differently
 * for some input: bump CLASSIFIER_VERSION (src/bounce/classifier-version.ts) and set both values here
 * (the message prints the new fingerprint). A store then re-classifies the replies it keeps.
 */
const RECORDED = {
  version: 93,
  fingerprint: "9c4e1220fff65bca2e4a52667d78de15976ac8ba40ac63aa599e0bd8a0783a5b",
};

/** Rule data as text: patterns by their source and flags. */
const asText = (value: unknown): string =>
  JSON.stringify(value, (_key, entry) =>
    entry instanceof RegExp ? `/${entry.source}/${entry.flags}` : entry,
  );

const STATUSES = [null, "5.0.0", "5.1.0", "5.1.1", "5.1.2", "5.2.2", "5.6.0", "5.7.1", "5.7.28", "4.7.0"];
const HINTS = ["filtered", "filtered-no-phase", "onhold", "expired", "suppressed"];
const TYPES = ["bounced", "deferred"];
const MAILBOX_RECIPIENTS = ["someone@gmail.com", "someone@qq.com"];

function fingerprint(): string {
  const hash = createHash("sha256");
  hash.update(
    asText([
      PHRASE_TABLES,
      PROVIDER_RULES,
      PROVIDER_CODE_PATTERNS,
      SISIMAI_STATUS_RULES,
      STATUS_RULES,
      REPLY_CODE_RULES,
      [REASON_CATEGORY, REASON_ACTION, CATEGORY_ACTION, RETRYABLE_5XX],
      [NOT_FAILURES, BAD_ADDRESS_REASONS, SUPPRESS_REASONS, EVENT_ACTIONS],
      FEEDBACK_TYPES,
      SES_BOUNCE_SUBTYPES,
      SENDER_REFUSALS,
    ]),
  );
  const examples = [
    ...PHRASE_TABLES.flatMap((table) =>
      table.rules.map((rule) => ({ text: testedText(rule), recipient: null })),
    ),
    ...PROVIDER_RULES.map((rule) => ({ text: rule.example, recipient: rule.exampleRecipient ?? null })),
    ...PROVIDER_CODE_PATTERNS.map((rule) => ({ text: rule.example, recipient: null })),
    ...SENDER_REFUSALS.map((refusal) => ({
      text: refusal.example ?? `550 5.1.1 ${refusal.phrase}`,
      recipient: null,
    })),
  ];
  const hosts = PHRASE_TABLES.flatMap((table) => table.hosts ?? []);
  const answer = (facts: {
    text: string;
    type?: string;
    status?: string | null;
    hint?: string | null;
    smtpCommand?: SmtpCommand;
    remoteMta?: string | null;
    recipient: string | null;
  }) => {
    const classification = classifyEvent({
      type: facts.type ?? "bounced",
      reply: facts.text,
      replyCode: null,
      status: facts.status ?? null,
      remoteMta: facts.remoteMta ?? null,
      recipient: facts.recipient ?? "someone@example.org",
      hint: facts.hint ?? null,
      smtpCommand: facts.smtpCommand ?? null,
    });
    assert.ok(classification, facts.type);
    hash.update(asText(classification));
  };
  for (const example of examples) {
    for (const type of TYPES) for (const status of STATUSES) answer({ ...example, type, status });
    for (const hint of HINTS) answer({ ...example, hint });
    for (const smtpCommand of SMTP_COMMANDS) answer({ ...example, smtpCommand });
    for (const host of hosts) answer({ ...example, remoteMta: `mx.${host}` });
    // A mailbox provider's own domain, and one a rule table singles out: the provider a reply's words name yields.
    for (const recipient of MAILBOX_RECIPIENTS) answer({ ...example, recipient });
  }
  return hash.digest("hex");
}

test("the classifier's version changes with its answers (rule data, verdicts)", () => {
  const now = fingerprint();
  assert.equal(
    `${CLASSIFIER_VERSION} ${now}`,
    `${RECORDED.version} ${RECORDED.fingerprint}`,
    `the classifier answers differently: bump CLASSIFIER_VERSION past ${RECORDED.version} and record ` +
      `{ version: <new>, fingerprint: "${now}" } in test/bounce/classifier-version.test.ts`,
  );
});
