import { listedRecipientDomains } from "../bounce/provider.ts";
import { sqlString } from "../store/index.ts";

/**
 * Mailbox provider of a recipient domain, for every event type (opens and clicks carry no reply to
 * classify): the bounce recipient-domain table (src/bounce/provider.ts, sourced), as exact domains
 * for the ingest's SQL. Unlisted domains are `other`.
 */
export const PROVIDER_DOMAINS = listedRecipientDomains();

/**
 * SQL: the provider of the domain `column` holds, else `other`. The domain is cast to an ENUM of the
 * listed domains (a hash lookup; NULL when unlisted) whose position indexes the providers: a tenth of
 * the time of a join against a table of the domains, which made DuckDB carry every column through it.
 */
export function providerOfDomainSql(column: string): string {
  const domains = PROVIDER_DOMAINS.map(({ domain }) => sqlString(domain)).join(", ");
  const providers = PROVIDER_DOMAINS.map(({ provider }) => sqlString(provider)).join(", ");
  return `coalesce([${providers}][enum_code(TRY_CAST(${column} AS ENUM(${domains}))) + 1], 'other')`;
}
