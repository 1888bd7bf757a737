import { escapeRegExp } from "../../util/regexp.ts";
import type { Provider, Reason } from "../vocabulary.ts";
import { sisimaiStatusReason } from "./status-codes.ts";

/**
 * One fact of the rule knowledge: a phrase (or a provider's code) that decides a Sisimai reason, with the
 * real reply it came from and its source. Tables of these are compiled into one ordered matcher
 * (phrase-matcher.ts): the first entry in table order whose text and gates hold wins.
 */
export interface PhraseRule {
  /** Unique over all tables (a test asserts it). */
  id: string;
  reason: Reason;
  /**
   * Lower-case text the reply must contain; a list means fragments that must appear in this order
   * (Sisimai's "aligned" pairs). Exactly one of `phrase` and `pattern` is given.
   */
  phrase?: string | readonly string[];
  /** For code families a literal cannot express (`OFR_416`, `AUP#1310`): matched on the lower-cased reply. */
  pattern?: RegExp;
  /**
   * Only with one of these enhanced statuses: `5.4.1` (exact), `x.7.26` (either class), `5.7.606-649`
   * (the last number in a range) or `5.*` (the class alone).
   */
  status?: readonly string[];
  /** Only with one of these reply codes, or a code of this class. */
  reply?: "4xx" | "5xx" | readonly number[];
  /**
   * Only when neither the enhanced status nor the reply code is of class 5 (either may be missing): what a
   * host means by a message while it still retries (sisimai go rhost/for-gsuite.go networkerror).
   */
  notPermanent?: boolean;
  /**
   * Applies only when the enhanced status names no other explicit reason: Sisimai reads its "rejected"
   * phrases (about the envelope sender) only then, so a `5.1.1 … Recipient address rejected` stays userunknown.
   * The status names a reason only in Sisimai's own table (its Rejected probe reads status.Name): a code the
   * table lacks, such as 5.5.0 or 5.4.1, which only its RFC 3463 class would name, leaves the words to decide.
   */
  yieldsToStatus?: boolean;
  /**
   * The sending MTA's own word that it stopped retrying ("Giving up on 192.0.2.9.", qmail-remote's trailer
   * after the server's reply), not a cause: a status of STATUS_OVER_QUEUE_TIMEOUT outranks it.
   */
  giveUp?: boolean;
  /**
   * Whether a permanent failure with this reply means "stop mailing the address", where that differs from
   * what the reason implies (userunknown, hostunknown, hasmoved: yes; others: no) — e.g. a provider's
   * suspend that its source says is permanent. Read whatever label the reply ends up with.
   */
  suppress?: boolean;
  /**
   * A word or wording of no Sisimai list (a bare "virus", "spam", "blocked"; "rate limit", "listed in"): it
   * decides only where the enhanced status names no reason (none, or X.0.0: Sisimai's verdict is then onhold)
   * or an address reason — a status alone never turns a refusal the words explain into a dead address to
   * suppress (review s18 R1). Under any other status Sisimai reads the reply by that status ("550 5.7.1
   * Message contains a virus", "421 4.7.0 Rate limit exceeded" are securityerror in its Go and Perl
   * editions), and so does the table.
   */
  unlisted?: boolean;
  /** Applies to any host even in a host-scoped table (the code alone names the provider). */
  anyHost?: boolean;
  /**
   * The phrase is read only as a word of its own: no letter or digit right before or after it. A phrase of one
   * token this short ("batv", "sorbs") also stands inside the random ids replies carry (a base64url run of 22
   * holds a given 4-letter token about once in 60,000; review R128), where it says nothing.
   */
  word?: boolean;
  /** Where the fact comes from: a public URL and/or `sisimai go <file>` (BSD-2-Clause). */
  source: string;
  /**
   * A real reply quoted from where it was seen (a bounce of Sisimai's public set-of-emails, a reply a Sisimai
   * file's comments quote, a provider's page), never an invented one; a test classifies it back to this
   * entry. null: no real reply with this wording was found yet — the entry is tested on its phrase alone, and
   * a test counts such entries (the count can only go down).
   */
  example: string | null;
  /** Where `example` was quoted from, when not from `source`. */
  exampleSource?: string;
  /** When the provider's own documentation overrides Sisimai: what it says and where (a public URL). */
  note?: string;
}

