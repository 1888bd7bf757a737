import { HOST_TABLES } from "./hosts/index.ts";
import { PhraseMatcher } from "./phrase-matcher.ts";
import type { RuleTable } from "./phrase-rule.ts";
import { REASON_PHRASES } from "./reason-phrases.ts";

/**
 * Every phrase table in decision order: the per-host tables (a host's own meaning of a message or status
 * wins), then the provider-independent reason phrases. Compiled once, at load, into one matcher.
 */
export const PHRASE_TABLES: readonly RuleTable[] = [...HOST_TABLES, REASON_PHRASES];

export const PHRASE_MATCHER = new PhraseMatcher(PHRASE_TABLES);

/** Ids of the per-host rules: like PROVIDER_RULES, a provider's own meaning of its reply. */
export const HOST_RULE_IDS: ReadonlySet<string> = new Set(
  HOST_TABLES.flatMap((table) => table.rules.map((rule) => rule.id)),
);
