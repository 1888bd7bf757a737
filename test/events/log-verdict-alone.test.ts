import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { classifyEvent } from "../../src/bounce/classify-event.ts";
import { RULE_WORDS } from "../../src/bounce/rule-words-data.ts";
import { KEYED_HOST_NAMES } from "../../src/bounce/rules/host-key.ts";
import { REASON_PHRASES } from "../../src/bounce/rules/reason-phrases.ts";
import { spawnCli } from "../../testkit/cli-spawn.ts";
import { ruleExamples } from "../../testkit/rule-examples.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * `classify` of a Postfix log takes every shortcut it has — the reply memo, line templates, shaped records, a
 * context's stand-ins — yet each record must say what its own line says when classified alone. The log is built
 * from the rule tables' example replies with per-message tokens spliced in (ids standing as words, addresses
 * whose local parts spell no word: tokens that never change a reply's verdict, test/bounce/reply-key-verdict),
 * many recipients, domains and relays, bounces, deferrals and deliveries; each record is compared with
 * classifyEvent of its line's own facts. A second log splices ids that hold a word the classifier reads (a rule
 * table's word or an SMTP phase word, in any case, inside a run its key masks: review R127, where one line's
 * "batv…7" id gave every later line of its key that line's phase verdict): a key shared by lines whose raw texts
 * differ in such words must still give each line its own verdict.
 */

/** Every 8th example: a log repeats few replies, so the shortcuts are taken often. */
const BASES = (await ruleExamples())
  .filter((example) => example.text.length < 600 && !/[\n()]/.test(example.text))
  .filter((_, i) => i % 8 === 0);
/**
 * Replies that only their codes explain: no phrase decides, so the phase (a log line's command, or a phase rule's
 * word) may, and a word inside an id would decide if anything read it.
 */
const CODES_ONLY = [
  "550 5.7.1",
  "554 5.7.1",
  "550 5.0.0",
  "553 5.7.0",
  "552 5.2.0",
  "550 5.1.0",
  "451 4.7.1",
  "421 4.3.0",
]
  .flatMap((code) => [code, `${code} refused`, `${code} ref`])
  .map((text) => ({ text, remoteMta: undefined, recipient: undefined }));
type Base = { text: string; remoteMta?: string | null; recipient?: string | null };
const DOMAINS = ["gmail.com", "example.org", "custom-a.example"];
const COMMANDS = { "RCPT TO": "RCPT", "end of DATA": "DATA", "MAIL FROM": "MAIL" } as const;

const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789";
/** Per-message tokens by kind: a reply's template holds one kind at each of its places, each line other values. */
const TOKEN_KINDS: fc.Arbitrary<string>[] = [
  chars("0123456789ABCDEF", 8, 16),
  chars("0123456789", 6, 12),
  fc.tuple(chars(ALNUM, 4, 8), chars("0123456789", 1, 2), chars(ALNUM, 6, 10)).map((p) => p.join("")),
  fc.tuple(chars(ALNUM, 6, 6), chars(ALNUM, 6, 11), chars(ALNUM, 2, 4)).map((p) => p.join("-")),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join(".")),
  fc
    .tuple(chars("bcgjkqvwxz", 1, 8), fc.constantFrom("example.org", "gmail.com"))
    .map(([l, d]) => `${l}@${d}`),
];
/** The reason table's phrases that are one word: an id can hold one whole (Sisimai's "batv", "spamhaus"…). */
const PHRASE_WORDS = REASON_PHRASES.rules.flatMap((rule) =>
  typeof rule.phrase === "string" && /^[a-z0-9.-]{3,}$/i.test(rule.phrase) ? [rule.phrase] : [],
);
/** The words a classifier reads (its rule tables' and the SMTP phases'), each in one of three cases. */
const WORD = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constantFrom(...PHRASE_WORDS), weight: 2 },
      {
        arbitrary: fc.constantFrom(...RULE_WORDS, "rcpt", "data", "mail", "helo", "ehlo", "quit"),
        weight: 1,
      },
    ),
    fc.constantFrom("lower", "upper", "title"),
  )
  .map(([w, c]) => (c === "lower" ? w : c === "upper" ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1)));
