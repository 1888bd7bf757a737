import * as providers from "../provider.ts";
import * as smtpCommand from "../smtp-command.ts";
import * as categories from "./categories.ts";
import * as feedbackTypes from "./feedback-types.ts";
import * as hostKey from "./host-key.ts";
import * as knowledge from "./knowledge.ts";
import * as phraseRule from "./phrase-rule.ts";
import * as providerCodes from "./provider-codes.ts";
import * as providerRules from "./provider-rules.ts";
import * as scope from "./scope.ts";
import * as senderRefusals from "./sender-refusals.ts";
import * as sesBounceTypes from "./ses-bounce-types.ts";
import * as statusCodes from "./status-codes.ts";

/**
 * Words the classifier's own code reads in a reply and no table holds (the regular expressions of classify.ts and
 * the readers it calls: test/bounce/rule-words.test.ts finds them there and fails on one missing here).
 */
export const CODE_WORDS: readonly string[] = [
  "believed",
  "checked",
  "clean",
  "dovecot",
  "infections",
  "lda",
  "marked",
  "need",
  "refus",
  "restrict",
  "scanned",
  "screened",
  "swept",
  "threats",
  "usr",
  "viruses",
];

/** The modules of the tables (their exports). */
const TABLES: readonly object[] = [
  knowledge,
  providerRules,
  providerCodes,
  senderRefusals,
  statusCodes,
  scope,
  hostKey,
  categories,
  feedbackTypes,
  sesBounceTypes,
  phraseRule,
  providers,
  smtpCommand,
];

/** The keys of the tables' entries that hold prose, not text a reply is read by (rule ids, made of their phrases' words, count). */
const PROSE_KEYS = new Set(["source", "example", "exampleRecipient", "note", "action"]);

/**
 * The words the classifier can read in a reply: every run of three or more letters (lower case) of every pattern and
 * string of the knowledge tables (src/bounce/rules: phrase and host tables, provider rules and codes, sender refusals,
 * statuses, scopes, categories, feedback and SES types; provider.ts: markers, host suffixes, domains; SMTP command
 * wordings), and CODE_WORDS, those its own code reads (test/bounce/rule-words.test.ts holds them complete). The
 * tables' prose (sources, examples, notes, actions) is no reading. scripts/rule-words.ts writes the least of them
 * into src/bounce/rule-words-data.ts, which the reply key's maskers read (rule-words.ts; a test holds it current):
 * the tables themselves stay unloaded where replies are only keyed.
 * Returns them sorted (`words`), and those of them holding no other (`least`: a text holds one of the words exactly
 * where it holds one of these, "mailbox" holding "mail").
 */
export function readWords(): { words: string[]; least: string[] } {
  const words = new Set<string>();
  const seen = new Set<object>();
  const take = (text: string) => {
    for (const word of text.toLowerCase().match(/[a-z]{3,}/g) ?? []) words.add(word);
  };
  // Strings, patterns, arrays and plain objects (a table's entries); a module's matchers and indexes are built
  // from these.
  const walk = (value: unknown): void => {
    if (typeof value === "string") take(value);
    else if (value instanceof RegExp) take(patternLetters(value.source));
    else if (value !== null && typeof value === "object" && !seen.has(value)) {
      seen.add(value);
      if (Array.isArray(value)) for (const item of value) walk(item);
      else if (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)
        for (const [key, item] of Object.entries(value)) if (!PROSE_KEYS.has(key)) walk(item);
    }
  };
  for (const table of TABLES) walk(Object.values(table));
  walk(CODE_WORDS);
  const sorted = [...words].sort();
  // Shorter first, so each is tested only against the words kept so far.
  const least: string[] = [];
  for (const word of [...sorted].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)))
    if (!least.some((shorter) => word.includes(shorter))) least.push(word);
  return { words: sorted, least: least.sort() };
}

/**
 * A pattern's source with what is no literal letter of it blanked: escapes (`\b`, `\s`, `\x41`…) and character
 * classes; the rest, alternations and groups included, reads as written (every word of every alternative counts).
 */
function patternLetters(source: string): string {
  return source
    .replace(/\\[a-zA-Z]/g, " ")
    .replace(/\[(?:\\.|[^\]\\])*\]/g, " ")
    .replace(/\\./g, " ");
}
