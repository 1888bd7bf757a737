/**
 * One pattern matching wherever any of `patterns` does: a prefilter that reads a text once before the
 * patterns are tried in their own order (most texts match none). Null when they cannot be joined
 * faithfully (flags, or a backreference whose group number would shift): then try them all.
 */
export function anyOf(patterns: readonly RegExp[]): RegExp | null {
  if (patterns.some((pattern) => pattern.flags !== "" || /\\[1-9k]/.test(pattern.source))) return null;
  if (patterns.length === 0) return /(?!)/;
  return new RegExp(patterns.map((pattern) => `(?:${pattern.source})`).join("|"));
}
