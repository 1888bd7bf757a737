import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { classifyEvent } from "../../src/bounce/classify-event.ts";
import { maskReply } from "../../src/bounce/reply-key.ts";
import { hostKeyOf, KEYED_HOST_NAMES } from "../../src/bounce/rules/host-key.ts";
import { ruleExamples } from "../../testkit/rule-examples.ts";

/**
 * `classify`'s memo and the store's `reply_classes` classify each reply key once and give its verdict to every
 * reply of the key, so two replies the key merges must classify alike. The replies here are built without the
 * masker's table: rule examples and real replies (the Diagnostic-Code fields of the MTA-made and Sisimai
 * fixtures) with per-message tokens spliced in — ids, addresses, numbers, and ids with words joined to them by
 * `-` — each pair of one kind of token at one place. A pair whose keys differ is not compared; a pair whose
 * keys are equal must agree on everything a verdict says.
 */

interface Base {
  text: string;
  remoteMta: string | null;
  recipient: string | null;
}

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** The Diagnostic-Code fields of the bounce emails under `dir`, unfolded, with their Remote-MTA. */
function diagnosticCodes(dir: string): Base[] {
  const found: Base[] = [];
  for (const path of files(dir)) {
    const text = readFileSync(path, "latin1");
    const code = /^Diagnostic-Code:[ \t]*smtp;[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(text);
    if (code === null) continue;
    const host = /^Remote-MTA:[ \t]*dns;[ \t]*([^\s;]+)/im.exec(text);
    const recipient = /^Final-Recipient:[ \t]*rfc822;[ \t]*<?([^\s<>]+@[^\s<>]+)/im.exec(text);
    found.push({
      text: code[1].replace(/\s+/g, " ").trim(),
      remoteMta: host?.[1] ?? null,
      recipient: recipient?.[1] ?? null,
    });
  }
  return found;
}

const BASES: Base[] = [
  ...(await ruleExamples()),
  ...diagnosticCodes(join(FIXTURES, "mta-made")),
  ...diagnosticCodes(join(FIXTURES, "sisimai", "eml")),
].filter((base) => base.text.length > 0 && base.text.length < 1000);

/** Lower-case words of the base replies (what rules read), digit-less. */
const WORDS = [
  ...new Set(BASES.flatMap((base) => base.text.toLowerCase().match(/\b[a-z]{3,}\b/g) ?? [])),
].sort();

function verdict(base: Base, text: string) {
  const code = /^([2-5][0-9][0-9])(?![0-9])/.exec(text);
  const classification = classifyEvent({
    type: text.startsWith("4") ? "deferred" : "bounced",
    reply: text,
    replyCode: code === null ? null : Number(code[1]),
    status: null,
    remoteMta: base.remoteMta,
    recipient: base.recipient ?? "someone@example.org",
    hint: null,
  });
  assert.ok(classification !== null);
  const { reason, category, provider, providerCode, suppressRecipient, retryable } = classification;
  return { reason, category, provider, providerCode, suppressRecipient, retryable };
}

const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
const DIGITS = "0123456789";
const HEX = "0123456789ABCDEF";
const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** Per-message ids as MTAs and providers write them (each kind a shape; two of a kind usually share a key). */
const ID_KINDS: fc.Arbitrary<string>[] = [
  chars(HEX, 8, 16),
  chars(DIGITS, 6, 12),
  fc.tuple(chars(ALNUM, 4, 8), chars(DIGITS, 1, 2), chars(ALNUM, 6, 10)).map((p) => p.join("")),
  fc
    .tuple(chars(HEX, 8, 8), chars(HEX, 4, 4), chars(HEX, 4, 4), chars(HEX, 4, 4), chars(HEX, 12, 12))
    .map((p) => p.join("-").toLowerCase()),
  fc
    .tuple(chars(DIGITS, 1, 3), chars(DIGITS, 1, 3), chars(DIGITS, 1, 3), chars(DIGITS, 1, 3))
    .map((p) => p.join(".")),
  // Exim's message ids (old and 4.97's), Gmail's `<hex>-<id>.NNN`, Mimecast's base64url refs.
  fc.tuple(chars(ALNUM, 6, 6), chars(ALNUM, 6, 11), chars(ALNUM, 2, 4)).map((p) => p.join("-")),
  fc
    .tuple(chars(HEX, 12, 13), chars(ALNUM, 8, 12), chars(DIGITS, 3, 3))
    .map(([hex, id, n]) => `${hex.toLowerCase()}-${id}1si${n}.${n}`),
  fc
    .tuple(chars(`${ALNUM}_`, 2, 3), chars(`${ALNUM}_-`, 14, 20), chars(DIGITS, 2, 3))
    .map(([head, body, n]) => `${head}-${body}9aZ_.us${n}`),
];
const id = fc.oneof(...ID_KINDS);

/** An address at one of two domains, its local part made of `local`. */
const address = (local: fc.Arbitrary<string>) =>
  fc.tuple(local, fc.constantFrom("example.org", "gmail.com")).map(([name, domain]) => `${name}@${domain}`);
/** Local parts that spell no word (no vowels, no letter of `spf`, `rbl`, `dns`…). */
const plainLocal = fc
  .tuple(chars("bcgjkqvwxz", 1, 8), chars("bcgjkqvwxz0123456789._", 0, 8))
  .map((p) => p.join(""));

/** Words a rule may read, joined by `-` (a hyphenated phrase). */
const phrase = fc
  .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 })
  .map((words) => words.join("-"));

/** Where a token goes: before a word of the reply after its first (a reply leads with its code), or at its end, with what encloses it. */
const place = fc.tuple(
  fc.nat(),
  fc.constantFrom(["", " "], ["[", "] "], ["<", "> "], ["(", ") "], ["id=", " "], ["ref: ", " "]),
);