/** Each a plain id's shape or the same shape holding a word, so that lines of one template may share a key. */
const WORD_KINDS: fc.Arbitrary<string>[] = [
  fc.oneof(
    TOKEN_KINDS[2],
    fc.tuple(WORD, chars("0123456789", 1, 2), chars(ALNUM, 6, 10)).map((p) => p.join("")),
  ),
  fc.oneof(
    TOKEN_KINDS[0],
    fc.tuple(chars("0123456789abcdef", 4, 8), WORD, chars("0123456789abcdef", 4, 8)).map((p) => p.join("")),
  ),
  fc.oneof(
    chars(`${ALNUM}-_`, 22, 22),
    fc
      .tuple(WORD, chars("0123456789", 1, 3), chars(ALNUM, 22, 22), fc.boolean())
      .map(([w, d, fill, first]) =>
        (first ? `${w}${d}${fill}` : `${fill}${d}${w}`).slice(first ? 0 : -22, first ? 22 : undefined),
      ),
  ),
  fc.oneof(
    chars("0123456789ABCDEF", 8, 12).map((h) => `${h}-${h.slice(0, 4)}`),
    fc
      .tuple(chars("0123456789ABCDEF", 8, 12), WORD, fc.constantFrom("-", ".", "_"))
      .map(([h, w, j]) => `${h}${j}${w}`),
  ),
  fc.oneof(
    TOKEN_KINDS[5],
    fc
      .tuple(WORD, chars("0123456789", 1, 4), fc.constantFrom("example.org", "gmail.com"))
      .map(([w, d, dom]) => `${w}${d}@${dom}`),
  ),
];
const around = fc.constantFrom(["", " "], ["[", "] "], ["<", "> "], ["id=", " "]);

interface Line {
  text: string;
  recipient: string;
  relay: string;
  dsn: string;
  status: "bounced" | "deferred" | "sent";
  reply: string;
  command: keyof typeof COMMANDS;
}

/** A reply's template: an example with one kind of token at each of up to two places, and the line's context. */
const templates = (kinds: fc.Arbitrary<string>[], bases: readonly Base[]) =>
  fc.sample(
    fc.record({
      base: fc.nat(bases.length - 1),
      splices: fc.array(fc.tuple(fc.nat(), around, fc.nat(kinds.length - 1)), { maxLength: 2 }),
      relay: fc.oneof(
        fc
          .tuple(fc.constantFrom("mx", "mx01"), fc.constantFrom(...KEYED_HOST_NAMES))
          .map(([a, n]) => `${a}.${n}`),
        fc.constant("mx.example.net"),
      ),
      domain: fc.constantFrom(...DOMAINS),
      bounce: fc.boolean(),
      command: fc.constantFrom(...(Object.keys(COMMANDS) as (keyof typeof COMMANDS)[])),
    }),
    { numRuns: 400, seed: 41 },
  );

/** A line of a template: its tokens' values, recipient, queue id and time are the line's own. */
const lineOf = (kinds: fc.Arbitrary<string>[], bases: readonly Base[]) =>
  fc
    .record({
      template: fc.constantFrom(...templates(kinds, bases)),
      user: fc.nat(99_999),
      queueId: chars(ALNUM, 14, 14),
      second: fc.nat(86_399),
    })
    .chain(({ template, ...own }) =>
      fc
        .tuple(...template.splices.map(([, , kind]) => kinds[kind]))
        .map((values) => ({ ...template, ...own, values: values as string[] })),
    )
    .map(({ base, splices, values, relay, user, domain, bounce, command, queueId, second }): Line => {
      const example = bases[base];
      let reply = example.text;
      for (const [k, [at, [open, close]]] of splices.entries()) {
        const value = values[k];
        const starts = [...reply.matchAll(/ /g)].map((match) => (match.index ?? 0) + 1);
        if (starts.length === 0) continue;
        const i = starts[at % starts.length];
        reply = `${reply.slice(0, i)}${open}${value}${close}${reply.slice(i)}`;
      }
      const host = example.remoteMta ?? relay;
      const recipient = example.recipient ?? `u${user}@${domain}`;
      const code = /^([245])[0-9][0-9]/.exec(reply);
      const status = code?.[1] === "4" ? "deferred" : bounce ? "bounced" : "deferred";
      const dsn =
        /\b([245]\.[0-9]{1,3}\.[0-9]{1,3})\b/.exec(reply)?.[1] ?? (status === "deferred" ? "4.0.0" : "5.0.0");
      const clock = [Math.floor(second / 3600), Math.floor(second / 60) % 60, second % 60]
        .map((n) => String(n).padStart(2, "0"))
        .join(":");
      const head = `Jan  5 ${clock} mta1 postfix/smtp[3001]: ${queueId}: to=<${recipient}>, relay=${host}[192.0.2.7]:25, delay=1.2, delays=0.1/0/0.5/0.6`;
      return {
        text: `${head}, dsn=${dsn}, status=${status} (host ${host}[192.0.2.7] said: ${reply} (in reply to ${command} command))`,
        recipient,
        relay: host,
        dsn,
        status,
        reply,
        command,
      };
    });
