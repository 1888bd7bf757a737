/** The bounce classifier's public API: a reply (text or parsed) → provider, provider code, reason, category, action. */

export { CLASSIFIER_VERSION } from "./classifier-version.ts";
export { type Classification, classifyReply, type ReplyInput } from "./classify.ts";
export { detectProvider, providerFromDomain, providerFromHost, recipientDomain } from "./provider.ts";
export type { BounceRecord, RuleRef, SourceRef } from "./record.ts";
export { jsonRecord, RECORD_SCHEMA_VERSION } from "./render-output.ts";
export { PHRASE_TABLES } from "./rules/knowledge.ts";
export type { PhraseRule, RuleTable } from "./rules/phrase-rule.ts";
export { extractProviderCode, PROVIDER_CODE_PATTERNS } from "./rules/provider-codes.ts";
export type { ProviderRule } from "./rules/provider-rule.ts";
export { PROVIDER_RULES } from "./rules/provider-rules.ts";
export { type ParsedReply, parseReply } from "./smtp-reply.ts";
export { CATEGORIES, type Category, PROVIDERS, type Provider, REASONS, type Reason } from "./vocabulary.ts";
