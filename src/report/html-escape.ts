/**
 * HTML-escape text for element content and quoted attribute values. Control characters (ESC sequences
 * and the like, invalid in HTML) are shown as visible \uXXXX escapes.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
    )
    .replace(/[&<>"'`]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
