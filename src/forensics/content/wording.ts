import phrases from "../../../data/promo-phrases.json" with { type: "json" };

/** Tokens phrases are matched on: "%" alone (so "70% off" has "% off"), else ASCII letters, digits, '. */
const TOKEN = /%|[a-z0-9']+/g;
const tokens = (text: string): string[] => text.toLowerCase().match(TOKEN) ?? [];

/** Phrases indexed by their first token; "risk-free" and "risk free" share tokens and count once. */
const BY_FIRST_TOKEN = new Map<string, { phrase: string; rest: string[] }[]>();
for (const { phrase } of phrases.entries) {
  const [first, ...rest] = tokens(phrase);
  const entries = BY_FIRST_TOKEN.get(first) ?? [];
  if (!entries.some((entry) => entry.rest.join(" ") === rest.join(" "))) entries.push({ phrase, rest });
  BY_FIRST_TOKEN.set(first, entries);
}

const LETTER = /\p{L}/u;

/** Whitespace-separated tokens that contain at least one letter. */
export function wordCount(text: string): number {
  let count = 0;
  for (const token of text.split(/\s+/)) if (LETTER.test(token)) count++;
  return count;
}

/** Promotional phrases found (with counts), most frequent first: one pass over the text's tokens. */
export function promoPhrases(text: string): { phrase: string; count: number }[] {
  const words = tokens(text);
  const counts = new Map<string, number>();
  for (let i = 0; i < words.length; i++) {
    const candidates = BY_FIRST_TOKEN.get(words[i]);
    if (!candidates) continue;
    for (const { phrase, rest } of candidates) {
      if (rest.every((word, k) => words[i + 1 + k] === word))
        counts.set(phrase, (counts.get(phrase) ?? 0) + 1);
    }
  }
  return [...counts]
    .map(([phrase, count]) => ({ phrase, count }))
    .sort((a, b) => b.count - a.count || a.phrase.localeCompare(b.phrase));
}

/** Share of capital letters among the subject's letters (0 when it has fewer than 8 letters). */
export function capsRatio(subject: string): number {
  const letters = subject.match(/\p{L}/gu) ?? [];
  if (letters.length < 8) return 0;
  const upper = letters.filter(
    (letter) => letter !== letter.toLowerCase() && letter === letter.toUpperCase(),
  ).length;
  return upper / letters.length;
}

export function exclamations(subject: string): { total: number; longestRun: number } {
  const runs = subject.match(/!+/g) ?? [];
  return { total: runs.join("").length, longestRun: Math.max(0, ...runs.map((run) => run.length)) };
}
