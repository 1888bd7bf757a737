import { detach } from "../../util/detach.ts";
import { RECIPIENT_DOMAINS } from "../provider.ts";
import { HOST_TABLES } from "./hosts/index.ts";
import { isSubdomain } from "./phrase-rule.ts";
import { PROVIDER_RULES } from "./provider-rules.ts";

/**
 * What the rule tables single out about a recipient domain or a remote host beyond its provider: the ids
 * of the host tables scoped to it, and the recipient domains of provider rules that name it. Two domains
 * (or hosts) with the same provider and the same scope are classified alike, so a memo of classifications
 * may share them; two with different scopes must be kept apart even when both are "other" (NTT docomo's
 * table names docomo.ne.jp, Mimecast's its hosts, KDDI's rules their domains). "" for none.
 */
export function domainScope(domain: string): string {
  return remembered(domainScopes, domain, domainScopeOf);
}

/**
 * The scopes found last, by domain or host (each a pass over every host table and provider rule; classifiers
 * made one after another — a folder's logs, a test's many — look up the same few again), emptied when full.
 */
const domainScopes = new Map<string, string>();
const hostScopes = new Map<string, string>();
const MAX_SCOPES = 4096;

function remembered(scopes: Map<string, string>, name: string, scopeOf: (name: string) => string): string {
  let scope = scopes.get(name);
  if (scope === undefined) {
    scope = scopeOf(name);
    if (scopes.size >= MAX_SCOPES) scopes.clear();
    // The name may be a slice of a whole input chunk, which it would keep.
    scopes.set(detach(name), scope);
  }
  return scope;
}

function domainScopeOf(domain: string): string {
  const marks: string[] = [];
  for (const table of HOST_TABLES) {
    if (table.hosts?.some((host) => isSubdomain(host, domain) || isSubdomain(domain, host)))
      marks.push(table.id);
  }
  for (const rule of PROVIDER_RULES) {
    for (const named of rule.recipientDomain ?? []) {
      if (isSubdomain(domain, named) && !marks.includes(named)) marks.push(named);
    }
  }
  return marks.join(" ");
}

/**
 * The ids of the host tables scoped to a remote host (lower case), and the servers of provider rules that
 * name it, as `domainScope`; "" for none.
 */
export function hostScope(host: string): string {
  return remembered(hostScopes, host, hostScopeOf);
}

function hostScopeOf(host: string): string {
  const marks: string[] = [];
  for (const table of HOST_TABLES) {
    if (table.hosts?.some((named) => isSubdomain(host, named))) marks.push(table.id);
  }
  for (const rule of PROVIDER_RULES) {
    for (const named of rule.remoteHost ?? []) {
      if (isSubdomain(host, named) && !marks.includes(named)) marks.push(named);
    }
  }
  return marks.join(" ");
}

const TABLE_HOSTS = HOST_TABLES.flatMap((table) => table.hosts ?? []);
const RULE_DOMAINS = PROVIDER_RULES.flatMap((rule) => rule.recipientDomain ?? []);

/** A name and its parent domains that still have a dot (mx.docomo.ne.jp, docomo.ne.jp, ne.jp). */
function withParents(name: string): string[] {
  const labels = name.split(".");
  return labels.map((_, i) => labels.slice(i).join(".")).filter((parent) => parent.includes("."));
}

/**
 * A recipient domain with a dot has a scope (domainScope ≠ "") exactly when it is one of `SCOPED_DOMAINS`
 * (a table's host or one of its parent domains, or a provider rule's domain) or a subdomain of one of
 * `SCOPED_PARENTS`.
 */
export const SCOPED_DOMAINS: readonly string[] = [
  ...new Set([...TABLE_HOSTS.flatMap(withParents), ...RULE_DOMAINS]),
];
export const SCOPED_PARENTS: readonly string[] = [...new Set([...TABLE_HOSTS, ...RULE_DOMAINS])];

const PROVIDER_DOMAINS = RECIPIENT_DOMAINS.flatMap((rule) =>
  rule.domain ? [rule.domain] : (rule.known ?? []),
);
const PROVIDER_LABELS = RECIPIENT_DOMAINS.flatMap((rule) => (rule.label ? [rule.label] : []));

const alternatives = (names: readonly string[]) =>
  [...new Set(names)].map((name) => name.replaceAll(".", "\\.")).join("|");

/**
 * The recipient domains the classifier may read more into than "a domain of no provider": a scoped one
 * (`SCOPED_DOMAINS`, a subdomain of `SCOPED_PARENTS`), a provider's domain or a subdomain of one
 * (sub.icloud.com), or a name with a provider's label under any suffix (yahoo.com.ar) — as one pattern
 * that JavaScript and DuckDB (RE2) read alike. With `PLAIN_DOMAIN`, the store keeps any other domain out
 * of a reply's key: the classifier reads it as `providerFromDomain` null and `domainScope` "".
 */
export const SINGLED_OUT_DOMAIN = `^(?:${alternatives(SCOPED_DOMAINS)})$|(?:^|\\.)(?:${alternatives([
  ...SCOPED_PARENTS,
  ...PROVIDER_DOMAINS,
])})$|(?:^|\\.)(?:${alternatives(PROVIDER_LABELS)})\\.`;

/**
 * A domain the classifier reads as it is written (recipientDomain lower-cases it, cuts it at whitespace or
 * `>`, drops a root dot): lower-case letters, digits and hyphens in two labels or more. Any other domain
 * stays in the store's reply key.
 */
export const PLAIN_DOMAIN = "^[a-z0-9-]+(?:\\.[a-z0-9-]+)+$";
