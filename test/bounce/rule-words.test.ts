import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { ruleWordsSource } from "../../scripts/rule-words.ts";
import { maskReply } from "../../src/bounce/reply-key.ts";
import { holdsRuleWord } from "../../src/bounce/rule-words.ts";
import { RULE_WORDS } from "../../src/bounce/rule-words-data.ts";
import { PHRASE_TABLES } from "../../src/bounce/rules/knowledge.ts";
import { PROVIDER_RULES } from "../../src/bounce/rules/provider-rules.ts";
import { CODE_WORDS, readWords } from "../../src/bounce/rules/read-words.ts";

const ruleWords = () => readWords().words;

const BOUNCE = join(import.meta.dirname, "../../src/bounce");

/**
 * The classifier's readers of a reply's keyed text (classify.ts readReply's lower-cased text and what it calls):
 * the words of their regular expressions must be words of rule-words.ts (review's condition 2 on R98's question).
 */
const READERS = [
  "classify.ts",
  "classify-event.ts",
  "smtp-reply.ts",
  "reply.ts",
  "provider.ts",
  "smtp-command.ts",
  "email/smtp-phase.ts",
  ...readdirSync(join(BOUNCE, "rules")).map((file) => `rules/${file}`),
  ...readdirSync(join(BOUNCE, "rules/hosts")).map((file) => `rules/hosts/${file}`),
].filter((file) => file.endsWith(".ts"));

/** The regular expression literals of a TypeScript source (comments dropped; a `/` where an operand may start). */
function regexLiterals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/^\s*\/\/.*$/gm, "");
  const literal =
    /(?<=[(,=:[!&|?{};]|return|^)\s*\/((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])+)\/[dgimsuyv]*/gm;
  return [...code.matchAll(literal)].map((match) => match[1]);
}

/** The words (three or more letters, lower case) a pattern's source reads: escapes and classes are no letters. */
function patternWords(source: string): string[] {
  const letters = source
    .replace(/\\[a-zA-Z]/g, " ")
    .replace(/\[(?:\\.|[^\]\\])*\]/g, " ")
    .replace(/\\./g, " ");
  return letters.toLowerCase().match(/[a-z]{3,}/g) ?? [];
}

test("the maskers' words (rule-words-data.ts) are the tables' (scripts/rule-words.ts writes them)", () => {
  const { least } = readWords();
  assert.deepEqual(RULE_WORDS, least, "run node scripts/rule-words.ts");
  assert.equal(
    readFileSync(join(BOUNCE, "rule-words-data.ts"), "utf8"),
    ruleWordsSource(least),
    "run node scripts/rule-words.ts",
  );
});

test("every word a regular expression of the classifier's readers holds is one of read-words.ts (its tables or CODE_WORDS)", () => {
  const words = new Set(ruleWords());
  const missing = new Set<string>();
  let literals = 0;
  for (const file of READERS) {
    for (const literal of regexLiterals(readFileSync(join(BOUNCE, file), "utf8"))) {
      literals++;
      for (const word of patternWords(literal)) if (!words.has(word)) missing.add(`${word} (${file})`);
    }
  }
  assert.ok(literals > 300, `${literals} literals found`);
  assert.deepEqual([...missing], []);
  // CODE_WORDS holds only words no table has (else it would say nothing).
  const tablesOnly = ruleWords().length;
  assert.ok(CODE_WORDS.every((word) => words.has(word)) && tablesOnly > 1000);
});

test("the vocabulary: lower-case words of three or more letters, every phrase's word among them", () => {
  const words = ruleWords();
  assert.ok(words.every((word) => /^[a-z]{3,}$/.test(word)));
  const set = new Set(words);
  for (const table of PHRASE_TABLES)
    for (const rule of table.rules) {
      const phrases =
        rule.phrase === undefined ? [] : typeof rule.phrase === "string" ? [rule.phrase] : rule.phrase;
      for (const phrase of phrases)
        for (const word of phrase.match(/[a-z]{3,}/g) ?? []) assert.ok(set.has(word), `${rule.id}: ${word}`);
    }
  // Mixed case, at a run's ends or inside: found.
  const found = (text: string) => holdsRuleWord(Buffer.from(text, "latin1"), 0, text.length);
  assert.ok(found("QuotaExceededException") && found("xxMAILBOX") && found("Listedxx"));
  assert.ok(!found("GMFtaIaYzUyGMEdRRwnRXm") && !found("") && !found("qu"));
});

/** The words (three or more letters) a rule reads: its phrase's, or its pattern's. */
function ruleReads(): string[][] {
  const reads: string[][] = [];
  for (const table of PHRASE_TABLES)
    for (const rule of table.rules) {
      const phrases =
        rule.phrase === undefined ? [] : typeof rule.phrase === "string" ? [rule.phrase] : rule.phrase;
      const words = [
        ...phrases.flatMap((phrase) => phrase.match(/[a-z]{3,}/g) ?? []),
        ...(rule.pattern ? patternWords(rule.pattern.source) : []),
      ];
      if (words.length > 0) reads.push(words);
    }
  for (const rule of PROVIDER_RULES) {
    const words = patternWords(rule.pattern.source);
    if (words.length > 0) reads.push(words);
  }
  return reads;
}

test("a 128-bit id's run holding a word a rule reads keeps its words in the key: every rule's words, camel-cased or joined by `-`/`_`, filled to 22 (property)", () => {
  const reads = ruleReads();
  assert.ok(reads.length > 500);
  // Letters only: a run whose every piece holds a digit is an id whatever its words (review R98's form, as before).
  const fill = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: reads.length - 1 }),
      fc.constantFrom("camel", "-", "_"),
      fc.string({ unit: fc.constantFrom(...fill), minLength: 22, maxLength: 22 }),
      fc.nat(),
      (index, join, padding, at) => {
        const words = reads[index].filter((word) => word.length <= 20);
        fc.pre(words.length > 0);
        const joined =
          join === "camel"
            ? words.map((word) => word[0].toUpperCase() + word.slice(1)).join("")
            : words.join(join);
        // A window of 22 holding at least one whole word, the rest filled: the word stays in the key.
        const first = words[at % words.length];
        const start = joined.indexOf(join === "camel" ? first[0].toUpperCase() + first.slice(1) : first);
        const from = Math.max(0, Math.min(start, joined.length - 22));
        const window = joined.slice(from, from + 22);
        const run = (window + padding).slice(0, 22);
        const masked = maskReply(`550 5.7.1 ${run} here`).masked;
        assert.ok(masked.toLowerCase().includes(first), `${run}: ${masked}`);
      },
    ),
    { numRuns: 4000 },
  );
});
