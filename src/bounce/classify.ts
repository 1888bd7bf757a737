import { detach } from "../util/detach.ts";
import {
  hostName,
  providerFromDomain,
  providerNamedBy,
  providerUnnamed,
  recipientDomain,
  yieldsToMailbox,
} from "./provider.ts";
import { type BounceRecord, type RuleRef, ruleRef } from "./record.ts";
import { maskedReply } from "./reply-key.ts";
import {
  BAD_ADDRESS_REASONS,
  CATEGORY_ACTION,
  NOT_FAILURES,
  REASON_ACTION,
  REASON_CATEGORY,
  RETRYABLE_5XX,
  SUPPRESS_REASONS,
} from "./rules/categories.ts";
import { HOST_RULE_IDS, PHRASE_MATCHER } from "./rules/knowledge.ts";
import { outsideLinksAndAddresses, withoutLinks } from "./rules/phrase-matcher.ts";
import {
  type PhraseContext,
  type PhraseRule,
  PROBED_BY_STATUS_FOR_HINTS,
  SISIMAI_CLASS_ORDER,
  statusOutranks,
  statusProbedBefore,
} from "./rules/phrase-rule.ts";
import { extractProviderCode } from "./rules/provider-codes.ts";
import type { ProviderRule } from "./rules/provider-rule.ts";
import { matchProviderRule } from "./rules/provider-rules.ts";
import { domainScope } from "./rules/scope.ts";
import { refusesSender } from "./rules/sender-refusals.ts";
import { reasonFromStatus, statusRule } from "./rules/status-codes.ts";
import { parseReply } from "./smtp-reply.ts";
import {
  type Category,
  FILTERED_NO_PHASE,
  LABEL_HINT_PREFIX,
  OTHER_RECIPIENT,
  type Provider,
  REASONS,
  type Reason,
  type ReasonHint,
  withoutLabel,
} from "./vocabulary.ts";

/** What the classifier knows about one reply. Everything but `text` is optional context. */
export interface ReplyInput {
  /** The SMTP reply / diagnostic text (multi-line replies already joined). */
  text: string;
  replyCode?: number | null;
  status?: string | null;
  remoteMta?: string | null;
  /**
   * The host that wrote the bounce (a DSN's Reporting-MTA), when known. A provider's own table also
   * applies when its host reported the failure (Sisimai reads rhost tables by the reporting host last).
   */
  reportingMta?: string | null;
  recipient?: string | null;
  /** DSN Action (failed, delayed, delivered, relayed, expanded) or event type, when known. */
  action?: string | null;
  /**
   * A reason the container already implies (e.g. ARF → feedback, auto-reply → vacation), or the SMTP phase's
   * `filtered-no-phase` (src/bounce/vocabulary.ts).
   */
  hintReason?: ReasonHint | null;
}

/** The classification of one reply: a BounceRecord without the per-recipient/per-source fields. */
export type Classification = Omit<BounceRecord, "recipient" | "source" | "format" | "time" | "feedbackType">;

/**
 * Hints a container gives that the reply text may still refine (sisimai go reason/lib.go `Retry()`): an MTA that
 * says "expired" or "userunknown" is often less precise than the reply it quotes. Any other hint decides.
 */
export const REFINABLE_HINTS: readonly Reason[] = [
  "undefined",
  "onhold",
  "systemerror",
  "securityerror",
  "expired",
  "networkerror",
  "hostunknown",
  "userunknown",
];

const DELIVERED_ACTIONS = ["delivered", "relayed", "expanded"];
const ENHANCED_STATUS = /^[245]\.[0-9]{1,3}\.[0-9]{1,3}$/;

interface Decision {
  reason: Reason;
  rule: RuleRef;
  providerRule: ProviderRule | null;
  /**
   * The reply's own words say the address does not exist, whatever reason the label follows (Sisimai reads
   * some statuses before the words: "552 1 … mailbox not found" with Status 5.2.2 is mailboxfull there).
   */
  addressGone?: boolean;
  /** The status alone (no phrase, no hint) or a blocked hint decided the reason: its category may say less than the words. */
  fromStatus?: boolean;
  /** The reply refuses another recipient of the report (the `other-recipient` hint): no verdict on this address. */
  otherRecipient?: boolean;
}

/**
 * Replies repeat massively (the same rejection for thousands of recipients), so each distinct input is
 * classified once. The key holds everything the result depends on (the recipient only through its domain).
 */