/** The base's text with `token` put at `at` (a word's start or the end), enclosed as `around` says. */
function splice(text: string, at: number, around: readonly [string, string], token: string): string {
  const starts = [...text.matchAll(/ /g)].map((match) => (match.index ?? 0) + 1);
  const start = at % (starts.length + 1);
  if (start === starts.length) return `${text} ${around[0]}${token}${around[1].trimEnd()}`;
  const i = starts[start];
  return `${text.slice(0, i)}${around[0]}${token}${around[1]}${text.slice(i)}`;
}

/** A pair of replies of one base with one kind of token at one place: same key ⇒ same verdict. */
function sameKeySameVerdict(tokens: fc.Arbitrary<[string, string]>, numRuns: number) {
  fc.assert(
    fc.property(fc.nat(BASES.length - 1), place, tokens, (b, [at, around], [first, second]) => {
      const base = BASES[b];
      const one = splice(base.text, at, around, first);
      const other = splice(base.text, at, around, second);
      if (maskReply(one).masked !== maskReply(other).masked) return;
      assert.deepEqual(
        verdict(base, other),
        verdict(base, one),
        `key ${maskReply(one).masked}\n${one}\n${other}`,
      );
    }),
    { numRuns },
  );
}

test("the bases: rule examples and real replies, hundreds of each", () => {
  assert.ok(BASES.length > 1000, `${BASES.length} bases`);
  assert.ok(WORDS.length > 500, `${WORDS.length} words`);
});

test("replies that differ only in per-message ids classify alike where their key is one (property)", () => {
  const pairs = fc.nat(ID_KINDS.length - 1).chain((k) => fc.tuple(ID_KINDS[k], ID_KINDS[k]));
  sameKeySameVerdict(pairs, 4000);
});

test("replies that differ only in an address without words classify alike where their key is one (property)", () => {
  sameKeySameVerdict(fc.tuple(address(plainLocal), address(plainLocal)), 3000);
});

test("an id with digit-less words before it, joined by `-`: the words stay in the key (property, review R98)", () => {
  const pairs = fc
    .tuple(phrase, phrase, fc.nat(ID_KINDS.length - 1))
    .chain(([a, b, k]) => fc.tuple(ID_KINDS[k], ID_KINDS[k]).map(([x, y]) => [`${a}-${x}`, `${b}-${y}`]))
    .map(([x, y]) => [x, y] as [string, string]);
  sameKeySameVerdict(pairs, 4000);
});

// The classifier reads a reply as its key does (src/bounce/classify.ts readReply): whatever the key takes, no verdict reads.
test("an id with digit-less words after it, joined by `-` (property, review R99)", () => {
  const pairs = fc
    .tuple(phrase, phrase, id, id)
    .map(([a, b, x, y]) => [`${x}-${a}`, `${y}-${b}`] as [string, string]);
  sameKeySameVerdict(pairs, 4000);
});

test("addresses whose local parts are words a rule reads (property, review R100)", () => {
  const local = phrase.map((words) => words.replaceAll("-", "."));
  sameKeySameVerdict(fc.tuple(address(local), address(local)), 3000);
});

test("a word a rule reads, made an id's shape by a digit (property, review R101)", () => {
  const word = fc
    .tuple(fc.constantFrom(...WORDS), fc.constantFrom(...DIGITS), chars(ALNUM, 1, 6))
    .map(([w, d, tail]) => `${w[0].toUpperCase()}${w.slice(1)}${d}${tail}`);
  sameKeySameVerdict(fc.tuple(word, word), 4000);
});

/** A host under `name` as carriers write it (upper case, a trailing dot, an address after it, `dns;`), or a look-alike. */
function hostForm(name: string, a: string, b: string, form: number, octet: number): string {
  return [
    `${a}.${name}`,
    name,
    `${a}.${b}.${name}`,
    `${a}.${name}`.toUpperCase(),
    `${a}.${name}.`,
    `${a}.${name} [192.0.2.${octet}]`,
    `dns; ${a}.${name}`,
    `${a}.${name}.example`,
    `${name}-${a}.example`,
    `${a}.example.org`,
    `[192.0.2.${octet}]`,
  ][form % 11];
}

test("remote hosts with one host key classify alike (property: the memo keys a reply's remote MTA by hostKeyOf)", () => {
  const label = fc.constantFrom(
    "mx",
    "mx01",
    "mta7",
    "smtp-in",
    "x9y8z7",
    "gmail-smtp-in",
    "relay",
    "spam",
    "quota",
  );
  const name = fc.constantFrom(...KEYED_HOST_NAMES);
  const form = fc.tuple(label, label, fc.nat(10), fc.nat(255));
  const host = fc.tuple(name, form).map(([n, [a, b, f, o]]) => hostForm(n, a, b, f, o));
  // Two forms of one name (mostly one key), or two names.
  const pair = fc.oneof(
    fc
      .tuple(name, form, form)
      .map(([n, [a, b, f, o], [c, d, g, p]]) => [hostForm(n, a, b, f, o), hostForm(n, c, d, g, p)]),
    fc.tuple(host, host),
  );
  fc.assert(
    fc.property(fc.nat(BASES.length - 1), pair, (b, [one, other]) => {
      if (hostKeyOf(one) !== hostKeyOf(other)) return;
      const base = BASES[b];
      assert.deepEqual(
        verdict({ ...base, remoteMta: other }, base.text),
        verdict({ ...base, remoteMta: one }, base.text),
        `host key ${hostKeyOf(one)}: ${one} / ${other}\n${base.text}`,
      );
    }),
    { numRuns: 4000 },
  );
});
