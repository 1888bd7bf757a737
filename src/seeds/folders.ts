import type { MailboxFolder } from "../mailbox/index.ts";

/**
 * Names of providers' spam folders as their IMAP servers list them, for servers that do not flag the
 * folder `\Junk` (RFC 6154 SPECIAL-USE, https://www.rfc-editor.org/rfc/rfc6154#section-2). The flag is
 * always trusted first; a name is only the fallback. One fact per entry, with its source.
 */
const IMAPFLOW_NAMES =
  "imapflow's \\Junk name table, https://github.com/postalsys/imapflow/blob/master/lib/special-use.js";

export const JUNK_FOLDER_NAMES: readonly { name: string; provider: string; source: string }[] = [
  {
    name: "Junk",
    provider: "apple",
    source: `iCloud's spam folder (X-Apple-MoveToFolder: Junk); ${IMAPFLOW_NAMES}`,
  },
  { name: "Spam", provider: "generic", source: IMAPFLOW_NAMES },
  {
    name: "Bulk",
    provider: "yahoo",
    source:
      "Yahoo/AOL list their spam folder as Bulk (flagged \\Junk); a name-only guess misses it: plain Bulk is not in imapflow's table, https://github.com/postalsys/imapflow/blob/master/lib/special-use.js",
  },
  { name: "Bulk Mail", provider: "yahoo", source: `Yahoo's older spam folder name; ${IMAPFLOW_NAMES}` },
  { name: "Junk Email", provider: "microsoft", source: `Outlook.com's spam folder; ${IMAPFLOW_NAMES}` },
  {
    name: "[Gmail]/Spam",
    provider: "google",
    source:
      "Gmail's IMAP folder list (flagged \\Junk): https://github.com/ashloverscn/python-email-spam2inbox (working_code/example_simple_print_gmail_folders.py)",
  },
];

/** Gmail's inbox tabs (categories), searched with X-GM-RAW where the server advertises X-GM-EXT-1 (https://developers.google.com/gmail/imap/imap-extensions). */
export const GMAIL_TABS = ["promotions", "social", "updates", "forums"] as const;

export interface JunkCandidate {
  path: string;
  /** How it was recognised: the server's `\Junk` flag, or its name. */
  by: "flag" | "name";
}

/** INBOX as listed (case-insensitive per RFC 3501), or "INBOX". */
export function inboxPath(folders: MailboxFolder[]): string {
  return folders.find((folder) => folder.path.toUpperCase() === "INBOX")?.path ?? "INBOX";
}

/**
 * The folders that may be the spam folder, `\Junk`-flagged ones first, then the known names (matched on
 * the whole path or its last segment, case-insensitive). Each is searched: a server may flag one and
 * file by name into another.
 */
export function junkCandidates(folders: MailboxFolder[]): JunkCandidate[] {
  const out: JunkCandidate[] = [];
  const seen = new Set<string>();
  const add = (path: string, by: JunkCandidate["by"]) => {
    if (seen.has(path)) return;
    seen.add(path);
    out.push({ path, by });
  };
  for (const folder of folders) {
    const flagged =
      folder.flags.some((flag) => flag.toLowerCase() === "\\junk") ||
      (folder.specialUse === "\\Junk" && folder.specialUseSource !== "name");
    if (flagged) add(folder.path, "flag");
  }
  const names = new Set(JUNK_FOLDER_NAMES.map((entry) => entry.name.toLowerCase()));
  for (const folder of folders) {
    const last = folder.delimiter ? folder.path.split(folder.delimiter).pop() : folder.path;
    if (names.has(folder.path.toLowerCase()) || (last && names.has(last.toLowerCase())))
      add(folder.path, "name");
  }
  return out;
}
