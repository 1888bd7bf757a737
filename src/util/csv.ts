/**
 * CSV fields as RFC 4180 writes them (https://www.rfc-editor.org/rfc/rfc4180#section-2): quoted when they
 * hold a quote, a comma or a line break, quotes doubled.
 */
export function csvQuote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** C0, DEL and C1 controls: what a terminal may act on (src/report/terminal.ts escapes them for display too). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = new RegExp(CONTROL.source, "g");

/**
 * A field whose text came from outside (an address, a campaign name): its control characters written as
 * `\uXXXX` (as a terminal shows them, src/report/terminal.ts: a NUL or an ESC sequence in a suppression list
 * is refused by an import or acted on by `cat`), quoted, and defused when a spreadsheet would run it as a
 * formula, i.e. when it starts with =, +, -, @ (OWASP, https://owasp.org/www-community/attacks/CSV_Injection;
 * its tab and carriage return are escaped already): a leading ' makes it text.
 */
export function csvField(value: string): string {
  const text = CONTROL.test(value)
    ? value.replace(CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)
    : value;
  return csvQuote(/^[=+\-@]/.test(text) ? `'${text}` : text);
}
