/**
 * deliverlens as a library: the root entry is classification (what `deliverlens/bounce` exports, plus
 * reading events as `deliverlens/events` does). The other capabilities have their own entries, so that
 * importing this one stays light: `deliverlens/store`, `/stats`, `/diagnose`, `/inspect`, `/audit`
 * (docs/API.md). Functions and types only.
 */
export * from "./api/bounce.ts";
export * from "./api/events.ts";

// Deprecated: internal tables and the terminal renderer, exported by 0.1 before the subpath entries
// existed. They stay in the root until 0.2 so tools built on them keep working; no subpath has them.

/** @deprecated Part of jsonRecord's output (`schemaVersion`). Removed in 0.2. */
export { RECORD_SCHEMA_VERSION } from "./bounce/render-output.ts";
/** @deprecated Internal rule tables; classify with classifyReply. Removed in 0.2. */
export { PHRASE_TABLES } from "./bounce/rules/knowledge.ts";
/** @deprecated Types of the internal rule tables. Removed in 0.2. */
export type { PhraseRule, RuleTable } from "./bounce/rules/phrase-rule.ts";
/** @deprecated Internal pattern table; use extractProviderCode. Removed in 0.2. */
export { PROVIDER_CODE_PATTERNS } from "./bounce/rules/provider-codes.ts";
/** @deprecated Type of the internal rule tables. Removed in 0.2. */
export type { ProviderRule } from "./bounce/rules/provider-rule.ts";
/** @deprecated Internal rule table (its shape changes with the rules); classify with classifyReply. Removed in 0.2. */
export { PROVIDER_RULES } from "./bounce/rules/provider-rules.ts";
/** @deprecated The vocabularies are the Category, Provider, Reason, FormatName and EventType types. Removed in 0.2. */
export { CATEGORIES, PROVIDERS, REASONS } from "./bounce/vocabulary.ts";
/** @deprecated See CATEGORIES. Removed in 0.2. */
export { EVENT_TYPES } from "./events/event.ts";
/** @deprecated See CATEGORIES. Removed in 0.2. */
export { FORMATS } from "./events/formats.ts";
/** @deprecated Format detection happens inside classifyFile/classifyStream; use detectFormat. Removed in 0.2. */
export { chooseFormat } from "./pipeline/classify-source.ts";
/** @deprecated Terminal rendering belongs to the CLI; use jsonRecord or your own view. Removed in 0.2. */
export { renderRecord } from "./report/record-terminal.ts";
