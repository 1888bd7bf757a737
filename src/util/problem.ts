/** Where a record came from: the file (or "-" for stdin, "<text>" for --text) and, for streams, the line. */
export interface SourceRef {
  file: string;
  line: number | null;
}

/** A record an input could not parse: reported on stderr / quarantined, never fatal. */
export interface ParseProblem {
  source: SourceRef;
  message: string;
  /** The offending raw input, truncated. */
  raw?: string;
  /**
   * The input (or this part of it) could not be read: empty, or refused by a named limit (src/util/limits.ts).
   * The command exits 1 after the other inputs.
   */
  failed?: boolean;
}
