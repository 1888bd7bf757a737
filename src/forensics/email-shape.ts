/**
 * Whether bytes can be an email at all, before any finding is computed: an empty file, an image or a
 * text without a header section would otherwise get "No From header" findings as if it were a message.
 * An email starts with header fields (RFC 5322 §2.2: a name of printable characters other than ":"
 * and space, then ":"), optionally after an mbox "From " line, and its header section holds no NUL.
 */
const FIELD = /^[!-9;-~]+[ \t]*:/;
/** How much of the start is looked at: a header section longer than this is still a message. */
const LOOK_AT = 64 * 1024;

/** Why `raw` is not an email message, or null when it looks like one. */
export function notAnEmail(raw: Buffer): string | null {
  const head = raw.subarray(0, LOOK_AT).toString("latin1");
  if (head.trim() === "") return "empty: not an email message";
  const lines = head.split(/\r?\n/);
  let index = lines[0]?.startsWith("From ") ? 1 : 0;
  if (!FIELD.test(lines[index] ?? "")) return "not an email message (it does not start with header fields)";
  for (; index < lines.length && lines[index] !== ""; index++) {
    if (lines[index].includes("\u0000")) return "not an email message (binary data in the header section)";
  }
  return null;
}
