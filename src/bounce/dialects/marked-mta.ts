/**
 * An MTA recognised by its report's own opening line, for a table of what that MTA's reports do: one MTA per
 * entry, with the documentation that says so.
 */
export interface MarkedMta {
  id: string;
  /** The report's own words (its human-readable part), read as written. */
  marker: RegExp;
  source: string;
  /** The marker as a real report writes it. */
  example: string;
}

/** The report is one of an MTA the table lists. */
export const markedIn = (table: readonly MarkedMta[], reportText: string): boolean =>
  table.some((entry) => entry.marker.test(reportText));

/** nullmailer's report, by its opening line (nullmailer-dsn, nullmailer 2.2). */
export const NULLMAILER = {
  id: "nullmailer",
  marker: /^This is the nullmailer delivery system\./m,
  example: "This is the nullmailer delivery system.  The message attached below",
} as const;
