import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { classifyReply, type ReplyInput } from "../../src/bounce/classify.ts";
import { parseReply } from "../../src/bounce/smtp-reply.ts";
import { CATEGORIES, PROVIDERS, REASONS } from "../../src/bounce/vocabulary.ts";
import { classifyText } from "../../src/pipeline/library.ts";
import { cpuMs } from "../../testkit/cpu-time.ts";

/** Pieces real replies are made of, so the fuzzer reaches the joining and rule paths, not only junk. */
const PIECES = [
  "550",
  "550-",
  "421-4.7.28 ",
  "5.7.1",
  " ",
  "\r\n",
  "\n  ",
  "[CS01]",
  "[TSS04]",
  "(S3150)",
  "host mx01.mail.icloud.com[17.57.155.25] said: ",
  "smtp; ",
  "Message rejected due to local policy",
  "dmarc",
  "spamhaus",
  "\u0000",
  "\u001b[2J",
  "\u2028",
  "💥",
];
const replyText = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((parts) => parts.join("")),
);

test("classifyReply never throws and always answers in the closed vocabularies", () => {
  fc.assert(
    fc.property(
      replyText,
      fc.option(fc.integer({ min: -1, max: 1000 })),
      fc.option(fc.string({ maxLength: 20 })),
      (text, replyCode, status) => {
        const hintReason = (status ?? undefined) as ReplyInput["hintReason"];
        const got = classifyReply({ text, replyCode, status, recipient: status, hintReason });
        assert.ok(Object.hasOwn(REASONS, got.reason));
        assert.ok(Object.hasOwn(CATEGORIES, got.category));
        assert.ok((PROVIDERS as readonly string[]).includes(got.provider));
        assert.ok(got.status === null || /^[245]\.[0-9]{1,3}\.[0-9]{1,3}$/.test(got.status));
        assert.ok(got.replyCode === null || (got.replyCode >= 200 && got.replyCode <= 599));
        assert.ok(!(got.suppressRecipient && !got.permanent), "suppression needs a permanent failure");
        assert.ok(!/[\r\n]/.test(got.diagnostic), "diagnostic must be one line");
      },
    ),
    { numRuns: 600 },
  );
});

test("joining a reply split into continuation lines gives back the one-line reply", () => {
  const word = fc.stringMatching(/^[A-Za-z.,]{1,12}$/);
  fc.assert(
    fc.property(
      fc.array(fc.array(word, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
      (lines) => {
        const multi = lines
          .map((words, i) => `550${i === lines.length - 1 ? " " : "-"}5.7.1 ${words.join(" ")}`)
          .join("\r\n");
        assert.equal(parseReply(multi).text, `550 5.7.1 ${lines.flat().join(" ")}`);
      },
    ),
    { numRuns: 300 },
  );
});

test("classifyText splits any text into replies without throwing", () => {
  fc.assert(
    fc.property(
      fc.array(replyText, { maxLength: 8 }).map((parts) => parts.join("\n")),
      (text) => {
        for (const record of classifyText(text)) assert.equal(record.format, "smtp");
      },
    ),
    { numRuns: 200 },
  );
});

test("hostile replies stay bounded in time", () => {
  const hostile = [
    "550 ".repeat(500_000),
    `550-5.7.1 ${"a".repeat(2_000_000)}`,
    "[".repeat(1_000_000),
    `${"550-5.7.1 x\n".repeat(100_000)}550 5.7.1 end`,
    "\u0000\u0001\u0002".repeat(300_000),
  ];
  for (const text of hostile) {
    const ms = cpuMs(() => {
      classifyReply({ text });
      classifyText(text.slice(0, 200_000));
    });
    assert.ok(ms < 2000, `slow on ${JSON.stringify(text.slice(0, 12))}: ${ms.toFixed(0)} ms of CPU`);
  }
});