const memo = new Map<string, MemoEntry>();
/**
 * One context's classification of a text; a text seen in several contexts chains them (most have one). The
 * context is kept as its fields (compared one by one), not joined into a key string built for every call.
 */
interface MemoEntry {
  replyCode: number | null | undefined;
  status: string | null | undefined;
  remoteMta: string | null | undefined;
  domain: string | null;
  action: string | null | undefined;
  hintReason: ReasonHint | null | undefined;
  reportingMta: string | null | undefined;
  classification: Classification;
  next: MemoEntry | null;
  /** The text it classified (the memo's key). */
  text: string;
}

/** Whether the entry was classified in this input's context (everything the result depends on besides the text). */
function sameContext(
  entry: MemoEntry,
  input: Omit<ReplyInput, "text" | "recipient">,
  domain: string | null,
): boolean {
  return (
    entry.replyCode === input.replyCode &&
    entry.status === input.status &&
    entry.remoteMta === input.remoteMta &&
    entry.domain === domain &&
    entry.action === input.action &&
    entry.hintReason === input.hintReason &&
    entry.reportingMta === input.reportingMta
  );
}

const detachedOrNot = <T extends string | null | undefined>(value: T): T =>
  typeof value === "string" ? (detach(value) as T) : value;
/** Classifications kept (over all texts and contexts) before the memo starts afresh. */
const MEMO_ENTRIES = 50_000;
let memoEntries = 0;
/** Longer texts (rare, often hostile) are not kept: the memo stays a few tens of MB at most. */
const MEMO_TEXT_LENGTH = 2048;
/**
 * Classifications the memo keeps before the doorkeeper applies: while it is this small, a text is kept from its
 * first sighting. A process's first replies are classified by cold code (interpreted, compiled as it goes,
 * ~10× a warm classification), and a repeated one would be classified cold once more before it is kept; a
 * process whose texts never repeat pays for at most this many copies (bounded: MEMO_TEXT_LENGTH each).
 */
export const KEPT_AT_FIRST_SIGHT = 2048;
/**
 * Texts seen once, one bit per hash of their characters: past KEPT_AT_FIRST_SIGHT, a text is kept from its second
 * sighting on (a "doorkeeper", as in TinyLFU cache admission). A reply that names its recipient never comes back, and
 * copying it into the memo cost more than the hash; one that repeats is classified once more, then kept.
 */
const SEEN_BITS = 1 << 18;
const seen = new Int32Array(SEEN_BITS / 32);
let seenMarked = 0;

/**
 * Math.imul(a, 0x01000193), the FNV prime (2^24 + 2^8 + 2^7 + 2^4 + 2^1 + 2^0), in shifts: Maglev (email runs'
 * tier) calls a builtin for each Math.imul, here once a character. Exact: the sum of six int32 values is.
 */
const timesFnvPrime = (a: number): number => (a + (a << 1) + (a << 4) + (a << 7) + (a << 8) + (a << 24)) | 0;

/** Whether the text was seen before (or another with its hash: then it is kept a sighting early). */
function seenBefore(text: string): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = timesFnvPrime(hash ^ text.charCodeAt(i));
  const bit = (hash ^ (hash >>> 18)) & (SEEN_BITS - 1);
  const mask = 1 << (bit & 31);
  if ((seen[bit >>> 5] & mask) !== 0) return true;
  // A quarter full, most texts would pass as seen: start afresh.
  if (++seenMarked > SEEN_BITS / 4) {
    seen.fill(0);
    seenMarked = 1;
  }
  seen[bit >>> 5] |= mask;
  return false;
}

/** Whether the last answer of `classified` is the memo's own object (then it is copied before it is handed out). */
let answeredFromMemo = false;

export function classifyReply(input: ReplyInput): Classification {
  const classification = classified(input);
  return answeredFromMemo ? { ...classification } : classification;
}

/**
 * classifyReply without its copy: a repeated reply's classification is the memo's own object, shared, which
 * the caller must not change. A caller that builds its own record of the fields (the email reader) saves
 * copying them twice (an object spread costs ~0.1 µs in Maglev-compiled code, which email runs use).
 */
export function classifyReplyShared(input: ReplyInput): Readonly<Classification> {
  return classified(input);
}

