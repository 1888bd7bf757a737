import { sqlString } from "../../util/sql.ts";
import { detectProvider, HOST_SUFFIXES, hostName } from "../provider.ts";
import { HOST_TABLES } from "./hosts/index.ts";
import { PROVIDER_RULES } from "./provider-rules.ts";
import { hostScope } from "./scope.ts";

/**
 * What the classifier reads of a remote MTA: the provider its host names (host evidence only) and the host
 * tables and provider rules scoped to the host (hostScope); "" for no remote MTA. Remote MTAs with one key
 * are classified alike (classify's provider and its host-scoped rules are all it reads of the host), so
 * classify's memo and the store's reply key (hostKeySql) share them: a provider's tenants, a relay pool.
 */
export function hostKeyOf(remoteMta: string | null): string {
  if (!remoteMta) return "";
  const host = hostName(remoteMta);
  // A host that ends with none of KEYED_HOST_NAMES (most relays of a log to many domains) has the key of every
  // such host: the tables' walk (~20 µs) is made once for them all.
  if (host !== null && !endsWithKeyedName(host)) {
    unkeyed ??= keyOf(remoteMta, host);
    return unkeyed;
  }
  return keyOf(remoteMta, host);
}

/** hostKeyOf of a remote MTA whose host (hostName) is `host`, by the tables. */
function keyOf(remoteMta: string, host: string | null): string {
  const scope = host === null ? "" : hostScope(host);
  return detectProvider({ remoteMta }) + (scope === "" ? "" : `|${scope}`);
}

/** The key of a host that ends with none of KEYED_HOST_NAMES (made at the first such host). */
let unkeyed: string | undefined;

/**
 * Every name a host's key depends on: the providers' host suffixes, the host tables' and the provider rules'
 * hosts. The names a host ends with (`mx.a.b` ends with `a.b` when it is `a.b` or ends with `.a.b`) are
 * suffixes of one another, so the longest of them has every one the host has: the host's key is that
 * name's own key (hostKeyOf of the name), or a provider-less host's when it ends with none.
 */
export const KEYED_HOST_NAMES: readonly string[] = [
  ...new Set([
    ...HOST_SUFFIXES.map((entry) => entry.suffix),
    ...HOST_TABLES.flatMap((table) => table.hosts ?? []),
    ...PROVIDER_RULES.flatMap((rule) => rule.remoteHost ?? []),
  ]),
];

const KEYED = new Set(KEYED_HOST_NAMES);

/**
 * Whether `host` is one of KEYED_HOST_NAMES or ends with `.` and one: the names the tables test a host against
 * (providerFromHost's hasDomainSuffix, hostScope's isSubdomain: the name itself or a subdomain of it).
 */
function endsWithKeyedName(host: string): boolean {
  if (KEYED.has(host)) return true;
  for (let dot = host.indexOf("."); dot >= 0; dot = host.indexOf(".", dot + 1))
    if (KEYED.has(host.slice(dot + 1))) return true;
  return false;
}

const SEPARATOR = "[[( :\\t]";
const DNS_TYPE = " *; *";
const PLAIN_PATTERN = new RegExp(
  `^(?:[Dd][Nn][Ss]${DNS_TYPE})?(?:[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*\\.?(?:${SEPARATOR}|$)|[[(:]|$)`,
);
/** `dns` then a space: hostName may read it as `dns ;`'s type (its `\s` holds more than RE2's and ours). */
const DNS_THEN_SPACE = /^[Dd][Nn][Ss][ \t]/;

/**
 * Whether a remote MTA's host is its ASCII letters, digits, `_` and `-` in dotted labels (lower case alike in
 * JavaScript and DuckDB), after an optional `dns;` and up to a separator hostName cuts at or the end; an
 * empty host (a bare `[IP]`) only before `[`, `(`, `:` or the end (hostName cuts a leading space away with
 * what follows). hostKeySql keys such a remote MTA by its host, any other by its own text.
 */
export function plainRemoteMta(remoteMta: string): boolean {
  return PLAIN_PATTERN.test(remoteMta) && !DNS_THEN_SPACE.test(remoteMta);
}

/** plainRemoteMta in SQL over a text column (RE2 reads both patterns as JavaScript does). */
export function plainRemoteMtaSql(column: string): string {
  return `(regexp_matches(${column}, ${sqlString(PLAIN_PATTERN.source)})
    AND NOT regexp_matches(${column}, ${sqlString(DNS_THEN_SPACE.source)}))`;
}

/** A plain remote MTA (lower case) whose host hostName reads as none: no dot, or digits and dots only. */
const HOSTLESS = `^(?:dns${DNS_TYPE})?(?:(?:[a-z0-9_-]+\\.?|[0-9.]+)(?:${SEPARATOR}|$)|[[(:]|$)`;
/**
 * A plain remote MTA's `dns;` and host (lower case) ending with one of KEYED_HOST_NAMES, as the name after a dot,
 * `;` or space: the leftmost match is the longest name.
 */
const KEYED_END = `(?:^|[.; ])(?:${KEYED_HOST_NAMES.map((name) => name.replaceAll(".", "\\.")).join("|")})\\.?$`;
const sqlArray = (texts: readonly string[]) => `[${texts.map(sqlString).join(", ")}]`;

/**
 * hostKeyOf in SQL over a text column: a plain remote MTA (plainRemoteMta) gets its key; any other keeps
 * its own text as written after `=` (a finer key than the classifier needs, never a coarser one: lower-casing
 * outside ASCII differs between JavaScript and DuckDB).
 */
export function hostKeySql(column: string): string {
  const lower = `lower(${column})`;
  // Each step once (a repeated expression is evaluated again): the host, the name it ends with, its key.
  const host = `regexp_extract(${lower}, '^(?:dns${DNS_TYPE})?[a-z0-9_.-]*')`;
  const name = `trim(regexp_extract(${host}, ${sqlString(KEYED_END)}), '.; ')`;
  const keys = sqlArray(KEYED_HOST_NAMES.map(hostKeyOf));
  return `CASE WHEN ${column} IS NULL OR ${column} = '' THEN ''
    WHEN NOT ${plainRemoteMtaSql(column)} THEN concat('=', ${column})
    ELSE coalesce(${keys}[list_position(${sqlArray(KEYED_HOST_NAMES)}, ${name})],
      CASE WHEN regexp_matches(${lower}, ${sqlString(HOSTLESS)}) THEN ${sqlString(hostKeyOf("[192.0.2.1]"))}
      ELSE ${sqlString(hostKeyOf("host.invalid"))} END) END`;
}
