import { getDomainWithoutSuffix } from "tldts";
import { anyOf } from "./rules/any-of.ts";
import type { Provider } from "./vocabulary.ts";

/**
 * Who runs the receiving server. Evidence in order of strength: the remote MTA host, markers in the
 * reply text, the recipient domain. `other` when a host or domain is known but belongs to no provider
 * we know, `unknown` when nothing says. Every table is ordered (first match wins) and sourced.
 */

interface HostSuffix {
  provider: Provider;
  /** Lower-case DNS suffix; matches the name itself or any name ending in `.` + suffix. */
  suffix: string;
  source: string;
}

const APPLE = "support.apple.com/en-us/102322 (Postmaster information for iCloud Mail)";

/** MX / remote-MTA host suffixes. Google Workspace MX is google even for a customer's own domain. */
export const HOST_SUFFIXES: readonly HostSuffix[] = [
  { provider: "apple", suffix: "mail.icloud.com", source: `${APPLE}: mx01/mx02.mail.icloud.com` },
  {
    provider: "apple",
    suffix: "icloud.com",
    source: `${APPLE}; KumoMTA shaping.toml MXSuffix=".icloud.com"`,
  },
  {
    provider: "apple",
    suffix: "me.com",
    source:
      "observed iCloud reply '554 ****-smtpin001.me.com ESMTP not accepting connections' (sisimai go rhost/for-apple.go)",
  },
  {
    provider: "google",
    suffix: "google.com",
    source: "Google Workspace MX: aspmx.l.google.com (support.google.com/a/answer/174125)",
  },
  { provider: "google", suffix: "googlemail.com", source: "Gmail MX aliases (alt*.aspmx.l.googlemail.com)" },
  {
    provider: "microsoft",
    suffix: "protection.outlook.com",
    source:
      "Exchange Online MX (learn.microsoft.com/en-us/exchange/mail-flow-best-practices/mail-flow-best-practices)",
  },
  {
    provider: "microsoft",
    suffix: "outlook.com",
    source: "Outlook.com / Exchange Online hosts (*.prod.outlook.com)",
  },
  { provider: "microsoft", suffix: "hotmail.com", source: "Outlook.com legacy MX (mx*.hotmail.com)" },
  {
    provider: "yahoo",
    suffix: "yahoodns.net",
    source: "Yahoo/AOL MX (mta*.am0.yahoodns.net, mx-aol.mail.gm0.yahoodns.net)",
  },
  { provider: "yahoo", suffix: "yahoo.com", source: "Yahoo MX hosts" },
  { provider: "yahoo", suffix: "aol.com", source: "AOL MX hosts (now Yahoo)" },
  {
    provider: "comcast",
    suffix: "comcast.net",
    source: "Comcast MX (mx*.comcast.net; postmaster.comcast.net)",
  },
  {
    provider: "cox",
    suffix: "cox.net",
    source: "Cox MX (cxr.mx.a.cloudfilter.net serves cox.net; *.cox.net)",
  },
  { provider: "charter", suffix: "charter.net", source: "Charter/Spectrum MX" },
  { provider: "charter", suffix: "spectrum.net", source: "Charter/Spectrum MX" },
  { provider: "gmx", suffix: "gmx.net", source: "GMX MX (mx*.gmx.net)" },
  { provider: "gmx", suffix: "gmx.com", source: "GMX MX (mx*.gmx.com)" },
  { provider: "zoho", suffix: "zoho.com", source: "Zoho Mail MX (mx.zoho.com)" },
  { provider: "zoho", suffix: "zoho.eu", source: "Zoho Mail MX (mx.zoho.eu)" },
  { provider: "proton", suffix: "protonmail.ch", source: "Proton Mail MX (mail.protonmail.ch)" },
  {
    provider: "fastmail",
    suffix: "messagingengine.com",
    source: "Fastmail MX (in1-smtp.messagingengine.com)",
  },
];

