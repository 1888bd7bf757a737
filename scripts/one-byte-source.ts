/**
 * `code` with each UTF-16 code unit above U+00FF written as a `\uXXXX` escape, for classify's startup snapshot
 * (scripts/build-cache.ts). V8 keeps a script's source as one byte a character only while none is above
 * U+00FF, else as two bytes for every character, and the snapshot holds the source (functions compiled later
 * read it): one Japanese phrase in a rule doubled the ~1 M characters every start reads. esbuild escapes such
 * characters in strings and templates, not in regular-expression literals (nor in comments), where an escape
 * stands for the same character: a code point of the astral planes as its surrogate pair, which a /u pattern
 * reads as one code point, as it read the raw character. One that a pattern escaped already (`\X`, an identity
 * escape) loses that backslash instead of escaping it.
 */
export function oneByteSource(code: string): string {
  return code.replace(/(\\*)([^\u0000-\u00ff])/g, (_all, slashes: string, unit: string) => {
    const written = `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`;
    return (slashes.length % 2 === 1 ? slashes.slice(1) : slashes) + written;
  });
}
