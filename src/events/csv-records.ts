import type { LineParser, Out, ParseContext } from "./source.ts";
import { problem } from "./source.ts";

/** A header row's column positions by (lowercased) name. */
export class Columns {
  private readonly index = new Map<string, number>();
  readonly names: readonly string[];

  constructor(names: readonly string[]) {
    this.names = names;
    names.forEach((name, i) => {
      const key = name.trim().toLowerCase();
      if (!this.index.has(key)) this.index.set(key, i);
    });
  }

  /** Position of the first of `names` present, else -1. */
  find(...names: string[]): number {
    for (const name of names) {
      const at = this.index.get(name.toLowerCase());
      if (at !== undefined) return at;
    }
    return -1;
  }
}

/** The value at `at` (trimmed), or null when the column is absent or the field empty. */
export function field(fields: readonly string[], at: number): string | null {
  if (at < 0 || at >= fields.length) return null;
  const value = fields[at];
  return value === "" ? null : value;
}

export type RowHandler = (fields: string[], lineNo: number, out: Out) => void;

export interface CsvFormat {
  /** Build the row handler from the header; return a string to reject the header (a ParseProblem). */
  fromHeader(columns: Columns): RowHandler | string;
  /** True when the first record is data, not a header (PowerMTA files may lack one): `defaultHeader` applies. */
  isData?(fields: string[]): boolean;
  defaultHeader?: readonly string[];
}

/** A quoted field may span lines, but no record may grow beyond this. */
const MAX_RECORD = 1024 * 1024;

/**
 * RFC 4180 CSV by header: quoted fields with commas, doubled quotes and newlines. The fast path splits
 * quote-free lines with indexOf.
 */
export function csvRecords(context: ParseContext, format: CsvFormat): LineParser {
  const file = context.file;
  let handler: RowHandler | null = null;
  let rejected = false;
  let fields: string[] = [];
  let current = "";
  let inQuotes = false;
  let startLine = 0;

  const onRecord = (record: string[], lineNo: number, out: Out) => {
    if (rejected) return;
    if (!handler) {
      const useDefault = format.defaultHeader && format.isData?.(record);
      const built = format.fromHeader(new Columns(useDefault ? format.defaultHeader! : record));
      if (typeof built === "string") {
        out.push(problem(file, lineNo, built, record.join(",")));
        rejected = true;
        return;
      }
      handler = built;
      if (!useDefault) return;
    }
    handler(record, lineNo, out);
  };

  const splitPlain = (text: string): string[] => {
    const result: string[] = [];
    let from = 0;
    for (let comma = text.indexOf(","); comma >= 0; comma = text.indexOf(",", from)) {
      result.push(text.slice(from, comma));
      from = comma + 1;
    }
    result.push(text.slice(from));
    return result;
  };

  /** RFC 4180 fields by runs (indexOf), not by character: PowerMTA quotes every dsnDiag. */
  const scanQuoted = (text: string, out: Out) => {
    let i = 0;
    while (i < text.length) {
      if (inQuotes) {
        const quote = text.indexOf('"', i);
        if (quote < 0) {
          current += text.slice(i);
          break;
        }
        current += text.slice(i, quote);
        if (text.charCodeAt(quote + 1) === 34) {
          current += '"';
          i = quote + 2;
        } else {
          inQuotes = false;
          i = quote + 1;
        }
      } else if (current === "" && text.charCodeAt(i) === 34) {
        inQuotes = true;
        i++;
      } else {
        const comma = text.indexOf(",", i);
        if (comma < 0) {
          current += text.slice(i);
          break;
        }
        current += text.slice(i, comma);
        fields.push(current);
        current = "";
        i = comma + 1;
      }
    }
    if (inQuotes) {
      current += "\n";
      if (current.length > MAX_RECORD) {
        out.push(problem(file, startLine, "unterminated quoted CSV field"));
        fields = [];
        current = "";
        inQuotes = false;
      }
      return;
    }
    fields.push(current);
    const record = fields;
    fields = [];
    current = "";
    onRecord(record, startLine, out);
  };

  return {
    line(text, lineNo, out) {
      if (!inQuotes) {
        if (text === "" || text.trim() === "") return;
        startLine = lineNo;
        if (text.indexOf('"') < 0) {
          onRecord(splitPlain(text), lineNo, out);
          return;
        }
      }
      scanQuoted(text, out);
    },
    end(out) {
      if (inQuotes) out.push(problem(file, startLine, "unterminated quoted CSV field at end of input"));
    },
  };
}
