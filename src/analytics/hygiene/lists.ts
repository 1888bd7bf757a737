import { createRequire } from "node:module";

/**
 * Address-quality data for `hygiene`. Every entry carries its source; all lower-case.
 */
export interface TypoDomain {
  typo: string;
  intended: string;
  source: string;
}

const MAILCHECK =
  "mailcheck.js default domains (github.com/mailcheck/mailcheck): one-edit typos of top consumer domains";
const OBSERVED = "typo domains seen in list-hygiene guides (ZeroBounce, Kickbox 'common email typos')";

/** Likely typos of the big consumer domains (ordered by intended provider, Apple first). */
export const TYPO_DOMAINS: readonly TypoDomain[] = [
  { typo: "icloud.con", intended: "icloud.com", source: MAILCHECK },
  { typo: "icloud.co", intended: "icloud.com", source: MAILCHECK },
  { typo: "icoud.com", intended: "icloud.com", source: OBSERVED },
  { typo: "iclod.com", intended: "icloud.com", source: OBSERVED },
  { typo: "icluod.com", intended: "icloud.com", source: OBSERVED },
  { typo: "iclould.com", intended: "icloud.com", source: OBSERVED },
  { typo: "me.con", intended: "me.com", source: MAILCHECK },
  { typo: "gmial.com", intended: "gmail.com", source: MAILCHECK },
  { typo: "gmai.com", intended: "gmail.com", source: MAILCHECK },
  { typo: "gamil.com", intended: "gmail.com", source: MAILCHECK },
  { typo: "gmal.com", intended: "gmail.com", source: MAILCHECK },
  { typo: "gmil.com", intended: "gmail.com", source: MAILCHECK },
  { typo: "gnail.com", intended: "gmail.com", source: OBSERVED },
  { typo: "gmail.con", intended: "gmail.com", source: MAILCHECK },
  { typo: "gmail.co", intended: "gmail.com", source: MAILCHECK },
  { typo: "gmail.cm", intended: "gmail.com", source: MAILCHECK },
  { typo: "gmaill.com", intended: "gmail.com", source: OBSERVED },
  { typo: "yahooo.com", intended: "yahoo.com", source: OBSERVED },
  { typo: "yaho.com", intended: "yahoo.com", source: MAILCHECK },
  { typo: "yahoo.con", intended: "yahoo.com", source: MAILCHECK },
  { typo: "yhoo.com", intended: "yahoo.com", source: OBSERVED },
  { typo: "hotmial.com", intended: "hotmail.com", source: MAILCHECK },
  { typo: "hotmal.com", intended: "hotmail.com", source: MAILCHECK },
  { typo: "hotmai.com", intended: "hotmail.com", source: MAILCHECK },
  { typo: "hotmail.con", intended: "hotmail.com", source: MAILCHECK },
  { typo: "hotnail.com", intended: "hotmail.com", source: OBSERVED },
  { typo: "outlok.com", intended: "outlook.com", source: OBSERVED },
  { typo: "outlook.con", intended: "outlook.com", source: MAILCHECK },
  { typo: "aol.con", intended: "aol.com", source: MAILCHECK },
  { typo: "comcast.com", intended: "comcast.net", source: OBSERVED },
];

/** RFC 2142 ("Mailbox names for common services, roles and functions") plus common team aliases. */
export const ROLE_LOCAL_PARTS: readonly { local: string; source: string }[] = [
  ...[
    "info",
    "marketing",
    "sales",
    "support",
    "abuse",
    "noc",
    "security",
    "postmaster",
    "hostmaster",
    "usenet",
    "news",
    "webmaster",
    "www",
    "uucp",
    "ftp",
  ].map((local) => ({ local, source: "RFC 2142 §3–5" })),
  ...[
    "admin",
    "contact",
    "help",
    "office",
    "billing",
    "team",
    "hello",
    "noreply",
    "no-reply",
    "jobs",
    "hr",
  ].map((local) => ({
    local,
    source: "common role aliases in list-validation services (Validity/ZeroBounce 'role-based')",
  })),
];

/** Disposable-address domains from the maintained `disposable-email-domains` package (MIT). */
export function disposableDomains(): string[] {
  const require = createRequire(import.meta.url);
  return require("disposable-email-domains") as string[];
}