interface TextMarker {
  provider: Provider;
  /** Matched against the lower-cased reply. */
  pattern: RegExp;
  source: string;
  /** A provider's own wording, one phrase per entry: its id. */
  id?: string;
  /**
   * For a wording: a real reply of the provider quoted from `source`, with no other marker in it (a test
   * holds it: this entry names the provider, and nothing else in the reply does).
   */
  example?: string;
}

const GOOGLE_PAGE =
  "support.google.com/a/answer/3726730 (Gmail SMTP errors and codes), quoted in sisimai go rhost/for-google.go";
const YAHOO_PAGE = "senders.yahooinc.com/smtp-error-codes, quoted in sisimai go rhost/for-yahooinc.go";

/**
 * The providers' own wording of their replies, where it names the provider or is written by no one else: a
 * reply that lost its host and its trailer (Sendmail's one-line Diagnostic-Code, an export that trims, a
 * carrier that names no remote host) still names who wrote it (review R92 addendum 2). After every link,
 * code and host marker: those name a provider more surely than words.
 */
const WORDING_MARKERS: readonly TextMarker[] = [
  {
    id: "google-gmail-requires-all",
    provider: "google",
    pattern: /\bgmail requires all /,
    source: GOOGLE_PAGE,
    example:
      "421 4.7.26 This mail has been rate limited because it is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.",
  },
  {
    id: "google-gmail-has-detected",
    provider: "google",
    pattern: /\bgmail has detected /,
    source: GOOGLE_PAGE,
    example: "421 4.7.28 Gmail has detected an unusual rate of mail",
  },
  {
    id: "google-spam-sent-to-gmail",
    provider: "google",
    pattern: /\bspam sent to gmail\b/,
    source: GOOGLE_PAGE,
    example:
      "550 5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked.",
  },
  {
    id: "google-why-has-gmail-blocked",
    provider: "google",
    pattern: /\bwhy has gmail blocked my messages\b/,
    source: GOOGLE_PAGE,
    example:
      "421 4.7.0 This message is suspicious due to the nature of the content or the links within. To best protect our users from spam, the message has been blocked. For more information, go to Why has Gmail blocked my messages?.",
  },
  {
    id: "google-gmail-does-not-accept",
    provider: "google",
    pattern: /\bgmail does not accept messages from /,
    source: GOOGLE_PAGE,
    example:
      "550 5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. As a policy, Gmail does not accept messages from IPs with missing PTR records.",
  },
  {
    id: "google-rate-limited-because",
    provider: "google",
    pattern: /\byour email has been rate limited because /,
    source: `${GOOGLE_PAGE} (4.7.27 SPF, 4.7.29 TLS, 4.7.30 DKIM, 4.7.32 From: alignment)`,
    example:
      "421 4.7.27 Your email has been rate limited because SPF authentication didn't pass for this message.",
  },
  {
    id: "google-ptr-record-setup",
    provider: "google",
    pattern: /\bthe ip address sending this message does not have a ptr record\b/,
    source: GOOGLE_PAGE,
    example:
      "550 5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP.",
  },
  {
    id: "google-sending-ip-ptr",
    provider: "google",
    pattern: /\bthe sending ip address for this message doesn't have a ptr record\b/,
    source: GOOGLE_PAGE,
    example:
      "421 4.7.23 The sending IP address for this message doesn't have a PTR record, or the PTR record's forward DNS entry doesn't match the sending IP address.",
  },
  {
    id: "google-exceeds-google-s-limit",
    provider: "google",
    pattern: /\bexceed(?:s|ed) google's /,
    source: GOOGLE_PAGE,
    example: "552 5.2.3 Your message exceeded Google's message size limits.",
  },
  {
    id: "google-workspace-domain",
    provider: "google",
    pattern: /\bwithin your google workspace domain\b/,
    source: `${GOOGLE_PAGE}; support.google.com/a/answer/6140680 (SMTP relay: Mail Sending denied)`,
    example:
      "550 5.7.0, Mail Sending denied. This error occurs if the sender account is disabled or not registered within your Google Workspace domain.",
  },
  {
    id: "google-not-authorized-to-our-servers",
    provider: "google",
    pattern: /\bis not authorized to send email directly to our servers\b/,
    source: GOOGLE_PAGE,
    example:
      "550 7.7.1 The IP you're using to send mail is not authorized to send email directly to our servers. Use the SMTP relay at your service provider instead.",
  },
  {
    // Google's replies end with the title of the page they point to: "For more information, go to Email sender
    // guidelines." (support.google.com/mail/answer/81126), as "… go to Why has Gmail blocked my messages?." above.
    id: "google-go-to-email-sender-guidelines",
    provider: "google",
    pattern: /\bgo to email sender guidelines\b/,
    source: GOOGLE_PAGE,
    example:
      "550 5.7.24 The SPF record of the sending domain has one or more suspicious entries. For more information, go to Email sender guidelines.",
  },
  {
    id: "yahoo-yahoo-requires-all",
    provider: "yahoo",
    pattern: /\byahoo requires all /,
    source: YAHOO_PAGE,
    example:
      "550 5.7.9 This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM.",
  },
  {
    id: "yahoo-no-yahoo-account",
    provider: "yahoo",
    pattern: /\bthis user doesn't have a yahoo\.com account\b/,
    source: YAHOO_PAGE,
    example: "554 delivery error: dd This user doesn't have a yahoo.com account",
  },
];

