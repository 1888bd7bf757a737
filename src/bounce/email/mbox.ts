/**
 * mbox splitting: a message starts at a `From ` line at the start of the file, after an empty line, or
 * anywhere when the line is a whole postmark ("From sender Thu Jul  2 12:05:05 2020", RFC 4155 §2): some
 * writers omit the empty line.
 */

const FROM_LINE = Buffer.from("\nFrom ");

function precededByBlankLine(raw: Buffer, newline: number): boolean {
  if (newline === 0) return false;
  if (raw[newline - 1] === 10) return true;
  return raw[newline - 1] === 13 && newline >= 2 && raw[newline - 2] === 10;
}

const POSTMARK =
  /^From \S{1,320} +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d\d:\d\d(?::\d\d)? (?:\S+ )?\d{4}\r?$/;

function isPostmark(raw: Buffer, newline: number): boolean {
  const end = raw.indexOf(10, newline + 1);
  return POSTMARK.test(
    raw.toString("latin1", newline + 1, end < 0 || end - newline > 400 ? newline + 400 : end),
  );
}

function countLines(raw: Buffer, from: number, to: number): number {
  let count = 0;
  for (let at = raw.indexOf(10, from); at >= 0 && at < to; at = raw.indexOf(10, at + 1)) count++;
  return count;
}

/**
 * Split an mbox (or a single message) into messages with the 1-based line each starts on. A file that does
 * not start with `From ` is one message.
 */
export function splitMbox(raw: Buffer): Array<{ raw: Buffer; line: number }> {
  if (raw.length < 5 || raw.toString("latin1", 0, 5) !== "From ") return [{ raw, line: 1 }];
  const messages: Array<{ raw: Buffer; line: number }> = [];
  let start = 0;
  let line = 1;
  let search = 0;
  for (;;) {
    const at = raw.indexOf(FROM_LINE, search);
    if (at < 0) break;
    search = at + 1;
    if (!precededByBlankLine(raw, at) && !isPostmark(raw, at)) continue;
    messages.push({ raw: raw.subarray(start, at + 1), line });
    line += countLines(raw, start, at + 1);
    start = at + 1;
  }
  messages.push({ raw: raw.subarray(start), line });
  return messages;
}
