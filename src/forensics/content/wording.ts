import phrases from "../../../data/promo-phrases.json" with { type: "json" };

const PHRASES: readonly string[] = phrases.entries.map((entry) => entry.phrase);
const PHRASE_PATTERN = new RegExp(
  PHRASES.map((phrase) => {
    const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // Word-bound only on the sides that are word characters ("% off" follows a number).
    return `${/^[a-z0-9]/.test(phrase) ? "(?<![a-z0-9])" : ""}${escaped}(?![a-z0-9])`;
  }).join("|"),
  "gi",
);

const LETTER = /\p{L}/u;

/** Whitespace-separated tokens that contain at least one letter. */
export function wordCount(text: string): number {
  let count = 0;
  for (const token of text.split(/\s+/)) if (LETTER.test(token)) count++;
  return count;
}

/** Promotional phrases found (lowercased, with counts), most frequent first. */
export function promoPhrases(text: string): { phrase: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(PHRASE_PATTERN)) {
    const phrase = match[0].toLowerCase();
    counts.set(phrase, (counts.get(phrase) ?? 0) + 1);
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