function classified(input: ReplyInput): Classification {
  answeredFromMemo = false;
  const domain = input.recipient ? recipientDomain(input.recipient) : null;
  // Keyed by the (long) text as is, then the short context, so no big key string is built per call.
  const text = typeof input.text === "string" ? input.text : "";
  if (text.length > MEMO_TEXT_LENGTH) return classifyUncached({ ...input, text }, domain);
  let first = memo.get(text);
  for (let entry: MemoEntry | null = first ?? null; entry !== null; entry = entry.next)
    if (sameContext(entry, input, domain)) {
      answeredFromMemo = true;
      return entry.classification;
    }
  const classification = classifyUncached({ ...input, text }, domain);
  if (!first && memoEntries >= KEPT_AT_FIRST_SIGHT && !seenBefore(text)) return classification;
  if (memoEntries >= MEMO_ENTRIES) {
    memo.clear();
    memoEntries = 0;
    first = undefined;
  }
  const entry = keep(text, first, input, domain, classification);
  if (toShare !== null && toShare.length < SHARED_AT_MOST) toShare.push(entry);
  return classification;
}

/**
 * Keeps `classification` of `text` in this context (`input`'s fields, `domain`) in the memo, in front of the
 * text's other contexts (`first`). A chain, not a map per text: most texts are seen in one context. Kept
 * strings are copies: a reply is a slice of its whole message (or of a decoded log chunk), which the memo would
 * otherwise keep alive. Frozen: classifyReplyShared hands out this very object for every later sighting.
 */
function keep(
  text: string,
  first: MemoEntry | undefined,
  input: Omit<ReplyInput, "text" | "recipient">,
  domain: string | null,
  classification: Classification,
): MemoEntry {
  const kept: Classification = Object.freeze({
    ...classification,
    remoteMta: classification.remoteMta === null ? null : detach(classification.remoteMta),
    status: classification.status === null ? null : detach(classification.status),
    providerCode: classification.providerCode === null ? null : detach(classification.providerCode),
    diagnostic: detach(classification.diagnostic),
  });
  const keptText = first ? text : detach(text);
  const entry: MemoEntry = {
    replyCode: input.replyCode,
    status: detachedOrNot(input.status),
    remoteMta: detachedOrNot(input.remoteMta),
    domain: detachedOrNot(domain),
    action: detachedOrNot(input.action),
    hintReason: input.hintReason,
    reportingMta: detachedOrNot(input.reportingMta),
    classification: kept,
    next: first ?? null,
    text: keptText,
  };
  memo.set(keptText, entry);
  memoEntries++;
  return entry;
}

/**
 * Classifications kept in the memo since they were last taken (keptToShare), for classify's other process
 * (src/pipeline/second-process.ts): it would otherwise classify every reply this one has once more. Null while
 * this process shares nothing (the default: one process, or logs).
 */
let toShare: MemoEntry[] | null = null;
/** Kept classifications waiting to be taken, at most (more are not shared: the other classifies them). */
export const SHARED_AT_MOST = 4096;

/** From now on, the classifications this process keeps are also kept for keptToShare(). */
export function shareKept(): void {
  toShare ??= [];
}

/** A memo entry as sent to another process: its text, its context and its classification (JSON). */
export interface SharedClassification {
  text: string;
  context: Omit<ReplyInput, "text" | "recipient"> & { domain: string | null };
  classification: Classification;
}

/** The classifications kept since the last call (at most SHARED_AT_MOST), for another process's memo. */
export function keptToShare(): SharedClassification[] {
  if (toShare === null || toShare.length === 0) return [];
  const taken = toShare.map((entry) => ({
    text: entry.text,
    context: {
      replyCode: entry.replyCode,
      status: entry.status,
      remoteMta: entry.remoteMta,
      action: entry.action,
      hintReason: entry.hintReason,
      reportingMta: entry.reportingMta,
      domain: entry.domain,
    },
    classification: entry.classification,
  }));
  toShare = [];
  return taken;
}

/**
 * Another process's classifications (keptToShare, through JSON) into this one's memo, as if classified here:
 * the same verdict for the same text and context (both run the same code and tables). Not shared again;
 * one already kept is left as it is.
 */
export function adoptShared(shared: readonly SharedClassification[]): void {
  for (const { text, context, classification } of shared) {
    if (typeof text !== "string" || text.length > MEMO_TEXT_LENGTH) continue;
    let first = memo.get(text);
    let known = false;
    for (let entry: MemoEntry | null = first ?? null; entry !== null && !known; entry = entry.next)
      known = sameContext(entry, context, context.domain);
    if (known) continue;
    if (memoEntries >= MEMO_ENTRIES) {
      memo.clear();
      memoEntries = 0;
      first = undefined;
    }
    const rule = ruleRef(classification.rule.id, classification.rule.source);
    keep(text, first, context, context.domain, { ...classification, rule });
  }
}

