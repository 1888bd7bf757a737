import type { Category, Provider, Reason } from "../vocabulary.ts";
import { replyMatches } from "./phrase-rule.ts";

/**
 * One entry of the ordered provider rule table (first match wins). Every constraint given must hold.
 * Patterns see the lower-cased, unfolded reply, so they are written in lower case (a test asserts it).
 */
export interface ProviderRule {
  id: string;
  /** Only when the receiving server was detected as this provider. */
  provider?: Provider;
  /**
   * The provider whose own code or wording the pattern is (its documentation or Sisimai's host table for it):
   * a reply the rule matches was written by that provider's servers, so it names the provider when neither the
   * reply's host nor a text marker does, over the recipient domain's ("… part of their network is on our block
   * list" through a relay that names no host is Microsoft's). Only on rules with no `provider` gate.
   */
  writtenBy?: Provider;
  /** Reply-code class or exact codes. */
  reply?: "4xx" | "5xx" | readonly number[];
  /** Exact enhanced status codes. */
  status?: readonly string[];
  /**
   * Only for recipients in these domains (or their subdomains) — or, with `remoteHost`, for replies from
   * those servers: either place names the provider (a provider's servers also answer for the domains it
   * hosts under other names, as Sisimai's rhost classes match the recipient's domain or the remote host).
   */
  recipientDomain?: readonly string[];
  /** The provider's servers (host names or their parent domains), for a rule scoped by `recipientDomain`. */
  remoteHost?: readonly string[];
  pattern: RegExp;
  reason: Reason;
  category: Category;
  /** The provider's own code this entry is about; the rule-walk test checks it is extracted. */
  providerCode?: string;
  /** Overrides the category's default for 5xx replies (4xx are always retryable). */
  retryable?: boolean;
  /** The address itself is bad: the sender should stop mailing it. */
  suppress?: boolean;
  action: string;
  source: string;
  /** A real (or faithfully shaped) reply this entry must win for. */
  example: string;
  exampleRecipient?: string;
}

export interface RuleContext {
  lowerText: string;
  provider: Provider;
  replyCode: number | null;
  status: string | null;
  recipientDomain: string | null;
  /** The remote MTA's host name, lower case, when known. */
  remoteHost: string | null;
}

/**
 * A rule as the matcher reads it: every constraint present (null when the rule has none), in one order, so
 * that all rules share one hidden class (rules written with different optional fields have several, and
 * reading a field of the table's rules then costs a megamorphic load).
 */
export interface CompiledProviderRule {
  rule: ProviderRule;
  provider: Provider | null;
  reply: "4xx" | "5xx" | readonly number[] | null;
  status: readonly string[] | null;
  recipientDomain: readonly string[] | null;
  remoteHost: readonly string[];
  pattern: RegExp;
}

export function compileProviderRule(rule: ProviderRule): CompiledProviderRule {
  return {
    rule,
    provider: rule.provider ?? null,
    reply: rule.reply ?? null,
    status: rule.status ?? null,
    recipientDomain: rule.recipientDomain ?? null,
    remoteHost: rule.remoteHost ?? [],
    pattern: rule.pattern,
  };
}

/** Whether the rule's gates hold for the reply, and then its pattern. */
export function ruleApplies(rule: CompiledProviderRule, context: RuleContext): boolean {
  if (rule.provider !== null && rule.provider !== context.provider) return false;
  if (rule.reply !== null && !replyMatches(rule.reply, context.replyCode)) return false;
  if (rule.status !== null && (context.status === null || !rule.status.includes(context.status))) {
    return false;
  }
  if (
    rule.recipientDomain !== null &&
    !within(context.recipientDomain, rule.recipientDomain) &&
    !within(context.remoteHost, rule.remoteHost)
  )
    return false;
  return rule.pattern.test(context.lowerText);
}

/** `name` is one of `names` or a subdomain of one. */
function within(name: string | null, names: readonly string[]): boolean {
  // An index loop, no closure: called per reply for the rules scoped by domain.
  if (name === null) return false;
  for (let i = 0; i < names.length; i++) {
    const named = names[i];
    if (name === named || (name.endsWith(named) && name.charCodeAt(name.length - named.length - 1) === 46))
      return true;
  }
  return false;
}