/**
 * Markers in the reply text. Bracket codes are each provider's own (see src/bounce/rules/provider-codes.ts).
 * A mailbox provider's domain names the provider where it names a host or a link, never where it is an
 * address's domain: `<a@icloud.com>` in a reply names a mailbox at iCloud, not the server that wrote the reply
 * (a report giving several recipients one server's reply; review R115); the recipient's own domain says
 * where it is. A provider's contact address (icloudadmin@apple.com) is its own signature.
 * The look-back for that `@` stops at 253 characters, a domain name's longest (RFC 1035 §2.3.4): an unbounded
 * one is tried again at every candidate place, quadratic on a hostile reply of one long run of name characters.
 */
export const TEXT_MARKERS: readonly TextMarker[] = [
  {
    provider: "apple",
    pattern:
      /support\.apple\.com|\[(?:cs|hm|hcm|hme|bs)[0-9]{1,2}\]|(?<!@[\w.-]{0,253})\b(?:icloud|me)\.com\b|icloudadmin@apple\.com/,
    source: `${APPLE}; Apple's bracketed reply codes ([CS01], [HM08], [HCM1], [HME1], [BS02]) as observed in iCloud replies (sisimai go rhost/for-apple.go; KumoMTA community shaping.toml)`,
  },
  {
    provider: "google",
    // Not Gmail's help for its own senders, answer/7720 ("Learn more at …" in the notices Gmail writes about another
    // server it could not deliver to: set-of-emails rfc3464-56, rhost-gsuite-07): those words are the sender's relay's
    // (review R145).
    pattern: /support\.google\.com(?!\/mail\/answer\/7720\b)|\bgsmtp\b|(?<!\bsupport)\.google\.com\b/,
    source:
      "Gmail replies end in '- gsmtp' and link support.google.com (answer/3726730); Gmail's notices about another server link answer/7720 (https://support.google.com/mail/answer/7720)",
  },
  {
    provider: "yahoo",
    pattern:
      /yahooinc\.com|postmaster\.yahoo|verizonmedia\.com|yahoodns\.net|\[(?:tss?|ipts|ph|bl)[0-9]{2}\]/,
    source: "senders.yahooinc.com/smtp-error-codes (Yahoo/AOL bracketed codes)",
  },
  {
    provider: "microsoft",
    pattern:
      /protection\.outlook\.com|prod\.outlook\.com|postmaster\.live\.com|sender\.office\.com|\((?:s[0-9]{3,5}|as[0-9]{8})\)|(?<!@[\w.-]{0,253})outlook\.com|mail\.live\.com|(?<![\w.@-])(?:rp|sc|dy|ou)-00[0-9](?![\w@-]|\.\w)|(?<![\w.])[45]\.(?:0\.350|1\.351|2\.12[0-9]|3\.190|4\.3[0-9]{2}|7\.(?:1[0-9]{2}|3[0-9]{2}|[5-9][0-9]{2}))(?![\w]|\.[0-9])/,
    source:
      "learn.microsoft.com Exchange Online NDR docs (S-codes, EOP (AS########) rule ids — eight digits, as AS16012607: a shorter (AS14061) is usually a network's AS number in a blocklist reply —, postmaster.live.com links; Exchange Online's own enhanced codes, three-digit details the IANA registry never gives (its largest is X.7.30) and sisimai go rhost/ lists for Microsoft only — X.7.500–X.7.999 (5.7.511 banned sender, 5.7.515 authentication level, 4.7.650 IP reputation, 5.7.606–649 banned IP, 5.7.708 and 5.7.750 tenant and traffic blocks, 5.7.900–999 transport rules; review R92), X.7.1xx (5.7.124 not in the allowed-senders list, 5.7.133–136 group and mailbox sender restrictions), X.7.3xx (4.7.321–325 certificate and connector checks), X.4.3xx (5.4.300–318 expiry and connection), X.2.121/122 (recipient's hourly limits), X.3.190, X.0.350 and X.1.351 (review R125): https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online —); Outlook.com legacy codes RP-/SC-/DY-/OU-00x and their mail.live.com/mail/troubleshooting.aspx link",
  },
  {
    provider: "comcast",
    pattern: /(?<!@[\w.-]{0,253})comcast\.net|\b(?:rl|bl|es)[0-9]{6}\b/,
    source: "postmaster.comcast.net/mail-error-codes",
  },
  {
    provider: "cox",
    pattern: /(?<!@[\w.-]{0,253})\bcox\.(?:com|net)\b|aup#(?:cx[a-z]+|cdrbl|ipbl[0-9]+|urlbl[0-9]+)\b/,
    source:
      "Cox error-code links and AUP# codes (cox.com/residential/support/email-error-codes.html; sisimai go rhost/for-cox.go)",
  },
  {
    provider: "charter",
    pattern: /(?<!@[\w.-]{0,253})\b(?:spectrum|charter)\.net\b|aup#(?:[a-z]+-?)?1[0-5][0-9]{2}\b/,
    source:
      "Spectrum error-code links and AUP#1000–1580 codes (spectrum.net/support/internet/understanding-email-error-codes; sisimai go rhost/for-spectrum.go)",
  },
  ...WORDING_MARKERS,
];

