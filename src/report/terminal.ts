/** Terminal output helpers: colour only on a TTY (and never with NO_COLOR), and safe display of mail-borne text. */

const useColor = (stream: NodeJS.WriteStream = process.stdout): boolean =>
  Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";

const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
  bold: 1,
  dim: 2,
} as const;
export type Color = keyof typeof CODES;

export function paint(text: string, color: Color, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? `\u001b[${CODES[color]}m${text}\u001b[0m` : text;
}

/**
 * Make attacker-controlled text (bounce replies, subjects, headers, URLs) safe for a terminal:
 * control characters (ESC sequences, CR that rewrites the line, BEL…) become visible escapes.
 */
export function escapeTerminal(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (ch) => (ch === "\t" ? " " : `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`),
  );
}

/**
 * escapeTerminal for text shown on one line (a recipient, a file name, a reply, an error message): a
 * newline in mail-borne text must not start a forged line of output either.
 */
export function escapeLine(text: string): string {
  return escapeTerminal(text).replace(/\n/g, "\\u000a");
}
