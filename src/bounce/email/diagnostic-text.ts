import { detach } from "../../util/detach.ts";
import { TextMemo } from "../text-memo.ts";

/**
 * A report's diagnostic, unfolded and lower-cased once per record: the MTA family's wording, the record's
 * diagnostic and the SMTP phase rules all read it.
 */

/** A diagnostic never needs more than this; hostile input stays bounded in every record. */
const MAX_DIAGNOSTIC = 4000;
/** Whitespace that unfolding changes: a run of two, or any but a plain space (most diagnostics have neither). */
const SPACE_RUN = /\s\s|[^\S ]/;

/**
 * Reports wrap and justify their text ("User  not listed in …"): runs of whitespace become one space, so a
 * phrase is found with one space between its words; `lower` is that text lower-cased.
 */
export interface SpacedDiagnostic {
  readonly spaced: string;
  readonly lower: string;
  /**
   * recordDiagnostic's answer for this text, kept with it once asked: a diagnostic seen again then gives the
   * same strings, whose hash V8 has computed already for the memos they are looked up in (TextFacts, the
   * classifier's), instead of new slices hashed and compared anew for every record.
   */
  record: RecordDiagnostic | null;
}

/** The record's diagnostic and its lower-cased copy (recordDiagnostic). */
export interface RecordDiagnostic {
  readonly diagnostic: string;
  readonly lowerDiagnostic: string;
}

export function spacedDiagnostic(diagnostic: string): SpacedDiagnostic {
  const known = SPACED_BY_TEXT.get(diagnostic);
  if (known !== undefined) return known;
  const spaced = SPACE_RUN.test(diagnostic) ? diagnostic.replace(/\s+/g, " ") : diagnostic;
  const lower = spaced.toLowerCase();
  if (diagnostic.length > MAX_KEPT) return { spaced, lower, record: null };
  // Kept as strings of their own: the diagnostic is a slice of its whole message, which the memo would keep
  // alive. Unfolded or lower-cased text is a new string already; the diagnostic as it is, copied once, is both
  // the key and the value.
  const own = spaced === diagnostic ? detach(diagnostic) : spaced;
  const made: SpacedDiagnostic = { spaced: own, lower: lower === spaced ? own : lower, record: null };
  SPACED_BY_TEXT.setOwn(spaced === diagnostic ? own : detach(diagnostic), made);
  return made;
}

/** Diagnostics longer than this (rare, often hostile) are unfolded each time, not kept. */
const MAX_KEPT = 2048;

/**
 * Each diagnostic's unfolded and lower-cased text, kept by the diagnostic as written: a diagnostic seen again
 * (one MTA's reply to many recipients) is not scanned for whitespace and lower-cased again, and the strings the
 * record's readers get have their hash computed already (V8 keeps it in the string) for the memos they look up.
 */
const SPACED_BY_TEXT = new TextMemo<SpacedDiagnostic>(4096, MAX_KEPT);

/**
 * The record's diagnostic (the unfolded text trimmed, at most MAX_DIAGNOSTIC long) and the same slice of the
 * lower-cased copy (no second copy). Unfolded, a text's only whitespace is single spaces (trim() and \s know
 * the same characters), so at most one leads and one trails.
 */
export function recordDiagnostic(text: SpacedDiagnostic): RecordDiagnostic {
  if (text.record !== null) return text.record;
  const { spaced, lower } = text;
  const start = spaced.charCodeAt(0) === 32 ? 1 : 0;
  let end =
    spaced.length > start && spaced.charCodeAt(spaced.length - 1) === 32 ? spaced.length - 1 : spaced.length;
  if (end - start > MAX_DIAGNOSTIC) end = start + MAX_DIAGNOSTIC;
  const diagnostic = spaced.slice(start, end);
  // A character whose lower case is longer (U+0130) moves every later one: then the slice is lower-cased itself.
  const lowerDiagnostic = lower.length === spaced.length ? lower.slice(start, end) : diagnostic.toLowerCase();
  text.record = { diagnostic, lowerDiagnostic };
  return text.record;
}