/** An ordered table of rules, optionally scoped to the servers of one provider (Sisimai's "rhost"). */
export interface RuleTable {
  id: string;
  /**
   * Host names of the provider's servers: a rule applies when the remote MTA or the reporting MTA is one
   * of them (or a subdomain), or the recipient domain is one of them or a parent of one (icloud.com →
   * mx01.mail.icloud.com).
   * Absent: the table applies to every reply.
   */
  hosts?: readonly string[];
  /** …or when the classifier detected one of these providers (host, text markers, recipient domain). */
  providers?: readonly Provider[];
  /**
   * Generic phrases weigh less than an explicit enhanced status (see `statusOutranks`); a host's own
   * table does not (its meaning of a status is the point).
   */
  yieldToStatus?: boolean;
  source: string;
  rules: readonly PhraseRule[];
}

/** What a rule's gates see about one reply. */
export interface PhraseContext {
  /** The reply, unfolded and lower-cased. */
  lowerText: string;
  status: string | null;
  replyCode: number | null;
  provider: Provider;
  /** The reason the enhanced status alone implies (RFC 3463), or null for none / x.0.0. */
  statusReason: Reason | null;
  /** The remote MTA's host name, lower case, when known. */
  remoteHost: string | null;
  /** The host that reported the failure (Reporting-MTA), lower case, when known. */
  reportingHost?: string | null;
  recipientDomain: string | null;
}

/** Statuses too vague to outweigh a phrase (Sisimai: securityerror, systemerror, or none). */
const STATUS_REASONS_TO_REFINE: readonly Reason[] = ["securityerror", "systemerror", "undefined", "onhold"];

const STATUS_GATE = /^([45x])\.(?:\*|(\d{1,3})\.(\d{1,3})(?:-(\d{1,3}))?)$/;

/** Does `status` satisfy one of the gate's codes (exact, `x.` either class, or a range in the last number)? */
export function statusMatches(gates: readonly string[], status: string | null): boolean {
  if (status === null) return false;
  const [klass, subject, detail] = status.split(".");
  const detailNumber = Number(detail);
  for (const gate of gates) {
    const match = STATUS_GATE.exec(gate);
    if (!match) continue;
    if (match[1] !== "x" && match[1] !== klass) continue;
    if (match[2] === undefined) return true; // "5.*": the class alone
    if (match[2] !== subject) continue;
    if (
      match[4] === undefined
        ? match[3] === detail
        : detailNumber >= Number(match[3]) && detailNumber <= Number(match[4])
    )
      return true;
  }
  return false;
}

/** `name` equals `suffix` or ends with `.suffix`. */
export function isSubdomain(name: string, suffix: string): boolean {
  return name === suffix || name.endsWith(`.${suffix}`);
}

/**
 * Is this reply from (or to) the servers a table is scoped to? A link in the reply to one of their domains
 * names them too (Mimecast's replies link community.mimecast.com/docs/DOC-1369 whatever host or log passed
 * them on): `linked` is linkedHosts of the reply.
 */
export function tableApplies(
  table: RuleTable,
  context: PhraseContext,
  linked: readonly string[] = linkedHosts(context.lowerText),
): boolean {
  if (table.hosts === undefined && table.providers === undefined) return true;
  if (table.providers?.includes(context.provider)) return true;
  if (!table.hosts) return false;
  const { remoteHost, recipientDomain } = context;
  const reportingHost = context.reportingHost ?? null;
  for (const host of table.hosts) {
    if (remoteHost !== null && isSubdomain(remoteHost, host)) return true;
    if (reportingHost !== null && isSubdomain(reportingHost, host)) return true;
    for (const name of linked) if (isSubdomain(name, host)) return true;
    if (
      recipientDomain !== null &&
      (isSubdomain(host, recipientDomain) || isSubdomain(recipientDomain, host))
    )
      return true;
  }
  return false;
}