interface DomainRule {
  provider: Provider;
  /** Exact recipient domain (or a subdomain of it). */
  domain?: string;
  /** Registrable name under any public suffix (`hotmail` → hotmail.com, hotmail.co.uk …). */
  label?: string;
  /** The label's domains that matter most, for exact-match lookups (analytics joins domains in SQL). */
  known?: readonly string[];
  source: string;
}

/** Consumer mailbox domains. `other` entries first where a label would mislead (Yahoo Japan is not Yahoo). */
export const RECIPIENT_DOMAINS: readonly DomainRule[] = [
  { provider: "other", domain: "yahoo.co.jp", source: "Yahoo! JAPAN is a separate company (LY Corporation)" },
  { provider: "apple", domain: "icloud.com", source: APPLE },
  { provider: "apple", domain: "me.com", source: APPLE },
  { provider: "apple", domain: "mac.com", source: APPLE },
  { provider: "apple", domain: "privaterelay.appleid.com", source: `${APPLE} (Hide My Email relay)` },
  { provider: "google", domain: "gmail.com", source: "Gmail" },
  { provider: "google", domain: "googlemail.com", source: "Gmail (legacy domain)" },
  {
    provider: "google",
    domain: "google.com",
    source:
      "Google's own mailboxes, served by its MX (aspmx.l.google.com, support.google.com/a/answer/174125); sisimai go rhost/lib.go reads a recipient at a domain its Google hosts end with as Google",
  },
  {
    provider: "yahoo",
    label: "yahoo",
    known: ["yahoo.com", "yahoo.co.uk", "yahoo.fr"],
    source: "Yahoo Mail country domains (senders.yahooinc.com)",
  },
  { provider: "yahoo", domain: "ymail.com", source: "Yahoo Mail" },
  { provider: "yahoo", domain: "rocketmail.com", source: "Yahoo Mail" },
  { provider: "yahoo", domain: "aol.com", source: "AOL (Yahoo Inc.)" },
  { provider: "yahoo", domain: "aim.com", source: "AOL (Yahoo Inc.)" },
  { provider: "yahoo", domain: "verizon.net", source: "Verizon mailboxes moved to AOL (Yahoo Inc.)" },
  {
    provider: "yahoo",
    domain: "att.net",
    source: "bentonow.com/smtp-errors/yahoo: AT&T domains point their MX to Yahoo",
  },
  {
    provider: "yahoo",
    domain: "sbcglobal.net",
    source: "bentonow.com/smtp-errors/yahoo: AT&T domains point their MX to Yahoo",
  },
  {
    provider: "yahoo",
    domain: "bellsouth.net",
    source: "bentonow.com/smtp-errors/yahoo: AT&T domains point their MX to Yahoo",
  },
  {
    provider: "microsoft",
    label: "hotmail",
    known: ["hotmail.com", "hotmail.co.uk", "hotmail.fr"],
    source: "Outlook.com consumer domains",
  },
  { provider: "microsoft", label: "outlook", known: ["outlook.com"], source: "Outlook.com consumer domains" },
  { provider: "microsoft", label: "live", known: ["live.com"], source: "Outlook.com consumer domains" },
  { provider: "microsoft", domain: "msn.com", source: "Outlook.com consumer domains" },
  { provider: "comcast", domain: "comcast.net", source: "Comcast Xfinity mail" },
  { provider: "cox", domain: "cox.net", source: "Cox mail" },
  { provider: "charter", domain: "charter.net", source: "Charter/Spectrum mail" },
  { provider: "charter", domain: "spectrum.net", source: "Charter/Spectrum mail" },
  { provider: "charter", domain: "rr.com", source: "Road Runner (Spectrum) mail" },
  { provider: "gmx", label: "gmx", known: ["gmx.com", "gmx.de", "gmx.net"], source: "GMX country domains" },
  { provider: "gmx", domain: "mail.com", source: "mail.com (GMX group)" },
  { provider: "zoho", domain: "zohomail.com", source: "Zoho Mail" },
  { provider: "zoho", domain: "zoho.com", source: "Zoho Mail" },
  { provider: "proton", domain: "protonmail.com", source: "Proton Mail" },
  { provider: "proton", domain: "proton.me", source: "Proton Mail" },
  { provider: "proton", domain: "pm.me", source: "Proton Mail" },
  { provider: "fastmail", domain: "fastmail.com", source: "Fastmail" },
  { provider: "fastmail", domain: "fastmail.fm", source: "Fastmail" },
];

