import { HOST_SUFFIXES, listedRecipientDomains } from "../bounce/provider.ts";
import { plainRemoteMtaSql } from "../bounce/rules/host-key.ts";
import { sqlString, WITHOUT_ROOT_DOT_SQL } from "../store/index.ts";
import { sqlEnum } from "../util/sql.ts";

/**
 * Mailbox provider of a recipient domain, for every event type (opens and clicks carry no reply to
 * classify): the bounce recipient-domain table (src/bounce/provider.ts, sourced), as exact domains
 * for the ingest's SQL. Unlisted domains are `other`.
 */
export const PROVIDER_DOMAINS = listedRecipientDomains();

/**
 * SQL: the provider of the domain `column` holds, else `other`, as the store's `mailbox_provider` enum
 * (src/store/schema.ts). The domain's position in the list of listed domains (`list_position`: NULL or 0
 * when unlisted or NULL) indexes the providers. Not a join against a table of the domains (DuckDB carried
 * every column through it), nor `IN (…)` (six or more constants are planned as a mark join), nor a TRY_CAST
 * to an ENUM of the domains (s29–s30): that builds a cast-error text for every unlisted domain, ~210 ns a
 * row against ~55 for the scan of the 40 names (3M rows, one thread: all unlisted 640 → 170 ms, SendGrid's
 * mix 245 → 165 ms). The providers are listed as the stored enum, so the insert does not cast a text per
 * row (1M rows: 0.083 → 0.053 CPU-s).
 */
export function providerOfDomainSql(column: string): string {
  const domains = PROVIDER_DOMAINS.map(({ domain }) => sqlString(domain)).join(", ");
  const providers = PROVIDER_DOMAINS.map(({ provider }) => sqlString(provider)).join(", ");
  // A root dot (`gmail.com.`) names the same domain, as recipientDomain (src/bounce/provider.ts) reads it (R110).
  const domain = WITHOUT_ROOT_DOT_SQL(column);
  return `coalesce(([${providers}]::mailbox_provider[])[list_position([${domains}], ${domain})],
    'other'::mailbox_provider)`;
}

/**
 * SQL: the host a remote MTA names, as hostName (src/bounce/provider.ts) reads it, for a plain remote MTA
 * (plainRemoteMta: ASCII labels after an optional `dns;`, lower case alike in JavaScript and DuckDB); NULL for
 * any other, and where hostName gives none (no dot, digits and dots only). test/analytics/provider-domains.test.ts
 * compares it with hostName.
 */
export function hostOfRemoteMtaSql(column: string): string {
  const host = `regexp_replace(regexp_replace(regexp_extract(lower(${column}), '^(?:dns *; *)?[a-z0-9_.-]*'),
    '^dns *; *', ''), '\\.$', '')`;
  return `CASE WHEN ${plainRemoteMtaSql(column)} THEN nullif(CASE WHEN contains(${host}, '.') AND NOT regexp_full_match(${host}, '[0-9.]+')
    THEN ${host} END, '') END`;
}

/**
 * SQL: the provider a host name (hostOfRemoteMtaSql's) belongs to by the classifier's host table
 * (HOST_SUFFIXES, first match, as providerFromHost), as the store's `mailbox_provider`; NULL for none.
 */
export function providerOfHostSql(host: string): string {
  const cases = HOST_SUFFIXES.map(
    ({ suffix, provider }) =>
      `WHEN ${host} = ${sqlString(suffix)} OR ends_with(${host}, ${sqlString(`.${suffix}`)}) THEN ${sqlEnum(provider, "mailbox_provider")}`,
  );
  return `CASE ${cases.join(" ")} END`;
}

/** The providers HOST_SUFFIXES names, each once. */
const HOST_PROVIDERS = [...new Set(HOST_SUFFIXES.map((entry) => entry.provider))];

/**
 * SQL: the provider a staged host key (src/analytics/ingest/staging.ts storedHostKey: hostKeyOf's
 * `provider|scope`, the provider its host names) gives, as the store's `mailbox_provider`; NULL for a host of no
 * provider, a remote MTA that is not plain, or none.
 */
export function providerOfHostKeySql(hostKey: string): string {
  const providers = HOST_PROVIDERS.map((provider) => sqlString(provider)).join(", ");
  return `([${providers}]::mailbox_provider[])[list_position([${providers}], split_part(${hostKey}, '|', 1))]`;
}