/**
 * Reasons about the addresses themselves (recipient mailbox, recipient domain, envelope sender). For these
 * the enhanced status names the component precisely (RFC 3463 X.1.Y), and Sisimai decides on such a status
 * before it reads the text (sisimai go reason/lib.go ClassOrder[0]): `553 5.1.8 … Domain of sender address
 * … does not exist` is the sender (rejected), `550 5.1.2 … Host unknown (Name server: .: host not found)`
 * the recipient's domain (hostunknown).
 */
const ADDRESS_REASONS: readonly Reason[] = [
  "userunknown",
  "hostunknown",
  "rejected",
  "hasmoved",
  "notaccept",
];

/**
 * The order in which Sisimai probes reasons before anything else (sisimai go reason/lib.go ClassOrder[0]),
 * and those of them it takes from the status alone (their `ProbesInto` returns true on the status name:
 * why-mailboxfull.go, why-mesgtoobig.go, why-exceedlimit.go, why-authfailure.go, why-requireptr.go,
 * why-rejected.go, why-blocked.go, on the codes of its smtp/status/lib.go table). Such a status outweighs a
 * generic phrase of any reason probed later or not in that order at all ("550 5.2.2 … User unknown" is
 * mailboxfull), not one probed earlier ("552 5.2.3 … mailbox full" stays mailboxfull).
 */
export const SISIMAI_CLASS_ORDER: readonly Reason[] = [
  "mailboxfull",
  "emailtoolarge",
  "suspend",
  "hasmoved",
  "norelaying",
  "authfailure",
  "userunknown",
  "filtered",
  "requireptr",
  "notcompliantrfc",
  "badreputation",
  "contenterror",
  "rejected",
  "hostunknown",
  "spamdetected",
  "ratelimited",
  "blocked",
];
const PROBED_BY_STATUS: readonly Reason[] = [
  "mailboxfull",
  "emailtoolarge",
  "authfailure",
  "requireptr",
  "rejected",
  "blocked",
];

/**
 * Does Sisimai decide `statusReason` from this status before it would reach `reason` (probed later in
 * ClassOrder[0], or not there at all)? Only for a code of Sisimai's own table ("4.7.23" is not one) and
 * a reason in `probed` (those whose probe reads the status).
 */
export function statusProbedBefore(
  status: string | null,
  statusReason: Reason | null,
  reason: Reason,
  probed: readonly Reason[] = PROBED_BY_STATUS,
): boolean {
  if (statusReason === null || statusReason === reason || !probed.includes(statusReason)) return false;
  if (sisimaiStatusReason(status) !== statusReason) return false;
  const reasonAt = SISIMAI_CLASS_ORDER.indexOf(reason);
  return reasonAt < 0 || SISIMAI_CLASS_ORDER.indexOf(statusReason) < reasonAt;
}

/**
 * The reasons whose probe reads the status, counting those that do it only for a container's first guess
 * (why-userunknown.go: 5.1.1 is userunknown; why-hostunknown.go: 5.1.2 is hostunknown).
 */
export const PROBED_BY_STATUS_FOR_HINTS: readonly Reason[] = [
  ...PROBED_BY_STATUS,
  "userunknown",
  "hostunknown",
];

/** Phrases that still beat a userunknown status (sisimai go reason/why-userunknown.go). */
const BEATS_USERUNKNOWN_STATUS: readonly Reason[] = ["hasmoved", "rejected", "notaccept"];

/**
 * Recipient address statuses whose reason no probe reads before an unknown user's words: Sisimai's UserUnknown
 * probe reads the words under any status but its own at RCPT, its Filtered probe after it (sisimai go
 * reason/why-userunknown.go, why-filtered.go), and HostUnknown (5.1.2) and NotAccept (5.1.10) come later or
 * not at all (reason/lib.go ClassOrder): "550 5.1.10 <a@example.org>: Recipient address rejected: User
 * unknown" is an unknown user, not a null MX.
 */
const YIELD_TO_UNKNOWN_USER_WORDS: readonly Reason[] = ["hostunknown", "notaccept"];