export interface ProviderEvidence {
  remoteMta?: string | null;
  /** The reply text, lower-cased. */
  lowerText?: string;
  recipient?: string | null;
}

/** True when `name` is `suffix` or ends in `.suffix` (never a raw endsWith: cloud.com is not icloud.com). */
export function hasDomainSuffix(name: string, suffix: string): boolean {
  return name === suffix || name.endsWith(`.${suffix}`);
}

export function providerFromHost(host: string): Provider | null {
  const name = normalizeName(host);
  return HOST_SUFFIXES.find((entry) => hasDomainSuffix(name, entry.suffix))?.provider ?? null;
}

/** Whether any marker can match: one pass over a reply (most name no provider). */
const ANY_MARKER = anyOf(TEXT_MARKERS.map((marker) => marker.pattern));

export function providerFromText(lowerText: string): Provider | null {
  if (ANY_MARKER?.test(lowerText) === false) return null;
  return TEXT_MARKERS.find((marker) => marker.pattern.test(lowerText))?.provider ?? null;
}

/** Exact domains of RECIPIENT_DOMAINS, for a lookup per suffix of the recipient's domain. */
const EXACT_DOMAINS = new Map<string, { provider: Provider; order: number }>();
RECIPIENT_DOMAINS.forEach((rule, order) => {
  if (rule.domain !== undefined && !EXACT_DOMAINS.has(rule.domain))
    EXACT_DOMAINS.set(rule.domain, { provider: rule.provider, order });
});
/** Any label rule could apply only when one of the labels appears as a whole DNS label. */
const LABELS = RECIPIENT_DOMAINS.flatMap((rule) => (rule.label === undefined ? [] : [rule.label]));
const LABEL_HINT = new RegExp(`(?:^|\\.)(?:${LABELS.join("|")})\\.`);

