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

export function ruleApplies(rule: ProviderRule, context: RuleContext): boolean {
  if (rule.provider !== undefined && rule.provider !== context.provider) return false;
  if (rule.reply !== undefined && !replyMatches(rule.reply, context.replyCode)) return false;
  if (rule.status !== undefined && (context.status === null || !rule.status.includes(context.status))) {
    return false;
  }
  if (
    rule.recipientDomain !== undefined &&
    !within(context.recipientDomain, rule.recipientDomain) &&
    !within(context.remoteHost, rule.remoteHost ?? [])
  )
    return false;
  return rule.pattern.test(context.lowerText);
}

/** `name` is one of `names` or a subdomain of one. */
function within(name: string | null, names: readonly string[]): boolean {
  return name !== null && names.some((named) => name === named || name.endsWith(`.${named}`));
}
