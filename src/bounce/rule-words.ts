import { RULE_WORDS } from "./rule-words-data.ts";

/**
 * Whether a text holds a word the classifier reads (rules/read-words.ts: every run of three or more letters of its
 * tables' patterns and phrases and of its code's patterns, in any case; RULE_WORDS, the least of them, as
 * scripts/rule-words.ts wrote them). A reply's key may drop only text holding none (reply-key.ts id-128: a 128-bit
 * id's run with a piece of letters only; review's answer to R98's question, session 44): the classifier reads every
 * failure as its key sees it (classify.ts readReply), so text no rule reads is all a key may lose. One list for
 * every masker: JavaScript here, SQL through ruleWordsPattern; WebAssembly leaves such runs to the JavaScript
 * scanner.
 */

/** Per first three letters (a base-26 number) an index into `byTrigram`, the words starting with them (-1: none). */
let firsts: Int32Array | null = null;
let byTrigram: (readonly Uint8Array[])[] = [];

function index(): Int32Array {
  if (firsts !== null) return firsts;
  const made = new Int32Array(26 * 26 * 26).fill(-1);
  const lists: Uint8Array[][] = [];
  for (const word of RULE_WORDS) {
    const key = trigram(word.charCodeAt(0), word.charCodeAt(1), word.charCodeAt(2));
    if (made[key] < 0) {
      made[key] = lists.length;
      lists.push([]);
    }
    lists[made[key]].push(Buffer.from(word, "latin1"));
  }
  byTrigram = lists;
  firsts = made;
  return made;
}

/** The trigram key of three lower-case letters' codes. */
function trigram(a: number, b: number, c: number): number {
  return ((a - 97) * 26 + (b - 97)) * 26 + (c - 97);
}

/** A letter's code in lower case, or -1 for any other character. */
function lowerLetter(c: number): number {
  const lower = c | 0x20;
  return lower >= 97 && lower <= 122 ? lower : -1;
}

/** Whether the characters bytes[from, to) (codes) hold one of the classifier's words, in any case. */
export function holdsRuleWord(bytes: Uint8Array, from: number, to: number): boolean {
  const starts = index();
  for (let i = from; i + 3 <= to; i++) {
    const a = lowerLetter(bytes[i]);
    const b = lowerLetter(bytes[i + 1]);
    const c = lowerLetter(bytes[i + 2]);
    if (a < 0 || b < 0 || c < 0) continue;
    const list = starts[trigram(a, b, c)];
    if (list < 0) continue;
    for (const word of byTrigram[list]) {
      if (i + word.length > to) continue;
      let k = 3;
      while (k < word.length && lowerLetter(bytes[i + k]) === word[k]) k++;
      if (k === word.length) return true;
    }
  }
  return false;
}

/**
 * holdsRuleWord in RE2: a pattern that finds one of the words in a text, in any case (for maskReplySql), written
 * as their tree of shared beginnings (a flat alternation of the whole vocabulary made DuckDB compile each query
 * about three times as long as without it).
 */
export function ruleWordsPattern(): string {
  return `(?i:${alternation(RULE_WORDS)})`;
}

/** Words (none the beginning of another) as one pattern: by first letter, the rest of each group after it. */
function alternation(words: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const word of words) {
    const rests = groups.get(word[0]);
    if (rests === undefined) groups.set(word[0], [word.slice(1)]);
    else rests.push(word.slice(1));
  }
  return [...groups]
    .map(([first, rests]) => (rests.length === 1 ? first + rests[0] : `${first}(?:${alternation(rests)})`))
    .join("|");
}