const delivery = fc
  .tuple(chars(ALNUM, 14, 14), fc.nat(99_999), fc.constantFrom(...DOMAINS), chars(ALNUM, 10, 10))
  .map(
    ([queueId, user, domain, id]): Line => ({
      text: `Jan  5 12:00:00 mta1 postfix/smtp[3002]: ${queueId}: to=<v${user}@${domain}>, relay=mx.example.net[192.0.2.9]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 OK ${id} - gsmtp)`,
      recipient: `v${user}@${domain}`,
      relay: "mx.example.net",
      dsn: "2.0.0",
      status: "sent",
      reply: `250 2.0.0 OK ${id} - gsmtp`,
      command: "end of DATA",
    }),
  );

async function eachRecordIsItsLineAlone(
  kinds: fc.Arbitrary<string>[],
  bases: readonly Base[],
  count: number,
): Promise<void> {
  const lines = fc.sample(
    fc.oneof({ arbitrary: lineOf(kinds, bases), weight: 3 }, { arbitrary: delivery, weight: 1 }),
    {
      numRuns: count,
      seed: 40,
    },
  );
  const file = join(scratchDir("log-verdict-"), "postfix.log");
  writeFileSync(file, `${lines.map((l) => l.text).join("\n")}\n`);
  const run = await spawnCli(["classify", "--all", "--ndjson", file]);
  assert.equal(run.status, 0, run.stderr);
  const records = run.stdout
    .trim()
    .split("\n")
    .map((text) => JSON.parse(text));
  assert.equal(records.length, lines.length);
  for (const record of records) {
    const l = lines[record.source.line - 1];
    const code = /^([2-5][0-9][0-9])/.exec(l.reply);
    const alone = classifyEvent({
      type: l.status === "sent" ? "delivered" : l.status,
      reply: l.reply,
      replyCode: code === null ? null : Number(code[1]),
      status: l.dsn,
      remoteMta: l.relay,
      recipient: l.recipient,
      hint: null,
      smtpCommand: l.status === "sent" ? null : COMMANDS[l.command],
    });
    assert.ok(alone !== null);
    const fields = [
      "reason",
      "category",
      "provider",
      "providerCode",
      "suppressRecipient",
      "retryable",
      "permanent",
      "action",
      "status",
      "replyCode",
      "diagnostic",
      "rule",
    ] as const;
    assert.deepEqual(
      Object.fromEntries(fields.map((f) => [f, record[f]])),
      Object.fromEntries(fields.map((f) => [f, alone[f]])),
      `line ${record.source.line}: ${l.text}`,
    );
  }
}

test("classify --all of a generated Postfix log: every record is its line classified alone", () =>
  eachRecordIsItsLineAlone(TOKEN_KINDS, BASES, 12_000));

test("ids that hold a word the classifier reads: every record is still its line classified alone", () =>
  eachRecordIsItsLineAlone(WORD_KINDS, [...CODES_ONLY, ...CODES_ONLY, ...BASES], 8_000));