/**
 * Typographic apostrophes (U+2018, U+2019, U+02BC), as word processors and HTML notices write "couldn’t",
 * read as the ASCII one every phrase is written with ("doesn't have a … account", "can't accept user").
 */
const TYPOGRAPHIC_APOSTROPHE = /[\u2018\u2019\u02bc]/;
const TYPOGRAPHIC_APOSTROPHES = /[\u2018\u2019\u02bc]/g;
function plainApostrophes(text: string): string {
  return TYPOGRAPHIC_APOSTROPHE.test(text) ? text.replace(TYPOGRAPHIC_APOSTROPHES, "'") : text;
}

function classifyUncached(input: ReplyInput, domain: string | null): Classification {
  const read = readReply(input, domain, true);
  const dsnAction = input.action?.trim().toLowerCase() ?? null;
  const hint =
    input.hintReason &&
    (Object.hasOwn(REASONS, withoutLabel(input.hintReason)) ||
      input.hintReason === FILTERED_NO_PHASE ||
      input.hintReason === OTHER_RECIPIENT)
      ? input.hintReason
      : null;
  return verdictOf(read, decide(hint, dsnAction, read.context), dsnAction);
}

/**
 * classifyReply of a reply to a delivered DSN action (delivered, relayed, expanded; or such an event) that
 * comes with no hint: decide() gives `delivered` whatever the words say, so only what the verdict reads of
 * the text is read (readReply: the reply's one-line text, its code, status and host, the provider it names,
 * a provider code) — no memo, no phrase or provider rule. An accept naming its message, size and time is
 * seen once: keeping it cost more than reading it. Null for any other input (classifyReply reads those).
 * test/bounce/classify-delivery.test.ts holds it equal to classifyReply on every rule's example and fixture.
 */
export function classifyDelivery(input: ReplyInput): Classification | null {
  if (input.hintReason) return null;
  const dsnAction = input.action?.trim().toLowerCase() ?? null;
  if (dsnAction === null || !DELIVERED_ACTIONS.includes(dsnAction)) return null;
  const domain = input.recipient ? recipientDomain(input.recipient) : null;
  const read = readReply(input, domain, false);
  const verdict = verdictOf(read, delivered(), dsnAction);
  // A code found in the raw reply may be an id's letters ("… 000000000000-oukaaaaaaaa1si000.000 - gsmtp"): read
  // as the reply's key sees it, as a bounce's is (review R103), the store's one classification of the key
  // giving every delivery of the key the same. Only then masked: a delivery rarely holds anything code-like.
  if (verdict.providerCode === null) return verdict;
  const providerCode = extractProviderCode(plainApostrophes(maskedReply(read.text).toLowerCase()));
  return providerCode === verdict.providerCode ? verdict : { ...verdict, providerCode };
}

/** What the classifier reads of a reply before it decides anything (the input's fields first, then the text's). */
interface ReadReply {
  context: PhraseContext;
  remoteMta: string | null;
  /** The reply on one line (parseReply): the diagnostic. */
  text: string;
  /**
   * Whether the reply's host or its text named the provider (else it is the recipient domain's, other or unknown,
   * and a provider's own rule the reply matches names its writer: ProviderRule.writtenBy).
   */
  providerNamed: boolean;
  /** The provider whose mailbox the recipient's domain is (or other for one a rule table singles out), or null. */
  recipientMailbox: () => Provider | null;
}

/**
 * `asKeyed`: every verdict is read from the reply as its key sees it (src/bounce/reply-key.ts maskReply: an
 * address's local part, ids, numbers, times and IPs replaced by placeholders no rule reads), since `classify`'s
 * memo and the store's `reply_classes` give one key's verdict to every reply of the key: an address's local
 * part (`<dmarc@…>: User unknown`), a word an id's digit joined to a token (`unknown5sV`), an id's length in a
 * rule's bounded gap or letters that look like a provider code must never decide it (review R100–R103). Masked
 * once the reply is on one line (parseReply: continuation prefixes, and the statuses OpenSMTPD glues to a line's
 * last word, dropped), so a line's last word stays a word; the code, the status and the one-line text a record
 * shows are the reply's own (the masker never touches codes or statuses).
 */