export function providerFromDomain(domain: string): Provider | null {
  const name = normalizeName(domain);
  if (!name) return null;
  let best: { provider: Provider; order: number } | undefined;
  for (let suffix = name; ; ) {
    const hit = EXACT_DOMAINS.get(suffix);
    if (hit && (!best || hit.order < best.order)) best = hit;
    const dot = suffix.indexOf(".");
    if (dot < 0) break;
    suffix = suffix.slice(dot + 1);
  }
  if (LABEL_HINT.test(name)) {
    const label = getDomainWithoutSuffix(name);
    const order = RECIPIENT_DOMAINS.findIndex((rule) => rule.label !== undefined && rule.label === label);
    if (order >= 0 && (!best || order < best.order)) return RECIPIENT_DOMAINS[order].provider;
  }
  return best?.provider ?? null;
}

/**
 * Every domain RECIPIENT_DOMAINS names (exact domains and each label's `known` ones) with its provider
 * as providerFromDomain sees it, for exact-match lookups; `other` entries left out.
 */
export function listedRecipientDomains(): Array<{ domain: string; provider: Provider }> {
  const domains = new Set(
    RECIPIENT_DOMAINS.flatMap((rule) => (rule.domain ? [rule.domain] : (rule.known ?? []))),
  );
  return [...domains].flatMap((domain) => {
    const provider = providerFromDomain(domain);
    return provider && provider !== "other" ? [{ domain, provider }] : [];
  });
}

export function detectProvider(evidence: ProviderEvidence): Provider {
  return providerOf(
    evidence.remoteMta ? hostName(evidence.remoteMta) : null,
    evidence.lowerText ?? "",
    evidence.recipient ? recipientDomain(evidence.recipient) : null,
  );
}

/**
 * detectProvider from what a caller has already worked out: the host name, the text, the recipient's domain.
 * (Without the rule tables' scopes, which the classifier also reads: a recipient domain counts as singled out
 * here when it names a provider.)
 */
export function providerOf(host: string | null, lowerText: string, domain: string | null): Provider {
  const singledOut = () => domain !== null && providerFromDomain(domain) !== null;
  return providerNamedBy(host, lowerText, singledOut) ?? providerUnnamed(host, domain);
}

/**
 * The mailbox providers' own domains, as an address's domain in a reply (`<a@icloud.com>`): the provider of that
 * mailbox, which is the reply's writer only as far as the recipient is that mailbox (TEXT_MARKERS).
 */
