import { isAsciiSpace } from "../util/ascii.ts";
import type { LineParser, Out, ParseContext } from "./source.ts";
import { problem } from "./source.ts";

/**
 * Called with each top-level JSON value (an array's elements one by one), the line it starts on and its
 * JSON text (to be parsed again where JSON.parse's numbers are not enough: table-parser's LOST_DIGITS).
 */
export type JsonRecordHandler = (value: unknown, lineNo: number, out: Out, text: string) => void;

/** A single JSON record bigger than this is abandoned (a ParseProblem), so memory stays bounded. */
export const MAX_JSON_RECORD = 64 * 1024 * 1024;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const BYTE_ORDER_MARK = 0xfeff;

/**
 * Reads NDJSON, a JSON array (even one spanning a single 100 MB line: it arrives in fragments), pretty-printed
 * objects, or concatenations of those, and hands each record to `handle`. One JSON.parse per line on the
 * common NDJSON path; a brace scanner otherwise. Broken records become ParseProblems and reading goes on.
 */
export function jsonRecords(context: ParseContext, handle: JsonRecordHandler): LineParser {
  const file = context.file;
  let inArray = false;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let parts: string[] = [];
  let pendingLength = 0;
  let startLine = 0;
  let skipRestOfLine = false;
  // A UTF-8 byte order mark before the first record (Windows tools and Excel write one) is not JSON.
  let atStart = true;
  const withoutMark = (text: string) => {
    atStart = false;
    return text.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
  };

  const reset = () => {
    depth = 0;
    inString = false;
    escaped = false;
    parts = [];
    pendingLength = 0;
  };

  const deliver = (text: string, lineNo: number, out: Out) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      out.push(problem(file, lineNo, `invalid JSON record: ${(error as Error).message}`, text));
      return;
    }
    try {
      handle(value, lineNo, out, text);
    } catch (error) {
      out.push(problem(file, lineNo, `unreadable record: ${(error as Error).message}`, text));
    }
  };

  const scan = (text: string, lineNo: number, out: Out) => {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (depth > 0) {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) inString = false;
        } else if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          if (--depth === 0) {
            parts.push(text.slice(start, i + 1));
            const record = parts.join("");
            const line = startLine;
            reset();
            deliver(record, line, out);
          }
        }
        continue;
      }
      // ASCII whitespace, VT and FF too (util/ascii.ts): DuckDB's NDJSON reader skips them between records.
      if (isAsciiSpace(c)) continue;
      if (inArray && (c === COMMA || c === CLOSE_BRACKET)) {
        if (c === CLOSE_BRACKET) inArray = false;
        continue;
      }
      if (!inArray && c === OPEN_BRACKET) {
        inArray = true;
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        depth = 1;
        start = i;
        startLine = lineNo;
        continue;
      }
      out.push(problem(file, lineNo, "not a JSON record", text.slice(i)));
      skipRestOfLine = true;
      return;
    }
    if (depth > 0) {
      const piece = text.slice(start);
      parts.push(piece);
      pendingLength += piece.length;
      if (pendingLength > MAX_JSON_RECORD) {
        out.push(problem(file, startLine, `JSON record larger than ${MAX_JSON_RECORD} bytes`));
        reset();
        inArray = false;
        skipRestOfLine = true;
      }
    }
  };

  const endLine = (out: Out) => {
    skipRestOfLine = false;
    if (depth === 0) return;
    if (inString) {
      // JSON strings cannot hold a raw newline: the record was cut off.
      out.push(problem(file, startLine, "truncated JSON record", parts.join("")));
      reset();
      return;
    }
    parts.push("\n");
  };

  return {
    line(line, lineNo, out) {
      const text = atStart ? withoutMark(line) : line;
      if (skipRestOfLine) {
        skipRestOfLine = false;
        return;
      }
      if (depth === 0 && !inArray) {
        const first = text.charCodeAt(0);
        const last = text.charCodeAt(text.length - 1);
        if (first === OPEN_BRACE && last === CLOSE_BRACE) {
          // NDJSON fast path; anything unusual falls through to the scanner.
          let value: unknown;
          let parsed = true;
          try {
            value = JSON.parse(text);
          } catch {
            parsed = false;
          }
          if (parsed) {
            try {
              handle(value, lineNo, out, text);
            } catch (error) {
              out.push(problem(file, lineNo, `unreadable record: ${(error as Error).message}`, text));
            }
            return;
          }
        }
      } else if (depth > 0 && !inArray && text.charCodeAt(0) === OPEN_BRACE && parts.length > 0) {
        // A new NDJSON record at column 0 while the previous one is still open: that one was cut off.
        out.push(problem(file, startLine, "truncated JSON record", parts.join("")));
        reset();
      }
      scan(text, lineNo, out);
      endLine(out);
    },
    fragment(fragment, lineNo, out) {
      const text = atStart ? withoutMark(fragment) : fragment;
      if (!skipRestOfLine) scan(text, lineNo, out);
    },
    end(out) {
      if (depth > 0)
        out.push(problem(file, startLine, "truncated JSON record at end of input", parts.join("")));
      reset();
    },
  };
}

/** Webhook batches are arrays; NDJSON lines are single events: hand over each event either way. */
export function jsonEvents(
  context: ParseContext,
  handle: (item: unknown, file: string, lineNo: number, out: Out) => void,
): LineParser {
  return jsonRecords(context, (value, lineNo, out) => {
    for (const item of Array.isArray(value) ? value : [value]) handle(item, context.file, lineNo, out);
  });
}
