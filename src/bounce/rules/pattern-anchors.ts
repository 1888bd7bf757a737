/**
 * Anchors of a rule's pattern: texts one of which every match contains, so that a matcher runs the pattern
 * only where one occurs (phrase-matcher.ts, provider-matcher.ts).
 */

/**
 * Texts (lower case) one of which every match of `pattern` contains: the longest literal run every match
 * holds, else the words of a group every match goes through, each alternative of a top-level alternation
 * anchored so; [] when none is known (then the pattern is tried on every text).
 */
export function patternAnchors(pattern: RegExp): string[] {
  // Flags could widen what a literal matches; escapes read further than one character (\x41, \u{…}, \p{…},
  // \k<…>), lazy quantifiers ("+?", "*?", "??", "{1,2}?": the "?" is no literal) and a "{" that opens no
  // quantifier (a literal without the u flag) are not taken apart here.
  if (pattern.flags !== "" || /\\[xucpPk]|[+*?}]\?|\{(?!\d+(?:,\d*)?\})/.test(pattern.source)) return [];
  return anchorsOf(pattern.source);
}

function anchorsOf(source: string): string[] {
  const alternatives = topLevelAlternatives(source);
  if (alternatives.length > 1) {
    const all: string[] = [];
    for (const alternative of alternatives) {
      const anchors = anchorsOf(alternative);
      if (anchors.length === 0) return [];
      for (const anchor of anchors) if (!all.includes(anchor)) all.push(anchor);
    }
    return all;
  }
  const literal = requiredLiteral(source);
  if (literal.length >= 3) return [literal];
  return requiredAlternatives(source) ?? (literal.length > 0 ? [literal] : []);
}

/** The source split at its top-level "|" (one part when it has none). */
function topLevelAlternatives(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === "[") i = skipClass(source, i);
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      parts.push(source.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(source.slice(from));
  return parts;
}

const CLASS_ESCAPES = "bBdDsSwWnrtfv0123456789";

/**
 * The longest run of literal characters every match of a pattern contains (outside groups, classes and
 * optional parts), lower case; "" when there is none (a top-level alternation, say).
 */
export function requiredLiteral(source: string): string {
  let best = "";
  let run = "";
  const end = () => {
    if (run.length > best.length) best = run;
    run = "";
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    let literal: string | null = null;
    if (c === "\\") {
      const next = source[i + 1] ?? "";
      i++;
      if (!CLASS_ESCAPES.includes(next)) literal = next;
    } else if (c === "(") {
      let depth = 1;
      while (depth > 0 && ++i < source.length) {
        if (source[i] === "\\") i++;
        else if (source[i] === "[") i = skipClass(source, i);
        else if (source[i] === "(") depth++;
        else if (source[i] === ")") depth--;
      }
    } else if (c === "[") {
      i = skipClass(source, i);
    } else if (c === "|") {
      return "";
    } else if (!".^$".includes(c)) {
      literal = c;
    }
    const quantifier = source[i + 1];
    if (literal === null) {
      end();
      if (quantifier === "?" || quantifier === "*" || quantifier === "+") i++;
      else if (quantifier === "{") i = quantifierEnd(source, i);
      continue;
    }
    if (
      quantifier === "?" ||
      quantifier === "*" ||
      (quantifier === "{" && /^\{0[,}]/.test(source.slice(i + 1)))
    ) {
      end();
      i = quantifier === "{" ? quantifierEnd(source, i) : i + 1;
      continue;
    }
    run += literal;
    if (quantifier === "+" || quantifier === "{") {
      end();
      i = quantifier === "+" ? i + 1 : quantifierEnd(source, i);
    }
  }
  end();
  return best.toLowerCase();
}

/**
 * The anchors of the first group every match goes through, when each alternative of it has one of three
 * characters or more ("(?:mailbox|mail box|inbox) …" → mailbox, mail box, inbox), lower case; null when there
 * is none.
 */
export function requiredAlternatives(source: string): string[] | null {
  let found: string[] | null = null;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === "[") i = skipClass(source, i);
    else if (c === "|")
      return null; // a top-level alternative: no group is needed by every match
    else if (c === "(") {
      const end = groupEnd(source, i);
      if (end < 0) return null;
      found ??= groupWords(source, i, end);
      i = end;
    }
  }
  return found;
}

/**
 * The anchors of the group from `start` to `end` (each alternative's, three characters or more) when every
 * match goes through it, else null.
 */
function groupWords(source: string, start: number, end: number): string[] | null {
  const quantifier = source[end + 1];
  if (
    quantifier === "?" ||
    quantifier === "*" ||
    (quantifier === "{" && /^\{0[,}]/.test(source.slice(end + 1)))
  )
    return null;
  const body = source.slice(start + 1, end);
  if (/^\?[=!<]/.test(body)) return null; // a look-around (or a named group, left alone)
  const anchors = anchorsOf(body.startsWith("?:") ? body.slice(2) : body);
  return anchors.length > 0 && anchors.every((anchor) => anchor.length >= 3) ? anchors : null;
}

/** Index of the ")" closing the group opened at `start`, or -1. */
function groupEnd(source: string, start: number): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") i++;
    else if (c === "[") i = skipClass(source, i);
    else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
  }
  return -1;
}

function skipClass(source: string, start: number): number {
  let i = start + 1;
  if (source[i] === "^") i++;
  if (source[i] === "]") i++;
  while (i < source.length && source[i] !== "]") {
    if (source[i] === "\\") i++;
    i++;
  }
  return i;
}

/** Index of the "}" closing the quantifier at or after `at`; the end of the source when none does. */
function quantifierEnd(source: string, at: number): number {
  const end = source.indexOf("}", at);
  return end < 0 ? source.length : end;
}