/**
 * The statuses of Sisimai's table (smtp/status/lib.go) whose probe reads them before the queue-timeout
 * phrases are ever tried (why-userunknown.go, why-hostunknown.go, why-contenterror.go, why-spamdetected.go;
 * Expired is only in ClassOrder[1]). They outrank a give-up phrase only (a rule's `giveUp`; not a cause such
 * as "Connection timed out"): a sending MTA's give-up trailer says it stopped retrying, not why the server refused ("553 5.1.3 … not a valid RFC 5321 address … Giving up on
 * 192.0.2.9.", qmail-remote's trailer, is userunknown). Against any other reason's words (spam, policy, rate,
 * virus) the words decide: a status alone must not turn a refusal for content or volume into a dead address
 * to suppress, nor a rate limit into a permanent refusal (review s18 R1).
 */
const STATUS_OVER_QUEUE_TIMEOUT: readonly Reason[] = [
  "userunknown",
  "hostunknown",
  "contenterror",
  "spamdetected",
];

/**
 * Does the status outrank a generic phrase? A status Sisimai reads before the phrase's reason (above) does,
 * one of STATUS_OVER_QUEUE_TIMEOUT does against a give-up phrase (`giveUp`), and an address status (X.1.Y) does
 * against a phrase of another address reason. A routing status such as `5.4.4` does not otherwise:
 * "couldn't find a mail exchanger (#5.4.4)" stays notaccept.
 */
export function statusOutranks(
  status: string | null,
  statusReason: Reason | null,
  phraseReason: Reason,
  giveUp = false,
): boolean {
  if (statusReason === null || statusReason === phraseReason) return false;
  if (statusProbedBefore(status, statusReason, phraseReason, PROBED_BY_STATUS)) return true;
  if (
    giveUp &&
    STATUS_OVER_QUEUE_TIMEOUT.includes(statusReason) &&
    sisimaiStatusReason(status) === statusReason
  )
    return true;
  if (status === null || !status.startsWith(".1.", 1)) return false;
  if (!ADDRESS_REASONS.includes(statusReason) || !ADDRESS_REASONS.includes(phraseReason)) return false;
  if (phraseReason === "userunknown" && YIELD_TO_UNKNOWN_USER_WORDS.includes(statusReason)) return false;
  return !(statusReason === "userunknown" && BEATS_USERUNKNOWN_STATUS.includes(phraseReason));
}

/** The reply-independent gates of a rule (status, reply code). */
export function gatesHold(rule: PhraseRule, context: PhraseContext): boolean {
  if (rule.status !== undefined && !statusMatches(rule.status, context.status)) return false;
  if (rule.reply !== undefined && !replyMatches(rule.reply, context.replyCode)) return false;
  if (
    rule.notPermanent === true &&
    (context.status?.startsWith("5.") === true ||
      (context.replyCode !== null && context.replyCode >= 500 && context.replyCode < 600))
  )
    return false;
  if (
    rule.unlisted === true &&
    context.statusReason !== null &&
    !ADDRESS_REASONS.includes(context.statusReason)
  )
    return false;
  if (rule.yieldsToStatus === true) {
    const byStatus = sisimaiStatusReason(context.status);
    if (
      byStatus !== null &&
      byStatus !== rule.reason &&
      !STATUS_REASONS_TO_REFINE.includes(byStatus) &&
      !isOtherAddressStatus(context.status)
    )
      return false;
  }
  return true;
}

/**
 * X.1.0, "Other address status" (RFC 3463 §3.2): something about an address, not saying which one — the words
 * do. Postfix answers an unlisted sender "550 5.1.0 <sender>: Sender address rejected: User unknown in local
 * recipient table" (5.1.1 is its code for a recipient: smtpd_check.c, reject_unlisted_sender), so a phrase
 * naming the sender is not outranked by it.
 */
const isOtherAddressStatus = (status: string | null): boolean =>
  status?.length === 5 && status.endsWith(".1.0");

/** Does the reply code satisfy a gate of reply codes (a list, or a class)? */
export function replyMatches(reply: "4xx" | "5xx" | readonly number[], code: number | null): boolean {
  if (code === null) return false;
  if (reply === "4xx") return code >= 400 && code < 500;
  if (reply === "5xx") return code >= 500 && code < 600;
  return reply.includes(code);
}

const LINK_HOST = /\b(?:https?:\/\/|www\.)([a-z0-9.-]+)/g;
const NO_HOSTS: readonly string[] = [];

