import { listedRecipientDomains } from "../bounce/provider.ts";
import { sqlString } from "../store/index.ts";

/**
 * Mailbox provider of a recipient domain, for every event type (opens and clicks carry no reply to
 * classify): the bounce recipient-domain table (src/bounce/provider.ts, sourced), as exact domains
 * for the ingest's SQL. Unlisted domains are `other`.
 */
export const PROVIDER_DOMAINS = listedRecipientDomains();

/**
 * SQL: the provider of the domain `column` holds, else `other`, as the store's `mailbox_provider` enum
 * (src/store/schema.ts). The domain is cast to an ENUM of the listed domains (a hash lookup; NULL when
 * unlisted) whose position indexes the providers: a tenth of the time of a join against a table of the
 * domains, which made DuckDB carry every column through it. The providers are listed as the stored enum,
 * so the insert does not cast a text per row (1M rows: 0.083 → 0.053 CPU-s).
 */
export function providerOfDomainSql(column: string): string {
  const domains = PROVIDER_DOMAINS.map(({ domain }) => sqlString(domain)).join(", ");
  const providers = PROVIDER_DOMAINS.map(({ provider }) => sqlString(provider)).join(", ");
  return `coalesce(([${providers}]::mailbox_provider[])[enum_code(TRY_CAST(${column} AS ENUM(${domains}))) + 1],
    'other'::mailbox_provider)`;
}
