import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { ingestFile } from "../../src/analytics/ingest/ingest.ts";
import { classifyEvent } from "../../src/bounce/classify-event.ts";
import type { SimEvent } from "../../src/demo/program.ts";
import type { DeliveryEvent } from "../../src/events/event.ts";
import type { FormatName } from "../../src/events/formats.ts";
import { openInput } from "../../src/events/index.ts";
import { classifyEventStream } from "../../src/pipeline/index.ts";
import { Store } from "../../src/store/index.ts";
import { readAll } from "../../testkit/events-read.ts";
import { formatOf, type WrittenFormat, writeFormats } from "../../testkit/format-writers.ts";
import { ruleExamples } from "../../testkit/rule-examples.ts";
import { scratchDir } from "../../testkit/scratch.ts";

/**
 * Issue 11's one classification path, held to its own definition: in every JSON/CSV format deliverlens reads
 * (each written as its source writes it, testkit/format-writers.ts) and in a grep'd Postfix log and an Exim main
 * log of the same program, each event `classify --all` shows and each
 * event `ingest` stores — DuckDB's readers and the JS parsers — carries the verdict of that event classified
 * alone (`classifyEvent` of the facts its format's parser reads from that one record), whatever the reply memo,
 * the store's reply keys or the shaped records took as a shortcut. The replies are the rule tables' examples
 * with per-message tokens spliced in (ids, addresses whose local parts spell no word, IPs, the event's own
 * recipient: tokens that never change a verdict, test/bounce/reply-key-verdict; and what a format must quote or
 * escape: quotes, commas, backslashes, tabs, NUL, non-ASCII, 5,000 bytes), to many recipients of many domains
 * (upper case, with a space before or a root dot after), bounced, deferred and delivered.
 */
const dir = scratchDir("format-verdict-");

/** Every 4th example that one line can carry: the store keys and the memo see each reply many times. */
const BASES = (await ruleExamples())
  .filter((example) => example.text.length < 600 && !/[\n\r]/.test(example.text))
  .filter((_, i) => i % 4 === 0);
const DOMAINS = ["gmail.com", "icloud.com", "yahoo.com", "outlook.com", "comcast.net", "example.org"];

const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789";
const RECIPIENT = "\u0000recipient\u0000";
const TOKEN_KINDS: fc.Arbitrary<string>[] = [
  chars("0123456789ABCDEF", 8, 16),
  chars("0123456789", 6, 12),
  fc.tuple(chars(ALNUM, 4, 8), chars("0123456789", 1, 2), chars(ALNUM, 6, 10)).map((p) => p.join("")),
  fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join(".")),
  fc
    .tuple(chars("bcgjkqvwxz", 1, 8), fc.constantFrom("example.org", "gmail.com"))
    .map(([l, d]) => `${l}@${d}`),
  // The event's own recipient, as many replies name it.
  fc.constant(RECIPIENT),
  // What a format must quote or escape, and bytes a reader must carry through.
  fc.constantFrom(
    '"quoted"',
    "a,b;c",
    "back\\slash",
    "tab\there",
    "é-ü-ß \u{1F4E7}",
    "'single' x\"y,z",
    "nul\u0000 \u001b[31m \u2028",
    "z".repeat(5000),
  ),
];
const around = fc.constantFrom(["", " "], ["[", "] "], ["<", "> "], ["id=", " "]);

/** A reply's template: an example with one kind of token at each of up to two places. */
const TEMPLATES = fc.sample(
  fc.record({
    base: fc.nat(BASES.length - 1),
    splices: fc.array(fc.tuple(fc.nat(), around, fc.nat(TOKEN_KINDS.length - 1)), { maxLength: 2 }),
    domain: fc.constantFrom(...DOMAINS),
    bounce: fc.boolean(),
    command: fc.constantFrom("RCPT TO", "end of DATA", "MAIL FROM"),
  }),
  { numRuns: 300, seed: 4101 },
);

const START = Date.parse("2026-03-02T00:00:00Z") / 1000;
const failure = fc
  .record({ template: fc.constantFrom(...TEMPLATES) })
  .chain(({ template }) =>
    fc
      .tuple(...template.splices.map(([, , kind]) => TOKEN_KINDS[kind]))
      .map((values) => ({ ...template, values: values as string[] })),
  )
  .map(({ base, splices, values, domain, bounce, command }) => {
    const example = BASES[base];
    let reply = example.text;
    for (const [k, [at, [open, close]]] of splices.entries()) {
      const starts = [...reply.matchAll(/ /g)].map((match) => (match.index ?? 0) + 1);
      if (starts.length === 0) continue;
      const i = starts[at % starts.length];
      reply = `${reply.slice(0, i)}${open}${values[k]}${close}${reply.slice(i)}`;
    }
    const code = /^([245])[0-9][0-9]/.exec(reply);
    const type: SimEvent["type"] = code?.[1] === "4" || !bounce ? "deferred" : "bounced";
    const status =
      /\b([245]\.[0-9]{1,3}\.[0-9]{1,3})\b/.exec(reply)?.[1] ?? (type === "deferred" ? "4.0.0" : "5.0.0");
    const recipientDomain = example.recipient?.split("@")[1] ?? domain;
    return { type, reply, status, recipientDomain, relay: example.remoteMta, command };
  });