/** The host names of the reply's links (`https://community.mimecast.com/docs/…` → community.mimecast.com). */
export function linkedHosts(lowerText: string): readonly string[] {
  if (!lowerText.includes("http") && !lowerText.includes("www.")) return NO_HOSTS;
  const hosts: string[] = [];
  for (const link of lowerText.matchAll(LINK_HOST)) {
    const name = link[0].startsWith("www.") ? `www.${link[1]}` : link[1];
    hosts.push(name.replace(/\.+$/, ""));
  }
  return hosts;
}

/**
 * A hyphen or a dash between two letters or digits reads as the space it stands for: one wording is written
 * both ways ("Rejected by header-based Anti-Spoofing policy", as sisimai go rhost/for-mimecast.go quotes
 * Mimecast's codes page, reaches "rejected by header based anti-spoofing policy" in a reply and the other way
 * round; a word processor's dash for a hyphen), so phrases and replies are compared in this form. A dash that
 * stands apart (" - spam") stays. The word "e-mail" (or "e mail") then reads as "email": servers write it
 * both ways, and so do Sisimai's lists ("considered unsolicited bulk e-mail (spam)" in reason/why-spamdetected.go
 * beside "spam email", "your email is considered spam"), so one spelling in a phrase finds the other in a reply.
 * Phrases and replies are both read in this form; positions in it are positions in this form only.
 */
export function phraseForm(text: string): string {
  const spaced = HYPHEN.test(text) ? text.replace(HYPHENS, " ") : text;
  return spaced.includes("e mail") ? spaced.replace(E_MAIL, "email") : spaced;
}
/** ASCII hyphen-minus, Unicode's hyphens and dashes (U+2010–U+2015), the minus sign (U+2212). */
const HYPHEN = /[-\u2010-\u2015\u2212]/;
const HYPHENS = /(?<=[\p{L}\p{N}])[-\u2010-\u2015\u2212](?=[\p{L}\p{N}])/gu;
/** "e mail" as a word of its own ("e-mail" once its hyphen reads as a space), not the end of "the mail". */
const E_MAIL = /(?<![\p{L}\p{N}])e mail/gu;

/** The phrase's fragments (one for a plain phrase). */
export function fragmentsOf(rule: PhraseRule): readonly string[] {
  if (rule.phrase === undefined) return [];
  return typeof rule.phrase === "string" ? [rule.phrase] : rule.phrase;
}

/**
 * The text an entry is tested on: its real reply, or where none was found yet its phrase, with "…" for
 * what a reply writes between its fragments and beyond a space at either end (" - spam" → "… - spam").
 */
export function testedText(rule: PhraseRule): string {
  if (rule.example !== null) return rule.example;
  const phrase = fragmentsOf(rule).join("…");
  return `${phrase.startsWith(" ") ? "…" : ""}${phrase}${phrase.endsWith(" ") ? "…" : ""}`;
}

/**
 * Do the fragments occur in `text` in this order, without overlapping (each a word of its own with `word`:
 * PhraseRule.word)?
 */
export function alignedIn(text: string, fragments: readonly string[], word = false): boolean {
  let from = 0;
  for (const fragment of fragments) {
    let at = text.indexOf(fragment, from);
    while (
      word &&
      at >= 0 &&
      (isWordCode(text.charCodeAt(at - 1)) || isWordCode(text.charCodeAt(at + fragment.length)))
    )
      at = text.indexOf(fragment, at + 1);
    if (at < 0) return false;
    from = at + fragment.length;
  }
  return true;
}

/** An ASCII letter or digit (a lower-cased reply's; NaN, beyond either end, is none). */
const isWordCode = (code: number): boolean => (code >= 97 && code <= 122) || (code >= 48 && code <= 57);

/** A regular expression source for where the rule's phrase holds in a lower-cased reply (as alignedIn reads it). */
export function phraseSource(rule: PhraseRule): string {
  const fragments = fragmentsOf(rule).map(escapeRegExp);
  return (rule.word === true ? fragments.map((word) => `(?<![a-z0-9])${word}(?![a-z0-9])`) : fragments).join(
    "[\\s\\S]*?",
  );
}