function readReply(input: ReplyInput, domain: string | null, asKeyed: boolean): ReadReply {
  const parsed = parseReply(typeof input.text === "string" ? input.text : "");
  const replyCode = validReplyCode(input.replyCode) ?? parsed.replyCode;
  const status = validStatus(input.status) ?? parsed.status;
  const remoteMta = input.remoteMta?.trim() || parsed.remoteMta;
  const keyed = asKeyed ? maskedReply(parsed.text) : parsed.text;
  const lowerText = plainApostrophes(keyed.toLowerCase());
  const remoteHost = remoteMta ? hostName(remoteMta) : null;
  // A reply the report gives this recipient though it refuses another (the other-recipient hint) names, by its
  // addresses, that other mailbox's provider, never this one's (review R126).
  let mailbox: Provider | null | undefined;
  const recipientMailbox = (): Provider | null => {
    if (mailbox === undefined)
      mailbox =
        domain === null
          ? null
          : (providerFromDomain(domain) ?? (domainScope(domain) !== "" ? "other" : null));
    return mailbox;
  };
  const named = providerNamedBy(
    remoteHost,
    lowerText,
    () => input.hintReason === OTHER_RECIPIENT || recipientMailbox() !== null,
    recipientMailbox,
  );
  const context: PhraseContext = {
    lowerText,
    provider: named ?? providerUnnamed(remoteHost, domain),
    replyCode,
    status,
    recipientDomain: domain,
    remoteHost,
    reportingHost: input.reportingMta ? hostName(input.reportingMta) : null,
    statusReason: statusRule(status)?.reason ?? null,
  };
  return {
    context,
    remoteMta: remoteMta ?? null,
    text: parsed.text,
    providerNamed: named !== null,
    recipientMailbox,
  };
}

/** The classification of a reply read as `read` for which `decide` gave `decision`. */
function verdictOf(read: ReadReply, decision: Decision, dsnAction: string | null): Classification {
  const { context } = read;
  const { lowerText, replyCode, status } = context;
  const ruled: Category =
    decision.providerRule?.category ??
    wordsCategory(
      policyRefusalCategory(REASON_CATEGORY[decision.reason], lowerText),
      context,
      decision.fromStatus === true,
    );
  // Deliveries, auto-replies and complaints are outcomes, not failures: never permanent or retryable.
  const failure = !NOT_FAILURES.includes(ruled);
  const deferred = failure && (dsnAction === "delayed" || isClass(replyCode, status, 4));
  // A temporary reply never says the address is bad: "421 4.3.2 All server ports are busy" (RFC 3463 X.3.2, the
  // host "is not accepting messages … an imminent shutdown, excessive load, or system maintenance") is the
  // server's state now. Only a provider's own rule may call a temporary reply a recipient verdict.
  const category: Category =
    ruled === "recipient" && deferred && !decision.providerRule?.category ? "transient" : ruled;
  const permanent =
    failure && !deferred && (isClass(replyCode, status, 5) || (replyCode === null && dsnAction === "failed"));
  const retryable = deferred || (permanent && (decision.providerRule?.retryable ?? RETRYABLE_5XX[category]));
  const suppressRecipient =
    permanent &&
    (decision.providerRule?.suppress ??
      (SUPPRESS_REASONS.includes(decision.reason) || decision.reason === "notaccept"));

  const writer = decision.providerRule?.writtenBy;
  const classification: Classification = {
    provider:
      writer !== undefined && !read.providerNamed && !yieldsToMailbox(writer, read.recipientMailbox)
        ? writer
        : context.provider,
    remoteMta: read.remoteMta,
    replyCode,
    status,
    providerCode: extractProviderCode(lowerText),
    reason: decision.reason,
    category,
    permanent,
    retryable,
    suppressRecipient,
    action: decision.providerRule?.action ?? REASON_ACTION[decision.reason] ?? CATEGORY_ACTION[category],
    diagnostic: read.text,
    rule: decision.rule,
  };
  if (decision.otherRecipient === true) return anotherRecipientsRefusal(classification);
  const verdict =
    decision.addressGone === true && decision.providerRule === null
      ? addressGoneByWords(classification)
      : classification;
  return verdict.suppressRecipient && decision.providerRule === null && refusesSender(lowerText)
    ? sendersRefusal(verdict)
    : verdict;
}

/**
 * The reply refuses the envelope sender (rules/sender-refusals.ts: Postfix's "Sender address rejected", Exim's
 * "Sender verify failed"): the label stays Sisimai's, but the words of an unknown user in it are about the sender,
 * so this is no verdict on the recipient: kept, and not worth sending again until the sender's address is fixed
 * (category infrastructure, a sender-side problem). One broken bounce address must not suppress every recipient
 * of a receiver that verifies senders.
 */
