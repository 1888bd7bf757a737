/**
 * Known forwarders and mailing-list services: mail they pass on keeps your From but leaves from their
 * servers, so it fails aligned SPF (and aligned DKIM once a list edits the message). A failing source
 * recognised here is judged `forwarder` — not blamed as an unknown sender (RFC 7960 §3.2,
 * https://www.rfc-editor.org/rfc/rfc7960#section-3.2, describes both flows).
 *
 * One fact per entry, each with its public source and an example of what a report or PTR shows. Two ways to recognise one:
 * - `domain`: the service's own domain PASSED SPF (its envelope sender: SRS / VERP bounce addresses) or
 *   DKIM (its own signature) in the reports' auth_results. Read offline from the reports, never from DNS:
 *   a pass for that domain shows the message really went through the service.
 * - `ptr`: the source's PTR name ends with this suffix. Only with `deliverlens dmarc --resolve` (no DNS
 *   query is made otherwise).
 * A source that passes aligned for most of its mail stays `yours` whatever it matches (your own mail sent
 * through Microsoft 365 or Google is yours).
 */

export interface KnownForwarder {
  id: string;
  /** The service, as shown. */
  name: string;
  kind: "mailing-list" | "forwarding";
  match: { domain: string } | { ptr: string };
  /** Public page that states the fact. */
  source: string;
  /** What it looks like: the auth_results a report shows for it, or a PTR name. */
  example: string;
}

export const KNOWN_FORWARDERS: readonly KnownForwarder[] = [
  {
    id: "google-groups-domain",
    name: "Google Groups",
    kind: "mailing-list",
    match: { domain: "googlegroups.com" },
    source: "https://www.rfc-editor.org/rfc/rfc7960#section-3.2.3",
    example: "auth_results: dkim domain googlegroups.com pass, spf domain googlegroups.com pass",
  },
  {
    id: "gmail-forwarding-ptr",
    name: "Gmail forwarding (Google's outbound servers)",
    kind: "forwarding",
    match: { ptr: ".google.com" },
    source: "https://support.google.com/mail/answer/10957",
    example: "mail-pg1-f205.google.com",
  },
  {
    id: "microsoft-365-forwarding-ptr",
    name: "Microsoft 365 / Outlook.com forwarding (Exchange Online Protection)",
    kind: "forwarding",
    match: { ptr: ".outbound.protection.outlook.com" },
    source: "https://learn.microsoft.com/en-us/office365/troubleshoot/antispam/sender-rewriting-scheme",
    example: "mail-db8eur05on2091.outbound.protection.outlook.com",
  },
  {
    id: "forward-email-domain",
    name: "Forward Email",
    kind: "forwarding",
    match: { domain: "forwardemail.net" },
    source: "https://forwardemail.net/en/faq",
    example: "auth_results: spf domain forwardemail.net pass (its SRS envelope sender)",
  },
  {
    id: "groups-io-domain",
    name: "Groups.io",
    kind: "mailing-list",
    match: { domain: "groups.io" },
    source: "https://groups.io/helpcenter",
    example: "auth_results: dkim domain groups.io pass, spf domain groups.io pass",
  },
  {
    id: "debian-lists-domain",
    name: "Debian mailing lists",
    kind: "mailing-list",
    match: { domain: "lists.debian.org" },
    source: "https://www.debian.org/MailingLists/",
    example: "auth_results: spf domain lists.debian.org pass (the list's bounce address)",
  },
  {
    id: "kernel-lists-domain",
    name: "kernel.org mailing lists (subspace)",
    kind: "mailing-list",
    match: { domain: "vger.kernel.org" },
    source: "https://subspace.kernel.org/vger.kernel.org.html",
    example: "auth_results: spf domain vger.kernel.org pass (the list's bounce address)",
  },
];

/** Whether `name` is `suffix` itself or a name under it (label boundary; case ignored). */
function under(name: string, suffix: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  const s = suffix.replace(/^\./, "").toLowerCase();
  return n === s || n.endsWith(`.${s}`);
}

/**
 * The known forwarder a source matches: by a domain that passed SPF or DKIM in its records, else (when
 * resolved) by its PTR name. Null when none does.
 */
export function knownForwarder(
  passedDomains: readonly string[],
  ptr: string | null,
  table: readonly KnownForwarder[] = KNOWN_FORWARDERS,
): KnownForwarder | null {
  for (const entry of table)
    if ("domain" in entry.match) {
      const domain = entry.match.domain;
      if (passedDomains.some((d) => under(d, domain))) return entry;
    }
  if (ptr === null) return null;
  for (const entry of table) if ("ptr" in entry.match && under(ptr, entry.match.ptr)) return entry;
  return null;
}
