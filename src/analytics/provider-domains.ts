import { listedRecipientDomains } from "../bounce/provider.ts";

/**
 * Mailbox provider of a recipient domain, for every event type (opens and clicks carry no reply to
 * classify): the bounce recipient-domain table (src/bounce/provider.ts, sourced), as exact domains
 * for the ingest's SQL join. Unlisted domains are `other`.
 */
export const PROVIDER_DOMAINS = listedRecipientDomains();