function sendersRefusal(classification: Classification): Classification {
  return {
    ...classification,
    category: "infrastructure",
    retryable: RETRYABLE_5XX.infrastructure,
    suppressRecipient: false,
    action: CATEGORY_ACTION.infrastructure,
  };
}

/**
 * The label stays the reply's (Sisimai reads the reply it is given), the verdict is not about this address: kept,
 * and the message is worth sending again without the refused recipient (category transient, as a temporary
 * reply's).
 */
function anotherRecipientsRefusal(classification: Classification): Classification {
  if (!classification.permanent) return classification;
  return {
    ...classification,
    category: "transient",
    retryable: RETRYABLE_5XX.transient,
    suppressRecipient: false,
    action: CATEGORY_ACTION.transient,
  };
}

/**
 * A refusal the reply says was by the receiver's policy ("Rejected by policy", "Policy violation", "refused by
 * recipient's policy") is about how the receiver judges the sender (category reputation), even where the
 * label follows Sisimai, which names it policyviolation only for the phrases it lists and else by the status
 * (5.7.1 securityerror) or not at all. Only where the reason's own category says nothing (unknown, transient),
 * and only a policy next to the refusal, outside a link: "see our policy at http://…" or a notice's footer
 * ("Privacy Policy") is not the verdict. Words (letters, digits, apostrophes) and what separates them are
 * disjoint classes: where an apostrophe could be either, a run of them backtracked catastrophically (review R39).
 */
