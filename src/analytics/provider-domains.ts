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
 * so the insert does not cast a text per row (1M rows: 0.083 → 0.053 CPU-s). Only a listed domain is cast:
 * DuckDB's TRY_CAST of an unlisted one builds a cast-error text before it gives NULL, which was 1.2 % of the
 * instructions of a grep'd Postfix log's insert (mostly unlisted domains); the IN test is cheaper.
 */
export function providerOfDomainSql(column: string): string {
  const domains = PROVIDER_DOMAINS.map(({ domain }) => sqlString(domain)).join(", ");
  const providers = PROVIDER_DOMAINS.map(({ provider }) => sqlString(provider)).join(", ");
  return `CASE WHEN ${column} IN (${domains})
    THEN ([${providers}]::mailbox_provider[])[enum_code(${column}::ENUM(${domains})) + 1]
    ELSE 'other'::mailbox_provider END`;
}