const delivery = chars(ALNUM, 10, 12).map((id) => ({
  type: "delivered" as const,
  reply: `250 2.0.0 OK ${id} - gsmtp`,
  status: "2.0.0",
  recipientDomain: "gmail.com",
  relay: null,
  command: "end of DATA",
}));

/** The program: each event its own recipient and second, so a record finds its event by both. */
const GENERATED = fc.sample(fc.oneof({ arbitrary: failure, weight: 4 }, { arbitrary: delivery, weight: 1 }), {
  numRuns: 1000,
  seed: 4102,
});
const EVENTS: SimEvent[] = GENERATED.map(({ type, reply, status, recipientDomain }, i) => ({
  type,
  reply: reply.replaceAll(RECIPIENT, `R${i}@${recipientDomain}`),
  status,
  time: START + i,
  // Recipients as sources write them: upper case, a space before, a root dot after.
  recipient: [
    `r${i}@${recipientDomain}`,
    `R${i}@${recipientDomain.toUpperCase()}`,
    ` r${i}@${recipientDomain}.`,
  ][i % 3],
  campaign: `c${i % 7}`,
  stream: i % 3 === 0 ? "transactional" : "marketing",
  messageId: `m${i}.verdict@mail.example-shop.com`,
  eventId: `e${i}`,
  sendingIp: "192.0.2.10",
  pool: "marketing",
  machineOpen: null,
  readerIp: null,
  url: null,
}));

const FIELDS = ["reason", "category", "provider", "providerCode", "suppressRecipient", "retryable"] as const;
type Verdict = Record<(typeof FIELDS)[number] | "permanent" | "type", unknown>;
const keyOf = (recipient: string | null, timeMs: number) => `${recipient?.trim().toLowerCase()} ${timeMs}`;

/** Each event of a file as its format's JS parser reads it, classified alone. */
async function alone(file: WrittenFormat): Promise<Map<string, Verdict>> {
  const { events, problems } = await readAll(readFileSync(file.file), file.format as FormatName, {
    year: 2026,
  });
  assert.deepEqual(problems, [], file.writer);
  const verdicts = new Map<string, Verdict>();
  for (const event of events as DeliveryEvent[]) {
    // The event's own facts, nothing else: what both `classify` and `ingest` pass for it.
    const result = classifyEvent({
      ...event,
      hint: event.reasonHint ?? null,
      smtpCommand: event.smtpCommand ?? null,
    });
    if (result === null || event.time === null) continue;
    verdicts.set(keyOf(event.recipient, Date.parse(event.time)), {
      ...Object.fromEntries(FIELDS.map((f) => [f, result[f]])),
      permanent: result.permanent,
      type: event.type,
    } as Verdict);
  }
  return verdicts;
}

/** The receiving host of a recipient domain in the logs (an example's own host where its table is scoped to one). */
const MX: Record<string, string> = {
  "gmail.com": "gmail-smtp-in.l.google.com",
  "icloud.com": "mx01.mail.icloud.com",
  "yahoo.com": "mta7.am0.yahoodns.net",
  "outlook.com": "outlook-com.olc.protection.outlook.com",
  "comcast.net": "mx1.comcast.net",
};
const hostOf = (e: SimEvent, i: number) =>
  GENERATED[i].relay ?? MX[e.recipient.slice(e.recipient.indexOf("@") + 1)] ?? "mx.example.org";

