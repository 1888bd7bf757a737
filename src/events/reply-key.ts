/**
 * Per-message noise in replies — tracking ids (Gmail's `…si123qtb - gsmtp`), timestamps, the recipient's
 * local part, IP addresses — never changes a classification. Masking it gives a cache key, so each
 * distinct reply is classified once; the classifier itself always sees the real reply.
 * Deliberately narrow: 3-digit codes, enhanced statuses (5.7.515) and provider codes (CS01, TSS04,
 * RL000001, AS(2203), S3150) are never touched.
 */

/** An IPv4 address, or a word containing a digit (judged in `mask`). Linear: no lookahead per position. */
const NOISY_WORD = /\b\d{1,3}(?:\.\d{1,3}){3}\b|\b[A-Za-z]*\d[A-Za-z0-9]*/g;
/** The same, plus an address's local part with its `@` (the domain stays: it can name a provider). */
const NOISY_WORD_OR_LOCAL_PART =
  /(?<![A-Za-z0-9._%+=-])[A-Za-z0-9._%+=-]+@|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b[A-Za-z]*\d[A-Za-z0-9]*/g;

export interface MaskedReply {
  masked: string;
  /** The masked pieces of the original, in text order. */
  tokens: string[];
}

export function maskReply(text: string): MaskedReply {
  const tokens: string[] = [];
  const pattern = text.indexOf("@") >= 0 ? NOISY_WORD_OR_LOCAL_PART : NOISY_WORD;
  const masked = text.replace(pattern, (word) => {
    let replacement: string | null = null;
    if (word.endsWith("@")) replacement = "x@";
    else if (word.indexOf(".") >= 0) replacement = "0.0.0.0";
    else if (word.length >= 6 && isDigits(word)) replacement = "#";
    else if (word.length >= 12 && !isDigits(word)) replacement = "%";
    if (replacement === null) return word;
    tokens.push(word);
    return replacement;
  });
  return { masked, tokens };
}

function isDigits(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The diagnostic of a reply that shares its masked key with a reply already classified: the cached
 * diagnostic with the original's noise tokens swapped for this reply's, in order. Null when the tokens
 * cannot be placed (the caller then unfolds the reply itself).
 */
export function swapTokens(
  diagnostic: string,
  from: readonly string[],
  to: readonly string[],
): string | null {
  if (from.length !== to.length) return null;
  let result = "";
  let position = 0;
  for (let i = 0; i < from.length; i++) {
    const at = diagnostic.indexOf(from[i], position);
    if (at < 0) return null;
    result += diagnostic.slice(position, at) + to[i];
    position = at + from[i].length;
  }
  return result + diagnostic.slice(position);
}