const ADDRESS_MARKERS: ReadonlyArray<{ provider: Provider; pattern: RegExp }> = [
  { provider: "apple", pattern: /@(?:[\w-]+\.)*(?:icloud|me)\.com\b/ },
  { provider: "microsoft", pattern: /@(?:[\w-]+\.)*outlook\.com/ },
  { provider: "comcast", pattern: /@(?:[\w-]+\.)*comcast\.net/ },
  { provider: "cox", pattern: /@(?:[\w-]+\.)*cox\.(?:com|net)\b/ },
  { provider: "charter", pattern: /@(?:[\w-]+\.)*(?:spectrum|charter)\.net\b/ },
];

/**
 * The provider the reply's host or its text names (the stronger evidence), or null. An address in the reply at
 * a mailbox provider's domain names that provider only where the recipient's domain says nothing itself
 * (`recipientSingledOut` false, asked only then: no recipient, or a domain of no provider that no rule table singles out — the
 * store keys both alike): a bare reply naming its own iCloud address is iCloud's, but one a report gives a
 * gmail.com or docomo.ne.jp recipient while it names `<a@icloud.com>` is about another mailbox (review R115).
 */
export function providerNamedBy(
  host: string | null,
  lowerText: string,
  recipientSingledOut: () => boolean = () => false,
  recipientMailbox: () => Provider | null = () => null,
): Provider | null {
  const byHost = host && providerFromHost(host);
  if (byHost) return byHost;
  const byText = lowerText && providerFromText(lowerText);
  if (byText) return yieldsToMailbox(byText, recipientMailbox) ? null : byText;
  if (!lowerText.includes("@") || recipientSingledOut()) return null;
  return ADDRESS_MARKERS.find((marker) => marker.pattern.test(lowerText))?.provider ?? null;
}

/**
 * Whether the provider a reply's words name (a code, a link, a wording: not its host) yields to the recipient's own
 * mailbox domain, a mailbox provider's (RECIPIENT_DOMAINS, or a domain a rule table singles out: qq.com, docomo.ne.jp):
 * mail to such a mailbox is refused by its provider's own servers only, so another provider's code in the reply
 * is about another recipient — a report that gives every recipient one server's reply (nullmailer stops at its
 * first refused RCPT and reports them all with it: review R138, R126) — and never this one's provider.
 */
export function yieldsToMailbox(named: Provider, recipientMailbox: () => Provider | null): boolean {
  const mailbox = recipientMailbox();
  return mailbox !== null && mailbox !== named;
}

/** The provider when neither the host nor the text names one: the recipient domain's, else other or unknown. */
export function providerUnnamed(host: string | null, domain: string | null): Provider {
  return (domain && providerFromDomain(domain)) || (host || domain ? "other" : "unknown");
}

/** The domain of an address (`<a@B.example>` → b.example), or null. Hot: no regex, one slice. */
export function recipientDomain(address: string): string | null {
  // Its last "@", looked for from the end in the compiled code: String.prototype.lastIndexOf is a call out of
  // it into the runtime, once for every record (0.34 % of a bounce-email folder's CPU in the profile).
  let at = address.length - 1;
  while (at >= 0 && address.charCodeAt(at) !== 64) at--;
  if (at < 0) return null;
  let end = address.length;
  for (let i = at + 1; i < end; i++) {
    const code = address.charCodeAt(i);
    if (code === 62 || code <= 32) end = i; // ">" or whitespace ends the address
  }
  if (address.charCodeAt(end - 1) === 46) end--; // a trailing root dot
  const domain = address.slice(at + 1, end).toLowerCase();
  return domain.includes(".") ? domain : null;
}

/** A host name from a Remote-MTA value (`dns; mx01.mail.icloud.com`, `mx[17.57.155.25]`); null for bare IPs. */
export function hostName(remoteMta: string): string | null {
  const name = normalizeName(remoteMta.replace(/^\s*dns\s*;\s*/i, "").replace(/[[(\s:].*$/, ""));
  if (!name.includes(".") || /^[0-9.]+$/.test(name) || name.includes(":")) return null;
  return name;
}

function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}