/** A grep'd Postfix log (status= lines only, each its own queue id) and an Exim main log of the same events. */
function writeLogs(): WrittenFormat[] {
  const postfix: string[] = [];
  const exim: string[] = [];
  for (const [i, e] of EVENTS.entries()) {
    const host = hostOf(e, i);
    const at = new Date(e.time * 1000);
    const clock = at.toISOString().slice(11, 19);
    const qid = `${(0x4f2a00000 + i).toString(16).toUpperCase()}`;
    const status = e.type === "delivered" ? "sent" : e.type;
    const said =
      e.type === "delivered"
        ? `(${e.reply})`
        : `(host ${host}[192.0.2.7] said: ${e.reply} (in reply to ${GENERATED[i].command} command))`;
    postfix.push(
      `Mar  2 ${clock} mta1 postfix/smtp[3001]: ${qid}: to=<${e.recipient}>, relay=${host}[192.0.2.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=${e.status}, status=${status} ${said}`,
    );
    const id = `1v${(100000 + i).toString(36)}-${String(i).padStart(6, "0")}-AB`;
    const stamp = at.toISOString().replace("T", " ").slice(0, 19);
    const after = {
      "RCPT TO": `RCPT TO:<${e.recipient}>`,
      "MAIL FROM": "MAIL FROM:<news@mail.example-shop.com>",
      "end of DATA": "end of data",
    }[GENERATED[i].command];
    exim.push(
      e.type === "delivered"
        ? `${stamp} ${id} => ${e.recipient} R=dnslookup T=remote_smtp H=${host} [192.0.2.7] C="${e.reply}"`
        : `${stamp} ${id} ${e.type === "bounced" ? "**" : "=="} ${e.recipient} R=dnslookup T=remote_smtp${e.type === "deferred" ? " defer (-44)" : ""} H=${host} [192.0.2.7]: SMTP error from remote mail server after ${after}: ${e.reply}`,
    );
  }
  const write = (name: string, format: string, lines: string[]): WrittenFormat => {
    const file = join(dir, name);
    writeFileSync(file, `${lines.join("\n")}\n`);
    return { writer: format, format, file, records: lines.length };
  };
  return [write("postfix.log", "postfix", postfix), write("exim.log", "exim", exim)];
}

let written: WrittenFormat[] = [];
const formats = async () => {
  if (written.length === 0) written = [...(await writeFormats(EVENTS, dir)), ...writeLogs()];
  return written;
};

test("the program reaches every format with failures to compare", async () => {
  for (const file of await formats()) {
    const verdicts = await alone(file);
    const failures = [...verdicts.values()].filter((v) => v.type !== "delivered").length;
    // ~800 of the 1,000 events are failures; Postmark sends no webhook for a deferral, so only ~300 of them
    // reach it (292–333 over the sample seeds swept): the bar says "hundreds", not a count one seed happens to give.
    assert.ok(failures > 200, `${file.writer}: ${failures} failures`);
  }
});

test("classify --all of every format: each record is its event classified alone", async () => {
  for (const file of await formats()) {
    const want = await alone(file);
    let compared = 0;
    for await (const batch of classifyEventStream(
      openInput(file.file),
      file.format as FormatName,
      file.file,
      {
        all: true,
        year: 2026,
      },
    )) {
      for (const item of batch) {
        if (!("reason" in item) || item.time === null) continue;
        const key = keyOf(item.recipient, Date.parse(item.time));
        const expected = want.get(key);
        assert.ok(expected, `${file.writer}: ${key} is no event of the file`);
        const record = item as unknown as Record<string, unknown>;
        assert.deepEqual(
          Object.fromEntries(FIELDS.map((f) => [f, record[f]])),
          Object.fromEntries(FIELDS.map((f) => [f, expected[f]])),
          `${file.writer} ${key}: ${String(record.diagnostic)}`,
        );
        compared++;
      }
    }
    assert.equal(compared, want.size, file.writer);
  }
});

test("ingest of every format, DuckDB's readers and the JS parsers: each stored event is its event classified alone", async () => {
  for (const file of await formats()) {
    const want = await alone(file);
    for (const fastPath of [true, false]) {
      const store = await Store.open(":memory:");
      try {
        await ingestFile(store, file.file, {
          format: formatOf(file.writer) as FormatName,
          fastPath,
          year: 2026,
        });
        const rows = await store.all<Record<string, unknown>>(
          // The classifier's own provider is kept in reply_classes (the view's provider is the recipient domain's).
          `SELECT e.recipient, epoch_ms(e.time) AS ms, e.type::VARCHAR AS type, e.reason, e.category, e.provider_code,
             e.permanent, rc.provider AS classified_provider
           FROM events e JOIN event_rows r USING (event_key) LEFT JOIN reply_classes rc ON rc.reply_key = r.reply_key
           WHERE e.type IN ('bounced', 'deferred')`,
        );
        const failures = [...want.values()].filter(
          (v) => v.type === "bounced" || v.type === "deferred",
        ).length;
        assert.equal(
          rows.length,
          failures,
          `${file.writer} (${fastPath ? "DuckDB" : "JS"}): stored failures`,
        );
        for (const row of rows) {
          const key = keyOf(row.recipient as string, Number(row.ms));
          const expected = want.get(key);
          assert.ok(expected, `${file.writer}: ${key} is no event of the file`);
          assert.deepEqual(
            [row.reason, row.category, row.provider_code, row.permanent, row.classified_provider],
            [
              expected.reason,
              expected.category,
              expected.providerCode,
              expected.permanent,
              expected.provider,
            ],
            `${file.writer} (${fastPath ? "DuckDB" : "JS"}) ${key}`,
          );
        }
      } finally {
        store.close();
      }
    }
  }
});
