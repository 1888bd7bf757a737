/**
 * CSV fields as RFC 4180 writes them (https://www.rfc-editor.org/rfc/rfc4180#section-2): quoted when they
 * hold a quote, a comma or a line break, quotes doubled.
 */
export function csvQuote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A field whose text came from outside (an address, a campaign name): quoted, and defused when a
 * spreadsheet would run it as a formula, i.e. when it starts with =, +, -, @, tab or carriage return
 * (OWASP, https://owasp.org/www-community/attacks/CSV_Injection): a leading ' makes it text.
 */
export function csvField(value: string): string {
  return csvQuote(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}