const POLICY_REFUSAL =
  /\b(?:reject|refus|violat|denied|not accepted|restrict)\w*[^\w']+(?:[\w']+[^\w']+){0,3}polic(?:y|ies)\b|\bpolic(?:y|ies)\W+(?:reject|refus|violat|restrict)/;
function policyRefusalCategory(category: Category, lowerText: string): Category {
  if (category !== "unknown" && category !== "transient") return category;
  if (!lowerText.includes("polic")) return category;
  return POLICY_REFUSAL.test(withoutLinks(lowerText)) ? "reputation" : category;
}

/**
 * The label follows Sisimai, the category keeps the why (review R41): where the reason's own category says
 * nothing (unknown, transient) — a word of no Sisimai list yielded to a status Sisimai reads, as "554 5.7.1
 * Message rejected because it contains a virus" is securityerror — or where the status alone decided the
 * reason (Sisimai reads 4.7.1 as blocked: "451 4.7.1 Rate limited, please try again later"), the reply's
 * words read as if no status were given, outside links, give their reason's category (virusdetected:
 * content; ratelimited: rate-limit). Words that say nothing more, or that an outcome is no failure (an
 * auto-reply's, a delivery's), leave the category as it is.
 */
function wordsCategory(category: Category, context: PhraseContext, fromStatus: boolean): Category {
  if (!fromStatus && category !== "unknown" && category !== "transient") return category;
  const words = PHRASE_MATCHER.match({
    ...context,
    lowerText: outsideLinksAndAddresses(context.lowerText),
    statusReason: null,
  });
  if (words === null) return category;
  const said = REASON_CATEGORY[words.rule.reason];
  return WORDS_SAY_NOTHING_MORE.includes(said) || NOT_FAILURES.includes(said) ? category : said;
}
/**
 * Categories the words cannot give over the reason's: no more than it says, or a verdict on the address the
 * reason did not reach (addressGoneByWords decides that, with suppression).
 */
const WORDS_SAY_NOTHING_MORE: readonly Category[] = ["unknown", "transient", "recipient"];

/**
 * The label follows Sisimai, the verdict follows what the reply means: when the reply's own words say the
 * address does not exist but the reason is another's (a status Sisimai reads first, a filter's refusal in
 * no named phase), a permanent failure is still a bad address — category recipient (so the store counts a
 * hard bounce, not a policy one), suppressed, not worth retrying — whatever the reason says.
 */
function addressGoneByWords(classification: Classification): Classification {
  if (!classification.permanent || classification.suppressRecipient) return classification;
  return {
    ...classification,
    category: "recipient",
    retryable: RETRYABLE_5XX.recipient,
    suppressRecipient: true,
    action: CATEGORY_ACTION.recipient,
  };
}

/**
 * The reasons whose phrases may replace a reason the container (an MTA's report) already decided: Sisimai
 * re-checks such a reason only against these (sisimai go reason/lib.go `ClassOrder[0]`, each reason's
 * `ProbesInto` in reason/why-*.go); the others (expired, networkerror, systemerror, notaccept,
 * securityerror…) are read from the text only when the container decided nothing.
 */
const OVERRIDES_HINT: readonly Reason[] = SISIMAI_CLASS_ORDER;

/**
 * First answer wins: a decisive container hint, a delivered DSN action, provider rules, generic phrases
 * (with a refinable hint, only those of OVERRIDES_HINT), the status code (with a refinable hint, only one
 * Sisimai reads before that hint), a refinable hint, else `undefined`.
 */
function decide(hinted: ReasonHint | null, dsnAction: string | null, context: PhraseContext): Decision {
  if (hinted === FILTERED_NO_PHASE) {
    // Sisimai's label for words of an unknown user where the report shows no SMTP phase: the words are
    // still the only evidence about the address. After DATA (a plain `filtered` hint) the recipient had
    // been accepted at RCPT TO, and the words are a filter's.
    if (context.lowerText === "") return fromHint("filtered");
    return { ...fromHint("filtered"), addressGone: wordsSayGone(context) };
  }
  if (hinted === OTHER_RECIPIENT) return { ...decide(null, dsnAction, context), otherRecipient: true };
  if (hinted?.startsWith(LABEL_HINT_PREFIX))
    return decideLabel(withoutLabel(hinted) as Reason, dsnAction, context);
  const hint: Reason | null = hinted as Reason | null;
  // A container's blocked verdict (an MTA's phase, Sisimai's order) names the label; its category keeps the why the
  // words give (R41): "451 4.7.1 Message content rejected, UBE" refused at RCPT TO is blocked, and content.
  if (hint && !REFINABLE_HINTS.includes(hint))
    return hint === "blocked" ? { ...fromHint(hint), fromStatus: true } : fromHint(hint);
  if (dsnAction && DELIVERED_ACTIONS.includes(dsnAction)) return delivered();
  if (context.lowerText) {
    const providerRule = matchProviderRule(context);
    if (providerRule) {
      return {
        reason: providerRule.reason,
        rule: ruleRef(providerRule.id, providerRule.source),
        providerRule,
      };
    }
    const phrase = PHRASE_MATCHER.match(context);
    // An onhold hint is a report's verdict that the error came before the recipient was named (at MAIL
    // FROM: src/bounce/email/smtp-phase.ts); words of an unknown user there are about the sender, so they do
    // not refine it (Sisimai's user-unknown probe needs RCPT or a destination status: reason/why-userunknown.go).
    if (phrase && hint === "onhold" && phrase.rule.reason === "userunknown") return fromHint(hint);
    // An MTA's own verdict ("expired", "networkerror"…) stands against a generic phrase of a reason that
    // never overrides one: "Sorry, I wasn't able to establish an SMTP connection … in the queue too long" is
    // networkerror from qmail, expired from any other MTA. A host's own table is read first whatever the MTA
    // guessed (Sisimai reads its rhost tables before the reason lists for an empty or retried reason): the
    // expiry of Mimecast's "451 Internal resources are temporarily unavailable" is its bad reputation.
    if (
      phrase &&
      hint &&
      hint !== "undefined" &&
      hint !== "onhold" &&
      phrase.rule.reason !== hint &&
      !OVERRIDES_HINT.includes(phrase.rule.reason) &&
      !HOST_RULE_IDS.has(phrase.rule.id)
    )
      return fromHint(hint);
    if (phrase) {
      return {
        reason: phrase.rule.reason,
        rule: ruleRef(phrase.rule.id, phrase.rule.source),
        providerRule: null,
        addressGone: saysAddressGone(phrase.rule),
      };
    }
  }
  const byStatus = reasonFromStatus(context.status, context.replyCode);
  // Before the recipient was named, X.1.0 (which names no address) is the sender's (see the onhold hint above).
  if (hint === "onhold" && context.status?.startsWith(".1.0", 1) === true && context.status.length === 5)
    return fromHint(hint);
  // A container's first guess stands against a status, unless Sisimai reads that status before it would
  // reach the guess (sisimai go reason/find.go: a retried reason is probed again in ClassOrder[0], and an
  // explicit one is kept by anotherone()).
  if (
    byStatus &&
    hint &&
    hint !== "undefined" &&
    hint !== "onhold" &&
    !statusProbedBefore(context.status, byStatus, hint, PROBED_BY_STATUS_FOR_HINTS)
  )
    return fromHint(hint);
  if (byStatus) {
    const code = context.status ?? String(context.replyCode);
    return {
      reason: byStatus,
      rule: ruleRef(`status:${code}`, "RFC 3463 / IANA SMTP Enhanced Status Codes registry"),
      providerRule: null,
      addressGone: context.lowerText !== "" && wordsOutrankedSayGone(context),
      fromStatus: true,
    };
  }
  if (hint) return fromHint(hint);
  return { reason: "undefined", rule: ruleRef("none", ""), providerRule: null };
}

/**
 * An ESP's label (a `label-` hint): the provider's own rules for the reply first — a provider rule, or a phrase
 * of the table of the host or domain it came from — then the label as any other hint (refined by the reply
 * where its reason is refinable), a decisive label keeping what words that the address does not exist say.
 */
function decideLabel(label: Reason, dsnAction: string | null, context: PhraseContext): Decision {
  if (context.lowerText) {
    const providerRule = matchProviderRule(context);
    if (providerRule)
      return {
        reason: providerRule.reason,
        rule: ruleRef(providerRule.id, providerRule.source),
        providerRule,
      };
    const phrase = PHRASE_MATCHER.match(context);
    if (phrase && HOST_RULE_IDS.has(phrase.rule.id))
      return {
        reason: phrase.rule.reason,
        rule: ruleRef(phrase.rule.id, phrase.rule.source),
        providerRule: null,
        addressGone: saysAddressGone(phrase.rule),
      };
  }
  if (REFINABLE_HINTS.includes(label)) return decide(label, dsnAction, context);
  return { ...fromHint(label), addressGone: context.lowerText !== "" && wordsSayGone(context) };
}

/** Does this rule's reply say the address does not exist (or is gone for good, where its source says so)? */
function saysAddressGone(rule: PhraseRule): boolean {
  return rule.suppress ?? BAD_ADDRESS_REASONS.includes(rule.reason);
}

/**
 * When the status decided, did it outrank words that say the address does not exist? Only a status about
 * the recipient's mailbox or the message can have (then the reply is read once more with the status's rank
 * set aside); an address status names the address itself ("550 5.1.7 No such domain" is the sender's).
 */
function wordsOutrankedSayGone(context: PhraseContext): boolean {
  const { status, statusReason } = context;
  if (statusReason === null || !MAILBOX_OR_MESSAGE_STATUS.includes(statusReason)) return false;
  if (!GONE_REASONS.some((reason) => statusOutranks(status, statusReason, reason))) return false;
  return wordsSayGone(context);
}

/**
 * Do the reply's words say the address does not exist, whatever the status and the hint? Not where an
 * address status names another address (X.1.7, X.1.8: the sender's).
 */
function wordsSayGone(context: PhraseContext): boolean {
  const { status, statusReason } = context;
  if (isAddressStatus(status) && !BAD_ADDRESS_REASONS.includes(statusReason as Reason)) return false;
  const words = PHRASE_MATCHER.match({ ...context, statusReason: null });
  return words !== null && saysAddressGone(words.rule);
}

/** An address status (RFC 3463 X.1.Y): it names which address failed. */
const isAddressStatus = (status: string | null): boolean => status?.startsWith(".1.", 1) === true;

/** Statuses about the recipient's mailbox or the message, not about an address, the client or the sender. */
const MAILBOX_OR_MESSAGE_STATUS: readonly Reason[] = ["mailboxfull", "emailtoolarge"];

/** The reasons of the phrases that can say an address is gone (a rule's `suppress` says it for the others). */
const GONE_REASONS: readonly Reason[] = [...BAD_ADDRESS_REASONS, "suspend"];

/** A delivered DSN action's decision (the words never change it). */
function delivered(): Decision {
  return { reason: "delivered", rule: ruleRef("dsn-action", "RFC 3464 §2.3.3 Action"), providerRule: null };
}

function fromHint(hint: Reason): Decision {
  return {
    reason: hint,
    rule: ruleRef(`hint:${hint}`, "the input's container (DSN, ARF, auto-reply, event)"),
    providerRule: null,
  };
}

function isClass(replyCode: number | null, status: string | null, digit: 4 | 5): boolean {
  if (replyCode !== null) return Math.floor(replyCode / 100) === digit;
  return status?.startsWith(`${digit}.`) ?? false;
}

function validReplyCode(code: number | null | undefined): number | null {
  return typeof code === "number" && Number.isInteger(code) && code >= 200 && code <= 599 ? code : null;
}

function validStatus(status: string | null | undefined): string | null {
  const trimmed = status?.trim();
  return trimmed && ENHANCED_STATUS.test(trimmed) ? trimmed : null;
}
